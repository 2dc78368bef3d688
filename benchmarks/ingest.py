"""Measure the ingest pipeline (expand → parse in workers → store): one worker vs all cores, side by side.

    .venv/bin/python benchmarks/ingest.py [--runs 200] [--minutes 60]

Two workloads: the bundled sample club (sample_data/), and N generated one-hour runs at 1 Hz written
by the project's FIT writer (a coach's season in miniature). Each is ingested into a fresh store in a
temporary folder with workers=1 and with every usable core. Prints files/s and records/s (records =
samples stored). A measurement, not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.ingest.parse import usable_cpus  # noqa: E402
from analysis.ingest.pipeline import SAMPLE_DIR, ingest, load_sample_club  # noqa: E402
from analysis.io.fit_writer import SessionSpec, encode_activity  # noqa: E402
from analysis.store import Store  # noqa: E402


def one_hour_run(index: int, minutes: int) -> bytes:
    start = datetime(2026, 1, 1, 7, 0, tzinfo=UTC) + timedelta(days=index)
    records, distance = [], 0.0
    for second in range(minutes * 60):
        speed = 3.0 + 0.3 * math.sin(second / 200 + index)
        distance += speed
        records.append({
            "timestamp": start + timedelta(seconds=second), "distance": distance, "enhanced_speed": speed,
            "position_lat": 46.0 + distance / 111_195.0, "position_long": 7.0,
            "enhanced_altitude": 500 + 20 * math.sin(distance / 900), "heart_rate": 140 + second // 240,
            "cadence": 86, "fractional_cadence": 0.5,
        })
    return encode_activity([SessionSpec("running", tuple(records))], utc_offset_s=3600)


def measure(label: str, load, workers: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "store") as store:
        started = time.perf_counter()
        report = load(store, workers)
        seconds = time.perf_counter() - started
        records = store.status().samples
    files = len(report)
    failed = int((report["status"] == "failed").sum())
    print(f"{label:34} workers={workers:<2} {files:5} files {records:>10,} records {seconds:7.1f} s  "
          f"{files / seconds:7.1f} files/s {records / seconds:>10,.0f} records/s  failed={failed}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--minutes", type=int, default=60)
    args = parser.parse_args()
    cores = usable_cpus()
    print(f"{cores} usable cores")

    for workers in (1, cores):
        measure(f"sample club ({SAMPLE_DIR.name}/)", lambda store, w: load_sample_club(store, workers=w), workers)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        for i in range(args.runs):
            (folder / f"run-{i:04d}.fit").write_bytes(one_hour_run(i, args.minutes))
        size_mb = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        print(f"generated {args.runs} runs of {args.minutes} min at 1 Hz ({size_mb:.0f} MB) in "
              f"{time.perf_counter() - t0:.0f} s")
        for workers in (1, cores):
            measure(f"{args.runs} generated {args.minutes}-min runs",
                    lambda store, w: ingest([folder], athlete="Bench", store=store, workers=w), workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
