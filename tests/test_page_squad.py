"""AppTest of the Squad page on a copy of the sample-club store (few runs: each costs seconds).

The squad statistic the page must show is analysis.stats.association over pairs built here from the store's
tables (r cross-checked against statsmodels' within-athlete partial correlation), never typed in.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from app_harness import metric_value, open_app
from conftest import ADMIN
from test_pairing import holm_reference, with_effort, within_athlete_r

from analysis.consistency import run_table, weekly_table
from analysis.squad import squad_correlation, squad_table
from analysis.stats import association
from analysis.store import Store
from app_pages._shared import ATHLETE_KEY, PENDING_KEY

PAGE = "app_pages/squad.py"


def _current_page(at) -> str:
    """The script the last run finished on (AppTest has no public accessor for it)."""
    return Path(at._registered_pages[at._finished_page_script_hash]["script_path"]).as_posix()


def _squad_pairs(weekly: pd.DataFrame, runs: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The page's default marker, late pace decay: per eligible run against its 28-day consistency, or per
    week against the 4-week consistency of the calendar week before."""
    if unit == "runs":
        rows = runs[(runs["sport"] == "running") & runs["eligible"]]
        pairs = pd.DataFrame({"athlete": rows["athlete"], "date": rows["local_date"], "x": rows["consistency_28d"],
                              "y": rows["pace_decay_pct"]})
    else:
        before = weekly[["athlete", "week_start", "consistency_4wk"]]
        before = before.assign(week_start=before["week_start"] + pd.Timedelta(weeks=1))
        rows = weekly[["athlete", "week_start", "pace_decay_pct"]].merge(before, on=["athlete", "week_start"])
        pairs = pd.DataFrame({"athlete": rows["athlete"], "date": rows["week_start"], "x": rows["consistency_4wk"],
                              "y": rows["pace_decay_pct"]})
    return pairs.dropna(subset=["x", "y"]).reset_index(drop=True)


def _expected_squad(weekly: pd.DataFrame, runs: pd.DataFrame, unit: str):
    pairs = _squad_pairs(weekly, runs, unit)
    expected = association(pairs, subject="athlete", unit="runs" if unit == "runs" else "athlete-weeks",
                           names=("consistency", "late pace decay"))
    assert expected.enough_data and expected.n == len(pairs)
    assert expected.r == pytest.approx(within_athlete_r(pairs["athlete"], pairs["x"], pairs["y"], pairs["date"]),
                                       abs=1e-10)
    assert expected == squad_correlation(weekly, runs, unit=unit)  # the function the page calls, on its tables
    return expected


def test_squad_page_shows_every_athlete_and_the_squad_correlation(store_copy, monkeypatch):
    with Store(store_copy) as store:
        names = list(store.athletes(ADMIN)["athlete"])
        runs, log, plan = store.runs(ADMIN), store.strength_log(ADMIN), store.plan(ADMIN)
    weekly, runs_linked = weekly_table(runs, log, plan=plan), run_table(runs, log, plan=plan)
    expected = _expected_squad(weekly, runs_linked, "runs")
    per_week = _expected_squad(weekly, runs_linked, "weeks")

    at = open_app(store_copy, monkeypatch, page=PAGE)
    assert at.title[0].value == "Squad"
    table = at.dataframe[0].value
    assert list(table["athlete"]) == sorted(names, key=str.casefold) and len(names) > 1
    assert {"adherence_pct", "pace_decay_pct", "soreness_trend_per_4wk", "rho", "rho_n", "rho_p_holm",
            "rho_n_effective"} <= set(table.columns)
    # the table's Holm column adjusts over the athletes shown, and each effective n is at most its n
    own = squad_table(weekly, runs_linked, athletes=names).set_index("athlete").loc[list(table["athlete"])]
    np.testing.assert_allclose(table["rho_p_holm"], holm_reference(own["rho_p"]), equal_nan=True, rtol=1e-12)
    shown = table["rho_n_effective"].notna()
    assert shown.any() and (table.loc[shown, "rho_n_effective"] <= table.loc[shown, "rho_n"]).all()
    assert metric_value(at, "n (runs)") == str(expected.n)
    assert metric_value(at, "Worth (independent runs)") == f"{expected.n_effective:.0f}"
    assert float(metric_value(at, "Worth (independent runs)")) < expected.n  # fewer than the runs: serial dependence
    [text] = [m.value for m in at.markdown if "Within athletes" in m.value]
    assert expected.message in text and f"n = {expected.n} runs" in text
    assert f"worth about {round(expected.n_effective)} independent runs" in text
    assert f"That rests on {expected.n} runs, worth about {expected.n_effective:.0f} independent ones." in text
    assert "not a cause" in text and "degrees of freedom" not in text
    assert any("weekly km" in m.value for m in at.markdown)  # training load beside the correlation
    assert any("Holm-adjusted p" in c.value for c in at.caption)
    assert not at.info  # no empty-state note with four athletes

    at.radio(key="squad_unit").set_value("weeks").run()
    assert not at.exception
    assert metric_value(at, "n (athlete-weeks)") == str(per_week.n)
    assert metric_value(at, "Worth (independent athlete-weeks)") == f"{per_week.n_effective:.0f}"
    assert any(per_week.message in m.value for m in at.markdown)
    assert any(f"worth about {per_week.n_effective:.0f} independent ones" in m.value for m in at.markdown)


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
        names = list(store.athletes(ADMIN)["athlete"])
        for name in names[1:]:
            assert store.remove_athlete(ADMIN, name)
    at = open_app(store_copy, monkeypatch, page=PAGE)
    assert any("needs two or more" in i.value and names[0] in i.value for i in at.info)
    assert list(at.dataframe[0].value["athlete"]) == [names[0]]
    assert not [m for m in at.metric if m.label.startswith("Squad r_rm")]  # no squad statistic for one athlete

    with Store(store_copy) as store:
        assert store.remove_athlete(ADMIN, names[0])
    at = open_app(store_copy, monkeypatch, page=PAGE)
    assert "No athletes in the store yet" in at.info[0].value
    assert not at.dataframe


