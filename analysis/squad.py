"""The coach's view of a squad: one row per athlete, and the squad's within-athlete association (issue 7, page 5).

* :func:`squad_table` — one row per athlete over a period: runs, weeks, mean plan adherence, weekly km,
  medians of the late-run fatigue markers, the back-soreness trend and the athlete's own Spearman ρ
  between strength consistency and a chosen fatigue marker. Columns, dtypes and units: :data:`SQUAD_COLUMNS`.
* :func:`squad_correlation` — the squad's repeated-measures correlation r_rm of the same pair
  (Bakdash & Marusich 2017) with each athlete's own season trend, via :func:`analysis.stats.association`:
  it only counts changes *within* athletes, so one athlete logging more strength work and fading less than
  another cannot create or hide it.
* :func:`load_correlation` — r_rm of 4-week consistency and weekly km: training load is the big
  confounder, so the page shows how strength work and load moved together.

Unit of analysis (:data:`UNITS`, default ``"runs"``)
----------------------------------------------------
* ``"runs"`` (default): each eligible run's fatigue marker against its ``consistency_28d`` — plan
  adherence over the 28 days before the run (:func:`analysis.consistency.run_table`). This is how the
  sample club's relation is planted and documented (``sample_data/README.md``), and it gives about four
  times the n of weekly pairs. Back soreness per run is ``soreness_next_day`` (the day after the run);
  perceived effort per run is the run's own, on every running run with one (it needs no long run).
* ``"weeks"``: each week's median fatigue marker (eligible runs; perceived effort: the runs with one) or
  mean back soreness against the ``consistency_4wk`` of the week before (:data:`WEEK_LAG`): mean adherence
  of the four weeks before the outcome week (:func:`analysis.consistency.weekly_table`). These are the pairs of
  :func:`analysis.stats.lagged` at lag 1, the Consistency page's default: at lag 0 strength work logged
  after a run in the same week would count towards it, which the 28-day window of a run also rules out.

Runs in one week share most of their 28-day window and the week's tiredness, and neighbouring weeks share
three of their four weeks of consistency, so neither runs nor weeks are independent pairs:
:func:`analysis.stats.association` takes a season trend out, counts what the pairs are worth as independent
ones (the effective n) and bases p and the 95 % CI on that. Both views are association, never cause.

Back-soreness trend
-------------------
The Theil–Sen slope (Theil 1950, "A rank-invariant method of linear and polynomial regression analysis",
Proc. KNAW 53:386–392; Sen 1968, "Estimates of the regression coefficient based on Kendall's tau",
JASA 63:1379–1389) of the athlete's weekly mean back soreness (0–10, weeks with soreness reported) against
calendar time: the median of the slopes between every pair of weeks, in points per week, times 4 → points
per 4 weeks. Being a median of pairwise slopes, one bad week cannot swing it (29 % breakdown point), which
suits a 0–10 self-report. Agrees with ``scipy.stats.theilslopes`` (tested). Fewer than ``min_n`` weeks with
soreness reported give NaN. Beside it, the mean of the weekly soreness over the athlete's last four weeks
in the period says where the athlete is now.

Missing data is never zero: an athlete with no strength log gets NaN adherence and soreness, an athlete
without eligible runs NaN medians, and a correlation below ``min_n`` pairs is NaN with "not enough data".

This module is pure Python (numpy, pandas); no streamlit import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.stats import DEFAULT_MIN_N, Correlation, association, holm_adjust

__all__ = [
    "DEFAULT_METRIC",
    "DEFAULT_UNIT",
    "SORENESS_RECENT_WEEKS",
    "SQUAD_COLUMNS",
    "SQUAD_METRICS",
    "UNITS",
    "WEEK_LAG",
    "SquadColumn",
    "SquadMetric",
    "correlation_pairs",
    "load_correlation",
    "running_weeks",
    "soreness_trend",
    "squad_correlation",
    "squad_table",
]

RUNNING = "running"  # RunMetrics.sport of a run
UNITS: tuple[str, ...] = ("runs", "weeks")
DEFAULT_UNIT = "runs"
WEEK_LAG = 1  # per week: consistency_4wk of week w - 1 against the outcome of week w (calendar weeks)
CONSISTENCY_COLUMN: MappingProxyType[str, str] = MappingProxyType(
    {"runs": "consistency_28d", "weeks": "consistency_4wk"}
)
PAIR_UNIT: MappingProxyType[str, str] = MappingProxyType({"runs": "runs", "weeks": "weeks"})
SQUAD_PAIR_UNIT: MappingProxyType[str, str] = MappingProxyType({"runs": "runs", "weeks": "athlete-weeks"})
SORENESS_RECENT_WEEKS = 4  # soreness_latest_4wk: the athlete's last four weeks in the period
SORENESS_TREND_WEEKS = 4  # the slope is reported in points per this many weeks


@dataclass(frozen=True)
class SquadMetric:
    """A fatigue marker the squad page can correlate with consistency.

    ``run_column``: its column in :func:`analysis.consistency.run_table` (per run); ``week_column``: in
    :func:`analysis.consistency.weekly_table` (per week). ``eligible_only``: per run, only eligible runs
    count (the run metrics are NaN on the others anyway; soreness and perceived effort are reported for any
    run). ``meaning``: one line for screens that have no label of their own for the marker yet (the other
    markers' words are in :data:`analysis.charts.style.METRIC_LABELS`).

    This is the one registry of the markers: :data:`analysis.pairing.FATIGUE_METRICS` and
    :data:`analysis.pairing.RUN_OUTCOMES` (the Consistency page) are derived from it. For every marker higher
    means more fatigue except cadence drift, where a fall (negative) is the fatigued direction.
    """

    name: str
    title: str
    unit: str
    run_column: str
    week_column: str
    eligible_only: bool
    meaning: str = ""


SQUAD_METRICS: MappingProxyType[str, SquadMetric] = MappingProxyType({
    "pace_decay_pct": SquadMetric(
        "pace_decay_pct", "Late pace decay", "%", "pace_decay_pct", "pace_decay_pct", True),
    "cadence_drift_spm": SquadMetric(
        "cadence_drift_spm", "Cadence drift", "steps/min", "cadence_drift_spm", "cadence_drift_spm", True),
    "decoupling_pct": SquadMetric(
        "decoupling_pct", "Aerobic decoupling", "%", "decoupling_pct", "decoupling_pct", True),
    "back_soreness": SquadMetric(
        "back_soreness", "Back soreness", "0-10", "soreness_next_day", "back_soreness", False),
    "perceived_effort": SquadMetric(
        "perceived_effort", "Perceived effort", "0-10", "perceived_effort", "perceived_effort", False,
        "How hard the run felt on Borg's CR10 scale (0 nothing at all, 3 moderate, 5 strong, 7 very strong, "
        "10 maximal), from the watch's self-evaluation or a check-in; + = harder. Per week: the median of the "
        "week's runs with one, long or not."),
})
DEFAULT_METRIC = "pace_decay_pct"


@dataclass(frozen=True)
class SquadColumn:
    """One column of :func:`squad_table`: name, pandas dtype, unit, short on-screen title and meaning."""

    name: str
    dtype: str
    unit: str
    title: str
    help: str

    @property
    def label(self) -> str:
        """'Title (unit)' for table headers; the title alone when there is no unit."""
        return f"{self.title} ({self.unit})" if self.unit else self.title


SQUAD_COLUMNS: tuple[SquadColumn, ...] = (
    SquadColumn("athlete", "str", "", "Athlete", "Athlete name, as in the store."),
    SquadColumn("runs", "int64", "count", "Runs", "Runs (sport running) in the period."),
    SquadColumn("eligible_runs", "int64", "count", "Eligible runs",
                "Runs with fatigue metrics (long enough, not too steep, channels covered: the metric settings on "
                "Data & settings); the medians rest on these."),
    SquadColumn("weeks", "int64", "count", "Weeks",
                "Weeks of the athlete's weekly table in the period (first to last entry, runs and log together)."),
    SquadColumn("adherence_pct", "float64", "% of plan", "Mean adherence",
                "Mean weekly plan adherence over the athlete's weeks, x 100 (extra of one session type does not "
                "make up for another); NaN without a strength log."),
    SquadColumn("weekly_km", "float64", "km", "Weekly distance",
                "Mean running km per week over the weeks from the athlete's first to last run in the period "
                "(training load, a confounder); NaN without runs."),
    SquadColumn("pace_decay_pct", "float64", "%", "Median pace decay",
                "Median late-run pace decay of the eligible runs (+ = slower late, grade-adjusted)."),
    SquadColumn("cadence_drift_spm", "float64", "steps/min", "Median cadence drift",
                "Median late minus baseline cadence of the eligible runs (- = turnover fell late)."),
    SquadColumn("decoupling_pct", "float64", "%", "Median decoupling",
                "Median Pa:HR decoupling of the eligible runs (+ = heart rate rose for the same pace)."),
    SquadColumn("soreness_trend_per_4wk", "float64", "points per 4 weeks", "Soreness trend",
                "Theil-Sen slope of weekly mean back soreness (0-10) over calendar time, x 4 weeks; + = rising. "
                "NaN with fewer than min_n weeks of soreness reports."),
    SquadColumn("soreness_latest_4wk", "float64", "0-10", "Soreness, last 4 weeks",
                "Mean of the weekly back soreness over the athlete's last four weeks in the period; NaN when "
                "none was reported then."),
    SquadColumn("soreness_weeks", "int64", "count", "Weeks with soreness",
                "Weeks with back soreness reported: the n of the soreness trend."),
    SquadColumn("rho", "float64", "-1 to 1", "ρ consistency vs marker",
                "The athlete's Spearman ρ of strength consistency and the chosen fatigue marker with the season "
                "trend taken out (attrs 'metric' and 'unit' say which); NaN below min_n pairs or min_effective_n."),
    SquadColumn("rho_ci_low", "float64", "-1 to 1", "ρ 95 % CI low", "Lower bound of the 95 % CI of ρ "
                "(Fisher z, Bonett-Wright variance on the effective n)."),
    SquadColumn("rho_ci_high", "float64", "-1 to 1", "ρ 95 % CI high", "Upper bound of the 95 % CI of ρ."),
    SquadColumn("rho_p", "float64", "0-1", "ρ p value",
                "Two-sided p value of ρ, allowing for serial dependence (Fisher z on the effective n: below 0.05 "
                "exactly when the 95 % CI excludes 0)."),
    SquadColumn("rho_p_holm", "float64", "0-1", "ρ p, Holm-adjusted",
                "The p value adjusted (Holm 1979) over every athlete of the table: one view, many tests. Below "
                "0.05, the chance that any athlete's link in the table is a fluke is at most 5 %."),
    SquadColumn("rho_n", "int64", "pairs", "ρ n", "Pairs (runs or weeks) ρ rests on."),
    SquadColumn("rho_n_effective", "float64", "independent pairs", "ρ worth (independent pairs)",
                "What the pairs are worth as independent ones: neighbouring weeks share their consistency "
                "and runs of one week its tiredness (effective n, Bartlett 1935 / Pyper & Peterman 1998)."),
    SquadColumn("rho_message", "str", "", "ρ in words",
                "ρ in words with its CI and n, or why there is none ('not enough data: ...')."),
)
SQUAD_COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in SQUAD_COLUMNS)
_RUN_MEDIANS = ("pace_decay_pct", "cadence_drift_spm", "decoupling_pct")


# --- public API ------------------------------------------------------------------------------------


def correlation_pairs(
    weekly: pd.DataFrame | None,
    run_table: pd.DataFrame | None,
    *,
    metric: str = DEFAULT_METRIC,
    unit: str = DEFAULT_UNIT,
    history: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The (consistency, fatigue marker) pairs the squad page correlates: athlete, date, consistency, outcome.

    ``unit`` ``"runs"``: one row per running run of ``run_table`` (eligible runs only for the run metrics)
    with ``consistency_28d`` (0-1) and the metric's run column; ``date`` is the run's local date.
    ``"weeks"``: one row per week w of ``weekly`` with the metric's weekly column and the ``consistency_4wk``
    (0-1) of calendar week w − :data:`WEEK_LAG` (a missing week is a gap, as :func:`analysis.stats.lagged`);
    ``date`` is the Monday of w. ``history``: the weekly table over all dates, where that earlier week is
    looked up, so the first week of a date range still gets its pair (default ``weekly``).
    Only rows where both values are finite are kept.
    """
    spec, consistency = _metric(metric), _consistency_column(unit)
    if unit == "runs":
        source = _running(run_table)
        if spec.eligible_only and "eligible" in source.columns:
            source = source[source["eligible"].eq(True).to_numpy()]
        value, date = spec.run_column, "local_date"
    else:
        source = weekly if weekly is not None else pd.DataFrame()
        value, date = spec.week_column, "week_start"
    if source.empty:
        return _empty_pairs()
    _require(source, ("athlete", date, value), "The run table" if unit == "runs" else "The weekly table")
    pairs = pd.DataFrame({
        "athlete": source["athlete"].astype(str).to_numpy(dtype=object),
        "date": pd.to_datetime(source[date]).to_numpy(dtype="datetime64[ns]"),
        "outcome": pd.to_numeric(source[value], errors="coerce").to_numpy(dtype=float),
    })
    if unit == "runs":
        _require(source, (consistency,), "The run table")
        pairs["consistency"] = pd.to_numeric(source[consistency], errors="coerce").to_numpy(dtype=float)
    else:
        past = history if history is not None else source
        _require(past, ("athlete", "week_start", consistency), "The weekly history")
        earlier = pd.DataFrame({
            "athlete": past["athlete"].astype(str).to_numpy(dtype=object),
            # consistency of week v is paired with the outcome of week v + WEEK_LAG
            "date": (pd.to_datetime(past["week_start"]) + pd.Timedelta(weeks=WEEK_LAG)).to_numpy(
                dtype="datetime64[ns]"),
            "consistency": pd.to_numeric(past[consistency], errors="coerce").to_numpy(dtype=float),
        }).drop_duplicates(["athlete", "date"])
        pairs = pairs.merge(earlier, on=["athlete", "date"], how="inner")
    pairs = pairs[["athlete", "date", "consistency", "outcome"]]
    keep = np.isfinite(pairs["consistency"].to_numpy()) & np.isfinite(pairs["outcome"].to_numpy())
    return pairs[keep].reset_index(drop=True)


def squad_table(
    weekly: pd.DataFrame | None,
    run_table: pd.DataFrame | None,
    *,
    athletes: Iterable[str] | None = None,
    metric: str = DEFAULT_METRIC,
    unit: str = DEFAULT_UNIT,
    min_n: int = DEFAULT_MIN_N,
    history: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per athlete: volume, plan adherence, fatigue-marker medians, soreness trend and own ρ.

    ``weekly``: :func:`analysis.consistency.weekly_table` rows of the period (the page filters them to the
    sidebar's dates); ``run_table``: :func:`analysis.consistency.run_table` rows of the same period.
    ``athletes``: every athlete to show, so one without data in the period still gets a row (NaN, never
    0); default the athletes found in either table. ``metric`` (a key of :data:`SQUAD_METRICS`) and
    ``unit`` (``"runs"`` or ``"weeks"``, see the module docstring) choose the pair of the athlete's
    Spearman ρ (:func:`analysis.stats.association`: season trend out, p and 95 % CI on the effective n, and
    ``rho_p_holm`` Holm-adjusted over the table's athletes);
    ``min_n`` is its minimum n and the minimum weeks for the soreness trend. ``history``: the weekly table
    over all dates, for the per-week lag (:func:`correlation_pairs`).

    Columns, dtypes and units: :data:`SQUAD_COLUMNS`. Rows sorted by name (case-insensitive), the order
    of :func:`analysis.charts.style.athlete_colours`. ``attrs``: ``metric``, ``unit``, ``min_n``.
    """
    _metric(metric)
    _consistency_column(unit)
    weekly = weekly if weekly is not None and len(weekly) else None
    runs = _running(run_table)
    if weekly is not None:
        _require(weekly, ("athlete", "week_start", "adherence", "runs", "distance_km", "back_soreness"),
                 "The weekly table")
    if len(runs):
        _require(runs, ("athlete", "local_date", *_RUN_MEDIANS), "The run table")

    names = set(athletes) if athletes is not None else set()
    if athletes is None:
        names |= set(runs["athlete"].astype(str)) if len(runs) else set()
        names |= set(weekly["athlete"].astype(str)) if weekly is not None else set()
    order = sorted({str(n) for n in names}, key=str.casefold)
    out = pd.DataFrame({"athlete": pd.Series(order, dtype=object)})
    index = pd.Index(order, dtype=object)

    if len(runs):
        by_athlete = runs.groupby(runs["athlete"].astype(str))
        out["runs"] = by_athlete.size().reindex(index, fill_value=0).to_numpy()
        eligible = runs[runs["eligible"].eq(True).to_numpy()] if "eligible" in runs.columns else runs.iloc[0:0]
        out["eligible_runs"] = eligible.groupby(eligible["athlete"].astype(str)).size().reindex(
            index, fill_value=0).to_numpy()
        medians = eligible.groupby(eligible["athlete"].astype(str))[list(_RUN_MEDIANS)].median()
        for col in _RUN_MEDIANS:
            out[col] = medians[col].reindex(index).to_numpy(dtype=float) if len(medians) else np.nan
    else:
        out["runs"] = 0
        out["eligible_runs"] = 0
        for col in _RUN_MEDIANS:
            out[col] = np.nan

    if weekly is not None:
        wk = weekly.assign(athlete=weekly["athlete"].astype(str))
        grouped = wk.groupby("athlete")
        out["weeks"] = grouped.size().reindex(index, fill_value=0).to_numpy()
        out["adherence_pct"] = (grouped["adherence"].mean() * 100.0).reindex(index).to_numpy(dtype=float)
        span = running_weeks(wk)
        out["weekly_km"] = span.groupby("athlete")["distance_km"].mean().reindex(index).to_numpy(dtype=float)
        trend = soreness_trend(wk, min_n=min_n).set_index("athlete").reindex(index)
        out["soreness_trend_per_4wk"] = trend["slope_per_4wk"].to_numpy(dtype=float)
        out["soreness_latest_4wk"] = trend["latest_4wk"].to_numpy(dtype=float)
        out["soreness_weeks"] = trend["weeks"].fillna(0).to_numpy(dtype="int64")
    else:
        out["weeks"] = 0
        out["adherence_pct"] = np.nan
        out["weekly_km"] = np.nan
        out["soreness_trend_per_4wk"] = np.nan
        out["soreness_latest_4wk"] = np.nan
        out["soreness_weeks"] = 0

    pairs = correlation_pairs(weekly, run_table, metric=metric, unit=unit, history=history)
    groups = {name: g for name, g in pairs.groupby("athlete", sort=False)}
    names_xy = ("consistency", SQUAD_METRICS[metric].title.lower())
    results = []
    for name in order:
        g = groups.get(name, pairs.iloc[0:0])
        results.append(association(_as_xy(g), min_n=min_n, unit=PAIR_UNIT[unit], names=names_xy))
    out["rho"] = [r.r for r in results]
    out["rho_ci_low"] = [r.ci_low for r in results]
    out["rho_ci_high"] = [r.ci_high for r in results]
    out["rho_p"] = [r.p for r in results]
    out["rho_p_holm"] = holm_adjust([r.p for r in results])
    out["rho_n"] = [r.n for r in results]
    out["rho_n_effective"] = [r.n_effective for r in results]
    out["rho_message"] = [r.message for r in results]

    out = out[list(SQUAD_COLUMN_NAMES)]
    for column in SQUAD_COLUMNS:
        if column.dtype != "str":
            out[column.name] = out[column.name].astype(column.dtype)
    out.attrs.update(metric=metric, unit=unit, min_n=int(min_n))
    return out


def squad_correlation(
    weekly: pd.DataFrame | None,
    run_table: pd.DataFrame | None,
    *,
    metric: str = DEFAULT_METRIC,
    unit: str = DEFAULT_UNIT,
    min_n: int = DEFAULT_MIN_N,
    history: pd.DataFrame | None = None,
) -> Correlation:
    """The squad's repeated-measures correlation of consistency and ``metric`` over :func:`correlation_pairs`.

    :func:`analysis.stats.association` with ``subject="athlete"``: the repeated-measures correlation
    (Bakdash & Marusich 2017), one intercept and one season trend per athlete and a common slope, so only
    within-athlete changes count; n in runs or athlete-weeks, p and CI on the effective n.
    ``history``: as in :func:`correlation_pairs`.
    """
    pairs = correlation_pairs(weekly, run_table, metric=metric, unit=unit, history=history)
    return association(
        _as_xy(pairs), subject="athlete", min_n=min_n, unit=SQUAD_PAIR_UNIT[unit],
        names=("consistency", SQUAD_METRICS[metric].title.lower()),
    )


def load_correlation(weekly: pd.DataFrame | None, *, min_n: int = DEFAULT_MIN_N) -> Correlation:
    """r_rm of 4-week consistency and weekly km over the squad's running weeks (:func:`running_weeks`).

    Training load is the confounder docs/statistics.md warns of: if strength work and km rose together
    within athletes, a link between consistency and fatigue may be load's. n in athlete-weeks.
    """
    frame = running_weeks(weekly) if weekly is not None and len(weekly) else pd.DataFrame(
        {"athlete": [], "week_start": [], "consistency_4wk": [], "distance_km": []})
    pairs = pd.DataFrame({
        "athlete": frame["athlete"].astype(str).to_numpy(dtype=object),
        "date": pd.to_datetime(frame["week_start"]).to_numpy(dtype="datetime64[ns]"),
        "x": pd.to_numeric(frame["consistency_4wk"], errors="coerce").to_numpy(dtype=float),
        "y": pd.to_numeric(frame["distance_km"], errors="coerce").to_numpy(dtype=float),
    })
    return association(pairs, subject="athlete", min_n=min_n, unit="athlete-weeks",
                       names=("consistency", "weekly km"))


def running_weeks(weekly: pd.DataFrame) -> pd.DataFrame:
    """The weekly rows from each athlete's first to last week with a run: where weekly km means training load.

    Weeks of a strength log before the first run (the sample club logs four weeks ahead) would otherwise
    count as 0 km weeks. Weeks without runs inside the span stay (0 km: a real break).
    """
    if weekly is None or weekly.empty:
        return weekly.iloc[0:0] if weekly is not None else pd.DataFrame()
    ran = pd.to_numeric(weekly["runs"], errors="coerce").fillna(0).to_numpy() > 0
    weeks = pd.to_datetime(weekly["week_start"])
    athlete = weekly["athlete"].astype(str)
    first = weeks.where(ran).groupby(athlete).transform("min")
    last = weeks.where(ran).groupby(athlete).transform("max")
    inside = (weeks >= first) & (weeks <= last)
    return weekly[inside.to_numpy()]


def soreness_trend(weekly: pd.DataFrame, *, min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """Per athlete: Theil–Sen slope of weekly back soreness, its n, and the mean of the last four weeks.

    Columns: ``athlete``; ``slope_per_4wk`` (0-10 points per 4 weeks; median of the pairwise slopes of
    weekly mean soreness against week start in weeks, Theil 1950 / Sen 1968, NaN below ``min_n`` weeks
    with soreness); ``intercept`` (0-10 at the athlete's first week in ``weekly``, Sen's median of
    y − slope·x as ``scipy.stats.theilslopes``); ``weeks`` (weeks with soreness reported);
    ``latest_4wk`` (0-10, mean of the weekly soreness of the athlete's last four weeks in ``weekly``).
    """
    rows = []
    for name, g in weekly.groupby(weekly["athlete"].astype(str), sort=True):
        weeks = pd.to_datetime(g["week_start"])
        sore = pd.to_numeric(g["back_soreness"], errors="coerce").to_numpy(dtype=float)
        x = ((weeks - weeks.min()).dt.days / 7.0).to_numpy(dtype=float)
        has = np.isfinite(sore)
        recent = weeks >= weeks.max() - pd.Timedelta(weeks=SORENESS_RECENT_WEEKS - 1)
        latest = sore[recent.to_numpy() & has]
        slope, intercept = _theil_sen(x[has], sore[has]) if has.sum() >= max(min_n, 2) else (np.nan, np.nan)
        rows.append({
            "athlete": name,
            "slope_per_4wk": slope * SORENESS_TREND_WEEKS,
            "intercept": intercept,
            "weeks": int(has.sum()),
            "latest_4wk": float(latest.mean()) if latest.size else np.nan,
        })
    return pd.DataFrame(rows, columns=["athlete", "slope_per_4wk", "intercept", "weeks", "latest_4wk"])


# --- helpers ---------------------------------------------------------------------------------------


def _theil_sen(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Median of the slopes (y_j − y_i)/(x_j − x_i) over pairs with x_j > x_i, and Sen's intercept."""
    dx = np.subtract.outer(x, x)
    dy = np.subtract.outer(y, y)
    upper = dx > 0
    slope = float(np.median(dy[upper] / dx[upper]))
    return slope, float(np.median(y - slope * x))


def _metric(metric: str) -> SquadMetric:
    try:
        return SQUAD_METRICS[metric]
    except KeyError:
        raise InputError(f"unknown fatigue marker {metric!r}; choose one of {', '.join(SQUAD_METRICS)}") from None


def _consistency_column(unit: str) -> str:
    try:
        return CONSISTENCY_COLUMN[unit]
    except KeyError:
        raise InputError(f"unknown unit of analysis {unit!r}; choose one of {', '.join(UNITS)}") from None


def _running(run_table: pd.DataFrame | None) -> pd.DataFrame:
    """The running rows of a run table (every row when it has no sport column); empty for None."""
    if run_table is None or len(run_table) == 0:
        return pd.DataFrame()
    if "sport" in run_table.columns:
        return run_table[run_table["sport"].eq(RUNNING).fillna(False).to_numpy(dtype=bool)]
    return run_table


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{what} lacks column(s) {', '.join(missing)}; it has {', '.join(map(str, frame.columns))}.")


def _as_xy(pairs: pd.DataFrame) -> pd.DataFrame:
    """:func:`correlation_pairs` rows as :func:`analysis.stats.association` reads them (x, y)."""
    return pairs.rename(columns={"consistency": "x", "outcome": "y"})


def _empty_pairs() -> pd.DataFrame:
    return pd.DataFrame({
        "athlete": pd.Series(dtype=object),
        "date": pd.Series(dtype="datetime64[ns]"),
        "consistency": pd.Series(dtype=float),
        "outcome": pd.Series(dtype=float),
    })
