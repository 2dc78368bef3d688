"""The Consistency vs fatigue page's numbers and figures (analysis.charts.consistency).

Frames come from analysis.consistency (weekly_table, run_table) over the hand-made log and runs of
tests/test_charts_strength.py; expected values are computed independently (dictionary look-ups by calendar
week, scipy, pingouin, analysis.stats.lagged), never typed in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin
import plotly.graph_objects as go
import pytest
from scipy import stats as scipy_stats
from test_charts_strength import ATHLETE, MONDAY, NO_RUN_WEEK, runs, strength_log

from analysis.charts import consistency as charts
from analysis.charts.strength import SESSION_COLOURS
from analysis.consistency import run_table, weekly_table
from analysis.stats import lagged, spearman


@pytest.fixture(scope="module")
def weekly() -> pd.DataFrame:
    return weekly_table(runs(), strength_log())


@pytest.fixture(scope="module")
def run_frame() -> pd.DataFrame:
    return run_table(runs(), strength_log())


def by_week(weekly: pd.DataFrame, column: str) -> dict[pd.Timestamp, float]:
    own = weekly[weekly["athlete"] == ATHLETE]
    return dict(zip(own["week_start"], own[column].astype("float64"), strict=True))


@pytest.mark.parametrize("metric", charts.FATIGUE_METRICS)
@pytest.mark.parametrize("lag", [0, 1, 2, 4])
def test_weekly_pairs_pair_each_outcome_week_with_the_consistency_lag_calendar_weeks_before(weekly, metric, lag):
    pairs = charts.weekly_pairs(weekly, ATHLETE, metric, lag)
    consistency, outcome = by_week(weekly, "consistency_4wk"), by_week(weekly, metric)
    km = by_week(weekly, "distance_km")
    expected = [w for w in sorted(outcome) if np.isfinite(outcome[w])
                and np.isfinite(consistency.get(w - pd.Timedelta(weeks=lag), np.nan))]
    assert list(pairs["date"]) == expected
    for row in pairs.itertuples():
        assert row.x == consistency[row.date - pd.Timedelta(weeks=lag)]
        assert row.y == outcome[row.date] and row.km == km[row.date]
        assert row.x_to == row.date - pd.Timedelta(weeks=lag) + pd.Timedelta(days=6)
    # the same pairs as analysis.stats.lagged: same n and r
    reference = lagged(weekly, "consistency_4wk", metric, lags=[lag])
    reference = reference[reference["scope"] == ATHLETE].iloc[0]
    result = spearman(pairs["x"], pairs["y"], unit="weeks")
    assert result.n == reference["n"] == len(pairs)
    np.testing.assert_allclose(result.r, reference["r"], equal_nan=True)


def test_a_missing_week_is_a_gap_never_a_shift(weekly):
    own = weekly[weekly["athlete"] == ATHLETE].sort_values("week_start")
    dropped = own["week_start"].iloc[5]
    holed = own[own["week_start"] != dropped]
    full = charts.weekly_pairs(weekly, ATHLETE, "pace_decay_pct", 2)
    pairs = charts.weekly_pairs(holed, ATHLETE, "pace_decay_pct", 2)
    # the dropped week is missing as an outcome and as the consistency two weeks later; nothing else moves
    lost = {dropped, dropped + pd.Timedelta(weeks=2)}
    assert set(full["date"]) - set(pairs["date"]) == lost & set(full["date"])
    kept = full[~full["date"].isin(lost)].reset_index(drop=True)
    pd.testing.assert_frame_equal(pairs, kept)


def test_the_week_without_runs_has_no_pair(weekly):
    gap = MONDAY + pd.Timedelta(weeks=NO_RUN_WEEK)
    assert gap not in set(charts.weekly_pairs(weekly, ATHLETE, "pace_decay_pct", 1)["date"])
    assert gap in set(charts.weekly_pairs(weekly, ATHLETE, "back_soreness", 1)["date"])  # soreness was reported


def test_a_date_range_keeps_outcome_weeks_inside_it_but_consistency_from_before(weekly):
    first, last = MONDAY + pd.Timedelta(weeks=6, days=2), MONDAY + pd.Timedelta(weeks=11)
    full = charts.weekly_pairs(weekly, ATHLETE, "back_soreness", 3)
    ranged = charts.weekly_pairs(weekly, ATHLETE, "back_soreness", 3, first=first, last=last)
    inside = full[(full["date"] + pd.Timedelta(days=6) >= first) & (full["date"] <= last)].reset_index(drop=True)
    pd.testing.assert_frame_equal(ranged, inside)
    assert ranged["date"].min() == MONDAY + pd.Timedelta(weeks=6)  # the week overlapping `first`
    assert (ranged["date"] - pd.Timedelta(weeks=3) < pd.Timestamp(first)).any()  # consistency from before


def test_run_pairs_pair_each_run_with_its_28_day_consistency(run_frame):
    for metric, column in charts.RUN_OUTCOMES.items():
        pairs = charts.run_pairs(run_frame, ATHLETE, metric)
        own = run_frame[run_frame["athlete"] == ATHLETE]
        both = own[own["consistency_28d"].notna() & own[column].notna()]
        assert len(pairs) == len(both)
        np.testing.assert_allclose(pairs["x"], both["consistency_28d"])
        np.testing.assert_allclose(pairs["y"], both[column])
        assert (pairs["x_to"] - pairs["x_from"] == pd.Timedelta(days=27)).all()
        assert (pairs["date"] - pairs["x_to"] == pd.Timedelta(days=1)).all()


def test_theil_sen_agrees_with_scipy():
    rng = np.random.default_rng(3)
    x = np.round(rng.uniform(0, 1, 30), 1)  # ties in x, as 4-week consistency has
    y = 8 - 5 * x + rng.normal(0, 1, 30)
    y[4] = 40.0  # a freak week
    x[7] = np.nan
    slope, intercept = charts.theil_sen(x, y)
    keep = np.isfinite(x)
    reference = scipy_stats.theilslopes(y[keep], x[keep])
    assert slope == pytest.approx(reference.slope) and intercept == pytest.approx(reference.intercept)
    assert np.isnan(charts.theil_sen(np.ones(5), np.arange(5.0))[0])


def test_consistency_scatter_shows_the_pairs_the_trend_and_the_result_in_words(weekly):
    metric = "pace_decay_pct"
    pairs = charts.weekly_pairs(weekly, ATHLETE, metric, 1)
    result = spearman(pairs["x"], pairs["y"], unit="weeks")
    assert result.enough_data
    fig = charts.consistency_scatter(pairs, metric, correlation=result, colour="#abcdef", lag=1)
    points, trend = fig.data
    # n points = the weeks with both values
    own = weekly[weekly["athlete"] == ATHLETE].set_index("week_start")
    before = {w + pd.Timedelta(weeks=1): c for w, c in own["consistency_4wk"].items()}
    both = [w for w in own.index if np.isfinite(own.at[w, metric]) and np.isfinite(before.get(w, np.nan))]
    assert len(points.x) == len(both) == result.n
    np.testing.assert_allclose(points.x, pairs["x"] * 100)
    assert points.marker.color == "#abcdef"
    # trend slope = scipy's Theil-Sen on the plotted values (metric units per percentage point)
    reference = scipy_stats.theilslopes(points.y, points.x)
    (x0, x1), (y0, y1) = trend.x, trend.y
    assert (y1 - y0) / (x1 - x0) == pytest.approx(reference.slope)
    assert y0 == pytest.approx(reference.intercept + reference.slope * x0)
    assert x0 == min(points.x) and x1 == max(points.x)
    assert fig.layout.xaxis.title.text == "4-week consistency, 1 week before (% of plan)"
    assert fig.layout.yaxis.title.text == "Late pace decay (%)"
    assert "% of plan" in points.hovertemplate and "(%)" not in points.hovertemplate
    assert " %<br>" in points.hovertemplate and " km" in points.hovertemplate and "Week of" in points.customdata[0][0]
    title = fig.layout.title.text.replace("<br>", " (") + ")"
    assert title == result.message


def test_consistency_scatter_draws_no_trend_without_enough_data(weekly):
    pairs = charts.weekly_pairs(weekly, ATHLETE, "pace_decay_pct", 0).head(5)
    result = spearman(pairs["x"], pairs["y"], unit="weeks")
    assert not result.enough_data and result.message.startswith("not enough data: 5 weeks")
    fig = charts.consistency_scatter(pairs, "pace_decay_pct", correlation=result)
    assert len(fig.data) == 1 and len(fig.data[0].x) == 5
    assert fig.layout.title.text == result.message
    empty = charts.consistency_scatter(pairs.head(0), "pace_decay_pct", correlation=result)
    assert "No weeks with both" in empty.layout.annotations[0].text


def test_run_scatter_names_its_axes_per_run(run_frame):
    pairs = charts.run_pairs(run_frame, ATHLETE, "back_soreness")
    result = spearman(pairs["x"], pairs["y"], unit="runs")
    fig = charts.consistency_scatter(pairs, "back_soreness", correlation=result, point="run")
    assert fig.layout.xaxis.title.text.startswith("28-day consistency (% of plan)")
    assert fig.layout.yaxis.title.text == "Back soreness the day after (0-10)"
    assert "Run on" in fig.data[0].customdata[0][0] and len(fig.data[0].x) == len(pairs)


def test_pair_correlations_agree_with_scipy_and_pingouin(weekly):
    pairs = charts.weekly_pairs(weekly, ATHLETE, "decoupling_pct", 1)
    result = charts.pair_correlations(pairs, unit="weeks")
    rho, p = scipy_stats.spearmanr(pairs["x"], pairs["y"])
    assert result.outcome.r == pytest.approx(rho) and result.outcome.p == pytest.approx(p)
    assert result.outcome.n == len(pairs)
    assert result.load.r == pytest.approx(scipy_stats.spearmanr(pairs["x"], pairs["km"])[0])
    assert result.outcome_load.r == pytest.approx(scipy_stats.spearmanr(pairs["km"], pairs["y"])[0])
    partial = pingouin.partial_corr(pairs, x="x", y="y", covar="km", method="spearman")
    assert result.partial.r == pytest.approx(float(partial["r"].iloc[0]))
    assert "holding weekly km constant" in result.partial.message


def test_weekly_sessions_figure_stacks_the_plan_types_against_the_plan(weekly):
    own = weekly[weekly["athlete"] == ATHLETE].sort_values("week_start")
    for metric in charts.FATIGUE_METRICS:
        fig = charts.weekly_sessions_figure(weekly, ATHLETE, {"core": 2, "hip": 2}, metric, "#abcdef")
        core, hip, plan, line = fig.data
        for bars, kind in ((core, "core"), (hip, "hip")):
            assert isinstance(bars, go.Bar) and bars.name == kind and bars.marker.color == SESSION_COLOURS[kind]
            np.testing.assert_allclose(bars.y, own[f"{kind}_sessions"].astype(float))
            assert "sessions" in bars.hovertemplate
        assert fig.layout.barmode == "stack"
        assert set(plan.y) == {4.0} and "2 core + 2 hip" in plan.name and "% of plan" in plan.hovertemplate
        np.testing.assert_allclose(line.y, own[metric].astype(float))  # NaN weeks stay gaps
        assert line.yaxis == "y2" and line.line.color == "#abcdef" and not line.connectgaps
        assert fig.layout.yaxis.title.text == "Strength sessions (sessions/week)"
        unit = {"pace_decay_pct": "(%)", "cadence_drift_spm": "(steps/min)", "decoupling_pct": "(%)",
                "back_soreness": "(0-10)"}[metric]
        assert fig.layout.yaxis2.title.text.endswith(unit)
        assert unit.strip("()") in line.hovertemplate
        assert "%Y" in fig.layout.xaxis.hoverformat  # the unified hover names the week's date
    assert tuple(fig.layout.yaxis2.range) == (0.0, 10.3)  # soreness: its whole scale
    three = charts.weekly_sessions_figure(weekly, ATHLETE, {"core": 3, "hip": 1, "mobility": 1}, "pace_decay_pct")
    assert [t.name for t in three.data[:3]] == ["core", "hip", "mobility"] and set(three.data[3].y) == {5.0}


def test_weekly_km_figure_shows_each_weeks_distance(weekly):
    own = weekly[weekly["athlete"] == ATHLETE].sort_values("week_start")
    fig = charts.weekly_km_figure(weekly, ATHLETE, "#abcdef")
    np.testing.assert_allclose(fig.data[0].y, own["distance_km"])
    assert fig.data[0].marker.color == "#abcdef"
    assert fig.layout.yaxis.title.text == "Weekly distance (km)" and " km" in fig.data[0].hovertemplate


def test_lag_table_and_profile_match_analysis_stats_lagged(weekly):
    table = charts.lag_table(weekly, ATHLETE, "back_soreness", range(5))
    reference = lagged(weekly, "consistency_4wk", "back_soreness", lags=range(5))
    reference = reference[reference["scope"] == ATHLETE].reset_index(drop=True)
    for column in ("r", "ci_low", "ci_high", "p"):
        np.testing.assert_allclose(table[column], reference[column], equal_nan=True)
    assert table["n"].tolist() == reference["n"].tolist()
    assert table["message"].tolist() == reference["message"].tolist()
    strict = charts.lag_table(weekly, ATHLETE, "back_soreness", range(5), min_n=13)
    assert strict["enough_data"].tolist() == (strict["n"] >= 13).tolist()
    fig = charts.lag_profile_figure(strict, selected=1)
    shown = fig.data[0]
    assert list(shown.x) == strict.loc[strict["enough_data"], "lag_weeks"].tolist()
    np.testing.assert_allclose(np.asarray(shown.y) + np.asarray(shown.error_y.array),
                               strict.loc[strict["enough_data"], "ci_high"])
    if (~strict["enough_data"]).any():
        assert fig.data[1].name == "not enough data"
    assert fig.layout.xaxis.title.text.startswith("Lag (weeks")
