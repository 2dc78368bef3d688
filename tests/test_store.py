"""The store and the ingest pipeline end to end: real files in, DuckDB on disk, reports out."""

from __future__ import annotations

import dataclasses
import gc
import gzip
import io
import subprocess
import sys
import threading
import weakref
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import ADMIN, REPO_ROOT, SAMPLE_DIR
from fit_fixtures import Stretch, fit_from_records, gpx_from_records, records_for, run_file
from processes import live_children

from analysis.errors import InputError
from analysis.ingest.parse import ParsedFile, parse_source
from analysis.ingest.pipeline import ingest
from analysis.ingest.sources import SourceFile
from analysis.io import read_activity
from analysis.metrics import run_metrics
from analysis.store import STORE_FILE, Store, _RunBatch

LOG_CSV = (SAMPLE_DIR / "strength_log_template.csv").read_bytes()  # names its athlete: ana
# The same log without an athlete column: entries go to the athlete named at import.
ANONYMOUS_LOG_CSV = pd.read_csv(io.BytesIO(LOG_CSV)).drop(columns="athlete").to_csv(index=False).encode()


def a_run(minutes: int = 40, speed: float = 3.0, start_hour: int = 6) -> bytes:
    from datetime import UTC, datetime

    start = datetime(2026, 3, 2, start_hour, 30, tzinfo=UTC)
    return run_file([Stretch(minutes * 30, speed), Stretch(minutes * 30, speed * 0.93, 84.0, 158)], start=start)


def corrupt(data: bytes) -> bytes:
    broken = bytearray(data)
    broken[15] = 0x01  # a reserved byte set: the CRC no longer matches and the file does not decode cleanly
    return bytes(broken)


@pytest.fixture
def store(tmp_path) -> Store:
    with Store(tmp_path / "store") as s:
        yield s


