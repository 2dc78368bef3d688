"""Synthetic squads for checking the statistics: persistent habits, shared weekly fatigue, season drift.

The associations of :mod:`analysis.stats` are only honest if their p values and CIs hold on data shaped like
real athletes'. This module makes such data *as the app would store it*: a normalised strength log (one row
per exercise, plus soreness-only rows) and a runs frame with the run-metric columns, so a check sends them
through the real :func:`analysis.consistency.weekly_table` / :func:`analysis.consistency.run_table` and
:func:`analysis.stats.association` (``benchmarks/inference.py``, ``tests/test_inference.py``).

The model, per athlete (all weeks Monday-based, the athlete's local dates):

* **Habit.** A latent habit h_w follows a stationary AR(1) process, h_w = φ_h·h_{w−1} + e_w with unit
  variance (φ_h = ``habit_phi``, 0.7 in the persistent scenarios). Each of the plan's sessions (2 core +
  2 hip) is done that week with probability logistic(a + h_w + drift), a = the athlete's own level. The
  strength log starts :data:`LOG_LEAD_WEEKS` weeks before the first run, as a runner who starts logging
  with the programme.
* **Fade.** The week's tiredness f_w is AR(1) with φ_f = ``fade_phi`` (0.5) and standard deviation
  ``week_sd_pct`` (1.5 percentage points); each run of the week shares it and adds its own noise
  (``run_sd_pct``). Late-run pace decay of a run = athlete level + f_w + drift + β·(consistency_28d − 0.5)
  + run noise, where β = ``effect_pct_per_25pts`` × 4 (−0.9 points per 25 points of consistency in the
  effect scenario, 0 under the null).
* **Season drift** (``drift``): over the season the habit's logit moves by ±``habit_drift_logit`` and the
  fade by ∓``fade_drift_pct``, in opposite directions for the same athlete (a build where strength work
  rises while fitness makes runs fade less), so an analysis that ignores time finds a spurious negative link.
* Cadence drift, decoupling and back soreness (reported on about three days a week) are persistent too
  (weekly AR(1)) and never linked to the habit: they serve as null markers for the lag grid.
* **Perceived effort** (Borg CR10, whole points 0-10, on about ``effort_reported`` of the runs, NaN on the
  rest) follows the week's tiredness: athlete level + ``effort_per_fade_pct`` × (f_w + the fade's drift) +
  1.5 points on the week's long run + run noise (SD ``effort_sd``). It has **no link to consistency in any
  scenario** (the planted effect is on pace decay only), but it shares the fade's persistence and, in the drift
  scenarios, its season drift against the habit: a null marker as hard as pace decay's null. ``feel`` (0-100 in
  Garmin's steps) goes the other way from the effort, and ``effort_source`` says "watch" or "check-in". These
  are drawn after everything else, so the other columns are the same as without them for the same seed.

Units as everywhere: consistency 0-1, pace decay and decoupling in %, cadence drift steps/min, soreness and
perceived effort 0-10, feel 0-100.
Pure numpy/pandas; no streamlit import.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

__all__ = ["LOG_LEAD_WEEKS", "SCENARIOS", "Scenario", "simulate_squad"]

LOG_LEAD_WEEKS = 4  # the strength log starts this many weeks before the first run
START = pd.Timestamp("2026-01-05")  # a Monday
_PLAN = (("core", "Dead bug"), ("core", "Side plank"), ("hip", "Clamshell"), ("hip", "Glute bridge"))


@dataclass(frozen=True)
class Scenario:
    """One way athletes' weeks hang together. Units: φ dimensionless, SDs and drifts in their markers' units."""

    name: str
    habit_phi: float = 0.7
    fade_phi: float = 0.5
    week_sd_pct: float = 1.5
    run_sd_pct: float = 1.0
    drift: bool = False
    habit_drift_logit: float = 1.0
    fade_drift_pct: float = 1.5
    effect_pct_per_25pts: float = 0.0
    #: the drift's shape over the season: "linear" (steady build) or "arc" (up then down, a half sine)
    drift_shape: str = "linear"
    #: perceived effort (Borg CR10 points) per percentage point of the week's fade; its run noise SD; the share
    #: of runs with an effort reported
    effort_per_fade_pct: float = 0.6
    effort_sd: float = 0.8
    effort_reported: float = 0.75

    def with_effect(self, effect_pct_per_25pts: float = -0.9) -> Scenario:
        return replace(self, name=f"{self.name} + effect", effect_pct_per_25pts=effect_pct_per_25pts)


SCENARIOS: dict[str, Scenario] = {
    "independent": Scenario("independent", habit_phi=0.0, fade_phi=0.0),
    "persistent": Scenario("persistent"),
    "persistent + drift": Scenario("persistent + drift", drift=True),
}


def _ar1(rng: np.random.Generator, n: int, phi: float, sd: float) -> np.ndarray:
    """A stationary AR(1) series of length n with marginal standard deviation ``sd``."""
    out = np.empty(n)
    out[0] = rng.normal(0.0, sd)
    innovation_sd = sd * np.sqrt(1.0 - phi * phi)
    for t in range(1, n):
        out[t] = phi * out[t - 1] + rng.normal(0.0, innovation_sd)
    return out


def _drift(n: int, shape: str) -> np.ndarray:
    """−1…1 over n weeks (linear), or 0…1…0 (arc)."""
    tau = np.linspace(0.0, 1.0, n)
    return np.sin(np.pi * tau) if shape == "arc" else 2.0 * tau - 1.0


def simulate_squad(
    scenario: Scenario,
    *,
    athletes: int = 6,
    weeks: int = 26,
    seed: int | np.random.Generator = 0,
    runs_per_week: tuple[int, int] = (3, 5),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(runs, strength_log) of a synthetic squad: ``athletes`` athletes with ``weeks`` running weeks each.

    ``runs``: one row per run with ``athlete``, ``local_date``, ``sport`` ("running"), ``eligible`` (True),
    ``distance_km``, ``moving_time_s``, ``pace_decay_pct``, ``cadence_drift_spm``, ``decoupling_pct``,
    ``perceived_effort`` (0-10, NaN when not reported), ``feel`` (0-100) and ``effort_source``.
    ``strength_log``: the normalised log columns the consistency tables read (``date``, ``athlete``,
    ``session_type``, ``exercise``, ``back_soreness``, …). ``runs_per_week``: fewest and most runs a week.
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    total = weeks + LOG_LEAD_WEEKS
    run_rows: list[dict] = []
    log_rows: list[dict] = []
    beta = 4.0 * scenario.effect_pct_per_25pts
    for i in range(athletes):
        name = f"athlete {i + 1:02d}"
        sign = rng.choice((-1.0, 1.0))
        drift = _drift(total, scenario.drift_shape) if scenario.drift else np.zeros(total)
        level = rng.normal(0.4, 0.7)
        habit = _ar1(rng, total, scenario.habit_phi, 1.0) + level + sign * scenario.habit_drift_logit * drift
        chance = 1.0 / (1.0 + np.exp(-habit))
        sessions_by_type: dict[str, list[int]] = {"core": [], "hip": []}
        for w in range(total):
            for kind in ("core", "hip"):
                days = rng.choice(7, size=2, replace=False)
                done = rng.random(2) < chance[w]
                for (_, exercise), day, ok in zip([p for p in _PLAN if p[0] == kind], days, done, strict=True):
                    if ok:
                        d = w * 7 + int(day)
                        sessions_by_type[kind].append(d)
                        log_rows.append({"athlete": name, "day": d, "session_type": kind, "exercise": exercise,
                                         "sets": 3.0, "reps": 10.0, "back_soreness": np.nan})
        soreness = np.clip(3.0 + _ar1(rng, total, 0.6, 1.2), 0.0, 10.0)
        for w in range(total):
            for day in rng.choice(7, size=3, replace=False):
                value = float(np.clip(np.round(soreness[w] + rng.normal(0.0, 0.8)), 0, 10))
                log_rows.append({"athlete": name, "day": w * 7 + int(day), "session_type": None, "exercise": None,
                                 "sets": np.nan, "reps": np.nan, "back_soreness": value})
        core = np.sort(np.array(sessions_by_type["core"], dtype=int))
        hip = np.sort(np.array(sessions_by_type["hip"], dtype=int))
        fade_week = _ar1(rng, total, scenario.fade_phi, scenario.week_sd_pct) - sign * scenario.fade_drift_pct * drift
        cadence_week = _ar1(rng, total, 0.5, 1.0)
        decouple_week = _ar1(rng, total, 0.5, 1.5)
        fade_level = rng.normal(4.0, 1.5)
        for w in range(LOG_LEAD_WEEKS, total):
            count = int(rng.integers(runs_per_week[0], runs_per_week[1] + 1))
            days = np.sort(rng.choice(7, size=count, replace=False))
            long_day = int(rng.integers(count))
            for k, day in enumerate(days):
                d = w * 7 + int(day)
                c28 = 0.5 * (min(_in_window(core, d) / 8.0, 1.0) + min(_in_window(hip, d) / 8.0, 1.0))
                km = float(rng.normal(18.0, 2.0) if k == long_day else rng.normal(10.0, 1.5))
                run_rows.append({
                    "athlete": name,
                    "day": d,
                    "distance_km": km,
                    "moving_time_s": km * 330.0,
                    "pace_decay_pct": fade_level + fade_week[w] + beta * (c28 - 0.5)
                    + rng.normal(0.0, scenario.run_sd_pct),
                    "cadence_drift_spm": -1.0 + cadence_week[w] + rng.normal(0.0, 0.8),
                    "decoupling_pct": 3.0 + decouple_week[w] + rng.normal(0.0, 1.0),
                    "_tired": fade_week[w],  # the week's shared tiredness (with the drift): effort follows it
                    "_long": k == long_day,
                })
    runs = pd.DataFrame(run_rows)
    _add_effort(runs, scenario, rng, athletes)
    runs["local_date"] = (START + pd.to_timedelta(runs.pop("day"), unit="D")).astype("datetime64[ns]")
    runs["sport"] = "running"
    runs["eligible"] = True
    log = pd.DataFrame(log_rows)
    log["date"] = (START + pd.to_timedelta(log.pop("day"), unit="D")).astype("datetime64[ns]")
    for column in ("load_kg", "duration_min", "rpe"):
        log[column] = np.nan
    log["notes"] = ""
    return runs, log


def _add_effort(runs: pd.DataFrame, scenario: Scenario, rng: np.random.Generator, athletes: int) -> None:
    """perceived_effort, feel and effort_source from the helper columns ``_tired`` and ``_long`` (dropped).

    Drawn after every other value of the squad, so adding them left the rest of the simulation as it was.
    """
    levels = dict(zip([f"athlete {i + 1:02d}" for i in range(athletes)], rng.normal(4.5, 1.0, athletes),
                      strict=True))
    n = len(runs)
    if n == 0:
        for column in ("perceived_effort", "feel", "effort_source"):
            runs[column] = pd.Series(dtype=object if column == "effort_source" else float)
        runs.drop(columns=["_tired", "_long"], inplace=True, errors="ignore")
        return
    raw = (runs["athlete"].map(levels).to_numpy(dtype=float)
           + scenario.effort_per_fade_pct * runs["_tired"].to_numpy(dtype=float)
           + 1.5 * runs["_long"].to_numpy(dtype=float) + rng.normal(0.0, scenario.effort_sd, n))
    effort = np.clip(np.round(raw), 0.0, 10.0)
    feel = np.clip(np.round((100.0 - 10.0 * effort + rng.normal(0.0, 12.0, n)) / 25.0) * 25.0, 0.0, 100.0)
    reported = rng.random(n) < scenario.effort_reported
    source = np.where(rng.random(n) < 0.6, "watch", "check-in").astype(object)
    runs["perceived_effort"] = np.where(reported, effort, np.nan)
    runs["feel"] = np.where(reported, feel, np.nan)
    runs["effort_source"] = np.where(reported, source, None)
    runs.drop(columns=["_tired", "_long"], inplace=True)


def _in_window(days: np.ndarray, day: int) -> int:
    """Sessions on days day−28…day−1 (the run's own day left out, as consistency_28d)."""
    return int(np.searchsorted(days, day, side="left") - np.searchsorted(days, day - 28, side="left"))
