"""Metrics of many stored runs at once, in worker processes: the parallel part of `Store.recompute`.

The store reads its samples in batches (one query for a batch's samples, one for its timer events, one for its
runs rows) and hands each batch over as a `StoredRuns`: the samples of the batch's runs one after another as
compact numpy columns with offsets, and each run's row fields and timer events. `batch_metrics` turns one into
`(run_id, RunMetrics)` pairs, building for each run the `Activity` that `Store._activity` builds from the same
rows, so the results are exactly those of `run_metrics(store.activity(viewer, run_id), settings)`.

`metrics_of` computes a stream of batches in a pool of worker processes (`workers=0`: in this process, one
batch after another), yielding each batch's pairs as it comes back (not in input order). Memory is bounded by
the batch: the stream is read only as workers take batches (at most `workers` batches wait, one per worker is
being computed), and only the results, which are small, are kept by the caller. Closing the generator (the
caller stopped: a progress callback raised) kills the workers and waits for them, so none is left behind.

Workers are fresh interpreters started with `subprocess` running `worker_main` (not `multiprocessing`, for
the reason in `analysis.ingest._worker`: under `streamlit run` a spawned child would re-run the page script),
speaking the ingest workers' protocol (`analysis.ingest._worker.send` / `recv`: length-prefixed pickles).
Unlike the ingest pool there are no per-task timeouts or memory limits: the samples were read, checked and
measured by an import already, and a worker that dies or fails makes the whole recompute fail, before anything
is written (the store writes all the results in one transaction at the end).
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
import pandas as pd

from analysis.io.activity import Activity, TimerEvent
from analysis.io.samples import conform_samples
from analysis.metrics.run import RunMetrics, run_metrics
from analysis.metrics.settings import MetricSettings

# A batch closes at whichever comes first. 250,000 samples are ~30 MB of columns (about 270 one-hour runs at
# 5 s): big enough that a batch's queries and its trip to a worker cost little per run, small enough that two
# workers finish within a batch of each other and that the batches in flight stay well under 200 MB.
BATCH_SAMPLES = 250_000
BATCH_RUNS = 500
# Fewer runs than this are computed in the calling process when the caller lets `workers_for` choose:
# starting a worker (a fresh interpreter importing numpy and pandas) costs about a second, 400 runs' metrics.
MIN_RUNS_FOR_WORKERS = 200
RUN_ROW_FIELDS = ("sport", "sub_sport", "start_us", "utc_offset_s", "device", "source_format", "file_name",
                  "cadence_unit", "reader", "warnings")
NAT_NS = np.iinfo("int64").min  # how a missing time travels in an int64 column (numpy's NaT)


@dataclass(frozen=True, eq=False)
class StoredRuns:
    """Stored runs as they travel to a worker: every sample of every run in a few numpy arrays.

    `offsets` (int64, one more than there are runs): the samples of run i are rows `offsets[i]` to
    `offsets[i + 1]` of `time_ns` (int64 nanoseconds since 1970 UTC, `NAT_NS` for a missing time) and of each
    float64 array in `channels` (the samples columns after `time`, in `COLUMN_NAMES` order, NaN where NULL).
    `rows[i]`: run i's `runs` fields (`RUN_ROW_FIELDS`; `start_us` in microseconds since 1970 UTC or None,
    `warnings` as stored: joined with " | "). `events[i]`: its timer events as `(time_ns, kind, source)`.
    """

    run_ids: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    offsets: np.ndarray
    time_ns: np.ndarray
    channels: dict[str, np.ndarray]
    events: tuple[tuple[tuple[int, str, str], ...], ...]

    def __len__(self) -> int:
        return len(self.run_ids)

    def activity(self, i: int) -> Activity:
        """Run i as an `Activity`, field for field what `Store._activity` builds from the same rows."""
        lo, hi = int(self.offsets[i]), int(self.offsets[i + 1])
        columns: dict[str, object] = {"time": self.time_ns[lo:hi].view("datetime64[ns]")}
        columns |= {name: values[lo:hi] for name, values in self.channels.items()}
        row = dict(zip(RUN_ROW_FIELDS, self.rows[i], strict=True))
        start = pd.NaT if row["start_us"] is None else pd.Timestamp(int(row["start_us"]), unit="us", tz="UTC")
        offset = row["utc_offset_s"]
        return Activity(
            samples=conform_samples(columns), sport=row["sport"], sub_sport=row["sub_sport"], start_time=start,
            utc_offset_s=None if offset is None or offset != offset else float(offset), device=row["device"],
            source_format=row["source_format"], file_name=row["file_name"], file_sha256=self.run_ids[i],
            cadence_unit=row["cadence_unit"], reader=row["reader"],
            timer_events=tuple(TimerEvent(_utc(t), kind, source) for t, kind, source in self.events[i]),
            warnings=tuple(w for w in (row["warnings"] or "").split(" | ") if w),
        )


def _utc(ns: int | None) -> pd.Timestamp:
    return pd.NaT if ns is None else pd.Timestamp(int(ns), unit="ns", tz="UTC")


def batches(runs: Sequence[tuple[str, int]], *, max_samples: int | None = None,
            max_runs: int | None = None) -> list[list[str]]:
    """Cut `(run_id, sample_count)` pairs, in their order, into batches of run ids (at least one run each)."""
    max_samples = BATCH_SAMPLES if max_samples is None else max_samples
    max_runs = BATCH_RUNS if max_runs is None else max_runs
    out: list[list[str]] = []
    current: list[str] = []
    samples = 0
    for run_id, count in runs:
        if current and (samples + int(count or 0) > max_samples or len(current) >= max_runs):
            out.append(current)
            current, samples = [], 0
        current.append(run_id)
        samples += int(count or 0)
    if current:
        out.append(current)
    return out


def workers_for(runs: int, batch_count: int, workers: int | None) -> int:
    """How many worker processes to use: `workers` (None = every usable CPU, or 0 for fewer runs than
    `MIN_RUNS_FOR_WORKERS`), never more than there are batches."""
    if workers is None:
        if runs < MIN_RUNS_FOR_WORKERS:
            return 0
        from analysis.ingest.parse import usable_cpus

        workers = usable_cpus()
    if workers < 0:
        raise ValueError(f"workers must be 0 or more, not {workers}")
    return min(workers, batch_count)


def batch_metrics(batch: StoredRuns, settings: MetricSettings) -> list[tuple[str, RunMetrics]]:
    """`run_metrics` of every run of the batch, in its order."""
    return [(run_id, run_metrics(batch.activity(i), settings)) for i, run_id in enumerate(batch.run_ids)]


def metrics_of(stream: Iterable[StoredRuns], settings: MetricSettings, *,
               workers: int) -> Iterator[list[tuple[str, RunMetrics]]]:
    """Each batch's `batch_metrics`, as batches finish; `workers=0` computes them here, in order.

    A generator: close it (`contextlib.closing`) when stopping early, so its workers are stopped at once.
    A run whose metrics raise, or a worker that dies, raises `RuntimeError` here. Where no worker process
    can be started at all (OSError), the batches are computed in this process instead.
    """
    if workers < 0:
        raise ValueError(f"workers must be 0 or more, not {workers}")
    if workers == 0:
        for batch in stream:
            yield batch_metrics(batch, settings)
        return
    try:
        pool = _Pool(workers, settings)
    except OSError:  # no worker process can be started here (e.g. no interpreter to run): compute in this one
        for batch in stream:
            yield batch_metrics(batch, settings)
        return
    try:
        yield from pool.run(iter(stream))
    finally:
        pool.shutdown()


# ----------------------------------------------------------------------------------------------------
# the pool


class _Worker:
    """One worker process and the thread that feeds it batches and collects its replies, one at a time."""

    def __init__(self, number: int, tasks: queue.Queue, replies: queue.Queue, settings: MetricSettings):
        from analysis.ingest._worker import send, spawn

        self.proc = spawn("from analysis.metrics.recompute import worker_main; worker_main()")
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin: IO[bytes] = self.proc.stdin
        self.stdout: IO[bytes] = self.proc.stdout
        try:
            send(self.stdin, (list(sys.path), settings))
        except OSError:
            pass  # it died at once: the thread reports it with the first batch
        self.thread = threading.Thread(target=self._serve, args=(tasks, replies), daemon=True,
                                       name=f"recompute-worker-{number}")
        self.thread.start()

    def _serve(self, tasks: queue.Queue, replies: queue.Queue) -> None:
        from analysis.ingest._worker import recv, send

        while True:
            task = tasks.get()
            if task is None:
                return
            index, batch = task
            try:
                send(self.stdin, (index, batch))
                del task, batch  # the worker has it: one copy of a batch in flight
                replies.put(recv(self.stdout))
            except Exception as exc:  # EOF or a broken pipe: the process ended
                replies.put(("died", index, self._died(exc)))
                return

    def _died(self, exc: Exception) -> str:
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        return f"a metrics worker stopped unexpectedly (exit code {code}; {type(exc).__name__})"

    def stop(self, *, kill: bool) -> None:
        if kill:
            self.proc.kill()
        for stream in (self.stdin, self.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=None if kill else 10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class _Pool:
    def __init__(self, size: int, settings: MetricSettings):
        self.size = size
        self.tasks: queue.Queue = queue.Queue(maxsize=size)  # batches read but not yet taken by a worker
        self.replies: queue.Queue = queue.Queue()
        self.workers: list[_Worker] = []
        self.finished = False
        try:
            for n in range(size):
                self.workers.append(_Worker(n + 1, self.tasks, self.replies, settings))
        except BaseException:
            self.shutdown()  # the ones already started
            raise

    def run(self, stream: Iterator[StoredRuns]) -> Iterator[list[tuple[str, RunMetrics]]]:
        sent = received = 0
        exhausted = False
        while True:
            # Read ahead only while a worker will soon want it: the queue holds at most one batch per worker.
            while not exhausted and not self.tasks.full():
                batch = next(stream, None)
                if batch is None:
                    exhausted = True
                    break
                self.tasks.put((sent, batch))
                sent += 1
                del batch
            if exhausted and received == sent:
                break
            kind, _index, payload = self.replies.get()
            received += 1
            if kind != "ok":
                raise RuntimeError(f"metrics could not be recomputed ({payload}); nothing was changed")
            yield payload
        self.finished = True

    def shutdown(self) -> None:
        """Stop every worker: politely after a complete run, else killed at once; then wait for them."""
        while True:  # batches nobody will compute: dropped, so the end-of-work marks fit in the queue
            try:
                self.tasks.get_nowait()
            except queue.Empty:
                break
        for worker in self.workers:
            if not self.finished:
                worker.proc.kill()  # a thread in the middle of a send or a receive fails at once
        for _ in self.workers:
            self.tasks.put(None)
        for worker in self.workers:
            worker.thread.join(timeout=10)
            worker.stop(kill=not self.finished)


def worker_main() -> None:
    """A worker: compute the batches sent on stdin until it closes; replies `("ok", index, pairs)` or
    `("error", index, text)` on stdout (anything a library prints goes to stderr)."""
    import signal

    from analysis.ingest._worker import recv, send

    # Ctrl-C in a terminal reaches the whole process group: the parent stops the workers itself (and says why).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    proto_in = os.fdopen(os.dup(0), "rb")
    proto_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    try:
        parent_path, settings = recv(proto_in)
    except EOFError:
        return
    sys.path[:] = list(parent_path) + [p for p in sys.path if p not in parent_path]
    while True:
        try:
            task = recv(proto_in)
        except EOFError:
            return
        if task is None:
            return
        index, batch = task
        del task
        try:
            reply: tuple[str, int, Any] = ("ok", index, batch_metrics(batch, settings))
        except Exception as exc:  # a run the metrics cannot take: the recompute fails, naming it
            reply = ("error", index, f"{type(exc).__name__}: {exc}")
        del batch
        send(proto_out, reply)
