"""Write the bundled sample club: a few synthetic athletes' runs as FIT and GPX files.

Run `python sample_data/generate.py` from the repo root; the output is committed, and a test
checks that running the script again reproduces it byte for byte (fixed seed, no clock).

The runs are made up but shaped like real ones: smart recording (samples 1–4 s apart), a
warm-up, a steady middle, a late-run fade whose size differs per athlete (speed falls, cadence
drifts down, heart rate drifts up), rolling hills, a traffic-light pause in some runs, and
running dynamics for the athlete whose watch records them. Issue 6 grows this into the full
sample club with strength logs.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from analysis.io.fit_writer import SessionSpec, encode_activity  # noqa: E402

METRES_PER_DEG_LAT = 111_195.08


@dataclass(frozen=True)
class Athlete:
    folder: str
    base_speed_mps: float
    base_cadence_spm: float
    late_fade: float  # fraction of speed lost over the last quarter of a run
    utc_offset_s: int
    lat0: float
    lon0: float
    dynamics: bool


ATHLETES = (
    Athlete("ana", 3.25, 176.0, 0.03, 3600, 48.137, 11.575, True),
    Athlete("ben", 2.95, 166.0, 0.09, 0, 51.507, -0.128, False),
    Athlete("chloe", 3.05, 171.0, 0.05, -18000, 40.785, -73.968, False),
)
RUN_DAYS = (0, 3, 7, 10)  # days after the first run
FIRST_RUN = datetime(2026, 9, 7, 6, 15, tzinfo=UTC)


def _samples(athlete: Athlete, run_index: int, rng: np.random.Generator) -> list[dict]:
    minutes = 40 + 10 * run_index + int(rng.integers(0, 8))
    total_s = minutes * 60
    t, records = 0, []
    distance = 0.0
    heading = rng.uniform(0, 2 * math.pi)
    lat, lon = athlete.lat0, athlete.lon0
    pause_at = int(total_s * 0.4) if run_index % 2 else None
    start = FIRST_RUN + timedelta(days=RUN_DAYS[run_index], minutes=int(rng.integers(0, 90)))
    while t <= total_s:
        frac = t / total_s
        warm = min(1.0, 0.92 + frac * 0.8)
        fade = 1.0 - athlete.late_fade * max(0.0, (frac - 0.7) / 0.3)
        speed = athlete.base_speed_mps * warm * fade * (1 + rng.normal(0, 0.015))
        cadence = athlete.base_cadence_spm * (1 - 0.5 * (1 - fade)) + rng.normal(0, 1.2)
        heart = 120 + 30 * min(1.0, frac * 4) + 12 * frac + rng.normal(0, 1.5)
        altitude = 500 + 25 * math.sin(distance / 900.0) + 10 * math.sin(distance / 260.0)
        per_leg = cadence / 2
        record = {
            "timestamp": start + timedelta(seconds=t),
            "position_lat": lat,
            "position_long": lon,
            "distance": distance,
            "enhanced_speed": speed,
            "enhanced_altitude": altitude,
            "heart_rate": int(round(heart)),
            "cadence": int(per_leg),
            "fractional_cadence": math.floor((per_leg - int(per_leg)) * 128) / 128,
        }
        if athlete.dynamics:
            record.update(
                stance_time=245 + 25 * (1 - fade) * 4 + rng.normal(0, 3),
                stance_time_balance=49.6 - 6 * (1 - fade) + rng.normal(0, 0.3),
                vertical_oscillation=82 + rng.normal(0, 1.5),
                step_length=speed / (cadence / 60) * 1000,
                vertical_ratio=7.4 + rng.normal(0, 0.2),
            )
        records.append(record)
        step = int(rng.choice([1, 1, 2, 3, 4]))  # smart recording: irregular intervals
        if pause_at is not None and t < pause_at <= t + step:
            step += 45  # the watch was stopped at a crossing: no distance, no samples
            records[-1]["_pause"] = True
        t += step
        moved = speed * (step if not records[-1].get("_pause") else step - 45)
        distance += moved
        heading += rng.normal(0, 0.05)  # a gently winding route
        lat += moved * math.cos(heading) / METRES_PER_DEG_LAT
        lon += moved * math.sin(heading) / (METRES_PER_DEG_LAT * math.cos(math.radians(lat)))
    return records


def _gpx(athlete: Athlete, records: list[dict]) -> str:
    points = []
    for r in records:
        stamp = r["timestamp"].strftime("%Y-%m-%dT%H:%M:%SZ")
        points.append(
            f'<trkpt lat="{r["position_lat"]:.7f}" lon="{r["position_long"]:.7f}">'
            f'<ele>{r["enhanced_altitude"]:.1f}</ele>'
            f"<time>{stamp}</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{r['heart_rate']}</gpxtpx:hr>"
            f"<gpxtpx:cad>{r['cadence']}</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="Core &amp; Cadence sample generator" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
        f"<trk><name>{athlete.folder} sample run</name><type>running</type><trkseg>\n"
        + "\n".join(points)
        + "\n</trkseg></trk></gpx>\n"
    )


def generate(out_dir: Path = ROOT) -> list[Path]:
    written = []
    for a_index, athlete in enumerate(ATHLETES):
        rng = np.random.default_rng(2026 + a_index)
        folder = out_dir / athlete.folder
        folder.mkdir(parents=True, exist_ok=True)
        for run_index in range(len(RUN_DAYS)):
            records = _samples(athlete, run_index, rng)
            pauses = [
                (r["timestamp"], nxt["timestamp"])
                for r, nxt in zip(records, records[1:], strict=False)
                if r.get("_pause")
            ]
            clean = [{k: v for k, v in r.items() if not k.startswith("_")} for r in records]
            day = clean[0]["timestamp"].strftime("%Y-%m-%d")
            if run_index == len(RUN_DAYS) - 1:
                path = folder / f"{day}-run.gpx"
                path.write_text(_gpx(athlete, clean), encoding="utf-8")
            else:
                path = folder / f"{day}-run.fit"
                path.write_bytes(
                    encode_activity([SessionSpec("running", tuple(clean))], timer_stops=pauses,
                                    utc_offset_s=athlete.utc_offset_s, manufacturer="development")
                )
            written.append(path)
    return written


if __name__ == "__main__":
    for path in generate():
        print(path.relative_to(ROOT.parent), path.stat().st_size, "bytes")
