"""Measure the ingest pipeline (expand → read in workers → metrics → store) end to end, with peak memory.

    .venv/bin/python benchmarks/ingest.py [--runs 1000] [--minutes 60] [--cache DIR] [--serial] [--skip-club]
    .venv/bin/python benchmarks/ingest.py --profile 20 [--profile-workers 1]   # where does the time go?

Workloads: the bundled sample club (sample_data/), and N generated runs at 1 Hz (default 1,000 one-hour runs,
3.6 M records, ~100 MB of FIT: a coach's season) written by the project's FIT writer (in parallel; `--cache`
keeps them for the next run). Each is ingested by
`analysis.ingest.pipeline.ingest` (or `load_sample_club`) into a fresh store in a temporary folder, with
workers=1 and with every usable core (`--serial` adds workers=0: everything in this process, one file after
another). A measurement, not a test: numbers depend on the machine and on what else runs on it.

Columns:
- wall s, files/s, records/s (records = samples stored);
- CPU s of this process and of the worker processes during the row (getrusage RUSAGE_SELF, and RUSAGE_CHILDREN,
  which counts workers once they have exited: every row's workers exit before the row ends);
- stage sums: `read` (decode a file to an Activity, in the workers, wall time per file as the worker measured
  it), `metrics` (run_metrics and the report's facts, in the workers), `store` (this process inside
  Store.add_batch, not counting the time it waited for the next file from the workers), `waited` (that
  waiting: the store had nothing to do);
- `non-decode CPU/1k`: CPU seconds of parent + workers minus what the FIT decoder alone takes on the same
  files (measured once, in this process, before the rows: `analysis.io.fit_fast.decode_fit` where it
  exists, else fitparse), per 1,000 files: the cost of everything around the decoder (worker start-up,
  building the Activity, metrics, moving results between processes, the store), extrapolated to a season
  (generated runs only);
- peak memory in MB, from a thread sampling /proc every 20 ms: this process's resident set (RSS), the sum
  of the workers' RSS, and the peak of their total. At the end, getrusage's lifetime maxima are printed as
  a cross-check (ru_maxrss of this process; of the largest single worker).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import cProfile
import math
import multiprocessing
import os
import pstats
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from processes import live_children  # noqa: E402

from analysis.access import CLI_VIEWER as ADMIN  # noqa: E402
from analysis.ingest.parse import usable_cpus  # noqa: E402
from analysis.ingest.pipeline import SAMPLE_DIR, ingest, load_sample_club  # noqa: E402
from analysis.io.fit_writer import SessionSpec, encode_activity  # noqa: E402
from analysis.store import Store  # noqa: E402

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
MB = 1024 * 1024


def one_hour_run(index: int, minutes: int) -> bytes:
    """A run at 1 Hz with distance, speed, positions, altitude, heart rate and cadence; distinct per index."""
    start = datetime(2026, 1, 1, 7, 0, tzinfo=UTC) + timedelta(days=index)
    records, distance = [], 0.0
    for second in range(minutes * 60):
        speed = 3.0 + 0.3 * math.sin(second / 200 + index)
        distance += speed
        records.append({
            "timestamp": start + timedelta(seconds=second), "distance": distance, "enhanced_speed": speed,
            "position_lat": 46.0 + distance / 111_195.0, "position_long": 7.0,
            "enhanced_altitude": 500 + 20 * math.sin(distance / 900), "heart_rate": 140 + second // 240,
            "cadence": 86, "fractional_cadence": 0.5,
        })
    return encode_activity([SessionSpec("running", tuple(records))], utc_offset_s=3600)


def _write_run(folder: str, index: int, minutes: int) -> int:
    data = one_hour_run(index, minutes)
    (Path(folder) / f"run-{index:04d}.fit").write_bytes(data)
    return len(data)


def generate(folder: Path, runs: int, minutes: int, processes: int) -> None:
    """Write the runs that are not there yet, in parallel (the writer is pure Python: ~40 ms a run)."""
    missing = [i for i in range(runs) if not (folder / f"run-{i:04d}.fit").is_file()]
    if not missing:
        return
    # fork: the children need nothing but the writer, already imported here.
    with concurrent.futures.ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
        list(pool.map(_write_run, [str(folder)] * len(missing), missing, [minutes] * len(missing), chunksize=16))


# ---------------------------------------------------------------------------------------------------
# memory


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE_BYTES
    except (OSError, ValueError, IndexError):
        return 0


class TreeMemory:
    """Peak RSS of this process, of its children (summed) and of both together, sampled every `interval` s.

    Sampling can miss a spike shorter than the interval; RSS counts shared library pages in every process
    that maps them, so the children's sum slightly overstates what they take together.
    """

    def __init__(self, interval: float = 0.02):
        self.interval = interval
        self.parent = self.children = self.total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="rss-sampler")

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            parent = _rss_bytes(me)
            children = sum(_rss_bytes(pid) for pid in live_children(me))
            self.parent = max(self.parent, parent)
            self.children = max(self.children, children)
            self.total = max(self.total, parent + children)
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# ---------------------------------------------------------------------------------------------------
# one measurement


@dataclass
class Stages:
    """Where the time went, gathered by tapping the stream of parsed files on its way into the store."""

    read_s: float = 0.0
    metrics_s: float = 0.0
    waited_s: float = 0.0  # add_batch waiting for the next parsed file
    add_batch_s: float = 0.0
    files: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    @property
    def store_s(self) -> float:
        return self.add_batch_s - self.waited_s

    def tap(self, parsed: Iterable) -> Iterator:
        iterator = iter(parsed)
        while True:
            started = time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                self.waited_s += time.perf_counter() - started
                return
            self.waited_s += time.perf_counter() - started
            stages = dict(getattr(item, "stage_seconds", ()) or ())
            self.read_s += stages.get("read", 0.0)
            self.metrics_s += stages.get("metrics", 0.0)
            self.files += 1
            self.kinds[item.kind] = self.kinds.get(item.kind, 0) + 1
            yield item
            del item


def _instrument(store: Store, stages: Stages) -> None:
    """Route the store's add_batch through the tap (the pipeline itself is run unchanged)."""
    real = store.add_batch

    def add_batch(viewer, athlete, parsed, **kwargs):
        started = time.perf_counter()
        try:
            return real(viewer, athlete, stages.tap(parsed), **kwargs)
        finally:
            stages.add_batch_s += time.perf_counter() - started

    store.add_batch = add_batch  # type: ignore[method-assign]


