"""Parse expanded sources into activities (with their metrics) and strength logs, in parallel and safely.

`parse_source` reads one `SourceFile` and never raises. `parse_all` reads a batch in worker processes
with a per-file wall-clock timeout, CPU-time and memory limits (DESIGN.md §7: one hostile or broken file
must not freeze the server), keeping the results in input order and reporting progress per file.
`parse_iter` is the same as a generator, so the store can take each file while the next are read.

Workers are fresh Python interpreters started with `subprocess` (see `analysis.ingest._worker` for why not
`multiprocessing`), `min(workers, files)` of them, each reused for many files because starting one costs
about half a second (importing pandas and the readers). A worker whose file exceeds the timeout is killed
and replaced; a worker that dies (memory limit, crash) costs only the file it was reading: a file that was
waiting in its pipe (a small file is sent while the one before is read, so the worker never waits for the
parent) goes to another worker.

`workers=0` parses in this process, one file after another, with no timeout and no limits: the simplest
path for debugging and for tests that do not exercise the pool. Any `workers >= 1` uses the pool, so a
single worker still gets the timeout and the limits.
"""

from __future__ import annotations

import functools
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pandas as pd

from analysis import privacy
from analysis.errors import InputError
from analysis.ingest import _worker
from analysis.ingest.sources import Skipped, SourceFile
from analysis.io.activity import Activity
from analysis.io.read import read_activity
from analysis.io.source import sha256_hex
from analysis.io.strength import read_strength_log
from analysis.metrics import MetricSettings, RunMetrics, run_metrics

RUNNING = "running"  # Activity.sport of a run (the readers' and run_metrics' word)
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_LIMIT_BYTES = 2 * 1024**3  # per worker, beyond what its libraries take after import
WORKER_START_TIMEOUT_S = 120.0  # importing pandas on a busy machine can take several seconds
PIPE_BUFFER_BYTES = 1024 * 1024  # Linux's default ceiling for an unprivileged process (fs.pipe-max-size)
PIPE_FRAME_SLACK_BYTES = 64 * 1024  # the task's pickle around the file's bytes, and page rounding in the pipe
MAX_START_FAILURES = 3  # workers in a row that die before they are ready: the pool cannot work here
MEMORY_REASON = "needed more memory than one file may use while being read; the file may be damaged or hostile"
# Ends the reason of a strength log refused only for bad rows whose other rows can be imported (the Import page
# and the CLI look for it to offer the choice that imports them).
GOOD_ROWS_HINT = ("Only these rows are wrong: the other rows can be imported without them (Import page: "
                  "tick \"Import the good rows of a strength log that has bad rows\"; command line: "
                  "ingest --skip-bad-rows).")


@dataclass(frozen=True, eq=False)
class ParsedFile:
    """What one file turned out to be.

    `kind` is `"activity"` (a run: `activity` and `metrics` set), `"strength"` (`strength_log` set, with
    its `warnings` and `unrecognised_exercises` copied out of `DataFrame.attrs` so they do not depend on
    attrs surviving a pickle), `"skipped"` (not something to import: `reason` says why; a non-running
    activity keeps its `activity` for the report) or `"failed"` (could not be read: `reason` says why).

    `reason` is a sentence for a runner and never starts with the file name (the report shows `name`
    beside it; `message` joins the two). `sha256` is of the bytes read (decompressed when the file came
    as `.gz`), "" for a file that was skipped before it was read. `seconds` is the wall-clock parse time;
    `stage_seconds` splits it for an activity: `("read", s)` (decode to an `Activity`) and `("metrics", s)`
    (`run_metrics` and `facts`), for benchmarks/ingest.py. `warnings` are the activity's or strength log's
    warnings. `skipped_rows` (strength logs read with `skip_bad_rows`): the `(row, column, text)` of each
    problem whose row was left out, copied out of `attrs["skipped_rows"]` like the warnings. `facts` (runs
    only) holds what the store's report and runs row need from a pass over the samples
    (`Activity.summary()`, `fields_present`, `sample_interval_s`): computed here, in the worker processes,
    because the store is one process writing every file and these cost it half its time per run.
    """

    name: str
    sha256: str
    kind: str
    reason: str = ""
    activity: Activity | None = None
    metrics: RunMetrics | None = None
    strength_log: pd.DataFrame | None = None
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()
    unrecognised_exercises: tuple[str, ...] = ()
    skipped_rows: tuple[tuple[Any, ...], ...] = ()
    stage_seconds: tuple[tuple[str, float], ...] = ()
    facts: dict[str, Any] | None = None

    @property
    def message(self) -> str:
        """`"name: reason"` (or just the name when there is no reason), for one-line output."""
        return f"{self.name}: {self.reason}" if self.reason else self.name


