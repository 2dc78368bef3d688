"""Time a metric-settings change on a big store: every run recomputed from its stored samples, with peak memory.

    .venv/bin/python benchmarks/recompute.py [--cache DIR] [--athletes 30] [--weeks 52] [--workers N ...] [--serial]

The store is the generated club of `benchmarks/large_club.py` (30 athletes x 52 weeks: 6,227 runs, 5.4 M samples
at 5 s). It takes about a minute to build; `--cache DIR` keeps it in DIR for the next time (built there when
DIR holds no store yet). Each row copies the store to a temporary folder and times
`Store.set_metric_settings(admin, late_start_fraction=...)` on the copy: batched reads of the samples, metrics
in worker processes, one transaction at the end (`analysis.metrics.recompute`). Rows: `--workers` (default:
what the store chooses, every usable CPU), and with `--serial` workers=0 (everything in this process).

Columns: runs, wall seconds, runs/s, CPU seconds of this process and of the workers (getrusage; workers are
counted once they have exited, which they have by the end of the row), and peak resident memory in MB sampled
every 20 ms (this process, the workers summed, and the whole tree: benchmarks/ingest.py's `TreeMemory`).
A measurement, not a test: figures depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from analysis.access import CLI_VIEWER as ADMIN  # noqa: E402
from analysis.ingest.parse import usable_cpus  # noqa: E402
from analysis.store import STORE_FILE, Store  # noqa: E402


def _load(name: str):
    """A sibling benchmark as a module (benchmarks/ is not a package)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


large_club = _load("large_club")
TreeMemory = _load("ingest").TreeMemory
MB = 1024 * 1024


def club_store(cache: Path | None, athletes: int, weeks: int, scratch: Path) -> Path:
    """A folder holding the generated club's store: `cache` (built there the first time) or a new one."""
    folder = cache if cache is not None else scratch / "club"
    if not (folder / STORE_FILE).is_file():
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        print(f"building the {athletes} x {weeks} club in {folder} (about a minute) ...", flush=True)
        large_club.build(folder, athletes, weeks, progress=lambda _message: None)
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    return folder


def _cpu() -> tuple[float, float]:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


def measure(source: Path, scratch: Path, workers: int | None, late_start: float) -> None:
    copy = scratch / f"copy-{workers}"
    if copy.exists():
        shutil.rmtree(copy)
    copy.mkdir()
    shutil.copy2(source / STORE_FILE, copy / STORE_FILE)
    with Store(copy) as store:
        done = []
        cpu_before = _cpu()
        with TreeMemory() as memory:
            started = time.perf_counter()
            runs = store.set_metric_settings(ADMIN, store.metric_settings(ADMIN), workers=workers,
                                             late_start_fraction=late_start,
                                             progress=lambda d, total, _run: done.append(d))
            seconds = time.perf_counter() - started
        cpu_after = _cpu()
        assert store.metric_settings(ADMIN).late_start_fraction == late_start and done and done[-1] == runs
    shutil.rmtree(copy)
    label = "store's choice" if workers is None else str(workers)
    print(f"{label:>14} {runs:6} {seconds:8.2f} {runs / seconds:8.0f} | {cpu_after[0] - cpu_before[0]:8.2f} "
          f"{cpu_after[1] - cpu_before[1]:8.2f} | {memory.parent / MB:7.0f} {memory.children / MB:8.0f} "
          f"{memory.total / MB:7.0f}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, help="keep the generated club's store here (built when missing)")
    parser.add_argument("--athletes", type=int, default=30)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--workers", type=int, nargs="*", default=None,
                        help="worker counts to measure (default: the store's choice)")
    parser.add_argument("--serial", action="store_true", help="also measure workers=0 (in this process)")
    parser.add_argument("--late-start", type=float, default=0.8, help="the late_start_fraction set (default 0.8)")
    args = parser.parse_args()
    rows: list[int | None] = list(args.workers) if args.workers else [None]
    if args.serial:
        rows.append(0)
    with tempfile.TemporaryDirectory(prefix="recompute-bench-") as tmp:
        scratch = Path(tmp)
        source = club_store(args.cache, args.athletes, args.weeks, scratch)
        print(f"usable CPUs: {usable_cpus()}; store: {source / STORE_FILE} "
              f"({(source / STORE_FILE).stat().st_size / MB:.0f} MB)")
        print(f"{'workers':>14} {'runs':>6} {'wall s':>8} {'runs/s':>8} | {'CPU self':>8} {'workers':>8} | "
              f"{'peak MB':>7} {'workers':>8} {'tree':>7}")
        for workers in rows:
            measure(source, scratch, workers, args.late_start)
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS of this process over the whole benchmark: {maxrss_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
