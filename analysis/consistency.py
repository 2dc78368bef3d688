"""Strength consistency, soreness and running per athlete-week, and the same linked to each run (DESIGN.md §5).

Two tables:

* :func:`weekly_table` — one row per athlete per calendar week (weeks start on Monday, ISO 8601, on the
  athlete's local dates): strength sessions by type, plan adherence, 4-week consistency, runs, km,
  long runs, weekly medians of the fatigue metrics of eligible runs and of the perceived effort of the runs
  that have one, and mean back soreness. Columns,
  dtypes and units: :data:`WEEKLY_COLUMNS`. It is the input of :func:`analysis.stats.lagged`.
* :func:`run_table` — the runs frame with each run's strength consistency over the 28 days before it, its
  perceived effort and the back soreness reported on the run's day and the day after. Added columns:
  :data:`RUN_COLUMNS`.

Definitions (DESIGN.md §5):

* A **session** is a distinct (athlete, date, session type) in the strength log: two core exercises on
  one day are one core session; a workout with core and hip exercises is one core and one hip session.
  Warm-up sets count (they are still the exercise); soreness-only rows (no session type) are not sessions.
  So at most 7 sessions of one type fit in a week, which is why a plan asks for 1–7 per type.
* The **plan** maps session types to sessions per week; :data:`DEFAULT_PLAN` is the programme of
  DESIGN.md §5: two core and two hip sessions a week.
* **adherence** of a week = mean over the plan's types of min(done, planned) / planned, 0…1: doing more
  than planned of one type cannot make up for another.
* **consistency_4wk** at week w = mean adherence of weeks w−3…w. An athlete's first three weeks have
  fewer weeks before them: the mean uses the weeks there are, and ``consistency_weeks`` says how many.
* **consistency_28d** of a run on day d = the same rule over the 28 days d−28…d−1 (the run's own day is
  left out, so strength work done after the run cannot count): per plan type, sessions in the window /
  (planned per week × 4), capped at 1, then the mean over the plan's types.
* An athlete with **no strength log at all** (no row in ``strength_log``) gets NaN/NA for sessions,
  adherence, consistency and soreness — "no data", never "did nothing". An athlete with a log but
  nothing logged in a week gets zeros for that week. Likewise an athlete with no runs at all gets
  NA/NaN for the running columns, and zeros in weeks without runs otherwise.
* **Perceived effort** (Borg CR10, 0-10; :mod:`analysis.effort`) is the runs frame's optional
  ``perceived_effort`` column (NaN when not reported; a frame without the column has none). It needs no
  long run: every running run with one counts, eligible or not, and the week's value is their median.
* An athlete's weeks run from the week of their first entry to the week of their last entry, runs and
  strength log together; every week in between is present, so lags count calendar weeks.

Athlete names must match exactly between the runs and the strength log (same spelling and case).

This module is pure Python (numpy, pandas); no streamlit import.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from analysis.effort import PERCEIVED_EFFORT_RANGE
from analysis.errors import InputError
from analysis.io.exercise_taxonomy import SESSION_TYPES
from analysis.settings import Setting, register
from analysis.settings import table as settings_group_table

__all__ = [
    "CONSISTENCY_SETTINGS",
    "CONSISTENCY_WINDOW_WEEKS",
    "DEFAULT_PLAN",
    "MAX_SESSIONS_PER_WEEK",
    "PERCEIVED_EFFORT",
    "RUN_COLUMNS",
    "RUN_WINDOW_DAYS",
    "WEEKLY_COLUMNS",
    "WEEKLY_RUN_METRICS",
    "TableColumn",
    "run_table",
    "settings_table",
    "validate_plan",
    "weekly_table",
]

RUNNING = "running"  # RunMetrics.sport of a run (analysis.metrics.run.RUNNING)

# DESIGN.md §5: "Plan default: 2 core + 2 hip per week (configurable)". Read-only; pass your own mapping.
DEFAULT_PLAN: Mapping[str, int] = MappingProxyType({"core": 2, "hip": 2})
MAX_SESSIONS_PER_WEEK = 7  # sessions are distinct days per type, so a week holds at most 7 of one type
CONSISTENCY_WINDOW_WEEKS = 4  # consistency_4wk: this week and the three before it (DESIGN.md §5)
RUN_WINDOW_DAYS = 28  # consistency_28d: the 28 days before a run (4 weeks, to match consistency_4wk)
WEEKLY_RUN_METRICS: tuple[str, ...] = ("pace_decay_pct", "cadence_drift_spm", "decoupling_pct")
PERCEIVED_EFFORT = "perceived_effort"  # optional runs-frame column: Borg CR10 0-10, NaN when not reported


# --- settings (the "consistency" group of the one registry, analysis.settings) --------------------

CONSISTENCY_SETTINGS: tuple[Setting, ...] = register(
    "consistency",
    Setting(
        name="long_run_min_moving_min",
        default=75.0,
        unit="min of moving time",
        minimum=1.0,
        maximum=600.0,
        help=(
            "A run counts as a long run in the weekly table when its moving time is at least this. Time, "
            "not distance, so the rule is fair to runners of every speed: 75 min is 15 km at 5 min/km "
            "and 10 km at 7:30 min/km."
        ),
    ),
)
_SETTINGS_BY_NAME = {s.name: s for s in CONSISTENCY_SETTINGS}


def settings_table() -> pd.DataFrame:
    """The consistency settings as a frame (name, default, unit, help) for display."""
    return settings_group_table("consistency")


# --- output columns (one data table; docs/statistics.md describes the same) -----------------------


@dataclass(frozen=True)
class TableColumn:
    """One output column: its name, pandas dtype, unit and what it means."""

    name: str
    dtype: str
    unit: str
    help: str


_TYPE_COUNT_HELP = (
    "Days in the week with at least one {t} exercise logged (warm-up sets count); "
    "NA when the athlete has no strength log."
)

WEEKLY_COLUMNS: tuple[TableColumn, ...] = (
    TableColumn("athlete", "str", "", "Athlete name, as in the runs and the strength log."),
    TableColumn("week_start", "datetime64[ns]", "date", "Monday of the week (local calendar date, tz-naive)."),
    *(TableColumn(f"{t}_sessions", "Int64", "sessions", _TYPE_COUNT_HELP.format(t=t)) for t in SESSION_TYPES),
    TableColumn(
        "adherence",
        "float64",
        "0-1",
        "Mean over the plan's session types of min(done, planned) / planned; NaN without a strength log.",
    ),
    TableColumn(
        "consistency_4wk",
        "float64",
        "0-1",
        "Mean adherence of this week and the three before it (fewer in the athlete's first weeks: see "
        "consistency_weeks); NaN without a strength log.",
    ),
    TableColumn(
        "consistency_weeks",
        "int64",
        "weeks",
        "How many weeks went into consistency_4wk: 4, or 1-3 in the athlete's first weeks; 0 without a log.",
    ),
    TableColumn("runs", "Int64", "runs", "Runs in the week (sport running); NA when the athlete has no runs."),
    TableColumn(
        "eligible_runs", "Int64", "runs", "Runs with fatigue metrics (eligible); the medians below rest on these."
    ),
    TableColumn(
        "long_runs", "Int64", "runs", "Runs with moving time at least long_run_min_moving_min (default 75 min)."
    ),
    TableColumn("distance_km", "float64", "km", "Total distance of the week's runs; NaN when the athlete has no runs."),
    TableColumn(
        "pace_decay_pct",
        "float64",
        "%",
        "Median pace decay of the week's eligible runs (positive = slower late); NaN when none has one.",
    ),
    TableColumn(
        "cadence_drift_spm",
        "float64",
        "steps/min",
        "Median cadence drift of the week's eligible runs (late minus baseline); NaN when none has one.",
    ),
    TableColumn(
        "decoupling_pct",
        "float64",
        "%",
        "Median Pa:HR decoupling of the week's eligible runs (positive = heart rate rose); NaN when none has one.",
    ),
    TableColumn(
        "perceived_effort",
        "float64",
        "0-10 (Borg CR10)",
        "Median perceived effort of the week's runs with an effort (Borg CR10: 0 nothing at all, 3 moderate, "
        "5 strong, 10 maximal), from the watch's self-evaluation or a check-in; any run counts, long or not. "
        "NaN when none has one.",
    ),
    TableColumn(
        "effort_runs",
        "Int64",
        "runs",
        "Runs in the week with a perceived effort: the median above rests on these.",
    ),
    TableColumn(
        "back_soreness",
        "float64",
        "0-10",
        "Mean back soreness of the days in the week with soreness reported (each day's reports averaged "
        "first, so every day weighs the same); NaN when none was reported.",
    ),
    TableColumn(
        "soreness_days",
        "Int64",
        "days",
        "Days in the week with back soreness reported; NA when the athlete has no strength log.",
    ),
)
WEEKLY_COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in WEEKLY_COLUMNS)

RUN_COLUMNS: tuple[TableColumn, ...] = (
    TableColumn("week_start", "datetime64[ns]", "date", "Monday of the run's week: joins the run to the weekly table."),
    TableColumn(
        "consistency_28d",
        "float64",
        "0-1",
        "Adherence over the 28 days before the run (days d-28 to d-1): per plan type, sessions / "
        "(planned per week x 4), capped at 1, then the mean over the plan's types; NaN without a strength log.",
    ),
    *(
        TableColumn(
            f"sessions_28d_{t}",
            "Int64",
            "sessions",
            f"Days with a {t} session in the 28 days before the run; NA without a strength log.",
        )
        for t in SESSION_TYPES
    ),
    TableColumn(
        "log_days_28d",
        "Int64",
        "days",
        "How many of those 28 days fall on or after the athlete's first strength-log entry (28 = the whole "
        "window was logged); NA without a strength log.",
    ),
    TableColumn(
        "perceived_effort",
        "float64",
        "0-10 (Borg CR10)",
        "The run's own perceived effort (Borg CR10), from the watch's self-evaluation or a check-in; NaN when "
        "not reported or the runs frame has no perceived_effort column.",
    ),
    TableColumn(
        "soreness_same_day",
        "float64",
        "0-10",
        "Mean back soreness reported on the run's date; NaN when none was reported.",
    ),
    TableColumn(
        "soreness_next_day",
        "float64",
        "0-10",
        "Mean back soreness reported on the day after the run; NaN when none was reported.",
    ),
)
RUN_COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in RUN_COLUMNS)

_RUN_NEEDS_FOR_WEEKLY = ("athlete", "local_date", "distance_km", "moving_time_s", "eligible", *WEEKLY_RUN_METRICS)
_LOG_NEEDS = ("athlete", "date", "session_type", "back_soreness")


# --- public API ------------------------------------------------------------------------------------


def validate_plan(plan: Mapping[str, int] | None) -> dict[str, int]:
    """The plan as a plain dict, or InputError (a ValueError) saying what is wrong with it.

    ``None`` gives :data:`DEFAULT_PLAN`. A plan maps session types (``core``, ``hip``, ``mobility``,
    ``strength``, ``other``) to planned sessions per week, whole numbers from 1 to 7 (a session is a day
    with that type logged, so 7 is the most a week can hold). At least one type must be planned.
    """
    if plan is None:
        return dict(DEFAULT_PLAN)
    if not isinstance(plan, Mapping):
        raise InputError(
            f"The plan must map session types to sessions per week, like {{'core': 2, 'hip': 2}}; "
            f"got a {type(plan).__name__}."
        )
    if not plan:
        raise InputError("The plan is empty: plan at least one session type, like {'core': 2, 'hip': 2}.")
    out: dict[str, int] = {}
    for kind, count in plan.items():
        if kind not in SESSION_TYPES:
            raise InputError(
                f"The plan names an unknown session type {kind!r}; known types are {', '.join(SESSION_TYPES)}."
            )
        if isinstance(count, bool) or not isinstance(count, int | np.integer):
            raise InputError(f"The plan for {kind} must be a whole number of sessions per week, got {count!r}.")
        if not 1 <= int(count) <= MAX_SESSIONS_PER_WEEK:
            raise InputError(
                f"The plan for {kind} must be between 1 and {MAX_SESSIONS_PER_WEEK} sessions per week "
                f"(a session is a day with {kind} work logged), got {int(count)}; leave a type out to not plan it."
            )
        out[str(kind)] = int(count)
    return out


def weekly_table(
    runs: pd.DataFrame | None,
    strength_log: pd.DataFrame | None,
    *,
    plan: Mapping[str, int] | None = None,
    long_run_min_moving_min: float | None = None,
) -> pd.DataFrame:
    """One row per athlete per week (Mondays, local dates): strength work, running and soreness.

    ``runs``: one row per activity with ``athlete``, ``local_date`` (the run's local calendar date:
    datetime64 — a time of day is dropped, a time zone's wall clock is kept — or ``datetime.date``) and
    the :class:`analysis.metrics.RunMetrics` columns used here: ``distance_km``, ``moving_time_s``,
    ``eligible``, ``pace_decay_pct``, ``cadence_drift_spm``, ``decoupling_pct``; ``sport`` is optional
    (when present only ``running`` rows count as runs, so a ride does not add km), and so is
    ``perceived_effort`` (Borg CR10 0-10, NaN when not reported; without the column no week has one).
    ``None`` or a frame with no rows means no runs.
    ``strength_log``: the normalised log of :func:`analysis.io.read_strength_log` (several athletes'
    logs concatenated is fine); ``None`` or no rows means no strength log for anyone.
    ``plan``: session type → planned sessions per week (:func:`validate_plan`); default
    :data:`DEFAULT_PLAN`, 2 core + 2 hip (DESIGN.md §5).
    ``long_run_min_moving_min``: minutes of moving time from which a run is a long run; default from
    :data:`CONSISTENCY_SETTINGS`.

    Columns, dtypes and units: :data:`WEEKLY_COLUMNS`; definitions in the module docstring. Rows are
    sorted by athlete name, then week; each athlete's weeks are consecutive Mondays from the week of their
    first entry to the week of their last (runs and strength log together). ``attrs`` holds the ``plan``
    and ``long_run_min_moving_min`` used. Bad input raises :class:`analysis.errors.InputError`.
    """
    plan = validate_plan(plan)
    long_min = _long_run_minutes(long_run_min_moving_min)
    run_frame = _prepare_runs(runs, _RUN_NEEDS_FOR_WEEKLY)
    log = _prepare_log(strength_log)

    grid = _week_grid(pd.concat([run_frame[["athlete", "date"]], log[["athlete", "date"]]], ignore_index=True))
    key = ["athlete", "week_start"]
    has_log = grid["athlete"].isin(set(log["athlete"])).to_numpy()
    has_runs = grid["athlete"].isin(set(run_frame["athlete"])).to_numpy()

    # strength sessions: distinct (athlete, day, type)
    sessions = _sessions(log)
    sessions["week_start"] = _monday(sessions["date"])
    counts = (
        sessions.groupby([*key, "session_type"]).size().unstack("session_type").reindex(columns=list(SESSION_TYPES))
    )
    counts.columns = [f"{t}_sessions" for t in SESSION_TYPES]
    grid = grid.merge(counts.reset_index(), on=key, how="left")
    for t in SESSION_TYPES:
        col = f"{t}_sessions"
        grid[col] = np.where(has_log, grid[col].fillna(0.0).to_numpy(dtype=float), np.nan)
    grid["adherence"] = _adherence({t: grid[f"{t}_sessions"].to_numpy(dtype=float) for t in plan}, plan, weeks=1)
    by_athlete = grid.groupby("athlete", sort=False)["adherence"]
    grid["consistency_4wk"] = by_athlete.transform(
        lambda s: s.rolling(CONSISTENCY_WINDOW_WEEKS, min_periods=1).mean()
    ).to_numpy(dtype=float)
    position = grid.groupby("athlete", sort=False).cumcount().to_numpy() + 1
    grid["consistency_weeks"] = np.where(has_log, np.minimum(position, CONSISTENCY_WINDOW_WEEKS), 0).astype("int64")

    # running
    runs_only = run_frame[run_frame["is_run"]].copy()
    runs_only["week_start"] = _monday(runs_only["date"])
    runs_only["long"] = runs_only["moving_time_s"] >= long_min * 60.0
    running = runs_only.groupby(key).agg(
        runs=("date", "size"), long_runs=("long", "sum"), distance_km=("distance_km", "sum")
    )
    eligible = runs_only[runs_only["eligible"]]
    medians = eligible.groupby(key).agg(
        eligible_runs=("date", "size"), **{m: (m, "median") for m in WEEKLY_RUN_METRICS}
    )
    rated = runs_only[runs_only[PERCEIVED_EFFORT].notna()]  # any run with an effort, eligible or not
    efforts = rated.groupby(key).agg(effort_runs=("date", "size"), perceived_effort=(PERCEIVED_EFFORT, "median"))
    grid = grid.merge(running.reset_index(), on=key, how="left").merge(medians.reset_index(), on=key, how="left")
    grid = grid.merge(efforts.reset_index(), on=key, how="left")
    for col in ("runs", "long_runs", "distance_km", "eligible_runs", "effort_runs"):
        grid[col] = np.where(has_runs, grid[col].fillna(0.0).to_numpy(dtype=float), np.nan)

    # soreness: each day's reports averaged first, then the week's days
    daily = _daily_soreness(log)
    daily["week_start"] = _monday(daily["date"])
    sore = daily.groupby(key).agg(back_soreness=("back_soreness", "mean"), soreness_days=("date", "size"))
    grid = grid.merge(sore.reset_index(), on=key, how="left")
    grid["soreness_days"] = np.where(has_log, grid["soreness_days"].fillna(0.0).to_numpy(dtype=float), np.nan)

    out = _typed(grid, WEEKLY_COLUMNS)
    out.attrs["plan"] = dict(plan)
    out.attrs["long_run_min_moving_min"] = long_min
    return out


def run_table(
    runs: pd.DataFrame | None,
    strength_log: pd.DataFrame | None,
    *,
    plan: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """The runs with each run's strength consistency over the 28 days before it and its soreness.

    ``runs`` needs ``athlete`` and ``local_date`` (as in :func:`weekly_table`); every input column and
    row is kept, in the same order and with the same index. ``strength_log``, ``plan``: as in
    :func:`weekly_table`. Added columns (:data:`RUN_COLUMNS`; an input column of the same name is
    replaced): ``week_start``, ``consistency_28d`` (0…1), ``sessions_28d_<type>`` for every session
    type, ``log_days_28d``, ``perceived_effort`` (the run's own, Borg CR10 0-10; NaN when the runs have
    no such column), ``soreness_same_day`` and ``soreness_next_day`` (0–10). The window of a run
    on day d is d−28…d−1: sessions logged on the run's own day are left out, since they may have come
    after it. ``attrs["plan"]`` holds the plan used.
    """
    plan = validate_plan(plan)
    if runs is None:
        runs = pd.DataFrame({"athlete": pd.Series(dtype="str"), "local_date": pd.Series(dtype="datetime64[ns]")})
    prepared = _prepare_runs(runs, ("athlete", "local_date"))
    log = _prepare_log(strength_log)
    out = runs.copy()
    n = len(prepared)
    athletes = prepared["athlete"].to_numpy(dtype=object)
    days = _day_numbers(prepared["date"])
    has_log = np.isin(athletes, log["athlete"].unique()) if n else np.zeros(0, dtype=bool)

    sessions = _sessions(log)
    session_days = {
        (a, t): np.sort(_day_numbers(g["date"])) for (a, t), g in sessions.groupby(["athlete", "session_type"])
    }
    counts = {t: np.where(has_log, 0.0, np.nan) for t in SESSION_TYPES}
    for a in pd.unique(athletes[has_log]):
        rows = athletes == a
        for t in SESSION_TYPES:
            sd = session_days.get((a, t))
            if sd is not None:
                d = days[rows]
                counts[t][rows] = np.searchsorted(sd, d, side="left") - np.searchsorted(
                    sd, d - RUN_WINDOW_DAYS, side="left"
                )
    first_log = log.groupby("athlete")["date"].min()
    first_days = dict(zip(first_log.index, _day_numbers(first_log), strict=True))
    first_day = np.array([first_days.get(a, 0) for a in athletes], dtype="int64")
    log_days = np.where(has_log, np.clip(days - first_day, 0, RUN_WINDOW_DAYS), np.nan)

    daily = _daily_soreness(log)
    day_keys = zip(daily["athlete"], _day_numbers(daily["date"]), strict=True)
    sore = dict(zip(day_keys, daily["back_soreness"], strict=True))

    added = pd.DataFrame(index=pd.RangeIndex(n))  # positional throughout: the runs' index may repeat labels
    added["week_start"] = _monday(prepared["date"]).to_numpy()
    added["consistency_28d"] = _adherence({t: counts[t] for t in plan}, plan, weeks=RUN_WINDOW_DAYS // 7)
    for t in SESSION_TYPES:
        added[f"sessions_28d_{t}"] = counts[t]
    added["log_days_28d"] = log_days
    added[PERCEIVED_EFFORT] = prepared[PERCEIVED_EFFORT].to_numpy(dtype=float)
    added["soreness_same_day"] = [sore.get((a, int(d)), np.nan) for a, d in zip(athletes, days, strict=True)]
    added["soreness_next_day"] = [sore.get((a, int(d) + 1), np.nan) for a, d in zip(athletes, days, strict=True)]
    typed = _typed(added, RUN_COLUMNS)
    for col in RUN_COLUMN_NAMES:
        out[col] = typed[col].array  # positional: the runs' own index is kept as it is
    out.attrs["plan"] = dict(plan)
    return out


# --- helpers ---------------------------------------------------------------------------------------


def _adherence(done: Mapping[str, np.ndarray], plan: Mapping[str, int], *, weeks: int) -> np.ndarray:
    """Mean over the plan's types of min(done / (planned × weeks), 1); NaN where a count is NaN."""
    parts = [np.minimum(np.asarray(done[t], dtype=float) / (planned * weeks), 1.0) for t, planned in plan.items()]
    return np.mean(np.vstack(parts), axis=0)


def _long_run_minutes(value: float | None) -> float:
    if value is None:
        return float(_SETTINGS_BY_NAME["long_run_min_moving_min"].default)
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InputError(f"long_run_min_moving_min must be a number of minutes, got {value!r}.")
    if not (math.isfinite(float(value)) and float(value) > 0):
        raise InputError(f"long_run_min_moving_min must be a positive number of minutes, got {value!r}.")
    return float(value)


def _monday(dates: pd.Series) -> pd.Series:
    """The Monday starting each date's week (dates at midnight, tz-naive)."""
    dates = pd.Series(dates).astype("datetime64[ns]")
    return (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).astype("datetime64[ns]")


def _day_numbers(dates: pd.Series) -> np.ndarray:
    """Whole days since 1970-01-01 of midnight dates."""
    return pd.Series(dates).to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype("int64")


def _local_dates(values: pd.Series, what: str, column: str) -> pd.Series:
    try:
        dates = pd.to_datetime(values)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{what}: column {column!r} must hold local calendar dates ({exc}).") from exc
    if not pd.api.types.is_datetime64_any_dtype(dates):
        raise InputError(f"{what}: column {column!r} must hold local calendar dates.")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)  # the wall clock of its own time zone
    missing = int(dates.isna().sum())
    if missing:
        raise InputError(
            f"{what}: {missing} row(s) have no {column}; every row needs its local calendar date to be put in a week."
        )
    return dates.dt.normalize().astype("datetime64[ns]")


