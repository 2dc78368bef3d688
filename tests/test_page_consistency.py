"""AppTest of the Consistency vs fatigue page on the sample club.

Expected statistics are computed independently from the store: the analysis.consistency tables, pairs built
here by calendar week (or per run from the run table), then analysis.stats.association on them (cross-checked
against analysis.stats.lagged, and r against pingouin's partial Spearman holding the week constant); the lag
grid's Holm adjustment by statsmodels. Never typed in.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from app_harness import add_runs_only_athlete, assert_no_exception, choose_athlete, open_app
from conftest import ADMIN, REPO_ROOT
from test_pairing import holm_reference, spearman_holding_week, with_effort

from analysis.charts.squad import marker_label
from analysis.consistency import run_table, weekly_table
from analysis.stats import DEFAULT_LAGS, DEFAULT_MIN_EFFECTIVE_N, Correlation, association, lagged
from analysis.store import Store

PAGE = "app_pages/consistency.py"
ATHLETES = ("Ana", "Ben", "Chloe", "Dev")
MARKERS = ("pace_decay_pct", "cadence_drift_spm", "decoupling_pct", "back_soreness", "perceived_effort")
CHARTS = 5  # weekly bars, scatter, weekly km, and in the expander the lag grid and the lag profile


def tables(store_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with Store(store_dir) as store:
        runs, log, plan = store.runs(ADMIN), store.strength_log(ADMIN), store.plan(ADMIN)
    return weekly_table(runs, log, plan=plan), run_table(runs, log, plan=plan)


def weekly_pairs_here(weekly: pd.DataFrame, athlete: str, metric: str, lag: int) -> pd.DataFrame:
    """(date, x, y): each outcome week's marker beside the 4-week consistency `lag` calendar weeks before."""
    own = weekly[weekly["athlete"] == athlete]
    before = own[["week_start", "consistency_4wk"]].assign(week_start=own["week_start"] + pd.Timedelta(weeks=lag))
    both = own[["week_start", metric]].merge(before, on="week_start").dropna()
    return pd.DataFrame({"date": both["week_start"], "x": both["consistency_4wk"], "y": both[metric]})


def expected_weekly(weekly: pd.DataFrame, athlete: str, metric: str, lag: int) -> Correlation:
    """association on the pairs built here; the same as analysis.stats.lagged's row, r as pingouin's."""
    pairs = weekly_pairs_here(weekly, athlete, metric, lag)
    result = association(pairs, unit="weeks", names=("consistency", marker_label(metric).title.lower()))
    rows = lagged(weekly, "consistency_4wk", metric, lags=[lag])
    row = rows[rows["scope"] == athlete].iloc[0]
    assert result.message == row["message"] and result.n == row["n"] == len(pairs)
    if result.enough_data:
        assert result.r == pytest.approx(spearman_holding_week(pairs["x"], pairs["y"], pairs["date"]), abs=1e-10)
    return result


def expected_grid(weekly: pd.DataFrame, athlete: str) -> pd.DataFrame:
    """Every marker at every lag for one athlete (analysis.stats.lagged), Holm-adjusted over all 20 cells."""
    parts = []
    for metric in MARKERS:
        rows = lagged(weekly, "consistency_4wk", metric, lags=DEFAULT_LAGS)
        parts.append(rows[rows["scope"] == athlete].assign(metric=metric))
    grid = pd.concat(parts, ignore_index=True)
    grid["p_holm"] = holm_reference(grid["p"])
    return grid


def effective_text(result: Correlation, unit: str) -> str:
    """The caption's sentence about what the pairs are worth as independent ones."""
    return f"so the {result.n} {unit} are worth about {max(1, round(result.n_effective))} independent ones"


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def typed_array(value) -> np.ndarray:
    """A plotly JSON array: a list, or a typed array {"dtype", "bdata" (base64), "shape"} (plotly ≥ 6)."""
    if isinstance(value, dict):
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = [int(v) for v in str(value.get("shape", len(flat))).split(",")]
        return flat.reshape(shape)
    return np.asarray(value, dtype=object)


def lag_grid_chart(at) -> dict:
    """The lag grid's heatmap trace as the browser receives it (the chart's JSON spec)."""
    traces = [json.loads(c.proto.spec)["data"][0] for c in at.get("plotly_chart")]
    [heat] = [t for t in traces if t.get("type") == "heatmap"]
    return heat


def page_text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def run_as(at, athlete: str) -> None:
    """Choose `athlete` in the sidebar and run again."""
    choose_athlete(at, athlete)


