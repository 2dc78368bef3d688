"""AppTest of the Run explorer on the sample club: cards show the stored metrics, a chart and a map, the run picker
changes them, a run opened from another page is shown, and athletes without runs or files without GPS say so."""

from __future__ import annotations

import numpy as np
import pandas as pd
from app_harness import assert_no_exception, metric_value, open_app
from fit_fixtures import Stretch, fit_from_records, records_for

from analysis.ingest.pipeline import ingest
from analysis.store import Store
from app_pages._shared import md

PAGE = "app_pages/run_explorer.py"


def by_athlete(store_dir) -> dict[str, pd.DataFrame]:
    """Each athlete's stored runs, newest first (what the page lists)."""
    with Store(store_dir) as store:
        runs = store.runs()
    return {a: g.sort_values("start_time", ascending=False) for a, g in runs.groupby("athlete")}


def h_mm_ss(seconds: float) -> str:
    whole = int(round(seconds))
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def m_ss(seconds_per_km: float) -> str:
    whole = int(round(seconds_per_km))
    return f"{whole // 60}:{whole % 60:02d}"


def expected_cards(run: pd.Series) -> dict[str, str]:
    """What the cards must say for a stored run, formatted here independently of the page."""
    cards = {
        "Distance (km)": f"{run.distance_km:.2f}",
        "Moving time (h:mm:ss)": h_mm_ss(run.moving_time_s),
        "Average pace (min/km)": m_ss(run.avg_pace_s_per_km),
        "Average heart rate (bpm)": f"{run.avg_heart_rate_bpm:.0f}",
        "Average cadence (steps/min)": f"{run.avg_cadence_spm:.0f}",
        "Elevation gain (m)": f"{run.elevation_gain_m:.0f}",
    }
    fatigue = {
        "Late pace decay (%)": ("pace_decay_pct", "+.1f"),
        "Cadence drift (steps/min)": ("cadence_drift_spm", "+.1f"),
        "Stride length drift (%)": ("stride_length_drift_pct", "+.1f"),
        "Aerobic decoupling (%)": ("decoupling_pct", "+.1f"),
    }
    if "stance_time_ms" in run.fields_present.split(","):  # the file recorded running dynamics
        fatigue |= {"Ground contact drift (ms)": ("stance_time_drift_ms", "+.1f"),
                    "Vertical oscillation drift (mm)": ("vertical_oscillation_drift_mm", "+.1f"),
                    "Left/right balance drift (% points)": ("stance_time_balance_drift_pct", "+.2f")}
    for card, (column, fmt) in fatigue.items():
        value = run[column]
        cards[card] = "—" if pd.isna(value) else format(value, fmt)
    return cards


def shown_cards(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def plotly_charts(at) -> list:
    return at.get("plotly_chart")


def test_every_sample_athlete_shows_the_newest_run_with_its_stored_metrics(store_copy, monkeypatch):
    runs = by_athlete(store_copy)
    assert sorted(runs) == ["Ana", "Ben", "Chloe", "Dev"]
    at = open_app(store_copy, monkeypatch, page=PAGE)
    for athlete, theirs in runs.items():
        at.session_state["athlete"] = athlete
        at.run()
        assert_no_exception(at)
        newest = theirs.iloc[0]
        picker = at.selectbox(key="run_id")
        assert picker.value == newest.run_id
        assert len(picker.options) == len(theirs)  # the sidebar's dates default to all the data
        assert picker.options[0].startswith(f"{newest.local_date:%Y-%m-%d} · {newest.distance_km:.1f} km")
        assert shown_cards(at) == expected_cards(newest)
        assert len(plotly_charts(at)) == 2  # panels and map: every sample run has GPS
        # The runs table lists the athlete's runs with the stored fatigue metrics.
        table = at.dataframe[-1].value
        assert len(table) == len(theirs)
        np.testing.assert_allclose(table["pace_decay_pct"], theirs["pace_decay_pct"], equal_nan=True)
        # Ana's watch records running dynamics; the others' do not, and the page says so.
        dynamics_note = any("No running dynamics in this file" in c.value for c in at.caption)
        assert dynamics_note == (athlete != "Ana")
        assert ("Ground contact drift (ms)" in shown_cards(at)) == (athlete == "Ana")


def test_picking_another_run_changes_the_cards_and_an_ineligible_run_explains_itself(store_copy, monkeypatch):
    runs = by_athlete(store_copy)
    at = open_app(store_copy, monkeypatch, page=PAGE)  # the sidebar starts on the first athlete, Ana
    before = shown_cards(at)
    assert before == expected_cards(runs["Ana"].iloc[0])
    older = runs["Ana"].iloc[5]
    at.selectbox(key="run_id").select(older.run_id).run()
    assert_no_exception(at)
    assert shown_cards(at) == expected_cards(older) != before

    every = pd.concat(runs.values())
    short = every[~every["eligible"]].iloc[0]
    at.session_state["athlete"] = short.athlete
    at.session_state["run_id"] = short.run_id
    at.run()
    assert_no_exception(at)
    assert at.selectbox(key="run_id").value == short.run_id
    assert shown_cards(at) == expected_cards(short)
    assert metric_value(at, "Late pace decay (%)") == "—"
    assert any(md(short.ineligible_reason) in i.value for i in at.info)  # as written, markdown-escaped


def test_a_run_opened_from_another_page_is_shown_if_it_is_the_athletes(store_copy, monkeypatch):
    runs = by_athlete(store_copy)
    target = runs["Dev"].iloc[10]
    at = open_app(store_copy, monkeypatch)
    at.session_state["athlete"] = "Dev"
    at.session_state["run_id"] = target.run_id  # what _shared.open_page(..., run_id=...) leaves behind
    at.switch_page(PAGE).run()
    assert_no_exception(at)
    assert at.selectbox(key="run_id").value == target.run_id
    assert shown_cards(at) == expected_cards(target)
    # Another athlete's run id falls back to the sidebar athlete's newest run.
    at.session_state["athlete"] = "Ben"
    at.run()
    assert at.selectbox(key="run_id").value == runs["Ben"].iloc[0].run_id


def test_athlete_without_runs_and_run_without_gps_say_what_to_do(store_copy, monkeypatch):
    records = records_for([Stretch(2400, 3.0, interval_s=2)])
    for r in records:  # a treadmill run: distance from the footpod, no positions
        del r["position_lat"], r["position_long"]
    log = b"date,session_type,exercise,sets,reps\n2026-09-07,core,Dead bug,3,10\n"
    with Store(store_copy) as store:
        report = ingest([("treadmill.fit", fit_from_records(records))], athlete="Eve", store=store, workers=0)
        report = pd.concat([report, ingest([("log.csv", log)], athlete="Fay", store=store, workers=0)])
        assert set(report["status"]) == {"imported"}

    at = open_app(store_copy, monkeypatch, page=PAGE)
    at.session_state["athlete"] = "Fay"  # a strength log but no runs
    at.run()
    assert_no_exception(at)
    assert "Fay** has no runs yet" in at.info[0].value and "Import" in at.info[0].value
    assert not at.metric and not plotly_charts(at)

    at.session_state["athlete"] = "Eve"
    at.run()
    assert_no_exception(at)
    assert any("no GPS positions" in i.value for i in at.info)
    assert len(plotly_charts(at)) == 1  # the panels, no map
    assert metric_value(at, "Distance (km)") == f"{by_athlete(store_copy)['Eve'].iloc[0].distance_km:.2f}"
