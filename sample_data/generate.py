"""Write the bundled sample club: four synthetic athletes, 12 weeks of runs and strength logs.

Run `python sample_data/generate.py` from the repo root. The output is committed; a test
regenerates it into a temporary folder and checks it is byte-for-byte what is committed
(fixed seeds, fixed dates, no clock, no environment). sample_data/README.md describes the
layout and the relation planted in the data.

Everything here is made up, but shaped like real recordings:

* runs: FIT files written by the project's own writer (`analysis.io.fit_writer`), mostly with
  Garmin-style smart recording (samples 1-7 s apart), some at 1 Hz, a few Garmin-style GPX tracks
  (TrackPointExtension v1: hr, per-leg cad); a warm-up, rolling or hilly routes (the runner
  holds a steady *effort*, slowing uphill by Minetti's cost of running, braking on steep
  descents), traffic-light timer pauses, standing stops with the timer running, GPS and
  barometer noise, heart rate that drifts, per-leg cadence with `fractional_cadence`, running
  dynamics for one athlete, and local time offsets that change with European summer time;
* strength logs: our own CSV (with back soreness) for two athletes, a Strong export and a Hevy
  export for the other two, each with a small soreness-only CSV beside it;
* the planted relation: each run's late fade (pace decay, cadence drift, heart-rate drift,
  running-dynamics drift) and the back soreness of the day after a run are drawn from the
  athlete's core + hip consistency over the 28 days before, for three athletes; for the
  fourth they are drawn without it.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from scipy.signal import lfilter

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from analysis.io.fit_writer import SessionSpec, encode_activity  # noqa: E402

SEED = 20260831
FIRST_MONDAY = date(2026, 8, 31)  # week 1 of the runs
WEEKS = 12
LEAD_IN_WEEKS = 4  # strength logging starts 4 weeks before the first run, so every run has 28 days behind it
LOG_START = FIRST_MONDAY - timedelta(weeks=LEAD_IN_WEEKS)  # Monday 2026-08-03
LOG_END = FIRST_MONDAY + timedelta(weeks=WEEKS) - timedelta(days=1)  # Sunday 2026-11-22
SUMMER_TIME_ENDS = date(2026, 10, 25)  # European summer time ends on the last Sunday of October (01:00 UTC)

# The consistency measure the relation is planted on (the test computes it the same way).
CONSISTENCY_DAYS = 28
PLANNED_PER_WEEK = 2  # 2 core + 2 hip sessions a week
CONSISTENCY_CAP = PLANNED_PER_WEEK * CONSISTENCY_DAYS // 7  # 8 sessions of each type in 28 days

METRES_PER_DEG_LAT = 111_195.08
SMART_INTERVALS_S = np.arange(1, 8)  # smart recording: a sample every 1-7 s
SMART_WEIGHTS = np.array([0.08, 0.12, 0.18, 0.20, 0.18, 0.13, 0.11])

# --------------------------------------------------------------------------------------------
# athletes


@dataclass(frozen=True)
class Athlete:
    name: str
    home: str
    lat0: float
    lon0: float
    summer_offset_s: int
    winter_offset_s: int
    easy_speed_mps: float  # grade-adjusted speed of an easy run
    cadence_spm: float  # steps/min at easy speed
    hr_easy_bpm: float
    hr_rest_bpm: float
    manufacturer: str
    product: int
    dynamics: bool  # watch + chest strap record running dynamics
    linked: bool  # fade and soreness planted on strength consistency
    fade_base_pct: float  # pace decay when fully consistent (linked) or on average (not linked)
    log_format: str  # "core_cadence", "strong" or "hevy"
    plan: tuple[tuple[int, int], ...]  # (core, hip) sessions done per week, 4 lead-in weeks + 12
    run_days: tuple[tuple[int, str], ...]  # (weekday, kind) of the regular week; Monday = 0
    extra_days: tuple[tuple[int, str], ...]  # runs added in some weeks
    runs_per_week: tuple[int, ...]  # how many runs each of the 12 weeks has
    routes: tuple[tuple[str, tuple[tuple[float, float], ...]], ...]  # (label, (amplitude m, wavelength m)...)
    gpx_runs: tuple[int, ...]  # indexes (in date order) of the runs written as GPX
    one_hz_weeks: tuple[int, ...]  # weeks (1-12) recorded every second instead of smart recording
    shakeouts: tuple[tuple[int, int], ...]  # (week, weekday) of short shake-out runs (< 30 min: not eligible)
    strength_days: tuple[int, ...]  # preferred weekdays for strength sessions
    gym_weeks: tuple[int, ...]  # weeks (1-12) with an extra gym session outside the program


FLAT = (("flat", ((4.0, 1900.0), (2.0, 650.0))),)
ROLLING = (("rolling", ((11.0, 2600.0), (4.0, 900.0))),)
HILLY = (("hilly", ((24.0, 3300.0), (7.0, 1100.0), (18.0, 7000.0))),)

ATHLETES: tuple[Athlete, ...] = (
    Athlete(
        name="ana", home="Munich", lat0=48.1374, lon0=11.5755, summer_offset_s=7200, winter_offset_s=3600,
        easy_speed_mps=3.38, cadence_spm=178.0, hr_easy_bpm=146.0, hr_rest_bpm=52.0,
        manufacturer="garmin", product=4315, dynamics=True, linked=True, fade_base_pct=1.8,
        log_format="core_cadence",
        plan=((2, 2), (2, 2), (2, 2), (2, 1),
              (2, 2), (2, 2), (2, 2), (1, 2), (1, 1), (0, 1), (0, 0), (1, 0), (0, 0), (1, 1), (2, 2), (2, 2)),
        run_days=((1, "easy"), (3, "steady"), (6, "long")), extra_days=((2, "hills"), (5, "easy")),
        runs_per_week=(4, 4, 5, 3, 4, 4, 4, 3, 4, 5, 4, 4),
        routes=FLAT + FLAT + ROLLING + ROLLING + HILLY,
        gpx_runs=(6, 27), one_hz_weeks=(), shakeouts=((6, 4),), strength_days=(0, 2, 4, 5), gym_weeks=(),
    ),
    Athlete(
        name="ben", home="London", lat0=51.4545, lon0=-0.2728, summer_offset_s=3600, winter_offset_s=0,
        easy_speed_mps=2.66, cadence_spm=164.0, hr_easy_bpm=151.0, hr_rest_bpm=58.0,
        manufacturer="garmin", product=3992, dynamics=False, linked=True, fade_base_pct=2.4,
        log_format="core_cadence",
        plan=((0, 0), (1, 0), (0, 0), (0, 1),
              (1, 0), (1, 1), (2, 1), (2, 2), (2, 2), (2, 2), (3, 2), (2, 2), (1, 1), (2, 2), (2, 2), (2, 2)),
        run_days=((2, "easy"), (4, "easy"), (6, "long")), extra_days=((1, "steady"),),
        runs_per_week=(3, 4, 3, 4, 4, 3, 4, 4, 3, 4, 4, 4),
        routes=FLAT + ROLLING + ROLLING + FLAT,
        gpx_runs=(15, 33), one_hz_weeks=(1, 2, 3), shakeouts=(), strength_days=(0, 1, 3, 5), gym_weeks=(2, 5, 9, 11),
    ),
    Athlete(
        name="chloe", home="Barcelona", lat0=41.3851, lon0=2.1734, summer_offset_s=7200, winter_offset_s=3600,
        easy_speed_mps=3.02, cadence_spm=171.0, hr_easy_bpm=149.0, hr_rest_bpm=55.0,
        manufacturer="coros", product=841, dynamics=False, linked=True, fade_base_pct=2.0,
        log_format="strong",
        plan=((2, 2), (2, 1), (1, 1), (0, 0),
              (0, 0), (1, 0), (2, 2), (2, 2), (2, 2), (2, 2), (1, 1), (0, 0), (0, 1), (1, 1), (2, 2), (3, 2)),
        run_days=((1, "hills"), (3, "easy"), (5, "long")), extra_days=((0, "easy"), (2, "steady")),
        runs_per_week=(4, 4, 3, 5, 4, 4, 4, 3, 4, 5, 4, 4),
        routes=ROLLING + HILLY + ROLLING + HILLY + FLAT,
        gpx_runs=(3, 21, 40), one_hz_weeks=(), shakeouts=((10, 4),), strength_days=(0, 2, 3, 6),
        gym_weeks=(3, 7, 12),
    ),
    Athlete(
        name="dev", home="Helsinki", lat0=60.1699, lon0=24.9384, summer_offset_s=10800, winter_offset_s=7200,
        easy_speed_mps=3.16, cadence_spm=170.0, hr_easy_bpm=144.0, hr_rest_bpm=50.0,
        manufacturer="suunto", product=34, dynamics=False, linked=False, fade_base_pct=5.5,
        log_format="hevy",
        plan=((2, 2), (2, 2), (1, 2), (2, 2),
              (2, 1), (1, 1), (0, 0), (0, 1), (1, 0), (2, 2), (2, 2), (2, 2), (2, 1), (0, 0), (1, 0), (2, 2)),
        run_days=((0, "easy"), (2, "steady"), (4, "easy"), (6, "long")), extra_days=((1, "easy"),),
        runs_per_week=(4, 5, 4, 4, 4, 5, 4, 4, 5, 4, 4, 4),
        routes=FLAT + ROLLING + FLAT + ROLLING,
        gpx_runs=(9, 30, 47), one_hz_weeks=(), shakeouts=((4, 5),), strength_days=(1, 3, 5, 6),
        gym_weeks=(1, 4, 6, 8, 10),
    ),
)

# Run kinds: (grade-adjusted speed relative to easy, moving minutes low-high, preferred route labels)
KINDS: dict[str, tuple[float, tuple[int, int], tuple[str, ...]]] = {
    "easy": (1.00, (35, 50), ("flat", "rolling")),
    "steady": (1.07, (45, 60), ("flat", "rolling")),
    "hills": (0.99, (42, 56), ("hilly", "rolling")),
    "long": (0.96, (75, 110), ("rolling", "flat", "hilly")),
    "shakeout": (0.92, (20, 26), ("flat",)),
}

# --------------------------------------------------------------------------------------------
# strength program: (name in our CSV, name as the Strong/Hevy apps write it, sets, reps or None,
# seconds per set or None, load in kg or None)

CORE = (
    ("Dead bug", "Dead Bug", 3, 10, None, None),
    ("Bird dog", "Bird Dog", 3, 8, None, None),
    ("Plank", "Plank", 3, None, 60, None),
    ("Side plank", "Side Plank", 3, None, 35, None),
    ("Pallof press", "Pallof Press (Cable)", 3, 10, None, 7.5),
    ("Hollow body hold", "Hollow Body Hold", 3, None, 25, None),
)
HIP = (
    ("Glute bridge", "Glute Bridge", 3, 15, None, None),
    ("Single-leg glute bridge", "Single Leg Glute Bridge", 3, 10, None, None),
    ("Clamshell (band)", "Clamshell (Band)", 3, 15, None, None),
    ("Side-lying leg raise", "Side Lying Leg Raise", 3, 12, None, None),
    ("Monster walk", "Monster Walk (Band)", 3, 12, None, None),
    ("Single-leg deadlift", "Single Leg Romanian Deadlift (Dumbbell)", 3, 8, None, 12.0),
)
MOBILITY = (
    ("Hip flexor stretch", "Hip Flexor Stretch", 2, None, 45, None),
    ("Thoracic rotation", "Thoracic Rotation", 2, 8, None, None),
)
# Gym sessions outside the program: recognised upper-body work, a lower-body lift, and names the
# taxonomy does not know (Farmer walk: `other`, listed in the import report; a Turkish get-up is core).
GYM = (
    ("Bench press", "Bench Press (Barbell)", 3, 8, None, 40.0),
    ("Seated row", "Seated Row (Cable)", 3, 10, None, 35.0),
    ("Goblet squat", "Goblet Squat (Kettlebell)", 3, 10, None, 16.0),
    ("Turkish get-up", "Turkish Get-Up (Kettlebell)", 2, 3, None, 12.0),
    ("Farmer walk", "Farmer's Walk (Dumbbell)", 3, None, 40, 20.0),
)

STRONG_HEADER = ("Workout #;Date;Workout Name;Duration (sec);Exercise Name;Set Order;Weight (kg);Reps;RPE;"
                 "Distance (meters);Seconds;Notes;Workout Notes")
HEVY_HEADER = ('"title","start_time","end_time","description","exercise_title","superset_id","exercise_notes",'
               '"set_index","set_type","weight_kg","reps","distance_km","duration_seconds","rpe"')
OUR_HEADER = "date,athlete,session_type,exercise,sets,reps,load_kg,duration_min,rpe,back_soreness,notes"
SORENESS_HEADER = "date,athlete,back_soreness,notes"

# --------------------------------------------------------------------------------------------
# helpers


def utc_offset_s(athlete: Athlete, day: date) -> int:
    """Local offset on a day (runs and sessions happen after 03:00 local, after the switch)."""
    return athlete.summer_offset_s if day < SUMMER_TIME_ENDS else athlete.winter_offset_s


def minetti_ratio(grade: np.ndarray) -> np.ndarray:
    """Minetti et al. (2002) energy cost of running at `grade` relative to the flat, Cr(i) / Cr(0)."""
    i = np.clip(grade, -0.45, 0.45)
    return (155.4 * i**5 - 30.4 * i**4 - 43.3 * i**3 + 46.3 * i**2 + 19.5 * i + 3.6) / 3.6


def ar1(rng: np.random.Generator, n: int, sd: float, tau: float) -> np.ndarray:
    """A stationary AR(1) series (one value per step) with standard deviation `sd`, correlation time `tau` steps."""
    rho = math.exp(-1.0 / tau)
    shocks = rng.normal(0.0, sd * math.sqrt(1.0 - rho * rho), n)
    shocks[0] = rng.normal(0.0, sd)
    return lfilter([1.0], [1.0, -rho], shocks)


def fade_shape(f: np.ndarray) -> np.ndarray:
    """0 until half-way through the run (by moving time), then rising to 1 at the end."""
    return np.clip((f - 0.5) / 0.5, 0.0, 1.0) ** 1.5


def consistency(sessions: set[tuple[date, str]], day: date) -> float:
    """Core + hip consistency over the 28 days before `day`: mean over core, hip of min(done, 8) / 8."""
    first = day - timedelta(days=CONSISTENCY_DAYS)
    parts = []
    for kind in ("core", "hip"):
        done = sum(1 for d, k in sessions if k == kind and first <= d < day)
        parts.append(min(done, CONSISTENCY_CAP) / CONSISTENCY_CAP)
    return float(np.mean(parts))


def _warmup(k: np.ndarray, total_s: int) -> np.ndarray:
    ramp_s = min(300.0, 0.07 * total_s)
    return 0.93 + 0.07 * np.clip(k / ramp_s, 0.0, 1.0)


def _decay_of(strength: float, total_s: int) -> float:
    """Pace decay (%) that fade strength `strength` gives on the flat with the metric's windows (10-50 %, 75-100 %)."""
    k = np.arange(total_s + 1, dtype=float)
    speed = _warmup(k, total_s) * (1.0 - strength * fade_shape(k / total_s))
    dist = np.concatenate(([0.0], np.cumsum(speed[1:])))
    length = dist[-1]
    t_at = np.interp([0.10 * length, 0.50 * length, 0.75 * length], dist, k)
    baseline = 0.40 * length / (t_at[1] - t_at[0])
    late = 0.25 * length / (total_s - t_at[2])
    return (baseline / late - 1.0) * 100.0