def test_every_sample_athlete_gets_charts_and_the_statistics_of_analysis_stats(store_copy, monkeypatch):
    weekly, _ = tables(store_copy)
    at = open_app(store_copy, monkeypatch, page=PAGE)
    kinds = set()
    for athlete in ATHLETES:
        run_as(at, athlete)
        assert at.title[0].value == "Consistency vs fatigue"
        assert len(at.get("plotly_chart")) == CHARTS
        lag = at.select_slider(key="consistency_lag").value
        assert lag == 1  # default: the four weeks before the outcome week
        assert at.radio(key="consistency_metric").value == "pace_decay_pct"
        expected = expected_weekly(weekly, athlete, "pace_decay_pct", lag)
        text = page_text(at)
        # r, 95 % CI, n, the effective n and p in words; words from the CI
        assert f"**Consistency and late pace decay: {expected.message}.**" in text
        assert f"n = {expected.n} weeks" in text or f"{expected.n} weeks are worth" in text
        assert "holding weekly km constant" in text and "association" in text
        kinds.add(expected.enough_data)
        if expected.enough_data:
            assert f"worth about {round(expected.n_effective)} independent weeks" in text
            assert effective_text(expected, "weeks") in captions(at)
            assert not at.info
        else:  # enough weeks, but worth too few independent ones: said in words, no number
            assert expected.n_effective < DEFAULT_MIN_EFFECTIVE_N
            [info] = [i.value for i in at.info]
            assert "Not enough data for a correlation yet" in info and expected.message in info
            assert f"worth at least {DEFAULT_MIN_EFFECTIVE_N} independent ones" in info
            assert "are worth about" not in captions(at)
        # the lag grid: every marker at every lag, Holm-adjusted over the whole grid
        grid = expected_grid(weekly, athlete)
        standing = int((grid["p_holm"] < 0.05).sum())
        assert (f"This view makes {len(grid)} comparisons ({int(grid['enough_data'].sum())} with enough data)"
                in captions(at))
        assert f"({standing} here)" in captions(at)
        heat = lag_grid_chart(at)
        z, text = typed_array(heat["z"]).astype(float), typed_array(heat["text"])
        assert z.shape == text.shape == (len(MARKERS), len(DEFAULT_LAGS))
        cells = grid.set_index(["metric", "lag_weeks"])
        for i, metric in enumerate(MARKERS):
            for j, lag_weeks in enumerate(DEFAULT_LAGS):
                cell = cells.loc[(metric, lag_weeks)]
                assert np.isclose(z[i, j], cell["r"], equal_nan=True), (athlete, metric, lag_weeks)
                assert text[i, j].endswith("*") == bool(cell["p_holm"] < 0.05)
    assert kinds == {True, False}  # the sample club shows both: a number, and too few independent weeks


def test_lag_metric_and_run_points_change_the_numbers(store_copy, monkeypatch):
    weekly, runs = tables(store_copy)
    at = open_app(store_copy, monkeypatch)
    at.session_state["athlete"] = "Ben"
    at.switch_page(PAGE).run()
    assert_no_exception(at)
    one = expected_weekly(weekly, "Ben", "pace_decay_pct", 1)
    four = expected_weekly(weekly, "Ben", "pace_decay_pct", 4)
    assert (one.n, one.r) != (four.n, four.r)
    assert one.message in page_text(at)

    at.select_slider(key="consistency_lag").set_value(4)
    run_as(at, "Ben")
    assert four.message in page_text(at) and one.message not in page_text(at)
    if four.enough_data:
        assert effective_text(four, "weeks") in captions(at)

    at.radio(key="consistency_metric").set_value("back_soreness")
    run_as(at, "Ben")
    assert expected_weekly(weekly, "Ben", "back_soreness", 4).message in page_text(at)

    at.radio(key="consistency_points").set_value("run")
    run_as(at, "Ben")
    own = runs[(runs["athlete"] == "Ben") & runs["consistency_28d"].notna() & runs["soreness_next_day"].notna()]
    pairs = pd.DataFrame({"date": pd.to_datetime(own["local_date"]).dt.normalize(), "x": own["consistency_28d"],
                          "y": own["soreness_next_day"]})
    per_run = association(pairs, unit="runs", names=("consistency", "back soreness"))
    assert per_run.enough_data and per_run.message in page_text(at)
    assert per_run.r == pytest.approx(spearman_holding_week(pairs["x"], pairs["y"], pairs["date"]), abs=1e-10)
    assert f"worth about {round(per_run.n_effective)} independent runs" in per_run.message
    assert effective_text(per_run, "runs") in captions(at)
    assert not at.select_slider  # the lag is a weekly idea: no dead control in run mode
    assert len(at.get("plotly_chart")) == CHARTS  # the lag grid stays: it is about weeks whatever the points


