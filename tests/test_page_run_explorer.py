"""AppTest of the Run explorer on the sample club: cards show the stored metrics, a chart and a map, the run picker
changes them, a run opened from another page is shown, and athletes without runs or files without GPS say so."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
from app_harness import assert_no_exception, metric_value, open_app
from conftest import ADMIN
from fit_fixtures import Stretch, fit_from_records, records_for
from streamlit.runtime.media_file_manager import MediaFileManager

from analysis.ingest.pipeline import ingest
from analysis.privacy import hide_ends
from analysis.store import Store
from app_pages._shared import md

PAGE = "app_pages/run_explorer.py"


def by_athlete(store_dir) -> dict[str, pd.DataFrame]:
    """Each athlete's stored runs, newest first (what the page lists)."""
    with Store(store_dir) as store:
        runs = store.runs(ADMIN)
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
        report = ingest([("treadmill.fit", fit_from_records(records))], athlete="Eve", store=store, viewer=ADMIN,
                        workers=0)
        report = pd.concat([report, ingest([("log.csv", log)], athlete="Fay", store=store, viewer=ADMIN, workers=0)])
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


def map_trace_names(at) -> set[str]:
    [route] = [c for c in plotly_charts(at) if '"Route"' in c.proto.spec]
    return {trace.get("name") for trace in json.loads(route.proto.spec)["data"]}


def test_the_map_hides_start_and_end_within_the_stored_privacy_radius(store_copy, monkeypatch):
    with Store(store_copy) as store:  # 160 m in all: every point lies within 300 m of the start
        short = fit_from_records(records_for([Stretch(100, 1.6)]))
        assert list(ingest([("short.fit", short)], athlete="Eve", store=store, viewer=ADMIN,
                           workers=0)["status"]) == ["imported"]
    at = open_app(store_copy, monkeypatch, page=PAGE)
    assert any(c.value.startswith("Start and end within 200 m are hidden (privacy radius, Data & settings)")
               for c in at.caption)
    assert {"Shown from", "Shown to"} <= map_trace_names(at) and "Start" not in map_trace_names(at)
    with Store(store_copy) as store:
        store.set_privacy_radius_m(ADMIN, 0)
    at.run()
    assert_no_exception(at)
    assert not any("privacy radius" in c.value for c in at.caption)
    assert {"Start", "Finish"} <= map_trace_names(at)
    with Store(store_copy) as store:
        store.set_privacy_radius_m(ADMIN, 300)
    at.session_state["athlete"] = "Eve"
    at.run()
    assert_no_exception(at)
    assert len(plotly_charts(at)) == 1  # the panels; the map would show nothing
    assert any("lies within 300 m of its start or its end" in i.value for i in at.info)


def test_a_run_imported_without_positions_says_so(store_copy, monkeypatch):
    data = fit_from_records(records_for([Stretch(2400, 3.0, interval_s=2)]))
    with Store(store_copy) as store:
        report = ingest([("private.fit", data)], athlete="Eve", store=store, viewer=ADMIN, workers=0,
                        drop_positions=True)
        assert list(report["status"]) == ["imported"]
    at = open_app(store_copy, monkeypatch, page=PAGE)
    at.session_state["athlete"] = "Eve"
    at.run()
    assert_no_exception(at)
    assert len(plotly_charts(at)) == 1
    assert any("dropped when this run was imported (privacy option)" in i.value for i in at.info)


def test_run_samples_download_has_positions_only_when_asked_with_the_ends_hidden(store_copy, monkeypatch):
    served: dict[str, object] = {}  # deferred file id -> the callable the page gave
    original = MediaFileManager.add_deferred

    def capture(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        file_id = original(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)
        served[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", capture)
    at = open_app(store_copy, monkeypatch, page=PAGE)
    run_id = at.selectbox(key="run_id").value
    with Store(store_copy) as store:
        samples = store.samples(ADMIN, run_id)

    def downloaded() -> pd.DataFrame:
        [button] = [b for b in at.get("download_button") if b.proto.label == "Download this run's samples (CSV)"]
        data = served[button.proto.deferred_file_id]()
        assert data.startswith(b"\xef\xbb\xbf")
        return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")

    box = at.checkbox(key="run_samples_positions")
    assert box.label == "include GPS positions" and not box.value
    plain = downloaded()
    assert not {"lat_deg", "lon_deg"} & set(plain.columns)
    assert len(plain) == len(samples) and set(plain["run_id"]) == {run_id} and set(plain["athlete"]) == {"Ana"}
    np.testing.assert_allclose(plain["cadence_spm"], samples["cadence_spm"], equal_nan=True)

    at.checkbox(key="run_samples_positions").check()
    at.run()
    assert_no_exception(at)
    with_positions = downloaded()
    lat, lon = hide_ends(samples["lat_deg"], samples["lon_deg"], 200)
    np.testing.assert_allclose(with_positions["lat_deg"], lat, rtol=0, atol=1e-9)
    np.testing.assert_allclose(with_positions["lon_deg"], lon, rtol=0, atol=1e-9)
    assert with_positions["lat_deg"].isna().sum() > 0 and with_positions["lat_deg"].notna().sum() > 0


def test_the_run_shows_its_perceived_effort_and_feel_in_words_and_where_they_came_from(store_copy, monkeypatch):
    newest = by_athlete(store_copy)["Ana"].iloc[0]
    older = by_athlete(store_copy)["Ana"].iloc[3]
    reports = {newest.run_id: (7.0, 75.0, "watch"), older.run_id: (4.0, np.nan, "check-in")}
    original = Store.runs

    def runs_with_effort(self, *args, **kwargs):  # what the store gives once runs carry a self-report
        frame = original(self, *args, **kwargs)
        values = [reports.get(r, (np.nan, np.nan, None)) for r in frame["run_id"]]
        return frame.assign(perceived_effort=[v[0] for v in values], feel=[v[1] for v in values],
                            effort_source=[v[2] for v in values])

    monkeypatch.setattr(Store, "runs", runs_with_effort)
    at = open_app(store_copy, monkeypatch, page=PAGE)  # the sidebar starts on Ana, her newest run
    assert at.selectbox(key="run_id").value == newest.run_id
    felt = [m.value for m in at.markdown if "Perceived effort" in m.value]
    assert felt == ["**Perceived effort:** 7.0 / 10 (Borg CR10) — very strong · **Feel:** 75 / 100 — strong · "
                    "from the watch"]
    assert any(c.value.startswith("How it felt") for c in at.caption)
    assert shown_cards(at) == expected_cards(newest)  # the cards are unchanged

    at.selectbox(key="run_id").select(older.run_id).run()
    assert_no_exception(at)
    assert [m.value for m in at.markdown if "Perceived effort" in m.value] == [
        "**Perceived effort:** 4.0 / 10 (Borg CR10) — somewhat strong · **Feel:** not reported · from a check-in"]
    other = by_athlete(store_copy)["Ana"].iloc[1]
    at.selectbox(key="run_id").select(other.run_id).run()
    assert [m.value for m in at.markdown if "Perceived effort" in m.value] == [
        "**Perceived effort and feel:** not reported"]

