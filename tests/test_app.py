"""AppTest page tests: app.py opens the store, loads the sample club on first start, and the overview shows it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO_ROOT, SAMPLE_DIR
from streamlit.testing.v1 import AppTest

from analysis.store import Store

APP = REPO_ROOT / "app.py"
TIMEOUT_S = 120


def run_app(store_dir: Path, monkeypatch: pytest.MonkeyPatch, sample_dir: Path | None = None) -> AppTest:
    monkeypatch.setenv("CORE_CADENCE_STORE", str(store_dir))
    if sample_dir is not None:
        monkeypatch.setenv("CORE_CADENCE_SAMPLE_DIR", str(sample_dir))
    else:
        monkeypatch.delenv("CORE_CADENCE_SAMPLE_DIR", raising=False)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert len(values) == 1, f"expected one metric {label!r}, found {[m.label for m in at.metric]}"
    return values[0]


def test_overview_shows_what_the_store_holds(store_copy, monkeypatch):
    with Store(store_copy) as store:
        athletes, runs, log = store.athletes(), store.runs(), store.strength_log()
    sessions = {(a, d, t) for a, d, t in zip(log["athlete"], log["date"], log["session_type"], strict=True)
                if isinstance(t, str)}
    at = run_app(store_copy, monkeypatch)
    assert at.title[0].value == "Core & Cadence"
    assert metric(at, "Athletes") == str(len(athletes)) == "4"
    assert metric(at, "Runs") == str(len(runs))
    assert metric(at, "Strength sessions") == str(len(sessions))
    tables = [df.value for df in at.dataframe]
    assert len(tables[0]) == 4 and len(tables[1]) == len(runs)
    assert {"pace_decay_pct", "cadence_drift_spm", "decoupling_pct"} <= set(tables[1].columns)
    assert str(store_copy) in at.sidebar.caption[0].value
    assert "synthetic sample club" in at.markdown[0].value


def test_removing_the_sample_club_is_one_click_and_it_stays_removed(store_copy, monkeypatch):
    at = run_app(store_copy, monkeypatch)
    [button] = [b for b in at.button if b.label == "Remove the sample club"]
    button.click().run()
    assert not at.exception
    assert "No athletes in the store yet" in at.info[0].value
    again = run_app(store_copy, monkeypatch)  # a new session: the sample club is not loaded again
    assert "No athletes in the store yet" in again.info[0].value
    with Store(store_copy) as store:
        assert store.status().sample_club == "removed" and store.status().runs == 0


def test_first_start_on_an_empty_store_loads_the_sample_club(tmp_path, monkeypatch):
    small = tmp_path / "club"
    athlete = sorted(d for d in SAMPLE_DIR.iterdir() if d.is_dir())[0]
    runs = sorted((athlete / "runs").iterdir())[:2]
    (small / athlete.name / "runs").mkdir(parents=True)
    for path in runs:
        shutil.copyfile(path, small / athlete.name / "runs" / path.name)
    at = run_app(tmp_path / "store", monkeypatch, sample_dir=small)
    assert metric(at, "Athletes") == "1"
    assert metric(at, "Runs") == "2"
    with Store(tmp_path / "store") as store:
        assert store.status().sample_club == "loaded"
        assert store.athletes()["is_sample"].all()