def _athletes(values: pd.Series, what: str) -> pd.Series:
    missing = int(values.isna().sum())
    if missing:
        raise InputError(f"{what}: {missing} row(s) have no athlete; every row must say whose it is.")
    return values.astype(str).astype(object)


def _check_frame(frame: object, what: str, needed: tuple[str, ...]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{what} must be a table (pandas DataFrame), got a {type(frame).__name__}.")
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputError(
            f"{what} lacks column(s) {', '.join(missing)}; it has {', '.join(map(str, frame.columns)) or 'none'}."
        )


def _prepare_runs(runs: pd.DataFrame | None, needed: tuple[str, ...]) -> pd.DataFrame:
    """athlete, date, is_run, eligible and the numeric columns, index kept; an empty frame for no runs."""
    numeric = ("distance_km", "moving_time_s", *WEEKLY_RUN_METRICS, PERCEIVED_EFFORT)
    if runs is None or (isinstance(runs, pd.DataFrame) and len(runs) == 0):
        empty = {"athlete": pd.Series(dtype=object), "date": pd.Series(dtype="datetime64[ns]")}
        empty |= {"is_run": pd.Series(dtype=bool), "eligible": pd.Series(dtype=bool)}
        empty |= {c: pd.Series(dtype=float) for c in numeric}
        return pd.DataFrame(empty, index=runs.index if runs is not None else None)
    _check_frame(runs, "The runs table", needed)
    out = pd.DataFrame(index=runs.index)
    out["athlete"] = _athletes(runs["athlete"], "The runs table")
    out["date"] = _local_dates(runs["local_date"], "The runs table", "local_date")
    if "sport" in runs.columns:
        out["is_run"] = runs["sport"].eq(RUNNING).fillna(False).astype(bool)
    else:
        out["is_run"] = True
    if "eligible" in runs.columns:
        out["eligible"] = runs["eligible"].eq(True).fillna(False).astype(bool) & out["is_run"]
    else:
        out["eligible"] = False
    for col in numeric:
        out[col] = pd.to_numeric(runs[col], errors="coerce").astype(float) if col in runs.columns else np.nan
    effort = out[PERCEIVED_EFFORT].to_numpy(dtype=float)
    low, high = PERCEIVED_EFFORT_RANGE
    if ((effort < low) | (effort > high)).any():
        raise InputError("The runs table has perceived effort outside 0-10 (Borg CR10).")
    return out


def _prepare_log(strength_log: pd.DataFrame | None) -> pd.DataFrame:
    """athlete, date, session_type, back_soreness of the log; an empty frame for no log."""
    if strength_log is None or (isinstance(strength_log, pd.DataFrame) and len(strength_log) == 0):
        return pd.DataFrame(
            {
                "athlete": pd.Series(dtype=object),
                "date": pd.Series(dtype="datetime64[ns]"),
                "session_type": pd.Series(dtype=object),
                "back_soreness": pd.Series(dtype=float),
            }
        )
    _check_frame(strength_log, "The strength log", _LOG_NEEDS)
    out = pd.DataFrame(index=pd.RangeIndex(len(strength_log)))
    out["athlete"] = _athletes(strength_log["athlete"], "The strength log").to_numpy()
    out["date"] = _local_dates(strength_log["date"], "The strength log", "date").to_numpy()
    kinds = strength_log["session_type"].astype(object).where(strength_log["session_type"].notna(), None)
    unknown = sorted({str(k) for k in kinds.dropna() if k not in SESSION_TYPES})
    if unknown:
        raise InputError(
            f"The strength log has unknown session type(s) {', '.join(unknown)}; known types are "
            f"{', '.join(SESSION_TYPES)} (read logs with analysis.io.read_strength_log)."
        )
    out["session_type"] = kinds.to_numpy()
    sore = pd.to_numeric(strength_log["back_soreness"], errors="coerce").astype(float).to_numpy()
    if ((sore < 0) | (sore > 10)).any():
        raise InputError("The strength log has back soreness outside 0-10.")
    out["back_soreness"] = sore
    return out


def strength_sessions(strength_log: pd.DataFrame | None) -> pd.DataFrame:
    """The sessions of a normalised strength log: distinct (athlete, date, session_type) rows.

    Two core exercises on one day are one core session; soreness-only rows are no session (DESIGN §5).
    """
    return _sessions(_prepare_log(strength_log))


def _sessions(log: pd.DataFrame) -> pd.DataFrame:
    """Distinct (athlete, date, session_type): the sessions."""
    return (
        log.loc[log["session_type"].notna(), ["athlete", "date", "session_type"]]
        .drop_duplicates()
        .reset_index(drop=True)
    )


def _daily_soreness(log: pd.DataFrame) -> pd.DataFrame:
    """athlete, date, back_soreness: the mean of each day's soreness reports."""
    reported = log.loc[log["back_soreness"].notna(), ["athlete", "date", "back_soreness"]]
    return reported.groupby(["athlete", "date"], as_index=False)["back_soreness"].mean()


def _week_grid(entries: pd.DataFrame) -> pd.DataFrame:
    """athlete, week_start: every Monday from each athlete's first to last entry; athletes sorted by name."""
    if entries.empty:
        return pd.DataFrame({"athlete": pd.Series(dtype=object), "week_start": pd.Series(dtype="datetime64[ns]")})
    span = entries.groupby("athlete")["date"].agg(["min", "max"])
    parts = []
    for athlete in sorted(span.index, key=str):
        first, last = _monday(pd.Series([span.at[athlete, "min"], span.at[athlete, "max"]]))
        weeks = pd.date_range(first, last, freq="7D")
        parts.append(pd.DataFrame({"athlete": athlete, "week_start": weeks}))
    grid = pd.concat(parts, ignore_index=True)
    grid["athlete"] = grid["athlete"].astype(object)
    grid["week_start"] = grid["week_start"].astype("datetime64[ns]")
    return grid


def _typed(frame: pd.DataFrame, columns: tuple[TableColumn, ...]) -> pd.DataFrame:
    """The listed columns in order, each cast to its documented dtype (float NaN → NA for Int64)."""
    out = pd.DataFrame(index=frame.index)
    for c in columns:
        values = frame[c.name]
        if c.dtype == "Int64":
            out[c.name] = pd.array(np.round(values.to_numpy(dtype=float)), dtype="Float64").astype("Int64")
        elif c.dtype == "str":
            out[c.name] = values.astype(str)
        else:
            out[c.name] = values.astype(c.dtype)
    return out
