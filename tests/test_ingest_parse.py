"""parse_source / parse_all: kinds and reasons per file, input order, progress, and the worker pool's guards.

Pool tests start real worker processes (about a second each to import pandas), so there are only three.
`_troublesome_parser` is the test hook: a top-level function the workers import from this module (they
receive the parent's sys.path) that hangs, crashes or eats memory for files named so.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from fit_fixtures import Stretch, gpx_from_records, records_for, run_file
from processes import live_children

from analysis.ingest.parse import MEMORY_REASON, ParsedFile, parse_all, parse_iter, parse_source
from analysis.ingest.sources import Skipped, SourceFile, expand_sources
from analysis.io.source import sha256_hex

REPO = Path(__file__).resolve().parent.parent
RUN = run_file([Stretch(2400, 3.0)])  # 40 min at 3 m/s: long enough for fatigue metrics
SHORT_RUN_GPX = gpx_from_records(records_for([Stretch(600, 3.2)]))
RIDE = run_file([Stretch(2400, 8.0, cadence_per_leg=None)], sport="cycling")
# A reserved byte of the first definition set, CRCs left stale: the checksum does not match and the file does
# not decode cleanly, so it is refused (a wrong CRC alone, with a clean decode, is read with a warning).
CORRUPT = RUN[:15] + b"\x01" + RUN[16:]
TEMPLATE = (REPO / "sample_data" / "strength_log_template.csv").read_bytes()
BAD_LOG = b"date,exercise,sets\n2026-09-07,Dead bug,three\n"


def batch() -> list[SourceFile | Skipped]:
    return [
        SourceFile("export.zip/run.fit", RUN, "fit"),
        SourceFile("export.zip/broken.fit", CORRUPT, "fit"),
        SourceFile("ride.fit", RIDE, "fit"),
        SourceFile("logs/strength.txt", TEMPLATE, "strength_csv"),
        Skipped("photo.jpg", "not an activity or strength log (looks like a JPEG image)"),
        SourceFile("short.gpx", SHORT_RUN_GPX, "gpx"),
    ]


def check_batch(results: list[ParsedFile]) -> None:
    assert [r.name for r in results[:6]] == [s.name for s in batch()]
    run, broken, ride, log, photo, short = results[:6]
    assert run.kind == "activity" and run.reason == ""
    assert run.metrics is not None and run.metrics.eligible
    assert run.activity is not None and run.activity.file_name == "export.zip/run.fit"
    assert run.sha256 == sha256_hex(RUN) == run.activity.file_sha256
    assert [stage for stage, _ in run.stage_seconds] == ["read", "metrics"]
    assert all(0 <= seconds <= run.seconds for _, seconds in run.stage_seconds)
    assert run.facts is not None and run.facts["fields_present"] == run.activity.fields_present
    assert run.facts["summary"] == run.activity.summary()
    assert broken.kind == "failed" and "checksum does not match" in broken.reason
    assert not broken.reason.startswith("export.zip")  # the name is a field of its own
    assert broken.message.startswith("export.zip/broken.fit: is damaged")
    assert ride.kind == "skipped" and ride.reason == "not a run: cycling"
    assert ride.activity is not None and ride.metrics is None
    assert log.kind == "strength" and log.strength_log is not None and len(log.strength_log) > 0
    assert set(log.strength_log["athlete"]) == {"ana"}
    assert log.strength_log.attrs["file_name"] == "logs/strength.txt"
    assert log.warnings == tuple(log.strength_log.attrs["warnings"])
    assert photo.kind == "skipped" and photo.sha256 == "" and "JPEG" in photo.reason
    assert short.kind == "activity" and short.metrics is not None and not short.metrics.eligible


# ----------------------------------------------------------------------------------------------------
# one file, in this process


def test_parse_source_kinds_and_reasons() -> None:
    check_batch([parse_source(s, athlete="ana") for s in batch()])


def test_strength_errors_name_the_file_and_rows() -> None:
    result = parse_source(SourceFile("export.zip/logs/strength.csv", BAD_LOG, "strength_csv"), athlete="ana")
    assert result.kind == "failed"
    assert result.reason.startswith("1 problem found")
    assert "row 2, column 'sets': 'three' is not a number" in result.reason
    assert result.message.startswith("export.zip/logs/strength.csv: 1 problem found")


def test_a_strength_log_without_athlete_needs_one() -> None:
    log = b"date,exercise,sets,reps\n2026-09-07,Dead bug,3,10\n"
    assert parse_source(SourceFile("log.csv", log, "strength_csv"), athlete="ben").kind == "strength"
    missing = parse_source(SourceFile("log.csv", log, "strength_csv"))
    assert missing.kind == "failed" and "athlete" in missing.reason


def test_unexpected_errors_become_internal_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    import analysis.ingest.parse as parse

    def broken_metrics(*args, **kwargs):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(parse, "run_metrics", broken_metrics)
    result = parse_source(SourceFile("run.fit", RUN, "fit"))
    assert result.kind == "failed"
    assert result.reason == "could not be read (internal error: ZeroDivisionError: float division by zero)"
    assert result.sha256 == sha256_hex(RUN)


def test_parse_all_in_process_keeps_order_and_reports_progress() -> None:
    calls: list[tuple[int, int, str]] = []
    results = parse_all(batch(), athlete="ana", workers=0, progress=lambda *a: calls.append(a))
    check_batch(results)
    assert len(calls) == 6 and calls[-1][:2] == (6, 6)
    assert [c[0] for c in calls] == [1, 2, 3, 4, 5, 6]


def test_parse_iter_reads_each_file_when_it_is_asked_for() -> None:
    calls: list[tuple[int, int, str]] = []
    results = parse_iter(batch(), athlete="ana", workers=0, progress=lambda *a: calls.append(a))
    assert calls == []  # nothing is read before the first result is taken
    taken = []
    for result in results:
        taken.append(result)
        assert len(calls) == len(taken)  # one file read per result taken, in input order
    check_batch(taken)


def test_parse_iter_checks_its_arguments_at_the_call() -> None:
    with pytest.raises(ValueError, match="workers"):
        parse_iter([], workers=-1)


def test_expanded_sample_files_parse(tmp_path: Path) -> None:
    """expand_sources feeds parse_all directly (a zip of a run, a gzip GPX and the template)."""
    import gzip
    import zipfile

    with zipfile.ZipFile(tmp_path / "export.zip", "w") as archive:
        archive.writestr("activities/1.fit", RUN)
        archive.writestr("activities/2.gpx.gz", gzip.compress(SHORT_RUN_GPX))
        archive.writestr("strength.csv", TEMPLATE)
    results = parse_all(expand_sources([tmp_path / "export.zip"]), athlete="ana", workers=0)
    assert [(r.name, r.kind) for r in results] == [
        ("export.zip/activities/1.fit", "activity"),
        ("export.zip/activities/2.gpx.gz", "activity"),
        ("export.zip/strength.csv", "strength"),
    ]
    assert results[1].sha256 == sha256_hex(SHORT_RUN_GPX)  # identity of the content, not of the .gz


# ----------------------------------------------------------------------------------------------------
# the worker pool (real processes)


def test_bad_arguments_are_refused_before_any_worker_starts() -> None:
    with pytest.raises(TypeError, match="picklable"):
        parse_all([SourceFile("run.fit", RUN, "fit")], workers=1, parser=lambda source, **kw: parse_source(source))
    with pytest.raises(ValueError, match="workers"):
        parse_all([], workers=-1)
    with pytest.raises(ValueError, match="timeout_s"):
        parse_all([], workers=1, timeout_s=0)
    assert parse_all([], workers=2) == []


def _troublesome_parser(source, *, athlete=None, settings=None) -> ParsedFile:
    """Test hook run inside the workers: misbehaves for files named so, else the real parser."""
    name = getattr(source, "name", "")
    if "hang" in name:
        time.sleep(3600)
    if "crash" in name:
        os.kill(os.getpid(), signal.SIGKILL)
    if "hog" in name:
        hog = bytearray(1024**3)  # 1 GiB, above the test's 256 MiB limit
        return ParsedFile(name, "", "failed", reason=f"allocated {len(hog)} bytes: the memory limit is missing")
    if "raise" in name:
        raise RuntimeError("parser bug")
    return parse_source(source, athlete=athlete, settings=settings)


def test_parse_all_in_workers_survives_hangs_crashes_and_memory_hogs() -> None:
    trouble = [
        SourceFile("hang.fit", RUN, "fit"),
        SourceFile("crash.fit", RUN, "fit"),
        SourceFile("hog.fit", RUN, "fit"),
        SourceFile("raise.fit", RUN, "fit"),
    ]
    sources = batch() + trouble + [SourceFile("after.fit", RUN, "fit")]
    calls: list[tuple[int, int, str]] = []
    started = time.monotonic()
    results = parse_all(sources, athlete="ana", workers=2, timeout_s=4.0, parser=_troublesome_parser,
                        memory_limit_bytes=256 * 1024**2, progress=lambda *a: calls.append(a))
    elapsed = time.monotonic() - started

    assert [r.name for r in results] == [s.name for s in sources]
    check_batch(results)
    hang, crash, hog, raised, after = results[6:]
    assert hang.kind == "failed"
    assert hang.reason == "took longer than 4 s to read; the file may be damaged or hostile"
    assert hang.sha256 == sha256_hex(RUN)
    assert crash.kind == "failed" and "stopped the file reader" in crash.reason
    if Path("/proc/self/statm").is_file():  # the address-space limit is applied where Linux reports the size
        assert hog.kind == "failed" and hog.reason == MEMORY_REASON
    assert raised.kind == "failed" and raised.reason == "could not be read (internal error: RuntimeError: parser bug)"
    assert after.kind == "activity"  # the batch went on after all of that
    assert len(calls) == len(sources) and calls[-1][:2] == (len(sources), len(sources))
    assert sorted(c[0] for c in calls) == list(range(1, len(sources) + 1))
    assert elapsed < 60, "a hung file must not hold up the batch for long"


def test_files_sent_ahead_to_a_worker_that_then_hangs_or_crashes_are_read_by_another() -> None:
    """One worker: each small file is sent while the one before is being read, so a file waits in the pipe
    of a worker that then crashes or hangs; it must go back to the queue, not fail with it."""
    sources = [SourceFile("crash.fit", RUN, "fit"), SourceFile("next.fit", RUN, "fit"),
               SourceFile("hang.fit", RUN, "fit"), SourceFile("last.fit", RUN, "fit")]
    results = parse_all(sources, workers=1, timeout_s=3.0, parser=_troublesome_parser)
    assert [r.kind for r in results] == ["failed", "activity", "failed", "activity"]
    assert "stopped the file reader" in results[0].reason
    assert results[2].reason == "took longer than 3 s to read; the file may be damaged or hostile"


def test_only_a_file_that_fits_the_pipe_is_sent_ahead() -> None:
    from collections import deque

    from analysis.ingest.parse import _Worker

    worker = _Worker.__new__(_Worker)  # no process: only the rule is under test
    worker.state, worker.queue, worker.pipe_bytes = "busy", deque([0]), 1024 * 1024
    small, large = SourceFile("a.fit", bytes(100_000), "fit"), SourceFile("b.gpx", bytes(600_000), "gpx")
    assert worker.can_take(small) and not worker.can_take(large)
    worker.queue.append(1)
    assert not worker.can_take(small)  # one file waiting is enough
    worker.queue, worker.pipe_bytes = deque([0]), 0  # a pipe whose size is unknown
    assert not worker.can_take(small)
    worker.state, worker.queue = "idle", deque()
    assert worker.can_take(large)  # an idle worker takes anything: it is waiting to read it
    worker.state = "starting"
    assert not worker.can_take(small)


def test_parse_all_in_workers_matches_in_process_results() -> None:
    sources = [SourceFile(f"run{i}.fit", RUN, "fit") for i in range(3)] + [
        SourceFile("short.gpx", SHORT_RUN_GPX, "gpx"),
        SourceFile("log.csv", TEMPLATE, "strength_csv"),
    ]
    pooled = parse_all(sources, athlete="ana", workers=2)
    local = parse_all(sources, athlete="ana", workers=0)
    for a, b in zip(pooled, local, strict=True):
        assert (a.name, a.kind, a.sha256, a.reason) == (b.name, b.kind, b.sha256, b.reason)
        if a.metrics is not None:
            assert a.metrics.as_dict() == pytest.approx(b.metrics.as_dict(), nan_ok=True)
        if a.strength_log is not None:
            assert a.strength_log.equals(b.strength_log)
            assert a.strength_log.attrs == b.strength_log.attrs


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs Linux /proc to list child processes")
def test_an_exception_from_progress_stops_the_batch_and_its_workers() -> None:
    """Streamlit stops a script run by raising inside a callback: no worker may be left behind."""
    before = live_children()

    def stop(done: int, total: int, name: str) -> None:
        raise KeyboardInterrupt("stop")

    sources = [SourceFile("run.fit", RUN, "fit"), SourceFile("hang.fit", RUN, "fit")]
    with pytest.raises(KeyboardInterrupt):
        parse_all(sources, workers=2, parser=_troublesome_parser, progress=stop)
    assert live_children() <= before


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs Linux /proc to list child processes")
def test_a_consumer_that_stops_early_stops_the_workers() -> None:
    """The store takes results from parse_iter; if it stops (an error while storing), no worker is left."""
    before = live_children()
    sources = [SourceFile("run.fit", RUN, "fit"), SourceFile("hang.fit", RUN, "fit"), SourceFile("b.fit", RUN, "fit")]
    results = parse_iter(sources, workers=2, parser=_troublesome_parser)
    first = next(results)
    assert first.name == "run.fit" and first.kind == "activity"
    assert len(live_children() - before) >= 1  # the workers are running (one is stuck on hang.fit)
    results.close()
    assert live_children() <= before


# ----------------------------------------------------------------------------------------------------
# skip_bad_rows: the import's choice to read a strength log without its bad rows

STRONG_HEADER = (b"Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,"
                 b"Workout Notes,RPE\n")  # as the Strong app writes it
STRONG_ROWS = [
    b"2026-01-08 07:31:54,Core,45m,Plank,1,0,0,0,60,,,",
    b"2026-01-08 07:31:54,Core,45m,Dead Bug,1,heavy,10,0,0,,,",  # row 3: the weight is not a number
    b"2026-01-08 07:31:54,Core,45m,Glute Bridge,1,10,12,0,0,,,",
    b"2026-01-10 07:30:00,Core,40m,Side Plank,1,0,0,0,45,,,",
    b"2026-01-10 07:30:00,Core,40m,Bird Dog,1,0,-8,0,0,,,",  # row 6: negative reps
]
STRONG_WITH_BAD_ROWS = STRONG_HEADER + b"\n".join(STRONG_ROWS) + b"\n"


def test_a_strength_log_with_bad_rows_is_refused_by_default_with_a_hint() -> None:
    from analysis.ingest.parse import GOOD_ROWS_HINT

    result = parse_source(SourceFile("strong.csv", STRONG_WITH_BAD_ROWS, "strength_csv"), athlete="ana")
    assert result.kind == "failed" and result.strength_log is None
    assert "row 3, column 'Weight'" in result.reason and "row 6, column 'Reps'" in result.reason
    assert result.reason.endswith("\n" + GOOD_ROWS_HINT)  # the other rows can be imported: say how


def test_skip_bad_rows_imports_the_good_rows_and_names_the_rows_left_out() -> None:
    source = SourceFile("strong.csv", STRONG_WITH_BAD_ROWS, "strength_csv")
    result = parse_source(source, athlete="ana", skip_bad_rows=True)
    assert result.kind == "strength", result.reason
    log = result.strength_log
    assert list(log["exercise"]) == ["Plank", "Glute Bridge", "Side Plank"]
    assert list(log["source_row"]) == [2, 4, 5]
    assert [(row, column) for row, column, _ in result.skipped_rows] == [(3, "Weight"), (6, "Reps")]
    assert "heavy" in result.skipped_rows[0][2]
    [left_out] = [w for w in result.warnings if "left out (bad values)" in w]
    assert left_out.startswith("2 rows left out (bad values)")
    assert "row 3, column 'Weight'" in left_out and "row 6, column 'Reps'" in left_out
    assert not any("Only these rows are wrong" in w for w in result.warnings)


def test_skip_bad_rows_travels_to_the_worker_processes() -> None:
    sources = [SourceFile("strong.csv", STRONG_WITH_BAD_ROWS, "strength_csv"), SourceFile("run.fit", RUN, "fit")]
    pooled = parse_all(sources, athlete="ana", workers=1, skip_bad_rows=True)
    local = parse_all(sources, athlete="ana", workers=0, skip_bad_rows=True)
    assert [r.kind for r in pooled] == ["strength", "activity"]
    assert pooled[0].skipped_rows == local[0].skipped_rows and len(pooled[0].skipped_rows) == 2
    assert pooled[0].strength_log.equals(local[0].strength_log) and len(pooled[0].strength_log) == 3
    refused = parse_all(sources[:1], athlete="ana", workers=1)  # the default in the workers: refused
    assert refused[0].kind == "failed" and "row 3" in refused[0].reason


def test_problems_of_the_whole_file_still_refuse_it_and_get_no_hint() -> None:
    from analysis.ingest.parse import GOOD_ROWS_HINT

    no_date = b"exercise,sets,reps\nDead bug,3,10\nPlank,three,1\n"
    ambiguous = b"date,exercise,sets\n03/04/2026,Dead bug,3\n05/06/2026,Plank,2\n"  # day/month never settled
    for data in (no_date, ambiguous):
        for skip in (False, True):
            result = parse_source(SourceFile("log.csv", data, "strength_csv"), athlete="ana", skip_bad_rows=skip)
            assert result.kind == "failed" and "internal error" not in result.reason, result.reason
            assert GOOD_ROWS_HINT not in result.reason


def test_no_hint_when_no_row_is_good() -> None:
    from analysis.ingest.parse import GOOD_ROWS_HINT

    every_row_bad = STRONG_HEADER + b"\n".join([STRONG_ROWS[1], STRONG_ROWS[4]]) + b"\n"
    result = parse_source(SourceFile("strong.csv", every_row_bad, "strength_csv"), athlete="ana")
    assert result.kind == "failed" and "row 2, column 'Weight'" in result.reason
    assert GOOD_ROWS_HINT not in result.reason


def test_skip_bad_rows_does_not_touch_runs_or_good_logs() -> None:
    for skip in (False, True):
        run = parse_source(SourceFile("run.fit", RUN, "fit"), skip_bad_rows=skip)
        assert run.kind == "activity" and run.skipped_rows == ()
        log = parse_source(SourceFile("log.csv", TEMPLATE, "strength_csv"), skip_bad_rows=skip)
        assert log.kind == "strength" and log.skipped_rows == ()
        assert not any("left out (bad values)" in w for w in log.warnings)


def test_skip_bad_rows_needs_the_default_parser() -> None:
    with pytest.raises(ValueError, match="skip_bad_rows works with the default parser"):
        parse_all([SourceFile("run.fit", RUN, "fit")], workers=0, parser=_troublesome_parser, skip_bad_rows=True)