Parser = Callable[..., ParsedFile]


def parse_source(
    source: SourceFile | Skipped, *, athlete: str | None = None, settings: MetricSettings | None = None,
    drop_positions: bool = False, skip_bad_rows: bool = False,
) -> ParsedFile:
    """Read one expanded file. Never raises.

    FIT/GPX/TCX: a run becomes `"activity"` with `run_metrics(activity, settings)`; any other sport is
    `"skipped"` ("not a run: cycling"). Strength CSV: `read_strength_log(..., athlete=athlete)`.
    `InputError` becomes `"failed"` with its message; any other exception `"failed"` with
    "could not be read (internal error: ...)", so one reader bug costs one file, never the batch.
    `drop_positions` (the import's privacy option): the activity's GPS positions are blanked right after
    it is read (`analysis.privacy.drop_positions`), here in the worker, so they never reach the parent
    process or the store, and the report's figures (`facts`) describe the run as stored.
    `skip_bad_rows` (strength logs only): rows with bad values are left out instead of refusing the file
    (`read_strength_log(..., skip_bad_rows=True)`); they are listed in `skipped_rows` and in a warning.
    Problems of the whole file still refuse it. Without it, a log refused only for bad rows whose other
    rows could be imported has `GOOD_ROWS_HINT` at the end of its reason.
    """
    if isinstance(source, Skipped):
        return ParsedFile(name=source.name, sha256="", kind="skipped", reason=source.reason)
    if not isinstance(source, SourceFile):
        return ParsedFile(name=_shown(source), sha256="", kind="failed",
                          reason=f"could not be read (internal error: a {type(source).__name__} is not a file)")
    started = time.perf_counter()
    digest = sha256_hex(source.data)

    def done(kind: str, reason: str = "", **fields: Any) -> ParsedFile:
        return ParsedFile(name=source.name, sha256=digest, kind=kind, reason=reason,
                          seconds=time.perf_counter() - started, **fields)

    try:
        if source.kind == "strength_csv":
            try:
                log = _read_strength(source, athlete, skip_bad_rows=skip_bad_rows)
            except InputError as exc:
                reason = _without_name(exc, source.name)
                if not skip_bad_rows and _good_rows_remain(exc, source, athlete):
                    reason = f"{reason}\n{GOOD_ROWS_HINT}"
                return done("failed", reason)
            return done("strength", strength_log=log, warnings=tuple(log.attrs.get("warnings") or ()),
                        unrecognised_exercises=tuple(log.attrs.get("unrecognised_exercises") or ()),
                        skipped_rows=tuple(tuple(p) for p in log.attrs.get("skipped_rows") or ()))
        if source.kind in ("fit", "gpx", "tcx"):
            activity = read_activity(source.data, filename=source.name)
            if drop_positions:
                activity = privacy.drop_positions(activity)
            read = time.perf_counter()
            if activity.sport != RUNNING:
                return done("skipped", _not_a_run(activity), activity=activity, warnings=activity.warnings,
                            stage_seconds=(("read", read - started),))
            metrics = run_metrics(activity, settings)
            return done("activity", activity=activity, metrics=metrics, warnings=activity.warnings,
                        facts=activity_facts(activity),
                        stage_seconds=(("read", read - started), ("metrics", time.perf_counter() - read)))
        return done("failed", f"could not be read (internal error: unknown kind {source.kind!r})")
    except InputError as exc:
        return done("failed", _without_name(exc, source.name))
    except MemoryError:
        return done("failed", MEMORY_REASON)
    except Exception as exc:  # a reader or metrics bug: still reported against this file only
        return done("failed", f"could not be read (internal error: {type(exc).__name__}: {exc})")


