"""AppTest page tests: app.py routes to the overview, which reads the sample club and says what it found."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from conftest import REPO_ROOT, SAMPLE_DIR, activity_files
from streamlit.testing.v1 import AppTest

import analysis.io
from analysis.errors import InputError
from analysis.io.activity import Activity
from analysis.io.samples import conform_samples

APP = REPO_ROOT / "app.py"
TIMEOUT_S = 60


@pytest.fixture(autouse=True)
def fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def run_app(data_dir: Path | None, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    if data_dir is None or data_dir == SAMPLE_DIR:
        monkeypatch.delenv("CORE_CADENCE_SAMPLE_DIR", raising=False)
    else:
        monkeypatch.setenv("CORE_CADENCE_SAMPLE_DIR", str(data_dir))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert len(values) == 1, f"expected one metric {label!r}, found {[m.label for m in at.metric]}"
    return values[0]


def test_overview_counts_the_readable_files(club_dir, monkeypatch):
    files = activity_files(club_dir)
    readable, failed = 0, 0
    for path in files:
        try:
            analysis.io.read_activity(path)
            readable += 1
        except InputError:
            failed += 1

    at = run_app(club_dir, monkeypatch)

    assert at.title[0].value == "Core & Cadence"
    assert metric(at, "Runs") == str(readable)
    if readable:
        assert len(at.dataframe) == 1
        assert len(at.dataframe[0].value) == readable
    if failed:
        assert at.expander[0].label == f"files that could not be read ({failed})"
    else:
        assert not at.expander


def _fake_activity(name: str, minutes: float, km: float) -> Activity:
    n = int(minutes * 60) + 1
    elapsed = np.arange(n, dtype=float)
    start = pd.Timestamp("2026-03-02 07:00", tz="UTC")
    samples = conform_samples(
        {
            "time": start + pd.to_timedelta(elapsed, unit="s"),
            "elapsed_s": elapsed,
            "distance_m": np.linspace(0, km * 1000, n),
            "cadence_spm": np.full(n, 170.0),
            "heart_rate_bpm": np.full(n, 150.0),
        }
    )
    return Activity(
        samples=samples,
        sport="running",
        sub_sport="generic",
        start_time=start,
        utc_offset_s=3600.0,
        device="garmin fr965",
        source_format=Path(name).suffix.lower().lstrip("."),
        file_name=name,
        file_sha256="0" * 64,
        cadence_unit="per-leg doubled",
        reader="test",
    )


def test_overview_table_metrics_and_unreadable_files(tmp_path, monkeypatch):
    """The page's own logic, with the reader replaced: athletes from folders, totals, failures listed."""
    runs = {"ana/easy.fit": (30, 5.0), "ana/long.GPX": (90, 15.0), "ben/tempo.FIT": (60, 12.0), "top.fit": (6, 1.0)}
    bad_message = "bad.fit: is neither a FIT nor a GPX activity file (its content matches neither format)"
    for rel in [*runs, "ben/bad.fit", "ben/notes.txt"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")

    def fake_read_activity(source, *, filename=None):
        rel = Path(source).relative_to(tmp_path).as_posix()
        if rel == "ben/bad.fit":
            raise InputError(
                "is neither a FIT nor a GPX activity file (its content matches neither format)", file_name="bad.fit"
            )
        minutes, km = runs[rel]
        return _fake_activity(Path(rel).name, minutes, km)

    monkeypatch.setattr(analysis.io, "read_activity", fake_read_activity)
    at = run_app(tmp_path, monkeypatch)

    assert metric(at, "Athletes") == "3"  # ana, ben, and the file with no athlete folder
    assert metric(at, "Runs") == "4"
    assert metric(at, "Total distance") == "33.0 km"
    assert metric(at, "Total time") == "3.1 h"  # 186 min
    table = at.dataframe[0].value
    assert sorted(table["file"]) == ["easy.fit", "long.GPX", "tempo.FIT", "top.fit"]
    assert dict(zip(table["file"], table["athlete"], strict=True)) == {
        "easy.fit": "ana",
        "long.GPX": "ana",
        "tempo.FIT": "ben",
        "top.fit": "(no athlete folder)",
    }
    assert at.expander[0].label == "files that could not be read (1)"
    assert [t.value for t in at.expander[0].text] == [f"ben/bad.fit\n  {bad_message}"]
    assert "notes.txt" not in str(table.to_dict())


def test_overview_says_plainly_when_there_are_no_files(tmp_path, monkeypatch):
    at = run_app(tmp_path, monkeypatch)
    assert not at.metric and not at.dataframe
    assert "There are no FIT or GPX files" in at.info[0].value


def test_sidebar_says_where_the_data_comes_from(tmp_path, monkeypatch):
    (tmp_path / "ana").mkdir()
    (tmp_path / "ana" / "run.fit").write_bytes(b"x")
    at = run_app(tmp_path, monkeypatch)
    caption = at.sidebar.caption[0].value
    assert str(tmp_path) in caption and "1 activity files in 1 athlete folders" in caption
    assert "Import page, which is not built yet" in caption
