"""Time and peak memory per attack of issue 9: how fast each hostile file is refused, and (optionally) what
the unguarded library does with it.

    .venv/bin/python benchmarks/attacks.py              # our readers: default (fast) and reference paths
    .venv/bin/python benchmarks/attacks.py --unguarded  # also gpxpy / fitparse / pandas on the raw file

Each measurement runs in a fresh process (spawned), so its peak RSS (VmHWM) belongs to that one
read: "peak MB" is the rise of the high-water mark during the read, above what the process held once
its libraries were imported and the file built. Unguarded runs are stopped after `--limit` seconds.
The attack files come from tests/attack_files.py, the same the regression tests use.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def _rss_mb() -> float:
    """Peak RSS of this process in MB: VmHWM, which (unlike `ru_maxrss`) starts afresh at exec."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0]) / 1024
    except (OSError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _unguarded(attack, data: bytes) -> str:
    """What the library we would otherwise have called does with the file."""
    if attack.kind == "strength":
        import io

        import pandas as pd

        frame = pd.read_csv(io.BytesIO(data))
        return f"pandas read {frame.shape[1]:,} columns"
    if attack.file_name.endswith(".gpx"):
        import xml.etree.ElementTree as ElementTree

        import gpxpy
        import gpxpy.parser

        gpxpy.parser.mod_etree = ElementTree  # as our reference path runs it
        try:
            parsed = gpxpy.parse(data.decode("utf-8", errors="replace"))
        except Exception as exc:  # what gpxpy makes of it after its pre-scan, which is what costs
            return f"gpxpy raised {type(exc).__name__}"
        longest = max((len(parsed.name or ""), len(parsed.creator or "")))
        return f"gpxpy parsed it (longest name {longest:,} characters)"
    import io

    import fitparse

    count = 0
    try:
        for _ in fitparse.FitFile(io.BytesIO(data), check_crc=True).get_messages():
            count += 1
    except Exception as exc:
        return f"fitparse raised {type(exc).__name__} after {count:,} messages"
    return f"fitparse decoded {count:,} messages"


def _measure(name: str, mode: str, queue) -> None:
    from attack_files import ATTACKS

    from analysis.errors import InputError
    from analysis.io.read import read_activity
    from analysis.io.strength import read_strength_log

    attack = next(a for a in ATTACKS if a.name == name)
    data = attack.build()
    base = _rss_mb()
    started = time.perf_counter()
    try:
        if mode == "unguarded":
            outcome = _unguarded(attack, data)
        elif attack.kind == "strength":
            read_strength_log(data, athlete="Mallory")
            outcome = "ACCEPTED"
        else:
            activity = read_activity(data, filename=attack.file_name, backend=mode)
            outcome = f"ACCEPTED ({len(activity.samples)} samples)"
    except InputError as exc:
        outcome = "refused: " + str(exc).split(": ", 1)[1][:70]
    seconds = time.perf_counter() - started
    queue.put((len(data), seconds, _rss_mb() - base, outcome))


def main() -> None:
    from attack_files import ATTACKS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unguarded", action="store_true", help="also run the raw library on each file")
    parser.add_argument("--limit", type=float, default=60.0, help="seconds before an unguarded run is stopped")
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")

    print(f"{'attack':32} {'path':10} {'size':>11} {'time (s)':>9} {'peak MB':>8}  outcome")
    for attack in ATTACKS:
        modes = ["fast", "reference"] if attack.kind == "activity" else ["reader"]
        if args.unguarded:
            modes.append("unguarded")
        for mode in modes:
            queue = context.Queue()
            child = context.Process(target=_measure, args=(attack.name, mode, queue))
            child.start()
            child.join(args.limit if mode == "unguarded" else 120)
            if child.is_alive():
                child.kill()
                child.join()
                print(f"{attack.name:32} {mode:10} {'':>11} {'>' + format(args.limit, '.0f'):>9} {'':>8}  "
                      "still running: stopped")
                continue
            size, seconds, peak, outcome = queue.get()
            print(f"{attack.name:32} {mode:10} {size:>11,} {seconds:9.3f} {peak:8.1f}  {outcome}")


if __name__ == "__main__":
    main()
