"""GPX decoding speed: the fast lxml path against the gpxpy reference (issue 8, DESIGN.md §9).

    .venv/bin/python benchmarks/decode_gpx.py [--repeat N]

Times the full read, bytes -> `Activity`, with `analysis.io.gpx_fast.read_gpx_fast` and with
`analysis.io.gpx.read_gpx` (gpxpy), on
1. a generated 4-hour run at 1 Hz: 14,400 points with elevation and Garmin TrackPointExtension
   heart rate and cadence, laid out the way Garmin Connect exports it;
2. the largest running GPX file of the corpus (../shared/corpus; skipped when absent).
The target is fast >= 4x gpxpy. This is a measurement, not a test: numbers depend on the machine
and on what else runs on it, so each time is the best of `repeat` runs, the two readers taking
turns. `benchmarks/decode.py` prints these rows beside the FIT numbers.
"""

from __future__ import annotations

import argparse
import csv
import gc
import hashlib
import math
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.io.gpx import read_gpx  # noqa: E402
from analysis.io.gpx_fast import read_gpx_fast  # noqa: E402

CORPUS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
FOUR_HOURS_S = 4 * 3600


def four_hour_gpx(points: int = FOUR_HOURS_S) -> bytes:
    """A synthetic Garmin Connect GPX export of a run: 1 Hz, ~3 m/s around a loop, rolling hills.

    Heart rate drifts from ~140 to ~165 bpm; cadence ~86 per leg (Garmin writes one leg's cycles).
    """
    start = datetime(2024, 5, 4, 6, 0, 0, tzinfo=UTC)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gpx creator="Garmin Connect" version="1.1" '
        'xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/11.xsd" '
        'xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1" '
        'xmlns="http://www.topografix.com/GPX/1/1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:ns2="http://www.garmin.com/xmlschemas/GpxExtensions/v3">',
        "  <metadata>",
        '    <link href="connect.garmin.com">',
        "      <text>Garmin Connect</text>",
        "    </link>",
        f"    <time>{start:%Y-%m-%dT%H:%M:%S}.000Z</time>",
        "  </metadata>",
        "  <trk>",
        "    <name>Long Run</name>",
        "    <type>running</type>",
        "    <trkseg>",
    ]
    loop_m = 5000.0
    radius_deg = loop_m / (2 * math.pi) / 111_195.0
    for i in range(points):
        angle = 2 * math.pi * (3.0 * i % loop_m) / loop_m
        lat = 47.37 + radius_deg * math.sin(angle)
        lon = 8.54 + radius_deg * math.cos(angle) / math.cos(math.radians(47.37))
        stamp = start + timedelta(seconds=i)
        lines += [
            f'      <trkpt lat="{lat:.20f}" lon="{lon:.20f}">',
            f"        <ele>{420 + 25 * math.sin(angle * 3):.1f}</ele>",
            f"        <time>{stamp:%Y-%m-%dT%H:%M:%S}.000Z</time>",
            "        <extensions>",
            "          <ns3:TrackPointExtension>",
            f"            <ns3:hr>{140 + round(25 * i / points + 3 * math.sin(i / 90))}</ns3:hr>",
            f"            <ns3:cad>{86 + round(2 * math.sin(i / 40))}</ns3:cad>",
            "          </ns3:TrackPointExtension>",
            "        </extensions>",
            "      </trkpt>",
        ]
    lines += ["    </trkseg>", "  </trk>", "</gpx>", ""]
    return "\n".join(lines).encode("utf-8")


def largest_running_corpus_gpx(corpus: Path = CORPUS_DIR) -> Path | None:
    """The biggest corpus GPX that is a run gpxpy reads with times on every point; None without the corpus."""
    catalog = corpus / "CATALOG.csv"
    if not catalog.is_file():
        return None
    with catalog.open(newline="", encoding="utf-8") as fh:
        rows = [
            r
            for r in csv.DictReader(fh)
            if r["kind"] == "gpx"
            and r["activity_hint"].rstrip("?") == "running"
            and r["parses_with_gpxpy"] == "yes"
            and r["time_frac"] == "1.0"
        ]
    if not rows:
        return None
    return corpus / max(rows, key=lambda r: int(r["size_bytes"]))["local_path"]


def _timed(read: Callable, data: bytes, name: str, digest: str) -> tuple[float, object]:
    """Seconds for one full read, and what it read."""
    gc.collect()  # garbage left by the other reader is not this reader's cost
    started = time.perf_counter()
    activity = read(data, name, digest)
    return time.perf_counter() - started, activity


def measure(label: str, data: bytes, name: str, repeat: int = 5) -> dict:
    """One row: the best full-read time of each reader over `repeat` alternating runs."""
    digest = hashlib.sha256(data).hexdigest()
    fast_s = reference_s = math.inf
    fast = reference = None
    for _ in range(repeat):
        took, reference = _timed(read_gpx, data, name, digest)
        reference_s = min(reference_s, took)
        took, fast = _timed(read_gpx_fast, data, name, digest)
        fast_s = min(fast_s, took)
    # A speed-up only counts if the answer is the same and the fast path did the work.
    assert fast.reader == "lxml", fast.warnings[-1]
    assert fast.samples.equals(reference.samples) and fast.warnings == reference.warnings
    points = len(reference.samples) + reference.dropped_samples
    return {
        "label": label,
        "points": points,
        "fast_s": fast_s,
        "reference_s": reference_s,
        "fast_points_per_s": points / fast_s,
        "reference_points_per_s": points / reference_s,
        "ratio": reference_s / fast_s,
    }


def measure_gpx(repeat: int = 5) -> list[dict]:
    """Rows {label, points, fast_s, reference_s, fast_points_per_s, reference_points_per_s, ratio}.

    "reference" is gpxpy (`read_gpx`); times are seconds for bytes -> Activity, best of `repeat`.
    """
    rows = [measure("generated 4 h run, 1 Hz, ele + Garmin hr/cad", four_hour_gpx(), "four-hours.gpx", repeat)]
    path = largest_running_corpus_gpx()
    if path is not None:
        rows.append(measure(f"corpus: {path.relative_to(CORPUS_DIR)}", path.read_bytes(), path.name, repeat))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per reader and file; the best counts")
    args = parser.parse_args(argv)
    rows = measure_gpx(args.repeat)
    print(f"GPX full read, bytes -> Activity, best of {args.repeat} (fast = lxml path, reference = gpxpy)")
    header = ("file", "points", "gpxpy s", "fast s", "gpxpy pts/s", "fast pts/s", "ratio")
    print("{:<70} {:>7} {:>8} {:>8} {:>12} {:>12} {:>6}".format(*header))
    for r in rows:
        print(
            f"{r['label']:<70} {r['points']:>7,} {r['reference_s']:>8.3f} {r['fast_s']:>8.3f} "
            f"{r['reference_points_per_s']:>12,.0f} {r['fast_points_per_s']:>12,.0f} {r['ratio']:>5.1f}x"
        )
    if largest_running_corpus_gpx() is None:
        print(f"(corpus not found at {CORPUS_DIR}: only the generated file was measured)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