def _cpu() -> tuple[float, float]:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


HEADER = (f"{'workload':32} {'workers':>7} {'files':>5} {'records':>10} {'wall s':>7} {'files/s':>8} "
          f"{'records/s':>10} | {'CPU s parent':>12} {'workers':>7} | {'read':>6} {'metrics':>7} {'store':>6} "
          f"{'waited':>6} | {'non-decode CPU/1k':>17} | {'peak MB parent':>14} {'workers':>7} {'total':>6}")


def decoder_only(paths: list[Path]) -> tuple[float, str]:
    """CPU seconds the FIT decoder alone takes over `paths` in this process, and its name."""
    from analysis.io import fit

    try:
        from analysis.io.fit_fast import decode_fit

        def decode(data: bytes) -> object:
            return decode_fit(data, "bench.fit", fit._WANTED)

        name = "fit_fast"
    except ImportError:  # before the fast decoder: fitparse was the decoder
        decode, name = fit._decode_fitparse, "fitparse"
    datas = [p.read_bytes() for p in paths]
    started = time.process_time()
    for data in datas:
        decode(data)
    return time.process_time() - started, name


def measure(label: str, load: Callable[[Store, int], object], workers: int, decode_s_per_file: float = 0.0) -> None:
    stages = Stages()
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "store") as store:
        _instrument(store, stages)
        cpu_before = _cpu()
        with TreeMemory() as memory:
            started = time.perf_counter()
            report = load(store, workers)
            seconds = time.perf_counter() - started
        cpu_after = _cpu()
        records = store.status(ADMIN).samples
    files = len(report)
    failed = int((report["status"] == "failed").sum())
    parent_cpu = cpu_after[0] - cpu_before[0]
    worker_cpu = cpu_after[1] - cpu_before[1]
    non_decode = "" if not decode_s_per_file else \
        f"{(parent_cpu + worker_cpu) / files * 1000 - decode_s_per_file * 1000:15.1f} s"
    print(f"{label:32} {workers:>7} {files:5} {records:>10,} {seconds:7.2f} {files / seconds:8.1f} "
          f"{records / seconds:>10,.0f} | {parent_cpu:12.2f} {worker_cpu:7.2f} | {stages.read_s:6.2f} "
          f"{stages.metrics_s:7.2f} {stages.store_s:6.2f} {stages.waited_s:6.2f} | {non_decode:>17} | "
          f"{memory.parent / MB:14.0f} {memory.children / MB:7.0f} {memory.total / MB:6.0f}"
          + (f"  FAILED={failed}" if failed else ""), flush=True)