def fade_for_decay(decay_pct: float, total_s: int) -> float:
    """The fade strength whose flat-ground pace decay is `decay_pct` (inverted on a grid)."""
    grid = np.linspace(-0.05, 0.35, 81)
    decays = np.array([_decay_of(g, total_s) for g in grid])
    return float(np.interp(decay_pct, decays, grid))


# --------------------------------------------------------------------------------------------
# routes


@dataclass
class Route:
    label: str
    alt_components: tuple[tuple[float, float, float], ...]  # (amplitude m, wavelength m, phase rad)
    base_alt_m: float
    grid_m: np.ndarray  # distance along the route, every 10 m
    lat: np.ndarray
    lon: np.ndarray

    def altitude(self, d: np.ndarray) -> np.ndarray:
        alt = np.full(np.shape(d), self.base_alt_m)
        for amp, wavelength, phase in self.alt_components:
            alt = alt + amp * np.sin(2 * np.pi * d / wavelength + phase)
        return alt

    def grade(self, d: np.ndarray) -> np.ndarray:
        g = np.zeros(np.shape(d))
        for amp, wavelength, phase in self.alt_components:
            g = g + amp * 2 * np.pi / wavelength * np.cos(2 * np.pi * d / wavelength + phase)
        return g

    def position(self, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.interp(d, self.grid_m, self.lat), np.interp(d, self.grid_m, self.lon)


def make_routes(athlete: Athlete, rng: np.random.Generator) -> list[Route]:
    routes = []
    for label, components in athlete.routes:
        n = 3500  # 35 km of route, a point every 10 m
        turns = rng.normal(0.0, 0.06, n)  # a gently winding path...
        corners = rng.random(n) < 0.008  # ...with a corner at a junction now and then
        turns[corners] += rng.choice([-1.0, 1.0], int(corners.sum())) * rng.uniform(1.0, 1.8, int(corners.sum()))
        heading = rng.uniform(0, 2 * np.pi) + np.cumsum(turns)
        north = np.concatenate(([0.0], np.cumsum(10.0 * np.cos(heading[1:]))))
        east = np.concatenate(([0.0], np.cumsum(10.0 * np.sin(heading[1:]))))
        start_lat = athlete.lat0 + rng.normal(0, 0.004)
        start_lon = athlete.lon0 + rng.normal(0, 0.006)
        lat = start_lat + north / METRES_PER_DEG_LAT
        lon = start_lon + east / (METRES_PER_DEG_LAT * math.cos(math.radians(start_lat)))
        alt_components = tuple((amp * rng.uniform(0.8, 1.2), wl * rng.uniform(0.85, 1.15), rng.uniform(0, 2 * np.pi))
                               for amp, wl in components)
        routes.append(Route(label, alt_components, float(rng.uniform(20, 560)), np.arange(n) * 10.0, lat, lon))
    return routes


# --------------------------------------------------------------------------------------------
# the run plan


@dataclass
class PlannedRun:
    athlete: Athlete
    index: int  # in date order
    week: int  # 1-12
    day: date
    kind: str
    start_utc: datetime
    utc_offset_s: int
    moving_s: int
    route: Route
    consistency: float
    decay_pct: float  # planted pace decay (before hills, noise and pauses)
    cadence_drop_spm: float
    hr_drift: float  # fraction HR rises over the run at the same effort
    dynamics_fatigue: float  # 0-1 scale of running-dynamics drift
    file_format: str  # "fit" or "gpx"
    one_hz: bool


def plan_sessions(athlete: Athlete, rng: np.random.Generator) -> list[tuple[date, str]]:
    """The (date, type) of every core and hip session: the plan's counts, on preferred days."""
    sessions: list[tuple[date, str]] = []
    weights = np.array([3.0 if d in athlete.strength_days else 1.0 for d in range(7)])
    for w, (n_core, n_hip) in enumerate(athlete.plan):
        monday = LOG_START + timedelta(weeks=w)
        for kind, n in (("core", n_core), ("hip", n_hip)):
            days = rng.choice(7, size=n, replace=False, p=weights / weights.sum())
            sessions.extend((monday + timedelta(days=int(d)), kind) for d in sorted(days))
    return sorted(sessions)


def plan_runs(athlete: Athlete, sessions: set[tuple[date, str]], routes: list[Route],
              rng: np.random.Generator) -> list[PlannedRun]:
    runs: list[PlannedRun] = []
    for week in range(1, WEEKS + 1):
        monday = FIRST_MONDAY + timedelta(weeks=week - 1)
        days = list(athlete.run_days)
        extra = athlete.runs_per_week[week - 1] - len(days)
        if extra > 0:  # the regular days plus some of the optional ones
            picks = rng.choice(len(athlete.extra_days), size=min(extra, len(athlete.extra_days)), replace=False)
            days += [athlete.extra_days[int(i)] for i in sorted(picks)]
        days += [(wd, "shakeout") for wk, wd in athlete.shakeouts if wk == week]
        for weekday, kind in sorted(days):
            day = monday + timedelta(days=weekday)
            rel_speed, (lo, hi), labels = KINDS[kind]
            if kind == "long":  # builds over the block, with lighter weeks 4 and 8
                moving_min = 78 + 2.6 * (week - 1) - (14 if week in (4, 8) else 0) + rng.uniform(-4, 4)
                moving_min = float(np.clip(moving_min, lo, hi))
            else:
                moving_min = rng.uniform(lo, hi)
            if kind == "long":
                local_start = timedelta(hours=8, minutes=int(rng.integers(0, 75)))
            elif rng.random() < 0.55:
                local_start = timedelta(hours=6, minutes=int(rng.integers(15, 90)))
            else:
                local_start = timedelta(hours=18, minutes=int(rng.integers(0, 80)))
            offset = utc_offset_s(athlete, day)
            start_utc = datetime(day.year, day.month, day.day, tzinfo=UTC) + local_start - timedelta(seconds=offset)
            candidates = [r for r in routes if r.label in labels] or routes
            route = candidates[int(rng.integers(len(candidates)))]
            c = consistency(sessions, day)
            long_run = 1.0 if kind == "long" else 0.0
            if athlete.linked:  # fade falls with strength consistency over the 28 days before
                lapse = 1.0 - c
                decay = athlete.fade_base_pct + 8.0 * lapse + 1.0 * long_run + rng.normal(0, 1.8)
                cadence_drop = 1.0 + 5.0 * lapse + 0.8 * long_run + rng.normal(0, 1.3)
                hr_drift = 0.02 + 0.05 * lapse + 0.015 * long_run + rng.normal(0, 0.014)
                dyn = float(np.clip(0.15 + 0.85 * lapse + rng.normal(0, 0.2), 0.0, 1.2))
            else:  # the same sizes of fade, drawn without regard to consistency
                decay = athlete.fade_base_pct + 1.0 * long_run + rng.normal(0, 2.4)
                cadence_drop = 3.5 + 0.8 * long_run + rng.normal(0, 1.6)
                hr_drift = 0.045 + 0.015 * long_run + rng.normal(0, 0.014)
                dyn = float(np.clip(0.5 + rng.normal(0, 0.3), 0.0, 1.2))
            runs.append(PlannedRun(
                athlete=athlete, index=len(runs), week=week, day=day, kind=kind, start_utc=start_utc,
                utc_offset_s=offset, moving_s=int(round(moving_min * 60)), route=route, consistency=c,
                decay_pct=max(decay, -1.5), cadence_drop_spm=cadence_drop,
                hr_drift=max(hr_drift, 0.0), dynamics_fatigue=dyn,
                file_format="gpx" if len(runs) in athlete.gpx_runs else "fit",
                one_hz=week in athlete.one_hz_weeks,
            ))
    return runs


# --------------------------------------------------------------------------------------------
# one run's samples


def _route_offset(run: PlannedRun, speed: np.ndarray, rng: np.random.Generator) -> float:
    """Where on the route the run starts: a point whose baseline and late windows are not too steep."""
    dist = np.concatenate(([0.0], np.cumsum(speed[1:])))
    length = dist[-1]
    f = dist / length
    windows = ((f >= 0.10) & (f < 0.50), f >= 0.75)
    best, best_grade = 0.0, math.inf
    for _ in range(40):
        offset = float(rng.uniform(0, 3000))
        grade = np.abs(run.route.grade(offset + dist)) * 100
        worst = max(float(grade[w].mean()) for w in windows)  # ~time-weighted: one value a second
        if worst < 5.0:
            return offset
        if worst < best_grade:
            best, best_grade = offset, worst
    return best


def simulate(run: PlannedRun, rng: np.random.Generator) -> tuple[list[dict], list[tuple[datetime, datetime]]]:
    """The run's records (FIT field names, physical units) and its timer pauses."""
    a = run.athlete
    total = run.moving_s
    k = np.arange(total + 1, dtype=float)  # moving seconds
    f = k / total
    rel_speed = KINDS[run.kind][0]
    v0 = a.easy_speed_mps * rel_speed * (1 + rng.normal(0, 0.02))
    fade = fade_for_decay(run.decay_pct, total)
    shape = fade_shape(f)
    wobble = ar1(rng, total + 1, 0.022, 70.0)  # pace wanders a little, as it does
    gap = v0 * _warmup(k, total) * (1.0 - fade * shape) * np.exp(wobble)

    # Steady effort over hills: grade-adjusted speed is `gap`, raw speed slows uphill by Minetti's
    # cost; downhill the runner brakes (at most ~25 % faster than on the flat).
    offset = _route_offset(run, gap, rng)
    speed = gap.copy()
    for _ in range(4):
        dist = np.concatenate(([0.0], np.cumsum(speed[1:])))
        ratio = np.maximum(minetti_ratio(run.route.grade(offset + dist)), 0.80)
        speed = gap / ratio
    dist = np.concatenate(([0.0], np.cumsum(speed[1:])))
    grade = run.route.grade(offset + dist)

    # heart rate: up from rest over the first minutes, then a slow drift at the same effort
    hr_ss = a.hr_easy_bpm * (rel_speed ** 1.3) * (1 + rng.normal(0, 0.015))
    hr = a.hr_rest_bpm + 35 + (hr_ss - a.hr_rest_bpm - 35) * (1 - np.exp(-k / 110.0))
    hr = hr * (1 + run.hr_drift * f) + 60 * np.clip(grade, -0.05, 0.08) + ar1(rng, total + 1, 1.6, 25.0)

    # cadence (steps/min): a little higher when faster or climbing, dropping late as planted
    cad = (a.cadence_spm * (v0 * np.exp(wobble) / a.easy_speed_mps) ** 0.25 + 30 * np.clip(grade, -0.05, 0.1)
           - run.cadence_drop_spm * shape + ar1(rng, total + 1, 1.0, 40.0) + rng.normal(0, 1.3, total + 1))

    # pauses: (moving second, seconds, "timer" for a traffic light with the watch stopped,
    # "stand" for standing with the timer running)
    events: list[tuple[int, int, str]] = []
    n_timer = int(rng.choice([0, 0, 1, 1, 2])) if run.kind != "shakeout" else 0
    n_stand = int(rng.random() < 0.3)
    for kind, n in (("timer", n_timer), ("stand", n_stand)):
        for _ in range(n):
            at = int(rng.integers(int(0.12 * total), int(0.92 * total)))
            if all(abs(at - e[0]) > 120 for e in events):
                events.append((at, int(rng.integers(25, 80)) if kind == "timer" else int(rng.integers(15, 50)), kind))
    events.sort()

    # heart rate dips while stopped and recovers after
    for at, secs, _ in events:
        dip = min(28.0, 0.45 * secs)
        after = k > at
        hr[after] -= dip * np.exp(-(k[after] - at) / 40.0)

    # which moving seconds are recorded
    if run.one_hz:
        picks = np.arange(total + 1)
    else:
        steps = rng.choice(SMART_INTERVALS_S, size=total, p=SMART_WEIGHTS)
        picks = np.concatenate(([0], np.cumsum(steps)))
        picks = picks[picks < total]
        picks = np.union1d(np.append(picks, total), [e[0] for e in events])
    picks = picks.astype(int)

    # build the timeline: (wall second, moving second, standing?) rows
    rows: list[tuple[int, int, bool]] = []
    shift = 0
    pauses_wall: list[tuple[int, int]] = []
    ev = iter(events)
    nxt = next(ev, None)
    for m in picks:  # every event's moment is among the picks
        rows.append((m + shift, m, False))
        if nxt is not None and nxt[0] == m:
            at, secs, kind = nxt
            if kind == "timer":
                pauses_wall.append((m + shift, m + shift + secs))
                rows.append((m + shift + secs, m, True))
            else:
                t = 0
                while True:
                    t += 1 if run.one_hz else int(rng.choice(SMART_INTERVALS_S[2:]))
                    if t >= secs:
                        break
                    rows.append((m + shift + t, m, True))
                rows.append((m + shift + secs, m, True))
            shift += secs
            nxt = next(ev, None)

    wall = np.array([r[0] for r in rows])
    mov = np.array([r[1] for r in rows])
    standing = np.array([r[2] for r in rows])
    n = len(rows)
    # stop → end of stop, in wall seconds, for HR while standing
    stand_into = np.zeros(n)
    for i in range(1, n):
        if standing[i]:
            stand_into[i] = wall[i] - wall[i - 1] + (stand_into[i - 1] if standing[i - 1] else 0.0)

    d = dist[mov]
    lat, lon = run.route.position(offset + d)
    gps_n, gps_e = ar1(rng, n, 1.8, 12.0), ar1(rng, n, 1.8, 12.0)  # GPS error, metres
    lat = lat + gps_n / METRES_PER_DEG_LAT
    lon = lon + gps_e / (METRES_PER_DEG_LAT * math.cos(math.radians(a.lat0)))
    alt = run.route.altitude(offset + d) + ar1(rng, n, 0.6 if run.file_format == "fit" else 1.5, 30.0)
    rec_speed = np.where(standing, 0.0, np.maximum(speed[mov] * (1 + rng.normal(0, 0.015, n)), 0.0))
    rec_hr = hr[mov] - np.where(standing, np.minimum(0.6 * stand_into, 30.0), 0.0)
    rec_cad = np.where(standing, 0.0, cad[mov])

    start = run.start_utc
    records: list[dict] = []
    for i in range(n):
        per_leg = rec_cad[i] / 2.0
        whole = int(per_leg)
        record: dict = {
            "timestamp": start + timedelta(seconds=int(wall[i])),
            "position_lat": float(lat[i]),
            "position_long": float(lon[i]),
            "distance": float(d[i]),
            "enhanced_speed": float(rec_speed[i]),
            "enhanced_altitude": float(alt[i]),
            "heart_rate": int(round(float(rec_hr[i]))),
            "cadence": whole,
            "fractional_cadence": math.floor((per_leg - whole) * 128) / 128,
        }
        if a.dynamics:
            if standing[i]:
                record.update(stance_time=None, stance_time_balance=None, vertical_oscillation=None,
                              step_length=None, vertical_ratio=None)
            else:
                m = mov[i]
                tired = shape[m] * run.dynamics_fatigue
                step_mm = speed[m] / (rec_cad[i] / 60.0) * 1000.0
                vo = 84.0 + 7.0 * tired + rng.normal(0, 1.2)
                record.update(
                    stance_time=236.0 + 20.0 * tired + 12.0 * max(grade[m], 0) * 10 + rng.normal(0, 2.5),
                    stance_time_balance=49.7 - 1.9 * tired + rng.normal(0, 0.25),
                    vertical_oscillation=vo,
                    step_length=step_mm,
                    vertical_ratio=vo / step_mm * 100.0,
                )
        records.append(record)
    pauses = [(start + timedelta(seconds=int(s)), start + timedelta(seconds=int(e))) for s, e in pauses_wall]
    return records, pauses


# --------------------------------------------------------------------------------------------
# file writers


def gpx_text(run: PlannedRun, records: list[dict]) -> str:
    """A Garmin-Connect-style GPX 1.1 track: TrackPointExtension v1 with hr and per-leg cadence."""
    points = []
    for r in records:
        stamp = r["timestamp"].strftime("%Y-%m-%dT%H:%M:%SZ")
        cad = int(round(r["cadence"] + r["fractional_cadence"]))
        points.append(
            f'<trkpt lat="{r["position_lat"]:.7f}" lon="{r["position_long"]:.7f}"><ele>{r["enhanced_altitude"]:.1f}'
            f"</ele><time>{stamp}</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{r['heart_rate']}"
            f"</gpxtpx:hr><gpxtpx:cad>{cad}</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>"
        )
    first = records[0]["timestamp"].strftime("%Y-%m-%dT%H:%M:%SZ")
    title = f"{run.athlete.home} {'Long Run' if run.kind == 'long' else 'Running'}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx creator="Core &amp; Cadence sample generator" version="1.1" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
        f"<metadata><time>{first}</time></metadata>\n"
        f"<trk><name>{title}</name><type>running</type><trkseg>\n"
        + "\n".join(points)
        + "\n</trkseg></trk></gpx>\n"
    )