def activity_facts(activity: Activity) -> dict[str, Any]:
    """`ParsedFile.facts` of a run (the mapping `analysis.store.ParsedLike` describes)."""
    return {"summary": activity.summary(), "fields_present": activity.fields_present,
            "sample_interval_s": activity.sample_interval_s}


def _read_strength(source: SourceFile, athlete: str | None, *, skip_bad_rows: bool = False) -> pd.DataFrame:
    import io

    handle = io.BytesIO(source.data)
    handle.name = source.name  # the reader names the file in its messages (by the last part of the name)
    log = read_strength_log(handle, athlete=athlete, skip_bad_rows=skip_bad_rows)
    log.attrs["file_name"] = source.name
    return log


def _good_rows_remain(exc: InputError, source: SourceFile, athlete: str | None) -> bool:
    """Whether a strength log refused with `exc` would import with its bad rows left out.

    Only when every problem names a row (a problem of the whole file, such as no date column, has none)
    is the file read a second time, leaving the bad rows out: it may still be refused (every row bad,
    or a problem only seen then). Strength logs are small (20 MB at most), so the second read is cheap.
    """
    problems = getattr(exc, "problems", None)
    if not problems or any(p[0] is None for p in problems):
        return False
    try:
        log = _read_strength(source, athlete, skip_bad_rows=True)
    except InputError:
        return False
    return len(log) > 0


def _without_name(exc: InputError, name: str) -> str:
    """The error's sentence without the leading "file name: " (the reader may have shortened the name)."""
    message = str(exc)
    for prefix in (name, exc.file_name, Path(name).name):
        if prefix and message.startswith(f"{prefix}: "):
            return message[len(prefix) + 2:]
    return message


def _not_a_run(activity: Activity) -> str:
    if activity.sport == "generic":
        return "not a run: the file does not say which sport it is, and it does not look like running"
    return f"not a run: {activity.sport.replace('_', ' ')}"


def _shown(source: object) -> str:
    return str(getattr(source, "name", "") or type(source).__name__)


def failed_file(source: SourceFile | Skipped | object, reason: str, seconds: float = 0.0) -> ParsedFile:
    """A `"failed"` result for `source` (used when its worker timed out or died)."""
    data = getattr(source, "data", None)
    digest = sha256_hex(data) if isinstance(data, bytes) else ""
    return ParsedFile(name=_shown(source), sha256=digest, kind="failed", reason=reason, seconds=seconds)


def guarded_parse(parser: Parser, source: SourceFile | Skipped, *, athlete: str | None,
                  settings: MetricSettings | None) -> ParsedFile:
    """`parser(source, ...)`, turning anything it raises or wrongly returns into a `"failed"` result."""
    started = time.perf_counter()
    try:
        result = parser(source, athlete=athlete, settings=settings)
    except MemoryError:
        return failed_file(source, MEMORY_REASON, time.perf_counter() - started)
    except Exception as exc:
        return failed_file(source, f"could not be read (internal error: {type(exc).__name__}: {exc})",
                           time.perf_counter() - started)
    if not isinstance(result, ParsedFile):
        return failed_file(source, f"could not be read (internal error: the parser returned a "
                                   f"{type(result).__name__})", time.perf_counter() - started)
    return result


