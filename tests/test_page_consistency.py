"""AppTest of the Consistency vs fatigue page on the sample club.

Expected statistics are computed independently from the store (analysis.consistency tables, then
analysis.stats.lagged for weeks or analysis.stats.spearman over the run table), never typed in.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from app_harness import add_runs_only_athlete, assert_no_exception, choose_athlete, open_app
from conftest import REPO_ROOT

from analysis.consistency import run_table, weekly_table
from analysis.stats import lagged, spearman
from analysis.store import Store

PAGE = "app_pages/consistency.py"
ATHLETES = ("Ana", "Ben", "Chloe", "Dev")


def tables(store_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with Store(store_dir) as store:
        runs, log, plan = store.runs(), store.strength_log(), store.plan()
    return weekly_table(runs, log, plan=plan), run_table(runs, log, plan=plan)


def expected_weekly(weekly: pd.DataFrame, athlete: str, metric: str, lag: int) -> pd.Series:
    rows = lagged(weekly, "consistency_4wk", metric, lags=[lag])
    return rows[rows["scope"] == athlete].iloc[0]


def page_text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def run_as(at, athlete: str) -> None:
    """Choose `athlete` in the sidebar and run again."""
    choose_athlete(at, athlete)


def test_every_sample_athlete_gets_charts_and_the_statistics_of_analysis_stats(store_copy, monkeypatch):
    weekly, _ = tables(store_copy)
    at = open_app(store_copy, monkeypatch, page=PAGE)
    for athlete in ATHLETES:
        run_as(at, athlete)
        assert at.title[0].value == "Consistency vs fatigue"
        assert len(at.get("plotly_chart")) == 4  # weekly bars, scatter, weekly km, lags (in an expander)
        lag = at.select_slider(key="consistency_lag").value
        assert lag == 1  # default: the four weeks before the outcome week
        assert at.radio(key="consistency_metric").value == "pace_decay_pct"
        expected = expected_weekly(weekly, athlete, "pace_decay_pct", lag)
        text = page_text(at)
        assert expected["message"] in text  # r, 95 % CI, n and p in words
        assert f"n = {expected['n']} weeks" in text
        assert "holding weekly km constant" in text and "association" in text
        assert not at.info  # enough data for every sample athlete


def test_lag_metric_and_run_points_change_the_numbers(store_copy, monkeypatch):
    weekly, runs = tables(store_copy)
    at = open_app(store_copy, monkeypatch)
    at.session_state["athlete"] = "Ben"
    at.switch_page(PAGE).run()
    assert_no_exception(at)
    one = expected_weekly(weekly, "Ben", "pace_decay_pct", 1)
    four = expected_weekly(weekly, "Ben", "pace_decay_pct", 4)
    assert (one["n"], one["r"]) != (four["n"], four["r"])
    assert one["message"] in page_text(at)

    at.select_slider(key="consistency_lag").set_value(4)
    run_as(at, "Ben")
    assert four["message"] in page_text(at) and one["message"] not in page_text(at)

    at.radio(key="consistency_metric").set_value("back_soreness")
    run_as(at, "Ben")
    assert expected_weekly(weekly, "Ben", "back_soreness", 4)["message"] in page_text(at)

    at.radio(key="consistency_points").set_value("run")
    run_as(at, "Ben")
    own = runs[(runs["athlete"] == "Ben") & runs["consistency_28d"].notna() & runs["soreness_next_day"].notna()]
    per_run = spearman(own["consistency_28d"], own["soreness_next_day"], unit="runs")
    assert per_run.enough_data and per_run.message in page_text(at)
    assert not at.select_slider  # the lag is a weekly idea: no dead control in run mode
    assert len(at.get("plotly_chart")) == 3


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
