"""Pairs of strength consistency and a fatigue outcome, and the associations one view of them shows.

The Consistency page's numbers are decided here, not in the charts (which only draw them):

* :func:`weekly_pairs` — one athlete's (4-week consistency of week w − lag, outcome of week w) pairs, lags
  counted in calendar weeks as :func:`analysis.stats.lagged`, so a missing week is a gap;
* :func:`run_pairs` — one athlete's runs against the consistency of the 28 days before each;
* :func:`pair_correlations` — the association, training load beside it and load held constant, each through
  :func:`analysis.stats.association` (season trend out, effective n, words from the CI);
* :func:`lag_table` / :func:`lag_grid` — every lag (and every marker) at a glance, with Holm's adjustment over
  what the view shows: 5 lags × 5 markers are 25 tests, and one in twenty looks "significant" by chance.

Units: consistency 0-1, pace decay and decoupling %, cadence drift steps/min, back soreness 0-10, perceived
effort 0-10 (Borg CR10), km.
Pure Python (numpy, pandas); no streamlit import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from analysis.consistency import RUN_WINDOW_DAYS, RUNNING
from analysis.squad import SQUAD_METRICS, squad_correlation
from analysis.stats import (
    DEFAULT_LAGS,
    DEFAULT_MIN_EFFECTIVE_N,
    DEFAULT_MIN_N,
    Correlation,
    association,
    holm_adjust,
    lagged,
)

__all__ = [
    "ASSOCIATION_COLUMNS",
    "FATIGUE_METRICS",
    "LAG_GRID_COLUMNS",
    "LAG_TABLE_COLUMNS",
    "PAIR_COLUMNS",
    "RUN_OUTCOMES",
    "PairCorrelations",
    "associations_table",
    "lag_grid",
    "lag_table",
    "pair_correlations",
    "run_pairs",
    "weekly_pairs",
]

# The fatigue outcomes a user can choose, as weekly-table columns (weekly medians of eligible runs; soreness
# is the week's mean report; perceived effort the median of the week's runs with one), and the run-table column
# that answers the same question per run (back soreness: the report of the day after the run). Both derive from
# the one registry of markers, analysis.squad.SQUAD_METRICS, so the two pages always offer the same markers.
FATIGUE_METRICS: tuple[str, ...] = tuple(spec.week_column for spec in SQUAD_METRICS.values())
RUN_OUTCOMES: Mapping[str, str] = MappingProxyType(
    {spec.week_column: spec.run_column for spec in SQUAD_METRICS.values()})
PAIR_COLUMNS = ["date", "x_from", "x_to", "x", "y", "km"]
_WEEK = pd.Timedelta(weeks=1)


def _athlete_weeks(weekly: pd.DataFrame, athlete: str) -> pd.DataFrame:
    return weekly[weekly["athlete"] == athlete].sort_values("week_start").reset_index(drop=True)


# --- pairs -----------------------------------------------------------------------------------------


def weekly_pairs(
    weekly: pd.DataFrame,
    athlete: str,
    metric: str,
    lag: int = 0,
    *,
    first: pd.Timestamp | None = None,
    last: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The (consistency, outcome) pairs of one athlete's weeks at a lag, as :func:`analysis.stats.lagged`.

    ``x`` = ``consistency_4wk`` (0-1) of week w − ``lag`` calendar weeks, ``y`` = ``metric`` of week w,
    ``km`` = the distance of week w (training load, km). ``date`` = Monday of week w; ``x_from``/``x_to`` =
    the first and last day of the four weeks the consistency covers (fewer in the athlete's first weeks).
    Only pairs with both x and y are kept. ``first``/``last``: keep outcome weeks overlapping these dates
    (the consistency may come from before ``first``: the weeks before are real history).
    """
    if lag < 0:
        raise ValueError(f"lag must be 0 or more weeks, got {lag}")
    weeks = _athlete_weeks(weekly, athlete)
    x = weeks[["week_start", "consistency_4wk", "consistency_weeks"]].copy()
    x["date"] = x["week_start"] + lag * _WEEK  # x of week v is paired with y of week v + lag
    y = weeks[["week_start", metric, "distance_km"]].rename(columns={"week_start": "date"})
    pairs = x.merge(y, on="date", how="inner")
    weeks_back = pd.to_timedelta((pairs["consistency_weeks"].clip(lower=1) - 1) * 7, unit="D")
    pairs = pd.DataFrame({
        "date": pairs["date"],
        "x_from": pairs["week_start"] - weeks_back,
        "x_to": pairs["week_start"] + pd.Timedelta(days=6),
        "x": pairs["consistency_4wk"].astype("float64"),
        "y": pairs[metric].astype("float64"),
        "km": pairs["distance_km"].astype("float64"),
    })
    pairs = pairs[np.isfinite(pairs["x"]) & np.isfinite(pairs["y"])]
    if first is not None:
        pairs = pairs[pairs["date"] + pd.Timedelta(days=6) >= pd.Timestamp(first)]
    if last is not None:
        pairs = pairs[pairs["date"] <= pd.Timestamp(last)]
    return pairs.reset_index(drop=True)[PAIR_COLUMNS]