def _fmt(value: float | None, decimal: str = ".", digits: int = 1) -> str:
    """A number as an app writes it: no trailing zeros, `decimal` as the decimal mark; "" for None."""
    if value is None:
        return ""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text.replace(".", decimal)


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def hevy_time(stamp: datetime) -> str:
    """`1 Sep 2026, 18:30`, as Hevy writes dates (English month names whatever the locale)."""
    return f"{stamp.day} {MONTHS[stamp.month - 1]} {stamp.year}, {stamp.hour:02d}:{stamp.minute:02d}"


@dataclass
class Session:
    day: date
    kinds: tuple[str, ...]  # "core", "hip", "gym"
    local_start: timedelta
    exercises: list[tuple[tuple, str, int, float | None, float | None, float | None, float | None]]
    # (program row, session type, sets, reps, seconds, load, rpe)


def build_sessions(athlete: Athlete, planned: list[tuple[date, str]], runs: list[PlannedRun],
                   rng: np.random.Generator) -> list[Session]:
    """Exercises of every strength session: core and hip on the planned days, plus some gym sessions."""
    by_day: dict[date, list[str]] = {}
    for day, kind in planned:
        by_day.setdefault(day, []).append(kind)
    for week in athlete.gym_weeks:
        monday = FIRST_MONDAY + timedelta(weeks=week - 1)
        free = [monday + timedelta(days=i) for i in range(7) if monday + timedelta(days=i) not in by_day]
        by_day.setdefault(free[int(rng.integers(len(free)))] if free else monday, []).append("gym")
    sessions = []
    for day in sorted(by_day):
        kinds = tuple(sorted(set(by_day[day]), key=("core", "hip", "gym").index))
        weeks_in = (day - LOG_START).days / 7
        exercises = []
        for kind in kinds:
            pool = {"core": CORE, "hip": HIP, "gym": GYM}[kind]
            n = int(rng.integers(3, 5))
            if kind == "gym":  # always the bench press, then some of the rest
                chosen = [0, *sorted(1 + rng.choice(len(pool) - 1, size=n - 1, replace=False))]
            else:
                chosen = sorted(rng.choice(len(pool), size=n, replace=False))
            for i in chosen:
                row = pool[int(i)]
                _, _, sets, reps, seconds, load = row
                reps_v = None if reps is None else float(reps + int(rng.integers(0, 3)))
                secs_v = None if seconds is None else float(seconds + 5 * int(rng.integers(-1, 3)) + int(weeks_in))
                heavier = 2.0 if weeks_in > 8 else 0.0  # a little more load in the second half
                load_v = None if load is None else float(load + 2.5 * int(rng.integers(0, 3)) + heavier)
                rpe = float(rng.integers(5, 9)) if rng.random() < 0.6 else None
                exercises.append((row, "other" if kind == "gym" else kind, sets, reps_v, secs_v, load_v, rpe))
        if rng.random() < 0.35 and "gym" not in kinds:
            row = MOBILITY[int(rng.integers(len(MOBILITY)))]
            exercises.append((row, "mobility", row[2], None if row[3] is None else float(row[3]),
                              None if row[4] is None else float(row[4]), None, None))
        run_today = any(r.day == day for r in runs)
        hour = 19 if run_today or rng.random() < 0.6 else 7
        local_start = timedelta(hours=hour, minutes=int(rng.integers(0, 50)))
        sessions.append(Session(day, kinds, local_start, exercises))
    return sessions