def test_too_few_weeks_says_not_enough_data(store_copy, monkeypatch):
    weekly, _ = tables(store_copy)
    own = weekly[weekly["athlete"] == "Ana"]
    first = own["week_start"].iloc[-5]
    at = open_app(store_copy, monkeypatch)
    at.session_state["athlete"] = "Ana"
    at.session_state["date_range"] = (first.date(), (first + pd.Timedelta(days=34)).date())
    at.switch_page(PAGE).run()
    assert_no_exception(at)
    assert "not enough data: 5 weeks, need 8" in page_text(at)
    assert any("Not enough data for a correlation yet" in i.value for i in at.info)
    # the definitions are one click away: the button opens docs/metrics.md in a dialog
    at.button(key="consistency_metrics_doc").click()
    run_as(at, "Ana")
    first_line = (REPO_ROOT / "docs" / "metrics.md").read_text(encoding="utf-8").splitlines()[0]
    assert first_line in page_text(at)


def test_an_athlete_without_a_strength_log_is_told_to_import_one(store_copy, monkeypatch):
    add_runs_only_athlete(store_copy)
    at = open_app(store_copy, monkeypatch)
    at.session_state["athlete"] = "Runs Only"
    at.switch_page(PAGE).run()
    assert_no_exception(at)
    assert "has no strength log yet" in at.info[0].value and "Import page" in at.info[0].value
    assert not at.get("plotly_chart")
    link = at.get("page_link")[-1].proto
    assert link.label == "Import a strength log" and "import_files" in link.page


def store_runs_with_effort(monkeypatch) -> None:
    """Store.runs() as the store gives it with perceived effort reported (made up where the sample club has none)."""
    original = Store.runs
    monkeypatch.setattr(Store, "runs", lambda self, *a, **k: with_effort(original(self, *a, **k)))


def test_perceived_effort_is_a_marker_with_its_unit_through_the_same_association(store_copy, monkeypatch):
    store_runs_with_effort(monkeypatch)
    weekly, runs = tables(store_copy)
    assert weekly["perceived_effort"].notna().any()
    at = open_app(store_copy, monkeypatch)
    at.session_state["athlete"] = "Chloe"
    at.switch_page(PAGE).run()
    assert_no_exception(at)
    radio = at.radio(key="consistency_metric")
    assert "Perceived effort (0-10)" in radio.options
    radio.set_value("perceived_effort")
    run_as(at, "Chloe")
    expected = expected_weekly(weekly, "Chloe", "perceived_effort", 1)  # lagged's numbers, pingouin's r
    assert expected.n > 0
    assert f"**Consistency and perceived effort: {expected.message}.**" in page_text(at)
    assert any(c.value.startswith("**Perceived effort**: How hard the run felt on Borg's CR10 scale")
               for c in at.caption)
    assert "perceived effort holding weekly km constant" in page_text(at)
    assert len(at.get("plotly_chart")) == CHARTS
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    weekly_chart, scatter = specs[0], specs[1]
    assert weekly_chart["layout"]["yaxis2"]["title"]["text"] == "Perceived effort (0-10)"
    assert scatter["layout"]["yaxis"]["title"]["text"] == "Perceived effort (0-10)"
    assert "Perceived effort (0-10)" in lag_grid_chart(at)["y"]

    at.radio(key="consistency_points").set_value("run")
    run_as(at, "Chloe")
    own = runs[(runs["athlete"] == "Chloe") & (runs["sport"] == "running") & runs["consistency_28d"].notna()
               & runs["perceived_effort"].notna()]
    assert not own["eligible"].all()  # every run with an effort counts, long or not
    pairs = pd.DataFrame({"date": pd.to_datetime(own["local_date"]).dt.normalize(), "x": own["consistency_28d"],
                          "y": own["perceived_effort"]})
    per_run = association(pairs, unit="runs", names=("consistency", "perceived effort"))
    assert per_run.n == len(own) and per_run.message in page_text(at)
    if per_run.enough_data:
        assert per_run.r == pytest.approx(spearman_holding_week(pairs["x"], pairs["y"], pairs["date"]), abs=1e-10)
