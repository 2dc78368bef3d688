"""AppTest of the Squad page on a copy of the sample-club store (few runs: each costs seconds)."""

from __future__ import annotations

from pathlib import Path

from app_harness import metric_value, open_app

from analysis.consistency import run_table, weekly_table
from analysis.squad import squad_correlation
from analysis.store import Store
from app_pages._shared import ATHLETE_KEY, PENDING_KEY

PAGE = "app_pages/squad.py"


def _current_page(at) -> str:
    """The script the last run finished on (AppTest has no public accessor for it)."""
    return Path(at._registered_pages[at._finished_page_script_hash]["script_path"]).as_posix()


def test_squad_page_shows_every_athlete_and_the_squad_correlation(store_copy, monkeypatch):
    with Store(store_copy) as store:
        names = list(store.athletes()["athlete"])
        runs, log, plan = store.runs(), store.strength_log(), store.plan()
    weekly, runs_linked = weekly_table(runs, log, plan=plan), run_table(runs, log, plan=plan)
    expected = squad_correlation(weekly, runs_linked)
    per_week = squad_correlation(weekly, runs_linked, unit="weeks")

    at = open_app(store_copy, monkeypatch, page=PAGE)
    assert at.title[0].value == "Squad"
    table = at.dataframe[0].value
    assert list(table["athlete"]) == sorted(names, key=str.casefold) and len(names) > 1
    assert {"adherence_pct", "pace_decay_pct", "soreness_trend_per_4wk", "rho", "rho_n"} <= set(table.columns)
    assert metric_value(at, "n (runs)") == str(expected.n)
    [text] = [m.value for m in at.markdown if "Within athletes" in m.value]
    assert expected.message in text and f"n = {expected.n} runs" in text
    assert f"{expected.dof:.0f} degrees of freedom" in text and "not a cause" in text
    assert any("weekly km" in m.value for m in at.markdown)  # training load beside the correlation
    assert not at.info  # no empty-state note with four athletes

    at.radio(key="squad_unit").set_value("weeks").run()
    assert not at.exception
    assert metric_value(at, "n (athlete-weeks)") == str(per_week.n)
    assert any(per_week.message in m.value for m in at.markdown)


def test_open_button_switches_to_the_consistency_page_with_that_athlete(store_copy, monkeypatch):
    at = open_app(store_copy, monkeypatch, page=PAGE)
    at.selectbox(key="squad_open_athlete").select("Ben").run()
    [button] = [b for b in at.button if b.key == "squad_open_consistency"]
    assert button.label == "Open Ben's consistency page"
    button.click().run()
    assert not at.exception
    assert _current_page(at).endswith("app_pages/consistency.py")
    # _shared.open_page leaves the choice for app.py, which sets it before drawing the sidebar
    assert at.session_state[ATHLETE_KEY] == "Ben" and PENDING_KEY not in at.session_state
    assert at.sidebar.selectbox(key=ATHLETE_KEY).value == "Ben"


def test_selecting_a_table_row_opens_that_athletes_consistency_page_once(store_copy, monkeypatch):
    at = open_app(store_copy, monkeypatch, page=PAGE)
    names = list(at.dataframe[0].value["athlete"])
    # what the browser sends when the third row's checkbox is ticked (AppTest cannot click a table row)
    at.session_state["squad_table"] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert _current_page(at).endswith("app_pages/consistency.py")
    assert at.session_state[ATHLETE_KEY] == names[2] and PENDING_KEY not in at.session_state
    # coming back, the earlier selection is gone: the coach is not sent straight back to that athlete
    at.switch_page(PAGE).run()
    assert _current_page(at).endswith(PAGE) and at.title[0].value == "Squad"


def test_one_athlete_needs_two_or_more_and_no_athletes_says_what_to_do(store_copy, monkeypatch):
    with Store(store_copy) as store:
        names = list(store.athletes()["athlete"])
        for name in names[1:]:
            assert store.remove_athlete(name)
    at = open_app(store_copy, monkeypatch, page=PAGE)
    assert any("needs two or more" in i.value and names[0] in i.value for i in at.info)
    assert list(at.dataframe[0].value["athlete"]) == [names[0]]
    assert not [m for m in at.metric if m.label.startswith("Squad r_rm")]  # no squad statistic for one athlete

    with Store(store_copy) as store:
        assert store.remove_athlete(names[0])
    at = open_app(store_copy, monkeypatch, page=PAGE)
    assert "No athletes in the store yet" in at.info[0].value
    assert not at.dataframe