def soreness_reports(athlete: Athlete, planned: set[tuple[date, str]], runs: list[PlannedRun],
                     rng: np.random.Generator) -> dict[date, tuple[int, str]]:
    """Back soreness (0-10) by day: most days after a run, and now and then on other days."""
    reports: dict[date, tuple[int, str]] = {}
    run_by_day = {r.day: r for r in runs}
    day = FIRST_MONDAY
    while day <= LOG_END:
        before = run_by_day.get(day - timedelta(days=1))
        if before is not None and rng.random() < 0.88:
            kind = before.kind
        elif rng.random() < 0.07:
            kind = None
        else:
            day += timedelta(days=1)
            continue
        c = consistency(planned, day)
        long_run = 1.0 if kind == "long" else 0.0
        if athlete.linked:
            value = 0.6 + 4.5 * (1 - c) + 0.9 * long_run + rng.normal(0, 1.1)
        else:
            value = 2.6 + 0.9 * long_run + rng.normal(0, 1.1)
        score = int(np.clip(round(value), 0, 10))
        if kind is None:
            note = "no run yesterday"
        elif score >= 5:
            note = f"lower back tight after the {kind} run"
        elif score <= 1:
            note = "back fine"
        else:
            note = ""
        reports[day] = (score, note)
        day += timedelta(days=1)
    return reports


