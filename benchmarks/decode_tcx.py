"""TCX decoding speed: the fast lxml path against the ElementTree reference (issue 19, DESIGN.md §9).

    .venv/bin/python benchmarks/decode_tcx.py [--repeat N]

Times the full read, bytes -> `Activity`, with `analysis.io.tcx_fast.read_tcx_fast` and with
`analysis.io.tcx.read_tcx` (the standard library's expat, streamed), on
1. a generated 4-hour run at 1 Hz: 14,400 trackpoints with position, altitude, distance, heart rate and
   the ActivityExtension's speed and run cadence, one lap per kilometre, laid out as Garmin Connect
   exports it (pretty-printed, `ns3:` prefix);
2. the largest running TCX file of the corpus (../shared/corpus; skipped when absent).
This is a measurement, not a test: numbers depend on the machine and on what else runs on it, so each
time is the best of `repeat` runs, the two readers taking turns, in process (CPU) time and wall time.
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

from analysis.io.tcx import read_tcx  # noqa: E402
from analysis.io.tcx_fast import read_tcx_fast  # noqa: E402

CORPUS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
FOUR_HOURS_S = 4 * 3600


def four_hour_tcx(points: int = FOUR_HOURS_S) -> bytes:
    """A synthetic Garmin Connect TCX export of a run: 1 Hz, ~3 m/s around a loop, rolling hills, a lap per km."""
    start = datetime(2024, 5, 4, 6, 0, 0, tzinfo=UTC)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<TrainingCenterDatabase",
        '  xsi:schemaLocation="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2 '
        'http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd"',
        '  xmlns:ns5="http://www.garmin.com/xmlschemas/ActivityGoals/v1"',
        '  xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2"',
        '  xmlns:ns2="http://www.garmin.com/xmlschemas/UserProfile/v2"',
        '  xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"',
        '  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
        "  <Activities>",
        '    <Activity Sport="Running">',
        f"      <Id>{start:%Y-%m-%dT%H:%M:%S}.000Z</Id>",
    ]
    loop_m = 5000.0
    radius_deg = loop_m / (2 * math.pi) / 111_195.0
    lap_points = 333  # ~1 km at 3 m/s
    for i in range(points):
        stamp = start + timedelta(seconds=i)
        if i % lap_points == 0:
            if i:
                lines += ["        </Track>", "      </Lap>"]
            lines += [
                f'      <Lap StartTime="{stamp:%Y-%m-%dT%H:%M:%S}.000Z">',
                "        <TotalTimeSeconds>333.0</TotalTimeSeconds>",
                "        <DistanceMeters>1000.0</DistanceMeters>",
                "        <Calories>70</Calories>",
                "        <Intensity>Active</Intensity>",
                "        <TriggerMethod>Distance</TriggerMethod>",
                "        <Track>",
            ]
        angle = 2 * math.pi * (3.0 * i % loop_m) / loop_m
        lat = 47.37 + radius_deg * math.sin(angle)
        lon = 8.54 + radius_deg * math.cos(angle) / math.cos(math.radians(47.37))
        lines += [
            "          <Trackpoint>",
            f"            <Time>{stamp:%Y-%m-%dT%H:%M:%S}.000Z</Time>",
            "            <Position>",
            f"              <LatitudeDegrees>{lat:.14f}</LatitudeDegrees>",
            f"              <LongitudeDegrees>{lon:.14f}</LongitudeDegrees>",
            "            </Position>",
            f"            <AltitudeMeters>{420 + 25 * math.sin(angle * 3):.14f}</AltitudeMeters>",
            f"            <DistanceMeters>{3.0 * i:.14f}</DistanceMeters>",
            "            <HeartRateBpm>",
            f"              <Value>{140 + round(25 * i / points + 3 * math.sin(i / 90))}</Value>",
            "            </HeartRateBpm>",
            "            <Extensions>",
            "              <ns3:TPX>",
            f"                <ns3:Speed>{3.0 + 0.2 * math.sin(i / 60):.14f}</ns3:Speed>",
            f"                <ns3:RunCadence>{86 + round(2 * math.sin(i / 40))}</ns3:RunCadence>",
            "              </ns3:TPX>",
            "            </Extensions>",
            "          </Trackpoint>",
        ]
    lines += [
        "        </Track>",
        "      </Lap>",
        '      <Creator xsi:type="Device_t">',
        "        <Name>Forerunner 965</Name>",
        "        <UnitId>3442839201</UnitId>",
        "        <ProductID>4315</ProductID>",
        "      </Creator>",
        "    </Activity>",
        "  </Activities>",
        "</TrainingCenterDatabase>",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def largest_running_corpus_tcx(corpus: Path = CORPUS_DIR) -> Path | None:
    """The biggest corpus TCX that is a run; None without the corpus."""
    catalog = corpus / "CATALOG.csv"
    if not catalog.is_file():
        return None
    with catalog.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["kind"] == "tcx" and r["activity_hint"] == "running"]
    if not rows:
        return None
    return corpus / max(rows, key=lambda r: int(r["size_bytes"]))["local_path"]


def _timed(read: Callable, data: bytes, name: str, digest: str) -> tuple[float, float, object]:
    """Wall and process seconds for one full read, and what it read."""
    gc.collect()  # garbage left by the other reader is not this reader's cost
    wall, cpu = time.perf_counter(), time.process_time()
    activity = read(data, name, digest)
    return time.perf_counter() - wall, time.process_time() - cpu, activity


def measure(label: str, data: bytes, name: str, repeat: int = 5) -> dict:
    """One row: the best full-read time of each reader over `repeat` alternating runs."""
    digest = hashlib.sha256(data).hexdigest()
    best = {"fast": [math.inf, math.inf], "reference": [math.inf, math.inf]}
    fast = reference = None
    for _ in range(repeat):
        wall, cpu, reference = _timed(read_tcx, data, name, digest)
        best["reference"] = [min(best["reference"][0], wall), min(best["reference"][1], cpu)]
        wall, cpu, fast = _timed(read_tcx_fast, data, name, digest)
        best["fast"] = [min(best["fast"][0], wall), min(best["fast"][1], cpu)]
    # A speed-up only counts if the answer is the same and the fast path did the work.
    assert fast.reader == "lxml", fast.warnings[-1]
    assert fast.samples.equals(reference.samples) and fast.warnings == reference.warnings
    points = len(reference.samples) + reference.dropped_samples
    return {
        "label": label,
        "points": points,
        "megabytes": len(data) / 1e6,
        "fast_s": best["fast"][0],
        "reference_s": best["reference"][0],
        "fast_cpu_s": best["fast"][1],
        "reference_cpu_s": best["reference"][1],
        "fast_points_per_s": points / best["fast"][1],
        "reference_points_per_s": points / best["reference"][1],
        "ratio": best["reference"][1] / best["fast"][1],
    }


def measure_tcx(repeat: int = 5) -> list[dict]:
    """Rows {label, points, megabytes, fast_s, reference_s, fast_cpu_s, reference_cpu_s, *_points_per_s, ratio}.

    "reference" is `read_tcx` (ElementTree); times are seconds for bytes -> Activity, best of `repeat`;
    points per second and the ratio use process (CPU) time, steadier than wall time on a busy machine.
    """
    rows = [measure("generated 4 h run, 1 Hz, Garmin Connect layout", four_hour_tcx(), "four-hours.tcx", repeat)]
    path = largest_running_corpus_tcx()
    if path is not None:
        rows.append(measure(f"corpus: {path.relative_to(CORPUS_DIR)}", path.read_bytes(), path.name, repeat))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per reader and file; the best counts")
    args = parser.parse_args(argv)
    rows = measure_tcx(args.repeat)
    print(f"TCX full read, bytes -> Activity, best of {args.repeat} (fast = lxml path, reference = ElementTree)")
    header = ("file", "points", "MB", "ref s", "fast s", "ref cpu s", "fast cpu s", "ref pts/s", "fast pts/s",
              "ratio")
    print("{:<62} {:>7} {:>5} {:>6} {:>6} {:>9} {:>10} {:>10} {:>10} {:>6}".format(*header))
    for r in rows:
        print(
            f"{r['label']:<62} {r['points']:>7,} {r['megabytes']:>5.1f} {r['reference_s']:>6.3f} {r['fast_s']:>6.3f} "
            f"{r['reference_cpu_s']:>9.3f} {r['fast_cpu_s']:>10.3f} {r['reference_points_per_s']:>10,.0f} "
            f"{r['fast_points_per_s']:>10,.0f} {r['ratio']:>5.1f}x"
        )
    if largest_running_corpus_tcx() is None:
        print(f"(corpus not found at {CORPUS_DIR}: only the generated file was measured)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