def run_pairs(runs: pd.DataFrame, athlete: str, metric: str) -> pd.DataFrame:
    """The (consistency, outcome) pairs of one athlete's runs: ``consistency_28d`` against the run's metric.

    ``runs``: :func:`analysis.consistency.run_table`. ``metric``: one of :data:`FATIGUE_METRICS` (back
    soreness becomes the soreness reported the day after the run; perceived effort is the run's own, on any
    run with one). ``date`` = the run's local date,
    ``x_from``/``x_to`` = the 28 days before it, ``km`` = the run's distance. Only pairs with both values, and
    only running rows when ``runs`` has a ``sport`` column.
    """
    column = RUN_OUTCOMES[metric]
    own = runs["athlete"] == athlete
    if "sport" in runs.columns:  # runs only, as the Squad page: a ride's effort or next-day soreness is no run's
        own &= runs["sport"].eq(RUNNING).fillna(False)
    rows = runs[own.to_numpy(dtype=bool)].sort_values("local_date")
    pairs = pd.DataFrame({
        "date": pd.to_datetime(rows["local_date"]).dt.normalize(),
        "x": rows["consistency_28d"].astype("float64"),
        "y": pd.to_numeric(rows[column], errors="coerce").astype("float64"),
        "km": rows["distance_km"].astype("float64"),
    })
    pairs["x_from"] = pairs["date"] - pd.Timedelta(days=RUN_WINDOW_DAYS)
    pairs["x_to"] = pairs["date"] - pd.Timedelta(days=1)
    pairs = pairs[np.isfinite(pairs["x"]) & np.isfinite(pairs["y"])]
    return pairs.reset_index(drop=True)[PAIR_COLUMNS]


@dataclass(frozen=True)
class PairCorrelations:
    """What the page says about a set of pairs: the association, training load beside it, and load held fixed.

    Every one is :func:`analysis.stats.association` (season trend out, p and CI on the effective n).
    """

    outcome: Correlation  # consistency vs the fatigue metric
    load: Correlation  # consistency vs km (does strength work move with training load?)
    outcome_load: Correlation  # km vs the fatigue metric (does load go with fatigue?)
    partial: Correlation  # consistency vs the fatigue metric holding km constant (partial Spearman)


def pair_correlations(
    pairs: pd.DataFrame, *, unit: str = "weeks", names: tuple[str, str] = ("consistency", "fatigue"),
    load_name: str = "weekly km", min_n: int = DEFAULT_MIN_N, min_effective_n: int = DEFAULT_MIN_EFFECTIVE_N,
) -> PairCorrelations:
    """The associations of :func:`weekly_pairs` / :func:`run_pairs` output, each via :func:`analysis.stats.association`.

    ``unit`` names a pair in messages ("weeks", "runs"); ``names`` name x and y; ``load_name`` names ``km``
    ("weekly km", "run distance"). The partial correlation ranks all three and holds km constant besides the
    season trend; it rests on the pairs that also have a km.
    """
    common = dict(min_n=min_n, min_effective_n=min_effective_n, unit=unit)
    load_pairs = pairs.assign(y=pairs["km"])
    outcome_load = pairs.assign(x=pairs["km"])
    return PairCorrelations(
        outcome=association(pairs, names=names, **common),
        load=association(load_pairs, names=(names[0], load_name), **common),
        outcome_load=association(outcome_load, names=(load_name, names[1]), **common),
        partial=association(pairs, hold_km=True, km_name=load_name, names=names, **common),
    )


LAG_TABLE_COLUMNS = ["lag_weeks", "r", "ci_low", "ci_high", "p", "p_holm", "n", "n_effective", "enough_data",
                     "message"]
LAG_GRID_COLUMNS = ["metric", *LAG_TABLE_COLUMNS]


def lag_table(
    weekly: pd.DataFrame,
    athlete: str,
    metric: str,
    lags: Iterable[int] = DEFAULT_LAGS,
    **options,
) -> pd.DataFrame:
    """One row per lag (:data:`LAG_TABLE_COLUMNS`): :func:`lag_grid` of one marker, ``p_holm`` over its lags.

    The same pairs as :func:`weekly_pairs` (so the same numbers as :func:`analysis.stats.lagged` for this
    athlete when no dates are given). ``options``: those of :func:`lag_grid` (``first``, ``last``, ``min_n``,
    ``min_effective_n``). n in weeks, ``n_effective`` in independent weeks.
    """
    return lag_grid(weekly, athlete, [metric], lags, **options)[LAG_TABLE_COLUMNS]