def our_csv(athlete: Athlete, sessions: list[Session], soreness: dict[date, tuple[int, str]],
            rng: np.random.Generator) -> str:
    lines = [OUR_HEADER]
    session_days = {s.day: s for s in sessions}
    for day in sorted(set(session_days) | set(soreness)):
        score = soreness.get(day)
        session = session_days.get(day)
        if session is None or not session.exercises:
            lines.append(f"{day},{athlete.name},,,,,,,,{score[0]},{score[1]}")
            continue
        for j, (row, kind, sets, reps, secs, load, rpe) in enumerate(session.exercises):
            name = row[0]
            typed = kind if (kind != "other" and rng.random() > 0.12) else ""  # blank: inferred from the name
            sore = str(score[0]) if (score is not None and j == 0) else ""
            note = score[1] if (score is not None and j == 0) else ""
            if not note and secs is not None and name.startswith("Side plank"):
                note = "each side"
            if "," in note:
                note = f'"{note}"'
            lines.append(
                f"{day},{athlete.name},{typed},{name},{sets},{_fmt(reps)},{_fmt(load)},"
                f"{_fmt(None if secs is None else secs / 60, digits=2)},{_fmt(rpe)},{sore},{note}"
            )
    return "\n".join(lines) + "\n"


def soreness_csv(athlete: Athlete, soreness: dict[date, tuple[int, str]]) -> str:
    lines = [SORENESS_HEADER]
    for day in sorted(soreness):
        score, note = soreness[day]
        lines.append(f"{day},{athlete.name},{score},{note}")
    return "\n".join(lines) + "\n"