def write(folder: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def test_ingest_twice_changes_nothing(store, tmp_path):
    folder = write(tmp_path / "in", {"a.fit": a_run(), "b.fit": a_run(start_hour=17), "log.csv": LOG_CSV})
    first = ingest([folder], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    assert sorted(first["status"]) == ["imported"] * 3
    runs_before, log_before = store.runs(ADMIN), store.strength_log(ADMIN)
    second = ingest([folder], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    assert sorted(second["status"]) == ["duplicate"] * 3
    assert all("already imported" in r for r in second["reason"])
    pd.testing.assert_frame_equal(store.runs(ADMIN), runs_before)
    pd.testing.assert_frame_equal(store.strength_log(ADMIN), log_before)
    assert store.status(ADMIN).runs == 2 and len(store.imports(ADMIN)) == 6


def test_a_corrupt_file_is_reported_and_the_others_are_stored(store, tmp_path):
    folder = write(tmp_path / "in", {"good.fit": a_run(), "bad.fit": corrupt(a_run(start_hour=9)),
                                     "notes.txt": b"just some notes", "ride.fit": run_file([Stretch(2400, 8.0)],
                                                                                          sport="cycling")})
    report = ingest([folder], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    assert set(report["file"]) == {"in/good.fit", "in/bad.fit", "in/notes.txt", "in/ride.fit"}  # the folder's view
    report = report.set_index(report["file"].str.removeprefix("in/"))
    assert report.loc["good.fit", "status"] == "imported"
    assert report.loc["bad.fit", "status"] == "failed" and "checksum" in report.loc["bad.fit", "reason"]
    assert report.loc["ride.fit", "status"] == "skipped" and "cycling" in report.loc["ride.fit", "reason"]
    assert report.loc["notes.txt", "status"] == "skipped"
    assert store.status(ADMIN).runs == 1


def test_zip_with_nested_folders_a_nested_zip_and_gz_files(store, tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("DI_CONNECT/DI-Connect-Fitness/UploadedFiles_0-_Part1/run3.fit", a_run(start_hour=8))
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("export/activities/2026/run1.fit", a_run(start_hour=6))
        z.writestr("export/activities/run2.fit.gz", gzip.compress(a_run(start_hour=7)))
        z.writestr("export/garmin_part1.zip", inner.getvalue())
        z.writestr("export/strength/log.csv", LOG_CSV)
    (tmp_path / "account.zip").write_bytes(outer.getvalue())
    report = ingest([tmp_path / "account.zip"], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    assert list(report["status"]).count("imported") == 4, report[["file", "status", "reason"]]
    assert store.status(ADMIN).runs == 3
    assert any(name.endswith("run2.fit.gz") or "run2.fit" in name for name in report["file"])
    assert any("garmin_part1.zip" in name for name in report["file"])


def test_the_same_run_in_two_formats_keeps_the_richer_file(store):
    records = records_for([Stretch(2400, 3.0)], dynamics=True)
    plain = gpx_from_records(records)
    rich = fit_from_records(records)
    first = ingest([("run.gpx", plain)], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    assert list(first["status"]) == ["imported"]
    second = ingest([("run.fit", rich)], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    assert list(second["status"]) == ["imported"] and "replaced run.gpx" in second["reason"][0]
    assert list(store.runs(ADMIN)["file_name"]) == ["run.fit"]
    third = ingest([("copy.gpx", plain + b"\n")], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    assert list(third["status"]) == ["duplicate"] and "the same run as run.fit" in third["reason"][0]
    assert store.status(ADMIN).runs == 1


def test_stored_samples_give_back_the_activity_and_its_metrics(store):
    data = a_run()
    ingest([("a.fit", data)], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    activity = read_activity(data, filename="a.fit")
    stored = store.activity(ADMIN, activity.file_sha256)
    pd.testing.assert_frame_equal(stored.samples, activity.samples)
    assert stored.timer_events == activity.timer_events
    assert run_metrics(stored) == run_metrics(activity)


def test_a_changed_setting_recomputes_from_stored_samples(store):
    data = a_run(minutes=60)
    ingest([("a.fit", data)], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    before = store.runs(ADMIN)["late_start_km"].iloc[0]
    assert store.set_metric_settings(ADMIN, late_start_fraction=0.9) == 1
    after = store.runs(ADMIN).iloc[0]
    expected = run_metrics(read_activity(data), late_start_fraction=0.9)
    assert after["late_start_km"] == pytest.approx(expected.late_start_km) and after["late_start_km"] > before
    assert after["pace_decay_pct"] == pytest.approx(expected.pace_decay_pct)
    assert store.metric_settings(ADMIN).late_start_fraction == 0.9


def test_a_batch_that_fails_while_storing_leaves_the_store_as_it_was(store):
    ingest([("a.fit", a_run())], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    before = store.status(ADMIN)
    good = read_activity(a_run(start_hour=12), filename="b.fit")
    batch = [ParsedFile(name="b.fit", sha256=good.file_sha256, kind="activity", activity=good,
                        metrics=run_metrics(good)),
             ParsedFile(name="broken", sha256="x", kind="activity", activity=None)]
    with pytest.raises(AssertionError):
        store.add_batch(ADMIN, "Ana", batch)
    assert store.status(ADMIN) == before
    assert list(store.runs(ADMIN)["file_name"]) == ["a.fit"]


def test_removing_a_run_or_an_athlete_removes_all_of_it(store, tmp_path):
    folder = write(tmp_path / "in", {"a.fit": a_run(), "b.fit": a_run(start_hour=17), "log.csv": LOG_CSV})
    ingest([folder], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    ingest([("c.fit", a_run(start_hour=9))], athlete="Ben", store=store, viewer=ADMIN, workers=0)
    run_id = store.runs(ADMIN, ["Ana"])["run_id"].iloc[0]
    assert store.remove_run(ADMIN, run_id) and not store.remove_run(ADMIN, run_id)
    assert store.status(ADMIN).runs == 2
    assert store.remove_athlete(ADMIN, "ana")  # names match case-insensitively
    status = store.status(ADMIN)
    assert (status.athletes, status.runs, status.strength_entries) == (1, 1, 0)
    con = store._cursor()
    assert con.execute("SELECT count(*) FROM samples").fetchall()[0][0] == len(store.samples(ADMIN,
        store.runs(ADMIN)["run_id"].iloc[0]))
    assert set(store.imports(ADMIN)["athlete"]) == {"Ben"}


def test_reopening_after_the_process_ends_keeps_everything(tmp_path):
    folder = write(tmp_path / "in", {"a.fit": a_run(), "bad.fit": corrupt(a_run(start_hour=9)),
                                     "log.csv": ANONYMOUS_LOG_CSV, "coach.csv": LOG_CSV})
    store_dir = tmp_path / "store"
    cli = [sys.executable, "-m", "analysis"]
    done = subprocess.run([*cli, "ingest", str(folder), "--athlete", "Chloe", "--store", str(store_dir),
                           "--workers", "1"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr  # one file failed; the others are stored
    assert "bad.fit" in done.stdout and "failed" in done.stdout and "imported: 3" in done.stdout
    with Store(store_dir) as store:
        assert store.status(ADMIN).runs == 1
        athletes = store.athletes(ADMIN).set_index("athlete")
        # A log that names its athlete (a coach's file) files entries under that name.
        assert list(athletes.index) == ["Chloe", "ana"]
        assert athletes.loc["Chloe", "strength_entries"] == athletes.loc["ana", "strength_entries"] > 0
    out = tmp_path / "export"
    exported = subprocess.run([*cli, "export", "--store", str(store_dir), "--out", str(out)], cwd=REPO_ROOT,
                              capture_output=True, text=True, timeout=300)
    assert exported.returncode == 0, exported.stderr
    runs = pd.read_csv(out / "runs.csv")
    weekly = pd.read_csv(out / "weekly.csv")
    log = pd.read_csv(out / "strength_log.csv")
    assert len(runs) == 1 and "pace_decay_pct" in runs.columns and "lat_deg" not in runs.columns
    assert len(weekly) >= 1 and {"adherence", "consistency_4wk", "back_soreness"} <= set(weekly.columns)
    assert len(log) > 0 and set(log["athlete"]) == {"Chloe", "ana"}


def test_a_store_from_another_schema_version_is_refused(tmp_path):
    with Store(tmp_path) as store:
        store._cursor().execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(InputError, match="schema version 99"):
        Store(tmp_path)


def test_readers_see_consistent_data_while_an_import_runs(store, tmp_path):
    ingest([("a.fit", a_run())], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    errors: list[BaseException] = []
    seen: list[int] = []

    def reader():
        try:
            for _ in range(20):
                seen.append(len(store.runs(ADMIN)))
        except BaseException as exc:  # noqa: BLE001 - any failure in the thread must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    ingest([("b.fit", a_run(start_hour=12)), ("c.fit", a_run(start_hour=15))], athlete="Ana", store=store, viewer=ADMIN,
           workers=0)
    for t in threads:
        t.join()
    assert not errors and set(seen) <= {1, 3}  # never a half-written batch
    assert store.status(ADMIN).runs == 3


def test_the_sample_club_is_stored_with_no_failures(sample_store_dir):
    with Store(sample_store_dir) as store:
        imports = store.imports(ADMIN)
        assert (imports["status"] == "imported").all()
        assert len(store.athletes(ADMIN)) == 4 and store.athletes(ADMIN)["is_sample"].all()
        assert store.status(ADMIN).sample_club == "loaded"
        files = [p for p in SAMPLE_DIR.rglob("*") if p.is_file() and p.parent.parent != SAMPLE_DIR.parent
                 and p.parent != SAMPLE_DIR]
        assert len(imports) == len(files)


def test_the_store_file_is_a_duckdb_database(store):
    assert (store.directory / STORE_FILE).is_file()
    assert isinstance(store._con, duckdb.DuckDBPyConnection)


def test_every_write_moves_the_data_version_and_reads_do_not(tmp_path):
    with Store(tmp_path / "s") as store:
        start = store.data_version()
        store.athletes(ADMIN), store.runs(ADMIN), store.status(ADMIN)
        assert store.data_version() == start
        store.set_plan(ADMIN, {"core": 3})
        after_plan = store.data_version()
        assert after_plan > start
        store.remove_athlete(ADMIN, "nobody")  # a write transaction even when nothing matched: caches may refresh
        assert store.data_version() >= after_plan


def test_the_plan_is_stored_checked_and_survives_reopening(tmp_path):
    with Store(tmp_path / "s") as store:
        assert store.plan(ADMIN) == {"core": 2, "hip": 2}
        store.set_plan(ADMIN, {"core": 3, "mobility": 1})
        with pytest.raises(InputError, match="between 1 and 7"):
            store.set_plan(ADMIN, {"core": 9})
    with Store(tmp_path / "s") as store:
        assert store.plan(ADMIN) == {"core": 3, "mobility": 1}
        assert store.set_plan(ADMIN, None) == {"core": 2, "hip": 2}


# ----------------------------------------------------------------------------------------------------
# writing in bulk: runs are accepted in memory and written many at a time (analysis.store._RunBatch)


def parsed(name: str, data: bytes) -> ParsedFile:
    return parse_source(SourceFile(name, data, "gpx" if name.endswith(".gpx") else "fit"), athlete="Ana")


def tricky_batch() -> list[ParsedFile]:
    """Duplicates by content and by start time, in the batch and against the store, in a chosen order."""
    records = records_for([Stretch(2400, 3.0)], dynamics=True)
    return [parsed("plain.gpx", gpx_from_records(records)),  # replaced later in this batch
            parsed("other.fit", a_run(start_hour=12)),
            parsed("rich.fit", fit_from_records(records)),  # the same run with more channels
            parsed("rich-copy.fit", fit_from_records(records)),  # the same bytes: duplicate by SHA-256
            parsed("plain-again.gpx", gpx_from_records(records) + b"\n"),  # same run, fewer channels
            parsed("evening.fit", a_run(start_hour=18))]


def store_contents(store: Store) -> dict[str, pd.DataFrame]:
    cur = store._cursor()
    return {"runs": store.runs(ADMIN).drop(columns="imported_at"),
            "imports": store.imports(ADMIN).drop(columns=["imported_at", "batch_id"]),
            "samples": cur.execute("SELECT * FROM samples ORDER BY run_id, seq").df(),
            "events": cur.execute("SELECT * FROM timer_events ORDER BY run_id, time").df()}


def test_a_batch_written_run_by_run_stores_exactly_what_one_write_does(tmp_path, monkeypatch):
    results = {}
    for flush_every in (_RunBatch.FLUSH_SAMPLES, 1):  # 1: every run is written as soon as it is accepted
        monkeypatch.setattr(_RunBatch, "FLUSH_SAMPLES", flush_every)
        with Store(tmp_path / f"store-{flush_every}") as store:
            store.add_batch(ADMIN, "Ana", [parsed("evening.fit", a_run(start_hour=18))])  # stored before the batch
            report = store.add_batch(ADMIN, "Ana", tricky_batch())
            assert list(report["status"]) == ["imported", "imported", "imported", "duplicate", "duplicate",
                                              "duplicate"]
            assert "replaced plain.gpx" in report["reason"][2]
            assert report["reason"][3] == "already imported (athlete Ana, file rich.fit)"
            assert "the same run as rich.fit" in report["reason"][4]
            assert report["reason"][5].startswith("already imported (athlete Ana, file evening.fit)")
            results[flush_every] = store_contents(store)
    assert sorted(results[1]["runs"]["file_name"]) == ["evening.fit", "other.fit", "rich.fit"]
    for table, frame in results[1].items():
        pd.testing.assert_frame_equal(frame, results[_RunBatch.FLUSH_SAMPLES][table], check_exact=True, obj=table)


def test_a_run_replaced_after_it_was_written_is_deleted_with_its_samples(store, monkeypatch):
    monkeypatch.setattr(_RunBatch, "FLUSH_SAMPLES", 1)
    batch = tricky_batch()
    store.add_batch(ADMIN, "Ana", batch)
    cur = store._cursor()
    gone = batch[0].sha256
    assert cur.execute("SELECT count(*) FROM samples WHERE run_id = ?", [gone]).fetchall()[0][0] == 0
    assert cur.execute("SELECT count(*) FROM runs WHERE run_id = ?", [gone]).fetchall()[0][0] == 0
    assert store.status(ADMIN).samples == sum(len(p.activity.samples) for p in (batch[1], batch[2], batch[5]))


def test_channels_a_run_did_not_record_are_null_in_the_database(store):
    item = parsed("a.fit", a_run())
    store.add_batch(ADMIN, "Ana", [item])
    counts = store._cursor().execute(
        "SELECT count(*), count(heart_rate_bpm), count(power_w), count(*) FILTER (WHERE isnan(power_w)) "
        "FROM samples").fetchall()[0]
    assert counts == (len(item.activity.samples), len(item.activity.samples), 0, 0)  # NULL, not NaN


def test_facts_computed_by_the_reader_or_by_the_store_give_the_same_rows(tmp_path):
    item = parsed("a.fit", a_run())
    assert item.facts is not None and item.facts["fields_present"] == item.activity.fields_present
    contents = []
    for name, batch in (("with", [item]), ("without", [dataclasses.replace(item, facts=None)])):
        with Store(tmp_path / name) as store:
            store.add_batch(ADMIN, "Ana", batch)
            contents.append(store_contents(store))
    for table in contents[0]:
        pd.testing.assert_frame_equal(contents[0][table], contents[1][table], check_exact=True, obj=table)


def test_files_are_taken_one_at_a_time_and_let_go_of_once_written(store, monkeypatch):
    """A season is streamed into the store: written runs must not stay in memory until the commit
    (neither the parsed files nor the Arrow tables handed to DuckDB, which a registered view would pin)."""
    import analysis.store as store_module

    monkeypatch.setattr(_RunBatch, "FLUSH_SAMPLES", 1)
    refs: list[weakref.ref] = []
    build = store_module._samples_table

    def tracked_table(runs):
        table = build(runs)
        refs.append(weakref.ref(table))
        return table

    monkeypatch.setattr(store_module, "_samples_table", tracked_table)
    alive_when_taken: list[int] = []

    def files():
        for hour in (6, 9, 12, 15):
            item = parsed(f"{hour}.fit", a_run(start_hour=hour))
            refs.append(weakref.ref(item.activity.samples))
            yield item
            del item
            gc.collect()
            alive_when_taken.append(sum(ref() is not None for ref in refs))

    report = store.add_batch(ADMIN, "Ana", files())
    assert list(report["status"]) == ["imported"] * 4 and store.status(ADMIN).runs == 4
    assert len(refs) == 8  # one samples frame and one Arrow table per run
    assert alive_when_taken == [0, 0, 0, 0]


def test_an_error_while_the_files_come_in_stores_nothing(store):
    store.add_batch(ADMIN, "Ana", [parsed("a.fit", a_run())])
    before, version = store_contents(store), store.data_version()

    def files():
        yield parsed("b.fit", a_run(start_hour=12))
        yield parsed("c.fit", a_run(start_hour=15))
        raise KeyboardInterrupt("the user left the page")

    with pytest.raises(KeyboardInterrupt):
        store.add_batch(ADMIN, "Ana", files())
    assert store.data_version() == version
    for table, frame in store_contents(store).items():
        pd.testing.assert_frame_equal(frame, before[table], obj=table)


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs Linux /proc to list child processes")
def test_an_import_stopped_from_its_progress_bar_stores_nothing_and_leaves_no_worker(store, tmp_path):
    """The Import page stops by raising inside the progress callback, while files are still being read
    and stored (reading and storing overlap): the batch rolls back and every worker ends."""
    ingest([("a.fit", a_run())], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    before, version, workers_before = store_contents(store), store.data_version(), live_children()
    folder = write(tmp_path / "in", {f"{hour}.fit": a_run(start_hour=hour) for hour in (8, 10, 12, 14)})

    def stop_after_two(done: int, total: int, name: str) -> None:
        if done == 2:
            raise KeyboardInterrupt("the user left the page")

    with pytest.raises(KeyboardInterrupt):
        ingest([folder], athlete="Ana", store=store, viewer=ADMIN, workers=1, progress=stop_after_two)
    assert live_children() <= workers_before
    assert store.data_version() == version
    for table, frame in store_contents(store).items():
        pd.testing.assert_frame_equal(frame, before[table], obj=table)
