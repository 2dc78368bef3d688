"""The Consistency vs fatigue page's figures (analysis.charts.consistency); its numbers: tests/test_pairing.py.

Frames come from analysis.consistency (weekly_table, run_table) over the hand-made log and runs of
tests/test_charts_strength.py, and analysis.pairing's pairs, associations and lag grid drawn from them;
expected values are computed independently (pandas, scipy's Theil-Sen), never typed in.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from scipy import stats as scipy_stats
from test_charts_strength import ATHLETE, runs, strength_log
from test_pairing import planted_weekly, with_effort

from analysis import pairing
from analysis.charts import consistency as charts
from analysis.charts.squad import marker_label
from analysis.charts.strength import SESSION_COLOURS
from analysis.consistency import run_table, weekly_table


@pytest.fixture(scope="module")
def weekly() -> pd.DataFrame:
    return weekly_table(with_effort(runs()), strength_log())


@pytest.fixture(scope="module")
def run_frame() -> pd.DataFrame:
    return run_table(with_effort(runs()), strength_log())


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
    pairs = pairing.weekly_pairs(weekly, ATHLETE, metric, 1)
    result = pairing.pair_correlations(pairs, unit="weeks").outcome  # what the page passes
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
    pairs = pairing.weekly_pairs(weekly, ATHLETE, "pace_decay_pct", 0).head(5)
    result = pairing.pair_correlations(pairs, unit="weeks").outcome
    assert not result.enough_data and result.message.startswith("not enough data: 5 weeks")
    fig = charts.consistency_scatter(pairs, "pace_decay_pct", correlation=result)
    assert len(fig.data) == 1 and len(fig.data[0].x) == 5
    assert fig.layout.title.text == result.message
    empty = charts.consistency_scatter(pairs.head(0), "pace_decay_pct", correlation=result)
    assert "No weeks with both" in empty.layout.annotations[0].text


def test_run_scatter_names_its_axes_per_run(run_frame):
    pairs = pairing.run_pairs(run_frame, ATHLETE, "back_soreness")
    result = pairing.pair_correlations(pairs, unit="runs").outcome
    fig = charts.consistency_scatter(pairs, "back_soreness", correlation=result, point="run")
    assert fig.layout.xaxis.title.text.startswith("28-day consistency (% of plan)")
    assert fig.layout.yaxis.title.text == "Back soreness the day after (0-10)"
    assert "Run on" in fig.data[0].customdata[0][0] and len(fig.data[0].x) == len(pairs)


def test_weekly_sessions_figure_stacks_the_plan_types_against_the_plan(weekly):
    own = weekly[weekly["athlete"] == ATHLETE].sort_values("week_start")
    for metric in pairing.FATIGUE_METRICS:
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
                "back_soreness": "(0-10)", "perceived_effort": "(0-10)"}[metric]
        assert fig.layout.yaxis2.title.text.endswith(unit)
        assert unit.strip("()") in line.hovertemplate
        assert "%Y" in fig.layout.xaxis.hoverformat  # the unified hover names the week's date
        if metric in ("back_soreness", "perceived_effort"):
            assert tuple(fig.layout.yaxis2.range) == (0.0, 10.3)  # a 0-10 report: its whole scale
        if metric == "perceived_effort":
            assert fig.layout.yaxis2.title.text == "Perceived effort (0-10)"
            assert "run(s) with an effort" in line.hovertemplate
            np.testing.assert_allclose(line.customdata, own["effort_runs"].astype(float))
    three = charts.weekly_sessions_figure(weekly, ATHLETE, {"core": 3, "hip": 1, "mobility": 1}, "pace_decay_pct")
    assert [t.name for t in three.data[:3]] == ["core", "hip", "mobility"] and set(three.data[3].y) == {5.0}


def test_weekly_km_figure_shows_each_weeks_distance(weekly):
    own = weekly[weekly["athlete"] == ATHLETE].sort_values("week_start")
    fig = charts.weekly_km_figure(weekly, ATHLETE, "#abcdef")
    np.testing.assert_allclose(fig.data[0].y, own["distance_km"])
    assert fig.data[0].marker.color == "#abcdef"
    assert fig.layout.yaxis.title.text == "Weekly distance (km)" and " km" in fig.data[0].hovertemplate


def test_lag_profile_draws_each_lag_of_the_lag_table(weekly):
    strict = pairing.lag_table(weekly, ATHLETE, "back_soreness", range(5), min_n=13)
    assert strict["enough_data"].any() and not strict["enough_data"].all()  # both kinds of point are drawn
    fig = charts.lag_profile_figure(strict, selected=1)
    shown = fig.data[0]
    ok = strict[strict["enough_data"]]
    assert list(shown.x) == ok["lag_weeks"].tolist()
    np.testing.assert_allclose(shown.y, ok["r"])
    np.testing.assert_allclose(np.asarray(shown.y) + np.asarray(shown.error_y.array), ok["ci_high"])
    np.testing.assert_allclose(np.asarray(shown.y) - np.asarray(shown.error_y.arrayminus), ok["ci_low"])
    assert list(shown.customdata) == ok["message"].tolist()
    assert list(shown.marker.size) == [16 if lag == 1 else 10 for lag in ok["lag_weeks"]]
    missing = fig.data[1]
    assert missing.name == "not enough data"
    assert list(missing.x) == strict.loc[~strict["enough_data"], "lag_weeks"].tolist()
    assert fig.layout.xaxis.title.text.startswith("Lag (weeks")
    # the page draws one marker's rows of the lag grid the same way
    grid = pairing.lag_grid(weekly, ATHLETE, min_n=13)
    from_grid = charts.lag_profile_figure(grid[grid["metric"] == "back_soreness"], selected=1)
    np.testing.assert_allclose(from_grid.data[0].y, ok["r"])


def _heatmap_cells(grid: pd.DataFrame) -> list[tuple[int, int, pd.Series]]:
    metrics = list(dict.fromkeys(grid["metric"]))
    lags = sorted(grid["lag_weeks"].unique())
    rows = grid.set_index(["metric", "lag_weeks"])
    return [(i, j, rows.loc[(m, lag)]) for i, m in enumerate(metrics) for j, lag in enumerate(lags)]


@pytest.mark.parametrize("case", ["hand-made", "strict minimum", "planted link"])
def test_lag_grid_figure_colours_r_and_stars_only_what_stands_out_after_holm(weekly, case):
    if case == "planted link":
        grid = pairing.lag_grid(planted_weekly(), "Pia")
    else:
        grid = pairing.lag_grid(weekly, ATHLETE, min_n=12 if case == "strict minimum" else 8)
    fig = charts.lag_grid_figure(grid)
    [heat] = fig.data
    assert isinstance(heat, go.Heatmap)
    metrics = list(dict.fromkeys(grid["metric"]))
    lags = sorted(grid["lag_weeks"].unique())
    z = np.asarray(heat.z, dtype=float)
    assert z.shape == (len(metrics), len(lags))
    assert list(heat.y) == [marker_label(m).axis_title for m in metrics]
    assert "Perceived effort (0-10)" in heat.y
    assert len(heat.x) == len(lags) and "same week" in heat.x[0] and all("before" in x for x in heat.x[1:])
    assert (heat.zmin, heat.zmax) == (-1, 1)
    text, hover = np.asarray(heat.text, dtype=object), np.asarray(heat.customdata, dtype=object)
    stars = 0
    for i, j, row in _heatmap_cells(grid):
        if row["enough_data"]:
            assert z[i, j] == pytest.approx(row["r"], abs=1e-15)
            starred = bool(row["p_holm"] < 0.05)
            stars += starred
            assert text[i, j].endswith("*") == starred
            shown = f"{row['r']:+.2f}".replace("-", "\u2212")
            assert text[i, j] == shown + ("*" if starred else "")
            # hover: the result in words (HTML-escaped: "p < 0.001" must not open a tag) and the adjusted p
            assert hover[i, j] == f"{html.escape(row['message'], quote=False)}; Holm-adjusted p over the grid = " \
                f"{row['p_holm']:.2f}"
        else:
            assert np.isnan(z[i, j]) and text[i, j] == "n/a"
            assert hover[i, j] == html.escape(row["message"], quote=False)
    assert stars == int((grid["p_holm"] < 0.05).sum())
    if case == "planted link":
        assert stars >= 1 and (grid["p"] < 0.05).sum() >= stars  # a star needs more than p < 0.05
    if case == "strict minimum":
        assert np.isnan(z).any() and np.isfinite(z).any()


def test_lag_grid_figure_without_rows_says_so():
    grid = pd.DataFrame(columns=pairing.LAG_GRID_COLUMNS)
    fig = charts.lag_grid_figure(grid)
    assert not fig.data and "No lags to show" in fig.layout.annotations[0].text