def _workout_name(kinds: tuple[str, ...]) -> str:
    names = {"core": "Core", "hip": "Hips", "gym": "Gym"}
    return " + ".join(names[k] for k in kinds)


def strong_csv(athlete: Athlete, sessions: list[Session], rng: np.random.Generator) -> str:
    """Strong's newest export layout: `;`-separated, decimal commas, rest-timer rows, 0 where nothing was logged."""
    lines = [STRONG_HEADER]
    for number, s in enumerate(sessions, start=1):
        stamp = datetime.combine(s.day, datetime.min.time()) + s.local_start
        when = stamp.strftime("%Y-%m-%d %H:%M:%S")
        duration = 600 + 420 * len(s.exercises) + int(rng.integers(0, 300))
        workout = _workout_name(s.kinds)
        workout_note = "legs heavy from the long run" if rng.random() < 0.08 else ""
        for row, _, sets, reps, secs, load, rpe in s.exercises:
            app_name = row[1]
            weight = "0" if load is None else _fmt(load, ",")
            for set_no in range(1, sets + 1):
                rpe_text = _fmt(rpe, ",") if (rpe is not None and set_no == sets) else ""
                lines.append(";".join([
                    str(number), when, workout, str(duration), app_name, str(set_no), weight,
                    "0" if reps is None else _fmt(reps), rpe_text, "0", "0" if secs is None else _fmt(secs), "",
                    workout_note,
                ]))
            if rng.random() < 0.3:
                lines.append(";".join([str(number), when, workout, str(duration), app_name, "Rest Timer", "", "",
                                       "", "", str(int(rng.choice([60, 90, 120]))), "", workout_note]))
    return "\n".join(lines) + "\n"


