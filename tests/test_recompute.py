"""Recomputing every run's metrics at scale (issue 21): batched reads of the stored samples, metrics in worker
processes, one transaction at the end. The results must be those of the one-run-at-a-time path,
`run_metrics(store._activity(run_id), settings)`, field for field; a stop part-way must change nothing and
leave no worker behind."""

from __future__ import annotations

import math
import shutil
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from conftest import ADMIN
from fit_fixtures import Stretch, fit_from_records, records_for, run_file, with_pause
from processes import live_children

from analysis.ingest.pipeline import ingest
from analysis.metrics import MetricSettings, RunMetrics, resolve_settings, run_metrics
from analysis.metrics import recompute as recompute_pool
from analysis.store import Store, _batch_samples, _sample_spans, _SampleSpan, _stored_runs


def _start(day: int) -> datetime:
    return datetime(2026, 3, 1, 6, 30, tzinfo=UTC) + timedelta(days=day)


def varied_runs() -> list[tuple[str, bytes]]:
    """Runs that take every branch the metrics have: hills, smart recording, a timer pause, running
    dynamics, missing channels, too short to be eligible."""
    steady = [Stretch(1500, 3.1), Stretch(1500, 2.9, 83.0, 160)]
    paused, stop = with_pause(records_for(steady, start=_start(3)), after=1200, seconds=240)
    return [
        ("flat.fit", run_file(steady, start=_start(0))),
        ("hills.fit", run_file([Stretch(1200, 3.0, grade=0.03), Stretch(1200, 2.7, 82.0, 162, grade=-0.03),
                                Stretch(900, 2.8, grade=0.01)], start=_start(1))),
        ("smart.fit", run_file([Stretch(2400, 3.2, interval_s=5), Stretch(1200, 2.8, 84.0, 158, interval_s=5)],
                               start=_start(2))),
        ("paused.fit", fit_from_records(paused, timer_stops=(stop,))),
        ("dynamics.fit", run_file(steady, start=_start(4), dynamics=True)),
        ("no_cadence.fit", run_file([Stretch(2000, 3.0, None, 150), Stretch(1400, 2.8, None, 165)],
                                    start=_start(5), altitude_m=None)),
        ("no_heart.fit", run_file([Stretch(2000, 3.0, 85.0, None), Stretch(1400, 2.8, 84.0, None)],
                                  start=_start(6))),
        ("short.fit", run_file([Stretch(600, 3.0)], start=_start(7))),
    ]


