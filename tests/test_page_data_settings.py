"""AppTest of the Data & settings page: deleting runs, athletes and strength files, metric settings, the plan, CSV
downloads."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest
from app_harness import add_runs_only_athlete, assert_no_exception, open_app
from conftest import ADMIN
from streamlit.runtime.media_file_manager import MediaFileManager

from analysis.consistency import DEFAULT_PLAN, weekly_table
from analysis.ingest.pipeline import ingest
from analysis.metrics import run_metrics
from analysis.pairing import ASSOCIATION_COLUMNS
from analysis.store import Store

PAGE = "app_pages/data_settings.py"
TAB_KEY = "data_settings_tab"


def open_tab(store_dir, monkeypatch, tab: str):
    at = open_app(store_dir, monkeypatch, page=PAGE)
    at.session_state[TAB_KEY] = tab
    at.run()
    assert_no_exception(at)
    return at


def button(at, label: str):
    [found] = [b for b in at.button if b.label == label]
    return found


def number_input(at, label: str):
    [found] = [n for n in at.number_input if n.label == label]
    return found


def snapshot(store_dir) -> dict[str, pd.DataFrame]:
    with Store(store_dir) as store:
        return {"runs": store.runs(ADMIN), "athletes": store.athletes(ADMIN), "log": store.strength_log(ADMIN)}


def test_deleting_selected_runs_removes_exactly_them(store_copy, monkeypatch):
    before = snapshot(store_copy)
    at = open_tab(store_copy, monkeypatch, "Runs")
    [table] = [df for df in at.dataframe if (df.key or "").startswith("runs_table_")]
    shown = table.value
    assert len(shown) == len(before["runs"])
    picked = shown.iloc[[0, 2]]
    # The page shows no run ids: find the two runs by athlete and file name, independently of the page.
    by_file = before["runs"].set_index(["athlete", "file_name"])["run_id"]
    doomed = {by_file[(a, f)] for a, f in zip(picked["athlete"], picked["file_name"], strict=True)}
    assert len(doomed) == 2

    at.session_state[table.key] = {"selection": {"rows": [0, 2], "columns": []}}
    at.run()
    delete = button(at, "Delete 2 selected runs")
    assert delete.disabled  # not before the confirmation
    [confirm] = [c for c in at.checkbox if c.label == "Yes, delete the 2 selected runs"]
    confirm.check()
    at.run()
    button(at, "Delete 2 selected runs").click()
    at.run()
    assert_no_exception(at)

    assert "Deleted 2 runs." in at.success[0].value
    after = snapshot(store_copy)
    assert set(after["runs"]["run_id"]) == set(before["runs"]["run_id"]) - doomed
    pd.testing.assert_frame_equal(after["log"], before["log"])
    # The page (and every page's cached loaders) see the change, and the selection did not carry over.
    [table] = [df for df in at.dataframe if (df.key or "").startswith("runs_table_")]
    assert len(table.value) == len(before["runs"]) - 2
    assert not [b for b in at.button if b.label.startswith("Delete")]


def test_deleting_an_athlete_then_the_sample_club(store_copy, monkeypatch):
    before = snapshot(store_copy)
    ben = before["athletes"].set_index("athlete").loc["Ben"]
    at = open_tab(store_copy, monkeypatch, "Athletes")
    assert len(at.dataframe[0].value) == len(before["athletes"])
    [choose] = [s for s in at.selectbox if s.label == "Athlete to delete"]
    choose.set_value("Ben")
    at.run()
    [warning] = at.warning
    assert f"{ben['runs']} runs" in warning.value and f"{ben['strength_entries']} strength" in warning.value
    assert button(at, "Delete Ben").disabled
    [confirm] = [c for c in at.checkbox if c.label.startswith("Yes, delete Ben")]
    confirm.check()
    at.run()
    button(at, "Delete Ben").click()
    at.run()
    assert_no_exception(at)

    after = snapshot(store_copy)
    assert "Ben" not in set(after["athletes"]["athlete"])
    assert set(after["athletes"]["athlete"]) == set(before["athletes"]["athlete"]) - {"Ben"}
    kept = before["runs"][before["runs"]["athlete"] != "Ben"]
    assert set(after["runs"]["run_id"]) == set(kept["run_id"])
    assert len(after["log"]) == (before["log"]["athlete"] != "Ben").sum()
    assert len(at.dataframe[0].value) == len(before["athletes"]) - 1

    button(at, "Remove the sample club").click()
    at.run()
    assert_no_exception(at)
    with Store(store_copy) as store:
        status = store.status(ADMIN)
    assert (status.athletes, status.runs, status.sample_club) == (0, 0, "removed")
    assert "No athletes in the store yet" in at.info[0].value


@pytest.fixture
def small_store(store_copy):
    """The sample store cut to one run per athlete, so recomputing every run takes a moment, not seconds."""
    with Store(store_copy) as store:
        runs = store.runs(ADMIN)
        keep = runs.groupby("athlete")["run_id"].first()
        store.remove_runs(ADMIN, set(runs["run_id"]) - set(keep))
    return store_copy


def test_changing_a_metric_setting_recomputes_every_run(small_store, monkeypatch):
    before = snapshot(small_store)["runs"].set_index("run_id")
    label = "Late window starts at (fraction of moving distance)"
    at = open_tab(small_store, monkeypatch, "Metric settings")
    assert number_input(at, label).value == 0.75
    assert button(at, "Restore defaults").disabled  # nothing to restore yet
    number_input(at, label).set_value(0.85)
    button(at, "Apply and recompute").click()
    at.run()
    assert_no_exception(at)
    assert f"recomputed the metrics of {len(before)} runs" in at.success[0].value

    with Store(small_store) as store:
        settings = store.metric_settings(ADMIN)
        after = store.runs(ADMIN).set_index("run_id")
        expected = {run_id: run_metrics(store.activity(ADMIN, run_id), settings) for run_id in after.index}
    assert settings.late_start_fraction == 0.85
    eligible = after.index[after["eligible"]]
    assert len(eligible) > 0
    for run_id in eligible:  # stored metrics are those of the new settings, and they moved
        assert after.loc[run_id, "pace_decay_pct"] == pytest.approx(expected[run_id].pace_decay_pct)
    old_decay, new_decay = before.loc[eligible, "pace_decay_pct"], after.loc[eligible, "pace_decay_pct"]
    both = old_decay.notna() & new_decay.notna()
    assert both.any() and (np.abs(new_decay[both] - old_decay[both]) > 1e-6).any()
    assert number_input(at, label).value == 0.85  # the form shows the stored value

    # Windows out of order: refused with the reason, nothing stored or recomputed.
    number_input(at, "Warm-up ends at (fraction of moving distance)").set_value(0.3)
    number_input(at, "Baseline window ends at (fraction of moving distance)").set_value(0.25)
    button(at, "Apply and recompute").click()
    at.run()
    assert_no_exception(at)
    [error] = at.error
    assert "Settings not changed" in error.value and "order" in error.value
    with Store(small_store) as store:
        assert store.metric_settings(ADMIN) == settings

    button(at, "Restore defaults").click()
    at.run()
    assert_no_exception(at)
    with Store(small_store) as store:
        assert store.metric_settings(ADMIN).changed() == {}
        restored = store.runs(ADMIN).set_index("run_id")
    pd.testing.assert_series_equal(restored.loc[before.index, "pace_decay_pct"], before["pace_decay_pct"])


def test_plan_change_reaches_the_store(store_copy, monkeypatch):
    at = open_tab(store_copy, monkeypatch, "Strength plan")
    number_input(at, "Core (sessions/week)").set_value(3)
    number_input(at, "Hip (sessions/week)").set_value(0)
    number_input(at, "Mobility (sessions/week)").set_value(1)
    button(at, "Save plan").click()
    at.run()
    assert_no_exception(at)
    with Store(store_copy) as store:
        assert store.plan(ADMIN) == {"core": 3, "mobility": 1}
    assert "Plan saved" in at.success[0].value

    for kind in ("Core", "Mobility"):  # nothing planned is refused
        number_input(at, f"{kind} (sessions/week)").set_value(0)
    button(at, "Save plan").click()
    at.run()
    assert "Plan not changed" in at.error[0].value
    with Store(store_copy) as store:
        assert store.plan(ADMIN) == {"core": 3, "mobility": 1}

    [restore] = [b for b in at.button if b.label.startswith("Restore the default plan")]
    restore.click()
    at.run()
    with Store(store_copy) as store:
        assert store.plan(ADMIN) == dict(DEFAULT_PLAN)


def test_downloads_are_csv_with_formula_cells_escaped(store_copy, monkeypatch):
    hostile = "=HYPERLINK(\"http://x\")"
    log_csv = b"date,exercise,sets,reps,notes\n2026-03-02,Dead bug,3,10,@SUM(1+1)\n2026-03-04,Plank,3,,-1 felt odd\n"
    with Store(store_copy) as store:
        report = ingest([("log.csv", log_csv)], athlete=hostile, store=store, viewer=ADMIN, workers=0)
        assert list(report["status"]) == ["imported"]
        expected_runs, expected_log = store.runs(ADMIN), store.strength_log(ADMIN)
        expected_weekly = weekly_table(expected_runs, expected_log, plan=store.plan(ADMIN))

    served: dict[str, tuple[str, object]] = {}  # deferred file id -> (file name, the callable the page gave)
    original = MediaFileManager.add_deferred

    def capture(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        file_id = original(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)
        served[file_id] = (file_name, data_callable)
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", capture)
    at = open_tab(store_copy, monkeypatch, "Downloads")
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == [
        "Download runs (CSV)", "Download weekly table (CSV)", "Download strength log (CSV)",
        "Download associations (CSV)", "Download exercise names (CSV)"]
    stamp = dt.date.today().isoformat()
    tables = {}
    for b in buttons:
        file_name, make = served[b.proto.deferred_file_id]
        assert file_name.endswith(f"_{stamp}.csv")
        data = make()
        assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, for spreadsheets
        tables[file_name.split("_")[2]] = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    runs, weekly, log = tables["runs"], tables["weekly"], tables["strength"]
    associations = tables["associations"]
    assert list(associations.columns) == ASSOCIATION_COLUMNS
    # every athlete of the weekly table has its rows (its name escaped like everywhere), and the squad has its own
    assert set(associations["scope"]) == set(weekly["athlete"]) | {"squad"}
    assert (associations["p_holm"].dropna() >= associations["p"].dropna() - 1e-12).all()

    assert len(runs) == len(expected_runs) and len(log) == len(expected_log) and len(weekly) == len(expected_weekly)
    assert not {"lat_deg", "lon_deg"} & set(runs.columns)
    mine = log[log["athlete"] == "'" + hostile]
    assert len(mine) == 2  # the name is escaped, not evaluated
    assert set(mine["notes"]) == {"'@SUM(1+1)", "'-1 felt odd"}
    assert ("'" + hostile) in set(weekly["athlete"])
    assert not log["athlete"].str.startswith("=").any()
    # Numbers stay numbers: a negative pace decay is written as a number, not escaped text.
    assert pd.api.types.is_float_dtype(runs["pace_decay_pct"]) and (runs["pace_decay_pct"] < 0).any()


def test_privacy_radius_is_saved_to_the_store_and_restored(store_copy, monkeypatch):
    at = open_tab(store_copy, monkeypatch, "Privacy")
    field = number_input(at, "Privacy radius (m)")
    assert field.value == 200.0 and "0 shows everything" in field.help and "Default 200 m" in field.help
    assert (field.min, field.max) == (0.0, 2000.0)
    assert button(at, "Restore the default (200 m)").disabled
    field.set_value(450.0)
    button(at, "Save privacy radius").click()
    at.run()
    assert_no_exception(at)
    assert at.success[0].value == "Privacy radius saved: 450 m."
    with Store(store_copy) as store:
        assert store.privacy_radius_m(ADMIN) == 450.0
    number_input(at, "Privacy radius (m)").set_value(0.0)
    button(at, "Save privacy radius").click()
    at.run()
    assert at.success[0].value == "Privacy radius saved: 0 m (nothing hidden)."
    with Store(store_copy) as store:
        assert store.privacy_radius_m(ADMIN) == 0.0
    button(at, "Restore the default (200 m)").click()
    at.run()
    assert_no_exception(at)
    with Store(store_copy) as store:
        assert store.privacy_radius_m(ADMIN) == 200.0


def test_deleting_a_strength_file_removes_its_entries_and_every_page_moves(store_copy, monkeypatch):
    before = snapshot(store_copy)
    with Store(store_copy) as store:
        files = store.strength_files(ADMIN)
    at = open_tab(store_copy, monkeypatch, "Strength files")
    [table] = [df for df in at.dataframe if (df.key or "").startswith("strength_files_table_")]
    shown = table.value
    assert len(shown) == len(files)
    assert list(shown.columns) == ["file_name", "athlete", "layout", "entries", "first_date", "last_date",
                                   "imported_on"]
    assert set(shown["layout"]) == {"our CSV", "Strong", "Hevy"}
    assert shown["entries"].sum() == len(before["log"])
    assert not [b for b in at.button if b.label.startswith("Delete")]  # nothing selected: no button

    position = int(np.flatnonzero(shown["layout"].to_numpy() == "Strong")[0])
    doomed = files.iloc[position]
    assert (doomed["file_name"], doomed["athlete"]) == (shown.iloc[position]["file_name"], "Chloe")
    at.session_state[table.key] = {"selection": {"rows": [position], "columns": []}}
    at.run()
    [warning] = at.warning
    entries = int(doomed["entries"])
    assert f"removes its {entries} strength-log entries of Chloe ({doomed['first_date']:%Y-%m-%d} to " in warning.value
    delete = [b for b in at.button if b.label.startswith("Delete")]
    assert len(delete) == 1 and delete[0].disabled  # not before the confirmation
    [confirm] = [c for c in at.checkbox if c.label.startswith("Yes, delete")]
    confirm.check()
    at.run()
    [b for b in at.button if b.label.startswith("Delete")][0].click()
    at.run()
    assert_no_exception(at)
    assert f"({entries} strength-log entries)" in at.success[0].value

    after = snapshot(store_copy)
    assert len(after["log"]) == len(before["log"]) - entries
    chloe = before["log"][before["log"]["athlete"] == "Chloe"]
    assert len(after["log"][after["log"]["athlete"] == "Chloe"]) == len(chloe) - entries
    pd.testing.assert_frame_equal(after["runs"], before["runs"])
    [table] = [df for df in at.dataframe if (df.key or "").startswith("strength_files_table_")]
    assert len(table.value) == len(files) - 1 and doomed["file_name"] not in set(table.value["file_name"])
    # the other tabs' cached tables moved too
    at.session_state[TAB_KEY] = "Athletes"
    at.run()
    athletes = at.dataframe[0].value.set_index("athlete")
    assert athletes.loc["Chloe", "strength_entries"] == len(chloe) - entries


def test_no_strength_files_points_to_the_import_page(tmp_path, monkeypatch):
    with Store(tmp_path / "store") as store:
        store.remove_sample_club(ADMIN)  # no sample club on first start
    add_runs_only_athlete(tmp_path / "store")
    at = open_tab(tmp_path / "store", monkeypatch, "Strength files")
    assert "No strength logs stored yet" in at.info[0].value
    assert not [df for df in at.dataframe if (df.key or "").startswith("strength_files_table_")]