def hevy_csv(athlete: Athlete, sessions: list[Session], rng: np.random.Generator) -> str:
    """Hevy's export: one row per set, quoted text, `22 Dec 2025, 08:00` dates, blank where nothing was logged."""
    lines = [HEVY_HEADER]
    for s in sessions:
        begin = datetime.combine(s.day, datetime.min.time()) + s.local_start
        end = begin + timedelta(minutes=10 + 7 * len(s.exercises) + int(rng.integers(0, 6)))
        title = _workout_name(s.kinds)
        for row, _, sets, reps, secs, load, rpe in s.exercises:
            warmup = load is not None and rng.random() < 0.4
            set_rows = [("warmup", load * 0.5 if load is not None else None)] if warmup else []
            set_rows += [("normal", load)] * sets
            note = "slow on the way down" if rng.random() < 0.05 else ""
            for index, (set_type, weight) in enumerate(set_rows):
                rpe_text = _fmt(rpe) if (rpe is not None and index == len(set_rows) - 1) else ""
                lines.append(",".join([
                    f'"{title}"', f'"{hevy_time(begin)}"', f'"{hevy_time(end)}"', '""', f'"{row[1]}"', "",
                    f'"{note}"', str(index), f'"{set_type}"', _fmt(weight), _fmt(reps), "", _fmt(secs), rpe_text,
                ]))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------