def lag_grid(
    weekly: pd.DataFrame,
    athlete: str,
    metrics: Iterable[str] = FATIGUE_METRICS,
    lags: Iterable[int] = DEFAULT_LAGS,
    *,
    first: pd.Timestamp | None = None,
    last: pd.Timestamp | None = None,
    min_n: int = DEFAULT_MIN_N,
    min_effective_n: int = DEFAULT_MIN_EFFECTIVE_N,
) -> pd.DataFrame:
    """Every lag × every fatigue marker for one athlete (:data:`LAG_GRID_COLUMNS`), one family of tests.

    Outcome weeks are kept between ``first`` and ``last`` (:func:`weekly_pairs`). ``p_holm`` is Holm's (1979)
    adjustment over all the grid's cells that have a number (5 lags × 5 markers = 25 tests by default): a cell
    with ``p_holm`` < 0.05 stands out even after looking 25 times.
    """
    lag_list = [int(v) for v in lags]
    own = weekly[weekly["athlete"] == athlete]  # once, not once per cell: a club's table is long
    rows = []
    for metric in metrics:
        for lag in lag_list:
            pairs = weekly_pairs(own, athlete, metric, lag, first=first, last=last)
            res = association(pairs, min_n=min_n, min_effective_n=min_effective_n, unit="weeks",
                              names=("consistency_4wk", metric))
            rows.append({"metric": metric, "lag_weeks": lag, "r": res.r, "ci_low": res.ci_low,
                         "ci_high": res.ci_high, "p": res.p, "n": res.n, "n_effective": res.n_effective,
                         "enough_data": res.enough_data, "message": res.message})
    grid = pd.DataFrame(rows, columns=LAG_GRID_COLUMNS)
    grid["p_holm"] = holm_adjust(grid["p"].to_numpy(dtype=float))
    grid["n"] = grid["n"].astype("int64")
    grid["enough_data"] = grid["enough_data"].astype(bool)
    return grid


#: columns of :func:`associations_table` (the export's ``associations`` table)
ASSOCIATION_COLUMNS = ["scope", "pairs", "metric", "lag_weeks", "r", "ci_low", "ci_high", "p", "p_holm", "n",
                       "n_effective", "enough_data", "message"]


def associations_table(
    weekly: pd.DataFrame,
    runs: pd.DataFrame,
    *,
    metrics: Iterable[str] = FATIGUE_METRICS,
    lags: Iterable[int] = DEFAULT_LAGS,
    min_n: int = DEFAULT_MIN_N,
    min_effective_n: int = DEFAULT_MIN_EFFECTIVE_N,
) -> pd.DataFrame:
    """Every association the pages show, as one table to export (:data:`ASSOCIATION_COLUMNS`).

    Per athlete: the weekly grid (:func:`lag_grid`, ``pairs`` "weeks", ``p_holm`` over the grid) and each
    marker per run (:func:`run_pairs`, ``pairs`` "runs", ``lag_weeks`` NA, ``p_holm`` over the markers). For
    the squad (``scope`` "squad", when two or more athletes): :func:`analysis.stats.lagged` per week and
    :func:`analysis.squad.squad_correlation` per run, ``p_holm`` likewise. All through
    :func:`analysis.stats.association`: season trend out, p and CI on the effective n.
    """
    metric_list = list(metrics)
    lag_list = [int(v) for v in lags]
    parts: list[pd.DataFrame] = []
    names = sorted({str(a) for a in weekly["athlete"]}, key=str.casefold) if len(weekly) else []

    def run_rows(scope: str, results: list[tuple[str, Correlation]]) -> pd.DataFrame:
        rows = pd.DataFrame([{"scope": scope, "pairs": "runs", "metric": m, "lag_weeks": pd.NA, "r": c.r,
                              "ci_low": c.ci_low, "ci_high": c.ci_high, "p": c.p, "n": c.n,
                              "n_effective": c.n_effective, "enough_data": c.enough_data, "message": c.message}
                             for m, c in results])
        rows["p_holm"] = holm_adjust(rows["p"].to_numpy(dtype=float))
        return rows

    for athlete in names:
        grid = lag_grid(weekly, athlete, metric_list, lag_list, min_n=min_n, min_effective_n=min_effective_n)
        parts.append(grid.assign(scope=athlete, pairs="weeks"))
        results = [(m, association(run_pairs(runs, athlete, m), min_n=min_n, min_effective_n=min_effective_n,
                                   unit="runs", names=("consistency_28d", RUN_OUTCOMES[m]))) for m in metric_list]
        parts.append(run_rows(athlete, results))
    if len(names) >= 2:
        squad_weeks = [lagged(weekly, "consistency_4wk", m, lags=lag_list, min_n=min_n,
                              min_effective_n=min_effective_n).query("scope == 'squad'").assign(metric=m)
                       for m in metric_list]
        grid = pd.concat(squad_weeks, ignore_index=True)
        grid["p_holm"] = holm_adjust(grid["p"].to_numpy(dtype=float))
        parts.append(grid.assign(pairs="weeks"))
        results = [(m, squad_correlation(weekly, runs, metric=m, unit="runs", min_n=min_n))
                   for m in metric_list if m in SQUAD_METRICS]
        parts.append(run_rows("squad", results))
    if not parts:
        return pd.DataFrame(columns=ASSOCIATION_COLUMNS)
    out = pd.concat([p[ASSOCIATION_COLUMNS] for p in parts], ignore_index=True)
    out["lag_weeks"] = out["lag_weeks"].astype("Int64")
    out["n"] = out["n"].astype("int64")
    out["enough_data"] = out["enough_data"].astype(bool)
    return out