def profile(folder: Path, runs: int, workers: int, top: int = 30) -> None:
    """cProfile of one ingest of the first `runs` generated files (workers=0 shows the reading as well)."""
    paths = sorted(folder.glob("run-*.fit"))[:runs]
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "store") as store:
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        ingest(paths, athlete="Bench", store=store, viewer=ADMIN, workers=workers)
        profiler.disable()
        seconds = time.perf_counter() - started
    print(f"\ncProfile: {len(paths)} runs, workers={workers}: {seconds:.2f} s under the profiler "
          f"(profiling slows Python code several-fold; read the shares, not the seconds)")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--cache", type=Path, help="folder to keep the generated runs in (reused when present)")
    parser.add_argument("--serial", action="store_true", help="also measure workers=0 (all in this process)")
    parser.add_argument("--skip-club", action="store_true", help="leave out the sample club rows")
    parser.add_argument("--profile", type=int, metavar="N", help="only profile an ingest of N runs with cProfile")
    parser.add_argument("--profile-workers", type=int, default=1)
    args = parser.parse_args()
    cores = usable_cpus()
    print(f"{cores} usable cores; python {sys.version.split()[0]}")

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.cache or Path(tmp) / f"runs-{args.minutes}min"
        folder.mkdir(parents=True, exist_ok=True)
        count = args.profile or args.runs
        t0 = time.perf_counter()
        generate(folder, count, args.minutes, cores)
        paths = sorted(folder.glob("run-*.fit"))[:count]
        size_mb = sum(p.stat().st_size for p in paths) / 1e6
        print(f"{count} runs of {args.minutes} min at 1 Hz ({size_mb:.0f} MB of FIT) ready in "
              f"{time.perf_counter() - t0:.0f} s{' (cached in ' + str(folder) + ')' if args.cache else ''}")
        if args.profile:
            profile(folder, args.profile, args.profile_workers)
            return 0

        decode_s, decoder = decoder_only(paths)
        print(f"decoder alone ({decoder}, one process): {decode_s:.2f} s CPU for {count} files, "
              f"{count * args.minutes * 60 / decode_s:,.0f} records/s")
        print(HEADER)
        worker_counts = ([0] if args.serial else []) + sorted({1, cores})
        if not args.skip_club:
            for workers in worker_counts:
                measure(f"sample club ({SAMPLE_DIR.name}/)",
                        lambda store, w: load_sample_club(store, viewer=ADMIN, workers=w), workers)
        for workers in worker_counts:
            measure(f"{count} generated {args.minutes}-min runs",
                    lambda store, w: ingest(paths, athlete="Bench", store=store, viewer=ADMIN, workers=w), workers,
                    decode_s / count)

    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    largest_worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"getrusage lifetime maxima: this process {me:.0f} MB; largest single child {largest_worker:.0f} MB "
          "(children include the run generator's processes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