# Garmin's post-run self-evaluation (FIT session fields 192/193): how hard a kind of run usually feels on
# Borg's CR10 scale, and how often the runner answers the watch's question.
EFFORT_BY_KIND = {"shakeout": 2.0, "easy": 2.5, "steady": 4.5, "hills": 5.5, "long": 5.5}
EFFORT_PER_DECAY_PCT = 0.25  # a run that faded more felt harder: CR10 points per % of pace decay
ANSWER_RATE = 0.7


def self_evaluations(athlete: Athlete, runs: list[PlannedRun], rng: np.random.Generator) -> dict[int, tuple[int, int]]:
    """{run index: (workout_feel 0-100, workout_rpe = CR10 x 10)} for the FIT runs a Garmin runner rated.

    Only Garmin watches ask. The effort is the kind's usual one plus the run's planted fade (so it carries
    the athlete's link to strength consistency, or its absence) plus noise, as a whole CR10 point (the watch
    offers 1-10); feel is one of Garmin's five steps, lower when the run felt harder. Drawn from a generator
    of its own, so every other file is exactly what it was before these answers existed.
    """
    if athlete.manufacturer != "garmin":
        return {}
    answers = {}
    for run in runs:
        answered = rng.random() < ANSWER_RATE
        noise, feel_noise = rng.normal(0.0, 0.8), rng.normal(0.0, 12.0)
        if not answered or run.file_format != "fit":
            continue
        effort = int(np.clip(round(EFFORT_BY_KIND[run.kind] + EFFORT_PER_DECAY_PCT * run.decay_pct + noise), 1, 10))
        feel = int(np.clip(round((100.0 - 9.0 * effort + feel_noise) / 25.0) * 25, 0, 100))
        answers[run.index] = (feel, effort * 10)
    return answers


def generate(out_dir: Path = ROOT) -> list[Path]:
    """Write every sample file under `out_dir`; return their paths (in writing order)."""
    written: list[Path] = []
    for a_index, athlete in enumerate(ATHLETES):
        rng = np.random.default_rng([SEED, a_index])
        routes = make_routes(athlete, rng)
        planned = plan_sessions(athlete, rng)
        planned_set = set(planned)
        runs = plan_runs(athlete, planned_set, routes, rng)
        run_dir = out_dir / athlete.name / "runs"
        log_dir = out_dir / athlete.name / "strength"
        run_dir.mkdir(parents=True, exist_ok=True)
        log_dir.mkdir(parents=True, exist_ok=True)
        answers = self_evaluations(athlete, runs, np.random.default_rng([SEED, a_index, 18]))
        for run in runs:
            records, pauses = simulate(run, rng)
            stem = f"{run.day.isoformat()}-{run.kind}"
            if run.file_format == "gpx":
                path = run_dir / f"{stem}.gpx"
                path.write_bytes(gpx_text(run, records).encode("utf-8"))
            else:
                path = run_dir / f"{stem}.fit"
                feel, rpe = answers.get(run.index, (None, None))
                path.write_bytes(encode_activity(
                    [SessionSpec("running", tuple(records), workout_feel=feel, workout_rpe=rpe)],
                    timer_stops=pauses, utc_offset_s=run.utc_offset_s,
                    manufacturer=athlete.manufacturer, product=athlete.product,
                ))
            written.append(path)
        sessions = build_sessions(athlete, planned, runs, rng)
        soreness = soreness_reports(athlete, planned_set, runs, rng)
        if athlete.log_format == "core_cadence":
            files = {"strength_log.csv": our_csv(athlete, sessions, soreness, rng)}
        elif athlete.log_format == "strong":
            files = {"strong_export.csv": strong_csv(athlete, sessions, rng),
                     "soreness.csv": soreness_csv(athlete, soreness)}
        else:
            files = {"hevy_export.csv": hevy_csv(athlete, sessions, rng),
                     "soreness.csv": soreness_csv(athlete, soreness)}
        for name, text in files.items():
            path = log_dir / name
            path.write_bytes(text.encode("utf-8"))
            written.append(path)
    return written


def remove_stale(out_dir: Path, written: list[Path]) -> list[Path]:
    """Delete files in the athletes' folders that this generator no longer writes."""
    keep = {p.resolve() for p in written}
    removed = []
    for athlete in ATHLETES:
        folder = out_dir / athlete.name
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.resolve() not in keep:
                path.unlink()
                removed.append(path)
    return removed


if __name__ == "__main__":
    paths = generate()
    for stale in remove_stale(ROOT, paths):
        print("removed", stale.relative_to(ROOT.parent))
    total = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} files, {total / 1e6:.2f} MB under {ROOT.relative_to(ROOT.parent)}/")
