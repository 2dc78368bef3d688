"""What the Data & settings page added to the store and the exports: deleting several runs at once, a
progress callback while settings recompute, and CSV bytes for a download button."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from conftest import ADMIN
from fit_fixtures import Stretch, run_file

from analysis.export import FORMULA_PREFIXES, csv_bytes, store_tables
from analysis.ingest.pipeline import ingest
from analysis.metrics import MetricSettings
from analysis.pairing import associations_table
from analysis.store import Store


def a_run(day: int) -> bytes:
    start = datetime(2026, 3, day, 6, 30, tzinfo=UTC)
    return run_file([Stretch(1200, 3.0), Stretch(1200, 2.8, 84.0, 158)], start=start)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "store") as s:
        report = ingest([(f"run{day}.fit", a_run(day)) for day in (2, 4, 6)], athlete="Ana", store=s, viewer=ADMIN,
                        workers=0)
        ingest([("other.fit", a_run(3))], athlete="Ben", store=s, viewer=ADMIN, workers=0)
        assert (report["status"] == "imported").all()
        yield s


def test_remove_runs_deletes_exactly_the_given_runs_in_one_write(store):
    runs = store.runs(ADMIN)
    doomed = list(runs["run_id"].iloc[[0, 3]])
    samples_before = store.status(ADMIN).samples
    doomed_samples = sum(len(store.samples(ADMIN, r)) for r in doomed)
    version = store.data_version()

    assert store.remove_runs(ADMIN, [*doomed, "not-a-run", doomed[0]]) == 2  # unknown and repeated ids are ignored
    assert store.data_version() == version + 1
    assert set(store.runs(ADMIN)["run_id"]) == set(runs["run_id"]) - set(doomed)
    assert store.status(ADMIN).samples == samples_before - doomed_samples
    assert not set(store.imports(ADMIN)["sha256"]) & set(doomed)
    assert store.samples(ADMIN, doomed[0]).empty
    assert set(store.athletes(ADMIN)["athlete"]) == {"Ana", "Ben"}  # athletes stay, even with no runs left


def test_remove_runs_with_nothing_to_remove_writes_nothing(store):
    version = store.data_version()
    assert store.remove_runs(ADMIN, []) == 0
    assert store.data_version() == version
    assert store.remove_runs(ADMIN, ["unknown"]) == 0
    assert store.status(ADMIN).runs == 4


def test_set_metric_settings_reports_progress_for_every_run(store):
    calls = []
    updated = store.set_metric_settings(ADMIN, late_start_fraction=0.8, progress=lambda *args: calls.append(args))
    assert updated == 4
    assert [(done, total) for done, total, _ in calls] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert {run_id for _, _, run_id in calls} == set(store.runs(ADMIN)["run_id"])
    assert store.metric_settings(ADMIN).late_start_fraction == 0.8


def test_invalid_settings_store_nothing(store):
    version = store.data_version()
    with pytest.raises(ValueError, match="order"):
        store.set_metric_settings(ADMIN, warmup_end_fraction=0.3, baseline_end_fraction=0.25, progress=print)
    assert store.data_version() == version
    assert store.metric_settings(ADMIN) == MetricSettings()


def test_csv_bytes_escapes_text_not_numbers_and_drops_positions():
    frame = pd.DataFrame({
        "athlete": ["=1+1", "+cmd", "-x", "@SUM(A1)", "\tTab", "Zoë", None],
        "pace_decay_pct": [-3.25, 1.0, np.nan, 0.0, 2.0, -0.5, 4.0],
        "lat_deg": [51.5] * 7,
        "lon_deg": [-0.1] * 7,
    })
    original = frame.copy()
    data = csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    assert list(back.columns) == ["athlete", "pace_decay_pct"]
    assert list(back["athlete"].iloc[:6]) == ["'=1+1", "'+cmd", "'-x", "'@SUM(A1)", "'\tTab", "Zoë"]
    assert not any(str(v).startswith(FORMULA_PREFIXES) for v in back["athlete"].dropna())
    pd.testing.assert_series_equal(back["pace_decay_pct"], frame["pace_decay_pct"])
    assert pd.isna(back["athlete"].iloc[6])  # a missing name stays missing
    pd.testing.assert_frame_equal(frame, original)  # the input is not changed


def test_store_tables_use_the_stored_plan(store):
    store.set_plan(ADMIN, {"core": 1})
    tables = store_tables(store, ADMIN)
    assert set(tables) == {"runs", "weekly", "strength_log", "associations", "exercise_mappings"}
    assert len(tables["runs"]) == store.status(ADMIN).runs
    # the associations are those of the stored plan's tables, and `only` builds just the one asked for
    expected = associations_table(tables["weekly"], tables["runs"])
    pd.testing.assert_frame_equal(tables["associations"], expected)
    assert set(store_tables(store, ADMIN, only="weekly")) == {"weekly"}
    assert set(store_tables(store, ADMIN, only="strength_log")) == {"strength_log"}
    assert tables["runs"].attrs["plan"] == {"core": 1}
    only_ben = store_tables(store, ADMIN, ["Ben"])
    assert set(only_ben["runs"]["athlete"]) == {"Ben"} and set(only_ben["weekly"]["athlete"]) == {"Ben"}


def test_a_recompute_stopped_part_way_keeps_the_old_settings_and_metrics(store):
    """Streamlit stops a script by raising from the progress callback; the store must stay consistent."""
    before = store.runs(ADMIN)
    version = store.data_version()

    def stop_after_two(done, total, run_id):
        if done == 2:
            raise KeyboardInterrupt("the user navigated away")

    with pytest.raises(KeyboardInterrupt):
        store.set_metric_settings(ADMIN, late_start_fraction=0.8, progress=stop_after_two)
    assert store.metric_settings(ADMIN) == MetricSettings()
    assert store.data_version() == version
    pd.testing.assert_frame_equal(store.runs(ADMIN), before)