def usable_cpus() -> int:
    """CPUs this process may run on (the affinity mask where the OS has one, e.g. in a container)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def parse_all(
    sources: Iterable[SourceFile | Skipped],
    *,
    athlete: str | None = None,
    settings: MetricSettings | None = None,
    workers: int | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    progress: Callable[[int, int, str], None] | None = None,
    parser: Parser | None = None,
    memory_limit_bytes: int = DEFAULT_MEMORY_LIMIT_BYTES,
    drop_positions: bool = False,
    skip_bad_rows: bool = False,
) -> list[ParsedFile]:
    """Parse every source; one `ParsedFile` per source, in input order. Never raises for a bad file.

    `sources` is materialised first (the total is needed for a progress bar; `SourceFile.data` is dropped
    from this list as each file is handed to a worker). `workers`: None = every usable CPU; 0 = in this
    process (no timeout, no limits); n >= 1 = up to n worker processes (never more than there are files).
    `timeout_s` (wall clock, per file, workers only): a file that takes longer is `"failed"` and its worker
    is killed and replaced. Each worker may use `memory_limit_bytes` of address space beyond what its
    libraries take (Linux) and about `timeout_s` of CPU time per file. `progress(done, total, name)` is
    called after each file, in completion order; an exception it raises stops the batch (workers are
    killed) and propagates. `parser` replaces `parse_source` (tests; it must be a picklable top-level
    function with the same signature). `drop_positions`: runs lose their GPS positions as they are read (see
    `parse_source`; not with a `parser` of one's own). `skip_bad_rows`: strength logs with bad rows are
    imported without those rows (see `parse_source`; not with a `parser` of one's own either). `parse_iter`
    is the same, one result at a time.
    """
    return list(parse_iter(sources, athlete=athlete, settings=settings, workers=workers, timeout_s=timeout_s,
                           progress=progress, parser=parser, memory_limit_bytes=memory_limit_bytes,
                           drop_positions=drop_positions, skip_bad_rows=skip_bad_rows))


def parse_iter(
    sources: Iterable[SourceFile | Skipped],
    *,
    athlete: str | None = None,
    settings: MetricSettings | None = None,
    workers: int | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    progress: Callable[[int, int, str], None] | None = None,
    parser: Parser | None = None,
    memory_limit_bytes: int = DEFAULT_MEMORY_LIMIT_BYTES,
    drop_positions: bool = False,
    skip_bad_rows: bool = False,
) -> Iterator[ParsedFile]:
    """`parse_all` as a generator: each result in input order, as soon as it and all before it are read.

    Why: the store can take each file while the workers read the next ones (`Store.add_batch` accepts
    an iterator), so storing overlaps reading and a season's activities are never all in memory at once.
    Arguments are checked at the call, before any worker starts; the work happens as results are taken.
    With `workers=0` each file is read when it is asked for. Closing the generator early (or an exception
    from `progress`, which propagates out of it) stops the workers.
    """
    items: list[Any] = list(sources)
    if workers is None:
        workers = usable_cpus()
    if workers < 0:
        raise ValueError(f"workers must be 0 or more, not {workers}")
    if timeout_s <= 0:
        raise ValueError(f"timeout_s must be positive, not {timeout_s}")
    options = {name: True for name, value in (("drop_positions", drop_positions), ("skip_bad_rows", skip_bad_rows))
               if value}
    if options:
        if parser is not None:
            raise ValueError(f"{' and '.join(options)} work{'s' if len(options) == 1 else ''} with the default "
                             "parser only; apply them in your parser")
        # The import's options travel inside the parser the workers get in their config (a partial of a
        # top-level function pickles by reference), so the worker protocol and a custom parser's
        # signature stay as they are.
        parser = functools.partial(parse_source, **options)
    if parser is not None and workers > 0:
        try:
            pickle.dumps(parser)
        except Exception as exc:
            raise TypeError(f"parser must be a picklable top-level function for worker processes ({exc})") from exc
    return _results_in_order(items, athlete=athlete, settings=settings, workers=workers, timeout_s=timeout_s,
                             progress=progress, parser=parser, memory_limit_bytes=memory_limit_bytes)


def _results_in_order(items: list[Any], *, athlete: str | None, settings: MetricSettings | None, workers: int,
                      timeout_s: float, progress: Callable[[int, int, str], None] | None, parser: Parser | None,
                      memory_limit_bytes: int) -> Iterator[ParsedFile]:
    total = len(items)
    ready: dict[int, ParsedFile] = {}  # finished, waiting for an earlier file; emptied as they are yielded
    done = 0
    next_index = 0

    def finish(index: int, result: ParsedFile) -> None:
        nonlocal done
        ready[index] = result
        done += 1
        if progress is not None:
            progress(done, total, result.name)

    def in_process(index: int) -> ParsedFile:
        item = items[index]
        items[index] = None
        if isinstance(item, SourceFile) and parser is not None:
            return guarded_parse(parser, item, athlete=athlete, settings=settings)
        return parse_source(item, athlete=athlete, settings=settings)

    if workers == 0:
        for index in range(total):
            finish(index, in_process(index))
            yield ready.pop(index)
        return

    tasks: list[int] = []
    for index, item in enumerate(items):
        if isinstance(item, SourceFile):
            tasks.append(index)
        else:  # skipped before it was read: nothing for a worker to do
            finish(index, in_process(index))
    steps: Generator[None, None, None] | None = None
    if tasks:
        pool = _Pool(min(workers, len(tasks)), parser=parser, timeout_s=timeout_s,
                     memory_limit_bytes=memory_limit_bytes)
        steps = pool.run(tasks, items, athlete, settings, finish)
    try:
        while True:
            while next_index in ready:
                yield ready.pop(next_index)
                next_index += 1
            if steps is None or next(steps, StopIteration) is StopIteration:
                break
    finally:
        if steps is not None:
            steps.close()  # stops the workers when the consumer stops early
    assert next_index == total and not ready, "every file gets exactly one result"


# ----------------------------------------------------------------------------------------------------
# the pool


class _Worker:
    """One worker process, the thread that reads its replies, and what it is doing.

    `queue` holds the files sent to it, in order: the first is being read, a second (when there is one)
    waits in the pipe so the worker can start on it the moment it sends its result, without waiting for
    the parent to hand it work (the parent may be busy storing). Only a file small enough to sit in the
    pipe whole is sent ahead (`can_take`), so the parent never blocks writing to a worker that is busy.
    """

    def __init__(self, number: int, events: queue.Queue, config: dict[str, Any]):
        self.number = number
        self.state = "starting"  # starting -> idle <-> busy; "gone" once stopped
        self.queue: deque[int] = deque()
        self.started = time.monotonic()  # when the file at the head of the queue was started
        self.deadline = self.started + WORKER_START_TIMEOUT_S
        self.proc = _worker.spawn("from analysis.ingest._worker import main; main()")
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.pipe_bytes = _widen_pipe(self.proc.stdin)
        _widen_pipe(self.proc.stdout)
        self.stdin: IO[bytes] = self.proc.stdin
        try:
            _worker.send(self.stdin, list(sys.path))
            _worker.send(self.stdin, config)
        except OSError:
            pass  # it died at once; its reader thread reports the end
        self.reader = threading.Thread(target=self._read, args=(self.proc.stdout, events), daemon=True,
                                       name=f"ingest-worker-{number}")
        self.reader.start()

    @property
    def index(self) -> int | None:
        """The file being read, if any."""
        return self.queue[0] if self.queue else None

    def can_take(self, source: Any) -> bool:
        if self.state == "idle":
            return True
        # Ahead of time only into a pipe that holds the whole file with room to spare: the worker has read
        # the file it is on (or is reading it now), so the write cannot wait on a worker stuck on a file.
        return (self.state == "busy" and len(self.queue) == 1
                and len(getattr(source, "data", b"")) <= self.pipe_bytes // 2 - PIPE_FRAME_SLACK_BYTES)

    def _read(self, stream: IO[bytes], events: queue.Queue) -> None:
        try:
            while True:
                events.put((self, _worker.recv(stream)))
        except Exception:  # EOF, or a broken frame: either way this worker is finished
            events.put((self, None))

    def send(self, task: object) -> bool:
        try:
            _worker.send(self.stdin, task)
            return True
        except (OSError, ValueError):
            return False

    def stop(self, *, kill: bool) -> None:
        """End the process (politely: close its stdin; or kill it) and wait for it."""
        self.state = "gone"
        if kill:
            self.proc.kill()
        try:
            self.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=None if kill else 5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


class _Pool:
    def __init__(self, size: int, *, parser: Parser | None, timeout_s: float, memory_limit_bytes: int):
        self.size = size
        self.timeout_s = timeout_s
        self.config = {"parser": parser, "timeout_s": timeout_s, "memory_limit_bytes": memory_limit_bytes}
        self.events: queue.Queue = queue.Queue()
        self.workers: list[_Worker] = []
        self.started = 0
        self.start_failures = 0  # workers that died before or between files, since the last result
        self.pending: deque[int] = deque()
        self.items: list[Any] = []
        self.sources: dict[int, Any] = {}  # what workers hold, for a result if they die
        self.attempts: dict[int, int] = {}
        self.finish: Callable[[int, ParsedFile], None] = lambda index, result: None

    def _spawn(self) -> None:
        self.started += 1
        try:
            self.workers.append(_Worker(self.started, self.events, self.config))
        except OSError:  # e.g. sys.executable missing: counts as a worker that did not start
            self.start_failures += 1

    def run(self, tasks: list[int], items: list[Any], athlete: str | None, settings: MetricSettings | None,
            finish: Callable[[int, ParsedFile], None]) -> Generator[None, None, None]:
        """Read every task; a generator that yields after each round of events, so the caller can take
        finished results in between. Closing it (or an exception from `finish`) stops every worker."""
        self.pending, self.items, self.finish = deque(tasks), items, finish
        pending = self.pending
        try:
            for _ in range(self.size):
                self._spawn()
            while pending or any(w.state == "busy" for w in self.workers):
                if self.start_failures >= MAX_START_FAILURES and not any(
                    w.state in ("idle", "busy") for w in self.workers
                ):
                    reason = "could not be read (internal error: the file reader processes did not start; see the log)"
                    while pending:
                        index = pending.popleft()
                        finish(index, failed_file(items[index], reason))
                        items[index] = None
                    break
                for worker in self.workers:
                    while pending and worker.can_take(items[pending[0]]):
                        index = pending.popleft()
                        source = items[index]
                        was_idle = worker.state == "idle"
                        if was_idle:
                            worker.state = "busy"
                            worker.started = time.monotonic()
                            worker.deadline = worker.started + self.timeout_s
                        worker.queue.append(index)
                        self.sources[index] = source
                        items[index] = None  # the worker has it now; keep memory to one copy per file in flight
                        if not worker.send((index, source, athlete, settings)):
                            returncode = _wait_briefly(worker.proc)
                            if was_idle:  # it died between files: not this file's fault, another worker gets it
                                self._give_back(worker, skip_head=False, returncode=returncode)
                            else:  # it died reading the file before this one
                                self._fail_head(worker, returncode)
                            worker.stop(kill=True)
                            break
                self._replace_gone()
                self._wait_and_handle()
                self._enforce_deadlines()
                self._replace_gone()
                yield
        finally:
            self._shutdown()

    def _give_back(self, worker: _Worker, *, skip_head: bool, returncode: int | None) -> None:
        """Return the files a worker held but had not started to the front of the queue, in order.

        `skip_head`: its first file was being read, and the caller reports it. A file given back a third
        time fails (three workers in a row died holding it).
        """
        held = list(worker.queue)[1:] if skip_head else list(worker.queue)
        worker.queue.clear()
        for index in reversed(held):
            source = self.sources.pop(index)
            self.attempts[index] = self.attempts.get(index, 0) + 1
            if self.attempts[index] < 3:
                self.items[index] = source
                self.pending.appendleft(index)
            else:
                self.finish(index, failed_file(source, _died_reason(returncode)))

    def _fail_head(self, worker: _Worker, returncode: int | None) -> None:
        """The worker died reading its first file: that file failed; any file waiting behind it goes back."""
        index = worker.queue[0]
        source = self.sources.pop(index)
        self._give_back(worker, skip_head=True, returncode=returncode)
        self.finish(index, failed_file(source, _died_reason(returncode), time.monotonic() - worker.started))

    def _wait_and_handle(self) -> None:
        live = [w for w in self.workers if w.state != "gone"]
        if not live:
            return
        wait = max(0.0, min(w.deadline for w in live if w.state in ("starting", "busy")) - time.monotonic()) \
            if any(w.state in ("starting", "busy") for w in live) else 1.0
        try:
            worker, message = self.events.get(timeout=wait)
        except queue.Empty:
            return
        while True:
            self._handle(worker, message)
            try:
                worker, message = self.events.get_nowait()
            except queue.Empty:
                return

    def _handle(self, worker: _Worker, message: Any) -> None:
        if worker.state == "gone":
            return  # a late event from a worker already stopped (timed out)
        if message is None:  # the process ended
            returncode = _wait_briefly(worker.proc)
            if worker.state in ("starting", "idle"):  # not a file's fault: the worker itself is unwell
                self.start_failures += 1
            elif worker.state == "busy" and worker.index is not None:
                self._fail_head(worker, returncode)
            worker.queue.clear()
            worker.stop(kill=True)
            return
        if message[0] == "ready":
            worker.state = "idle"
        elif message[0] == "result" and worker.state == "busy" and worker.index == message[1]:
            _, index, result = message
            worker.queue.popleft()
            self.sources.pop(index, None)
            if worker.queue:  # it goes straight on with the file that waited in its pipe
                worker.started = time.monotonic()
                worker.deadline = worker.started + self.timeout_s
            else:
                worker.state = "idle"
            self.start_failures = 0  # a worker that returns results is proof the pool works here
            self.finish(index, result)

    def _enforce_deadlines(self) -> None:
        now = time.monotonic()
        for worker in self.workers:
            if worker.state == "busy" and now > worker.deadline and worker.index is not None:
                index = worker.index
                source = self.sources.pop(index)
                self._give_back(worker, skip_head=True, returncode=None)
                worker.stop(kill=True)
                self.finish(index, failed_file(
                    source, f"took longer than {self.timeout_s:g} s to read; the file may be damaged or hostile",
                    now - worker.started,
                ))
            elif worker.state == "starting" and now > worker.deadline:
                worker.stop(kill=True)
                self.start_failures += 1

    def _replace_gone(self) -> None:
        self.workers = [w for w in self.workers if w.state != "gone"]
        while (
            len(self.workers) < self.size
            and len(self.pending) > sum(1 for w in self.workers if w.state in ("starting", "idle"))
            and self.start_failures < MAX_START_FAILURES
        ):
            self._spawn()

    def _shutdown(self) -> None:
        for worker in self.workers:
            if worker.state != "gone":
                try:
                    worker.stdin.close()  # EOF: an idle worker exits at once
                except OSError:
                    pass
        for worker in self.workers:
            if worker.state != "gone":
                worker.stop(kill=worker.state != "idle")
        self.workers = []


def _widen_pipe(stream: IO[bytes]) -> int:
    """Give a pipe to or from a worker a 1 MiB buffer where Linux allows it (the default is 64 KiB); return
    its size in bytes (0 where it cannot be told, which turns off sending files ahead).

    Why: a file (~100 KiB for an hour at 1 Hz) or a parsed run (~450 KiB) then fits in the pipe whole, so
    the writer hands it over and goes on instead of waiting for the reader to be scheduled: with three
    processes on two cores that wait cost the parent several ms per file (benchmarks/ingest.py --profile).
    Elsewhere, or past the per-user pipe allowance, the pipe keeps its size: nothing else changes.
    """
    try:
        import fcntl
    except ImportError:
        return 0
    try:
        fcntl.fcntl(stream.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BUFFER_BYTES)
    except (AttributeError, OSError, ValueError):
        pass
    try:
        return int(fcntl.fcntl(stream.fileno(), fcntl.F_GETPIPE_SZ))
    except (AttributeError, OSError, ValueError):
        return 0


def _wait_briefly(proc: subprocess.Popen) -> int | None:
    try:
        return proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        return None


def _died_reason(returncode: int | None) -> str:
    """Why a worker ended while reading a file, as a sentence about the file."""
    if returncode is not None and returncode < 0:
        signum = -returncode
        if signum == getattr(signal, "SIGXCPU", None):
            return "used too much processor time while being read; the file may be damaged or hostile"
        if signum == getattr(signal, "SIGKILL", None):
            return ("stopped the file reader (it was killed, most likely for using too much memory); "
                    "the file may be damaged or hostile")
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"signal {signum}"
        return f"crashed the file reader ({name}); the file may be damaged or hostile"
    return f"stopped the file reader unexpectedly (exit code {returncode}); the file may be damaged or hostile"