@pytest.fixture(scope="module")
def club_dir(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("recompute_club")
    with Store(folder) as store:
        runs = varied_runs()
        report = ingest(runs[:5], athlete="Ana", store=store, viewer=ADMIN, workers=0)
        report2 = ingest(runs[5:], athlete="Ben", store=store, viewer=ADMIN, workers=0)
        assert (report["status"] == "imported").all() and (report2["status"] == "imported").all()
    return str(folder)


@pytest.fixture
def store(club_dir, tmp_path):
    shutil.copytree(club_dir, tmp_path / "store")
    with Store(tmp_path / "store") as s:
        yield s


@pytest.fixture
def small_batches(monkeypatch):
    """Two runs a batch, so eight runs make four batches and both workers get some."""
    monkeypatch.setattr(recompute_pool, "BATCH_RUNS", 2)


def assert_same_metrics(got: RunMetrics, expected: RunMetrics) -> None:
    for name, value in expected.as_dict().items():
        other = getattr(got, name)
        if isinstance(value, float) and math.isnan(value):
            assert isinstance(other, float) and math.isnan(other), name
        else:
            assert other == value, name


def stored_metrics(store: Store) -> dict[str, RunMetrics]:
    """Each run's metrics as the store holds them (NULL back to NaN), as RunMetrics."""
    runs = store.runs(ADMIN).set_index("run_id")
    out = {}
    for run_id, row in runs.iterrows():
        values = {}
        for name in RunMetrics.field_names():
            value = row[name]
            values[name] = float("nan") if value is None or (not isinstance(value, str) and pd.isna(value)) \
                else (bool(value) if name == "eligible" else value)
        out[run_id] = RunMetrics(**values)
    return out


NEW = {"late_start_fraction": 0.8, "warmup_end_fraction": 0.15, "min_coverage": 0.9}


@pytest.mark.parametrize("workers", [0, 2])
def test_recompute_gives_the_one_run_at_a_time_metrics_field_for_field(store, small_batches, workers):
    settings = resolve_settings(**NEW)
    expected = {run_id: run_metrics(store._activity(run_id), settings) for run_id in store.runs(ADMIN)["run_id"]}
    assert len(expected) == 8
    assert sum(m.eligible for m in expected.values()) >= 5
    assert store.set_metric_settings(ADMIN, workers=workers, **NEW) == 8
    assert store.metric_settings(ADMIN) == settings
    got = stored_metrics(store)
    assert set(got) == set(expected)
    for run_id, metrics in expected.items():
        # stored values went through the database: NaN as NULL and back, so compare with what it stores
        assert_same_metrics(got[run_id], metrics)
    assert live_children() == set()


def test_workers_compute_what_this_process_computes(store, small_batches):
    """The pool's RunMetrics themselves (before the database), for every batch and run."""
    settings = resolve_settings(**NEW)
    with store._snapshot() as cur:
        spans = _sample_spans(cur)
        groups, first = [], 0
        for group in recompute_pool.batches([(s.run_id, s.count) for s in spans]):
            groups.append(spans[first:first + len(group)])
            first += len(group)
        assert len(groups) == 4
        batches = [_stored_runs(cur, group) for group in groups]
    pooled = {run_id: m for pairs in recompute_pool.metrics_of(batches, settings, workers=2) for run_id, m in pairs}
    serial = {run_id: run_metrics(store._activity(run_id), settings) for run_id in pooled}
    assert len(pooled) == 8
    for run_id, metrics in serial.items():
        assert_same_metrics(pooled[run_id], metrics)
    assert live_children() == set()


def test_each_batch_is_read_as_store_activity_reads_a_run(store, small_batches):
    with store._snapshot() as cur:
        spans = _sample_spans(cur)
        batch = _stored_runs(cur, spans)
    for i, run_id in enumerate(batch.run_ids):
        one, built = store._activity(run_id), batch.activity(i)
        pd.testing.assert_frame_equal(built.samples, one.samples)
        for field in ("sport", "sub_sport", "start_time", "utc_offset_s", "device", "source_format", "file_name",
                      "file_sha256", "cadence_unit", "reader", "timer_events", "warnings"):
            assert getattr(built, field) == getattr(one, field), field
    assert any(batch.events), "the paused run's timer events travel with it"


def test_runs_not_stored_together_are_read_by_their_ids(store):
    """The rowid-range read is for runs stored one after another; otherwise the join on run ids gives the same."""
    with store._snapshot() as cur:
        spans = _sample_spans(cur)
        assert all(span.contiguous for span in spans)
        ranged = _batch_samples(cur, spans[2:6])
        unknown_places = [_SampleSpan(span.run_id) for span in reversed(spans[2:6])]
        joined = _batch_samples(cur, unknown_places)
    time_ns, channels, offsets = ranged
    counts = np.diff(offsets)
    back_time, back_channels, back_offsets = joined
    assert list(np.diff(back_offsets)) == list(reversed(counts))
    # the same runs, in the order asked for
    for k in range(4):
        a = slice(offsets[k], offsets[k + 1])
        j = 3 - k
        b = slice(back_offsets[j], back_offsets[j + 1])
        np.testing.assert_array_equal(time_ns[a], back_time[b])
        for name, values in channels.items():
            np.testing.assert_array_equal(values[a], back_channels[name][b])


def test_progress_counts_runs_and_readers_see_the_old_metrics_until_the_commit(store, small_batches):
    before = store.runs(ADMIN)
    calls = []

    def progress(done, total, run_id):
        calls.append((done, total, run_id))
        if done == 3:
            pd.testing.assert_frame_equal(store.runs(ADMIN), before)
            assert store.metric_settings(ADMIN) == MetricSettings()

    assert store.set_metric_settings(ADMIN, late_start_fraction=0.8, workers=2, progress=progress) == 8
    assert [(done, total) for done, total, _ in calls] == [(n, 8) for n in range(1, 9)]
    assert {run_id for _, _, run_id in calls} == set(before["run_id"])
    assert not store.runs(ADMIN)["late_start_km"].equals(before["late_start_km"])


def test_a_stop_part_way_changes_nothing_and_leaves_no_worker(store, small_batches):
    before = store.runs(ADMIN)
    version = store.data_version()
    seen = []

    def stop_mid_way(done, total, run_id):
        seen.append(live_children())
        if done == 3:
            raise KeyboardInterrupt("the user navigated away")

    with pytest.raises(KeyboardInterrupt):
        store.set_metric_settings(ADMIN, late_start_fraction=0.8, workers=2, progress=stop_mid_way)
    assert len(seen[0]) == 2, "the recompute ran in two worker processes"
    assert live_children() == set()
    assert store.metric_settings(ADMIN) == MetricSettings()
    assert store.data_version() == version
    pd.testing.assert_frame_equal(store.runs(ADMIN), before)


def test_a_worker_that_dies_fails_the_recompute_and_changes_nothing(store, small_batches):
    import os
    import signal

    before = store.runs(ADMIN)

    def kill_workers(done, total, run_id):
        if done == 1:
            for pid in live_children():
                os.kill(pid, signal.SIGKILL)

    with pytest.raises(RuntimeError, match="stopped unexpectedly"):
        store.set_metric_settings(ADMIN, late_start_fraction=0.8, workers=2, progress=kill_workers)
    assert live_children() == set()
    assert store.metric_settings(ADMIN) == MetricSettings()
    pd.testing.assert_frame_equal(store.runs(ADMIN), before)


def test_a_run_imported_during_the_recompute_gets_the_new_settings_too(store, small_batches):
    late = run_file([Stretch(1500, 3.0), Stretch(1500, 2.8, 84.0, 158)], start=_start(20))

    def import_meanwhile(done, total, run_id):
        if done == 1:  # an import commits while the recompute computes (it holds no lock until its commit)
            ingest([("late.fit", late)], athlete="Ana", store=store, viewer=ADMIN, workers=0)

    assert store.set_metric_settings(ADMIN, late_start_fraction=0.85, workers=0, progress=import_meanwhile) == 9
    settings = store.metric_settings(ADMIN)
    got = stored_metrics(store)
    for run_id in got:
        assert_same_metrics(got[run_id], run_metrics(store._activity(run_id), settings))


def test_the_store_chooses_this_process_for_a_small_store():
    assert recompute_pool.workers_for(8, 4, None) == 0
    assert recompute_pool.workers_for(5000, 3, 8) == 3  # never more workers than batches
    assert recompute_pool.workers_for(5000, 30, 0) == 0
    with pytest.raises(ValueError):
        recompute_pool.workers_for(5000, 30, -1)


def test_batches_close_at_the_sample_or_run_limit():
    runs = [("a", 100), ("b", 100), ("c", 250), ("d", 10), ("e", 0)]
    assert recompute_pool.batches(runs, max_samples=250, max_runs=10) == [["a", "b"], ["c"], ["d", "e"]]
    assert recompute_pool.batches(runs, max_samples=10_000, max_runs=2) == [["a", "b"], ["c", "d"], ["e"]]
    assert recompute_pool.batches([("big", 10_000)], max_samples=5, max_runs=5) == [["big"]]
    assert recompute_pool.batches([]) == []


def test_recompute_of_an_empty_store_writes_the_settings(tmp_path):
    with Store(tmp_path / "empty") as store:
        assert store.set_metric_settings(ADMIN, late_start_fraction=0.8) == 0
        assert store.metric_settings(ADMIN).late_start_fraction == 0.8
        assert store.recompute(ADMIN, workers=2) == 0
    assert live_children() == set()


def test_the_cli_recompute_draws_a_progress_bar_in_runs(club_dir, tmp_path, capsys, monkeypatch):
    import sys

    from analysis.cli import main

    shutil.copytree(club_dir, tmp_path / "store")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # the bar is drawn on a terminal only
    assert main(["recompute", "--store", str(tmp_path / "store"), "--set", "late_start_fraction=0.8"]) == 0
    captured = capsys.readouterr()
    assert "recomputed the metrics of 8 runs from stored samples in" in captured.out
    assert "recomputing [" in captured.err and "8/8" in captured.err and captured.err.endswith("\n")
    with Store(tmp_path / "store") as store:
        assert store.metric_settings(ADMIN).late_start_fraction == 0.8


def test_samples_stored_out_of_order_or_interleaved_still_give_the_same_metrics(store, small_batches):
    """The rowid-range read trusts nothing it does not check: a run written backwards (seq descending) and a
    run whose samples are split around another run's are read in seq order all the same."""
    ids = list(store.runs(ADMIN)["run_id"])
    backwards, split, between = ids[0], ids[1], ids[2]
    with store._transaction() as tx:
        tx.execute("CREATE TEMP TABLE moved AS SELECT * FROM samples WHERE run_id IN (?, ?, ?)",
                   [backwards, split, between])
        tx.execute("DELETE FROM samples WHERE run_id IN (?, ?, ?)", [backwards, split, between])
        tx.execute("INSERT INTO samples SELECT * FROM moved WHERE run_id = ? ORDER BY seq DESC", [backwards])
        tx.execute("INSERT INTO samples SELECT * FROM moved WHERE run_id = ? AND seq < 500 ORDER BY seq", [split])
        tx.execute("INSERT INTO samples SELECT * FROM moved WHERE run_id = ? ORDER BY seq", [between])
        tx.execute("INSERT INTO samples SELECT * FROM moved WHERE run_id = ? AND seq >= 500 ORDER BY seq", [split])
        tx.execute("DROP TABLE moved")
    with store._snapshot() as cur:
        spans = {span.run_id: span for span in _sample_spans(cur)}
    assert spans[backwards].contiguous and not spans[split].contiguous
    settings = resolve_settings(late_start_fraction=0.8)
    expected = {run_id: run_metrics(store._activity(run_id), settings) for run_id in ids}
    assert store.set_metric_settings(ADMIN, late_start_fraction=0.8, workers=2) == len(ids)
    got = stored_metrics(store)
    for run_id in ids:
        assert_same_metrics(got[run_id], expected[run_id])


def test_where_no_worker_can_start_the_runs_are_computed_here(store, small_batches, monkeypatch):
    import sys

    settings = resolve_settings(late_start_fraction=0.8)
    expected = {run_id: run_metrics(store._activity(run_id), settings) for run_id in store.runs(ADMIN)["run_id"]}
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    assert store.set_metric_settings(ADMIN, late_start_fraction=0.8, workers=2) == 8
    assert live_children() == set()
    got = stored_metrics(store)
    for run_id, metrics in expected.items():
        assert_same_metrics(got[run_id], metrics)
