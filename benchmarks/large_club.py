"""A generated club for page benchmarks: N athletes x W weeks of runs and strength logs, built straight into a store.

    .venv/bin/python benchmarks/large_club.py OUT_DIR [--athletes 30] [--weeks 52]

Files are not written or parsed (benchmarks/ingest.py measures that): activities are synthesised as canonical
samples frames (5 s smart recording, 3-5 runs a week of 35-110 min, flat-ish routes with positions, heart rate
and cadence), their metrics computed with `run_metrics`, and stored with `Store.add_batch` exactly as an import
would store them. Each athlete has a planned consistency level; runs fade late more when the 4 weeks before were
inconsistent, so the pages have a relation to show. Seeded: the same arguments give the same club.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.access import CLI_VIEWER as ADMIN  # noqa: E402
from analysis.ingest.parse import ParsedFile  # noqa: E402
from analysis.io.activity import Activity  # noqa: E402
from analysis.io.samples import conform_samples  # noqa: E402
from analysis.io.strength import STRENGTH_LOG_COLUMN_NAMES  # noqa: E402
from analysis.metrics import run_metrics  # noqa: E402
from analysis.store import Store  # noqa: E402

SEED = 20261121
FIRST_MONDAY = date(2025, 11, 3)
SAMPLE_INTERVAL_S = 5.0
CORE = ("Dead bug", "Bird dog", "Plank", "Side plank")
HIP = ("Glute bridge", "Clamshell", "Monster walk", "Single-leg deadlift")


def _sha(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def synth_run(rng: np.random.Generator, athlete: str, day: date, fade: float, index: int) -> Activity:
    """One run: steady effort that loses `fade` (a fraction) of its speed over the second half."""
    minutes = float(rng.uniform(35, 110))
    n = int(minutes * 60 / SAMPLE_INTERVAL_S)
    elapsed = np.arange(n) * SAMPLE_INTERVAL_S
    frac = elapsed / elapsed[-1]
    base = rng.uniform(2.7, 3.6)
    late = np.clip((frac - 0.5) / 0.5, 0, 1)
    speed = base * (1 - fade * late ** 1.5) * (1 + 0.02 * rng.standard_normal(n))
    distance = np.cumsum(speed * SAMPLE_INTERVAL_S)
    cadence = 172 - 60 * fade * late ** 1.5 + 1.5 * rng.standard_normal(n)
    hr = 132 + 14 * frac + 3 * rng.standard_normal(n)
    heading = rng.uniform(0, 2 * np.pi)
    lat = 47.0 + (distance * np.cos(heading + frac)) / 111_195.0
    lon = 8.0 + (distance * np.sin(heading + frac)) / 75_000.0
    start = pd.Timestamp(day, tz="UTC") + pd.Timedelta(seconds=int(rng.integers(5 * 3600, 18 * 3600)))
    samples = conform_samples({
        "time": start + pd.to_timedelta(elapsed, unit="s"), "elapsed_s": elapsed, "distance_m": distance,
        "speed_mps": speed, "heart_rate_bpm": hr, "cadence_spm": cadence,
        "altitude_m": 400 + 15 * np.sin(distance / 700), "lat_deg": lat, "lon_deg": lon,
    })
    sha = _sha(athlete, day, index)
    return Activity(samples=samples, sport="running", sub_sport="generic", start_time=start, utc_offset_s=3600.0,
                    device="generated", source_format="fit", file_name=f"{athlete}-{day}-{index}.fit",
                    file_sha256=sha, cadence_unit="steps/min (generated)", reader="benchmarks/large_club.py")


def athlete_club(rng: np.random.Generator, athlete: str, weeks: int) -> list[ParsedFile]:
    """One athlete's runs and strength log (their consistency level drifts through the year)."""
    level = rng.uniform(0.2, 0.95)
    rows, parsed = [], []
    recent: list[float] = []
    for w in range(weeks):
        monday = FIRST_MONDAY + timedelta(weeks=w)
        level = float(np.clip(level + rng.normal(0, 0.08), 0.05, 1.0))
        done = 0
        for kind, names in (("core", CORE), ("hip", HIP)):
            for _ in range(rng.binomial(3, level * 0.8)):
                day = monday + timedelta(days=int(rng.integers(0, 7)))
                rows.append({"date": pd.Timestamp(day), "athlete": athlete, "session_type": kind,
                             "exercise": str(rng.choice(names)), "sets": 3.0, "reps": 12.0})
                done += 1
        if rng.random() < 0.05:  # the odd unrecognised exercise, so the "other" list has something
            rows.append({"date": pd.Timestamp(monday), "athlete": athlete, "session_type": "other",
                         "exercise": "Turkish get-up", "sets": 2.0, "reps": 5.0})
        for d in range(0, 7, 2):
            rows.append({"date": pd.Timestamp(monday + timedelta(days=d)), "athlete": athlete,
                         "back_soreness": float(np.clip(round(5 - 4 * level + rng.normal(0, 1)), 0, 10))})
        recent = (recent + [min(done / 4, 1.0)])[-4:]
        fade_base = 0.16 * (1 - np.mean(recent))
        for k in range(int(rng.integers(3, 6))):
            day = monday + timedelta(days=int(rng.integers(0, 7)))
            fade = max(0.0, fade_base + rng.normal(0, 0.025))
            activity = synth_run(rng, athlete, day, fade, w * 10 + k)
            parsed.append(ParsedFile(activity.file_name, activity.file_sha256, "activity", activity=activity,
                                 metrics=run_metrics(activity)))
    log = pd.DataFrame(rows).reindex(columns=list(STRENGTH_LOG_COLUMN_NAMES))
    log["warmup"] = False
    log["source_format"] = "core_cadence"
    log["source_row"] = np.arange(2, len(log) + 2)
    log.attrs["source_format"] = "core_cadence"
    parsed.append(ParsedFile(f"{athlete}-strength.csv", _sha(athlete, "log"), "strength", strength_log=log))
    return parsed


def build(out_dir: Path, athletes: int = 30, weeks: int = 52, seed: int = SEED, progress=print) -> Path:
    """Build the club into a new store at `out_dir` (which must not hold a store yet); returns out_dir."""
    rng = np.random.default_rng(seed)
    with Store(out_dir) as store:
        if store.status(ADMIN).athletes:
            raise SystemExit(f"{out_dir} already holds a store; give an empty folder")
        for i in range(athletes):
            name = f"Athlete {i + 1:02d}"
            store.add_batch(ADMIN, name, athlete_club(rng, name, weeks))
            progress(f"{name}: {store.status(ADMIN).runs} runs in the store")
        store.mark_sample_club_loaded(ADMIN)  # so the app does not load the bundled sample club on top
    return out_dir


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--athletes", type=int, default=30)
    parser.add_argument("--weeks", type=int, default=52)
    args = parser.parse_args()
    started = time.perf_counter()
    build(args.out_dir, args.athletes, args.weeks)
    print(f"built in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