def test_choosing_perceived_effort_shows_its_squad_correlation_and_panels(store_copy, monkeypatch):
    original = Store.runs
    monkeypatch.setattr(Store, "runs", lambda self, *a, **k: with_effort(original(self, *a, **k)))
    with Store(store_copy) as store:
        runs, log, plan = store.runs(ADMIN), store.strength_log(ADMIN), store.plan(ADMIN)
    weekly, linked = weekly_table(runs, log, plan=plan), run_table(runs, log, plan=plan)
    rows = linked[(linked["sport"] == "running") & linked["perceived_effort"].notna()]
    pairs = pd.DataFrame({"athlete": rows["athlete"], "date": rows["local_date"], "x": rows["consistency_28d"],
                          "y": rows["perceived_effort"]}).dropna(subset=["x", "y"])
    expected = association(pairs, subject="athlete", unit="runs", names=("consistency", "perceived effort"))
    assert expected.n == len(pairs) and not rows["eligible"].all()  # every run with an effort, long or not
    assert expected == squad_correlation(weekly, linked, metric="perceived_effort")

    at = open_app(store_copy, monkeypatch, page=PAGE)
    box = at.selectbox(key="squad_metric")
    assert "Perceived effort (0-10)" in box.options
    box.select("perceived_effort").run()
    assert not at.exception
    assert metric_value(at, "n (runs)") == str(expected.n)
    [text] = [m.value for m in at.markdown if "Within athletes" in m.value]
    assert f"consistency and perceived effort: {expected.message}." in text
    assert any(s.value == "Perceived effort per run" for s in at.subheader)
    assert any("Perceived effort (0-10): How hard the run felt" in c.value for c in at.caption)
    table = at.dataframe[0].value
    own = squad_table(weekly, linked, athletes=list(table["athlete"]), metric="perceived_effort")
    np.testing.assert_allclose(table["rho"], own["rho"], equal_nan=True, rtol=1e-12)
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    forest = next(s for s in specs if "Correlation of consistency" in str(s["layout"].get("xaxis", {})))
    assert "perceived effort" in forest["layout"]["xaxis"]["title"]["text"]
    panels = next(s for s in specs if s["layout"].get("yaxis", {}).get("title", {}).get("text")
                  == "Perceived effort (0-10)")
    assert panels["layout"]["yaxis"]["range"] == [-0.3, 10.3]

    at.radio(key="squad_unit").set_value("weeks").run()
    assert not at.exception
    per_week = squad_correlation(weekly, linked, metric="perceived_effort", unit="weeks")
    assert metric_value(at, "n (athlete-weeks)") == str(per_week.n)
    assert any(per_week.message in m.value for m in at.markdown)
