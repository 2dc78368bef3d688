"""AppTest of the Strength log page on the sample club: charts for every athlete, the exercises classed `other`
(compared with the store's own log), and the empty state of an athlete without a strength log."""

from __future__ import annotations

from app_harness import add_runs_only_athlete, assert_no_exception, open_app

from analysis.consistency import strength_sessions
from analysis.store import Store

PAGE = "app_pages/strength_log.py"


def run_as(at, athlete: str) -> None:
    """Run again for `athlete` (after switch_page AppTest no longer sends the sidebar's widget values)."""
    at.session_state["athlete"] = athlete
    at.run()
    assert_no_exception(at)


def test_every_sample_athlete_gets_charts_and_sees_the_exercises_classed_other(store_copy, monkeypatch):
    with Store(store_copy) as store:
        log = store.strength_log()
    sessions = strength_sessions(log)
    at = open_app(store_copy, monkeypatch, page=PAGE)
    for athlete in sorted(log["athlete"].unique()):
        run_as(at, athlete)
        assert at.title[0].value == "Strength log"
        assert len(at.get("plotly_chart")) == 4  # calendar, adherence, soreness, exercise mix
        own = log[log["athlete"] == athlete]
        assert [m.value for m in at.metric if m.label == "Sessions (count)"] == [
            str((sessions["athlete"] == athlete).sum())]
        others = set(own.loc[own["session_type"] == "other", "exercise"])
        if others:
            [table] = at.dataframe
            assert set(table.value["exercise"]) == others
            assert "How to fix it" in "\n".join(m.value for m in at.markdown)
        else:
            assert not at.dataframe
            assert "nothing classed `other`" in at.success[0].value
    assert any(log.loc[log["athlete"] == a, "session_type"].eq("other").any() for a in log["athlete"].unique())

    at.radio(key="strength_mix_measure").set_value("sets")
    run_as(at, "Dev")
    mix = at.get("plotly_chart")[-1].proto.spec
    assert "Sets logged (sets)" in mix


def test_an_athlete_without_a_strength_log_is_told_to_import_one(store_copy, monkeypatch):
    add_runs_only_athlete(store_copy)
    at = open_app(store_copy, monkeypatch)
    at.session_state["athlete"] = "Runs Only"
    at.switch_page(PAGE).run()
    assert_no_exception(at)
    assert "has no strength log yet" in at.info[0].value and "Import page" in at.info[0].value
    assert not at.get("plotly_chart") and not at.metric
    link = at.get("page_link")[-1].proto
    assert link.label == "Import a strength log" and "import_files" in link.page
