"""Decode speed, fast paths vs reference readers, side by side: FIT (fit_fast vs fitparse) and GPX (lxml vs gpxpy).

    .venv/bin/python benchmarks/decode.py [--files 8] [--repeat 5]

FIT: the largest running files of the real-file corpus (../shared/corpus) that fitparse reads,
plus a generated one-hour run. For each: records decoded per second by the decoder alone
(`decode_fit` vs fitparse's message loop as `analysis.io.fit` runs it), and the whole read
(`read_activity`, bytes → canonical frame) with each backend. The fast time is the best of
`--repeat` runs, fitparse is timed once (it takes seconds). GPX rows come from
`benchmarks/decode_gpx.py`. A measurement, not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CORPUS_DIR, corpus_catalog  # noqa: E402

from analysis.io import read_activity  # noqa: E402
from analysis.io.fit import _WANTED, _decode_fitparse  # noqa: E402
from analysis.io.fit_fast import decode_fit  # noqa: E402


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _once(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def fit_files(count: int) -> list[tuple[str, bytes]]:
    rows = [
        r for r in corpus_catalog()
        if r["kind"] == "fit" and r["sport"] == "running" and r["parses_with_fitparse"] == "yes"
    ]
    rows.sort(key=lambda r: -int(r["size_bytes"]))
    files = [(Path(r["local_path"]).name, (CORPUS_DIR / r["local_path"]).read_bytes()) for r in rows[:count]]
    from ingest import one_hour_run  # generated: our writer's one-hour run at 1 Hz

    files.append(("generated one-hour run", one_hour_run(0, 60)))
    return files


def measure_fit(count: int, repeat: int) -> list[dict]:
    rows = []
    for label, data in fit_files(count):
        messages, error = _decode_fitparse(data)
        records = messages.n_records
        reference_s = _once(lambda d=data: _decode_fitparse(d))
        fast_s = _best(lambda d=data, n=label: decode_fit(d, n, _WANTED), repeat)
        read_reference_s = _once(lambda d=data: read_activity(d, backend="fitparse"))
        read_fast_s = _best(lambda d=data: read_activity(d), repeat)
        rows.append({
            "label": label, "kb": len(data) / 1e3, "records": records,
            "reference_rps": records / reference_s, "fast_rps": records / fast_s, "ratio": reference_s / fast_s,
            "read_reference_s": read_reference_s, "read_fast_s": read_fast_s,
            "read_ratio": read_reference_s / read_fast_s,
        })
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=8, help="largest running corpus FIT files to time")
    parser.add_argument("--repeat", type=int, default=5, help="fast runs per file (best is kept)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    print("FIT: records/s, decoder only (fit_fast vs fitparse), and the whole read_activity (bytes → frame)")
    print(f"{'file':44} {'KB':>6} {'records':>8} {'fitparse/s':>11} {'fast/s':>11} {'ratio':>7}"
          f" | {'read fitparse':>13} {'read fast':>10} {'ratio':>6}")
    rows = measure_fit(args.files, args.repeat)
    for r in rows:
        print(f"{r['label'][:44]:44} {r['kb']:6.0f} {r['records']:8,} {r['reference_rps']:11,.0f} "
              f"{r['fast_rps']:11,.0f} {r['ratio']:6.0f}x | {r['read_reference_s'] * 1e3:10.0f} ms "
              f"{r['read_fast_s'] * 1e3:7.1f} ms {r['read_ratio']:5.0f}x")
    total_records = sum(r["records"] for r in rows)
    reference_total = sum(r["records"] / r["reference_rps"] for r in rows)
    fast_total = sum(r["records"] / r["fast_rps"] for r in rows)
    read_ref = sum(r["read_reference_s"] for r in rows)
    read_fast = sum(r["read_fast_s"] for r in rows)
    print(f"{'all of the above':44} {'':6} {total_records:8,} {total_records / reference_total:11,.0f} "
          f"{total_records / fast_total:11,.0f} {reference_total / fast_total:6.0f}x | {read_ref * 1e3:10.0f} ms "
          f"{read_fast * 1e3:7.1f} ms {read_ref / read_fast:5.0f}x")

    from decode_gpx import measure_gpx

    print("\nGPX: points/s of the whole read (bytes → frame), lxml fast path vs gpxpy")
    print(f"{'file':44} {'points':>8} {'gpxpy/s':>11} {'fast/s':>11} {'ratio':>7}")
    for r in measure_gpx():
        print(f"{r['label'][:44]:44} {r['points']:8,} {r['reference_points_per_s']:11,.0f} "
              f"{r['fast_points_per_s']:11,.0f} {r['ratio']:6.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
