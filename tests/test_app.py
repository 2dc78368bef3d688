"""AppTest page tests: app.py opens the store, loads the sample club on first start, and the overview shows it."""

from __future__ import annotations

import shutil

from app_harness import metric_value, open_app
from conftest import ADMIN, SAMPLE_DIR

from analysis.store import Store


def test_overview_shows_what_the_store_holds(store_copy, monkeypatch):
    with Store(store_copy) as store:
        athletes, runs, log = store.athletes(ADMIN), store.runs(ADMIN), store.strength_log(ADMIN)
    sessions = {(a, d, t) for a, d, t in zip(log["athlete"], log["date"], log["session_type"], strict=True)
                if isinstance(t, str)}
    at = open_app(store_copy, monkeypatch)
    assert at.title[0].value == "Core & Cadence"
    assert metric_value(at, "Athletes") == str(len(athletes)) == "4"
    assert metric_value(at, "Runs") == str(len(runs))
    assert metric_value(at, "Strength sessions") == str(len(sessions))
    tables = [df.value for df in at.dataframe]
    assert len(tables[0]) == 4 and len(tables[1]) == len(runs)
    assert {"pace_decay_pct", "cadence_drift_spm", "decoupling_pct"} <= set(tables[1].columns)
    assert str(store_copy) in at.sidebar.caption[0].value
    assert "synthetic sample club" in at.markdown[0].value


def test_removing_the_sample_club_is_one_click_and_it_stays_removed(store_copy, monkeypatch):
    at = open_app(store_copy, monkeypatch)
    [button] = [b for b in at.button if b.label == "Remove the sample club"]
    button.click().run()
    assert not at.exception
    assert "No athletes in the store yet" in at.info[0].value
    again = open_app(store_copy, monkeypatch)  # a new session: the sample club is not loaded again
    assert "No athletes in the store yet" in again.info[0].value
    with Store(store_copy) as store:
        assert store.status(ADMIN).sample_club == "removed" and store.status(ADMIN).runs == 0


def test_first_start_on_an_empty_store_loads_the_sample_club(tmp_path, monkeypatch):
    small = tmp_path / "club"
    athlete = sorted(d for d in SAMPLE_DIR.iterdir() if d.is_dir())[0]
    runs = sorted((athlete / "runs").iterdir())[:2]
    (small / athlete.name / "runs").mkdir(parents=True)
    for path in runs:
        shutil.copyfile(path, small / athlete.name / "runs" / path.name)
    at = open_app(tmp_path / "store", monkeypatch, sample_dir=small)
    assert metric_value(at, "Athletes") == "1"
    assert metric_value(at, "Runs") == "2"
    with Store(tmp_path / "store") as store:
        assert store.status(ADMIN).sample_club == "loaded"
        assert store.athletes(ADMIN)["is_sample"].all()


def test_the_sidebar_dates_follow_new_data_unless_the_user_narrowed_them(store_copy, monkeypatch):
    from datetime import UTC, datetime, timedelta

    from fit_fixtures import Stretch, run_file

    from analysis.ingest.pipeline import ingest

    def add_run(day: datetime) -> None:
        with Store(store_copy) as store:
            report = ingest([(f"{day:%Y-%m-%d}.fit", run_file([Stretch(1200, 3.0)], start=day))],
                            athlete="Ana", store=store, viewer=ADMIN, workers=0)
        assert list(report["status"]) == ["imported"]

    at = open_app(store_copy, monkeypatch)
    first, last = at.session_state["date_range"]
    later = datetime(last.year + 1, 1, 5, 7, 0, tzinfo=UTC)
    add_run(later)
    at.run()
    assert at.session_state["date_range"] == (first, later.date())  # the user had everything: it widens

    narrowed = (first, first + timedelta(days=6))
    at.sidebar.date_input(key="date_range").set_value(narrowed).run()
    add_run(later.replace(year=later.year + 1))
    at.run()
    assert at.session_state["date_range"] == narrowed  # the user's own choice is kept
