"""Each page's script time on the sample club and on a generated 30-athlete x 52-week club.

    .venv/bin/python benchmarks/pages.py [--large-store DIR] [--sample-store DIR] [--repeat 3]

Runs app.py under Streamlit's AppTest (the real script, in-process, no browser) on each page and prints
the time of the first visit (cold: `st.cache_data` cleared, so the page computes its tables from the store)
and the median of the next visits (warm: what a user sees when moving between pages, since the cached
tables are keyed on the store's data version). Targets (issue 7): every page under 1 s on the sample club,
under 2 s on the large club. Stores are built into a temporary folder unless given (the large club takes
about 100 s to build: benchmarks/large_club.py). A measurement, not a test.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Keep this folder off sys.path (Python puts a script's folder first), so nothing here can shadow the app's
# modules.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from analysis.access import CLI_VIEWER as ADMIN  # noqa: E402
from analysis.ingest.pipeline import load_sample_club  # noqa: E402
from analysis.store import Store  # noqa: E402

_spec = importlib.util.spec_from_file_location("large_club", HERE / "large_club.py")
large_club = sys.modules["large_club"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(large_club)

PAGES = ("overview", "import_files", "run_explorer", "consistency", "squad", "strength_log", "data_settings")


def visit(page: str, *, cold: bool) -> tuple[float, AppTest]:
    """Seconds of one run of app.py on `page` (a first run registers the navigation; it is not timed)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py")
    if cold:
        st.cache_data.clear()
    started = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - started
    if at.exception:
        raise SystemExit(f"{page}: {at.exception[0].message}")
    return seconds, at


def measure(label: str, store_dir: Path, repeat: int) -> list[tuple[str, float, float]]:
    os.environ["CORE_CADENCE_STORE"] = str(store_dir)
    st.cache_resource.clear()
    with Store(store_dir) as store:
        status = store.status(ADMIN)
    print(f"\n{label}: {status.athletes} athletes, {status.runs} runs, {status.strength_entries} strength entries")
    print(f"{'page':16} {'cold s':>8} {'warm s':>8}")
    rows = []
    for page in PAGES:
        cold, _ = visit(page, cold=True)
        warm = statistics.median(visit(page, cold=False)[0] for _ in range(repeat))
        rows.append((page, cold, warm))
        print(f"{page:16} {cold:8.3f} {warm:8.3f}")
    st.cache_resource.clear()  # closes nothing, but lets the next store open in this process
    return rows


def main() -> int:
    logging.disable(logging.WARNING)  # AppTest outside a server warns on every run
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample-store", type=Path, help="a store holding the sample club (built when absent)")
    parser.add_argument("--large-store", type=Path, help="a store built by benchmarks/large_club.py")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sample = args.sample_store
        if sample is None:
            sample = Path(tmp) / "sample"
            with Store(sample) as store:
                load_sample_club(store, viewer=ADMIN)
        large = args.large_store
        if large is None:
            large = large_club.build(Path(tmp) / "large", progress=lambda _msg: None)
        # A copy, so a page that writes on open (none should) cannot change the given stores.
        for name, src in (("sample club", sample), ("30 athletes x 52 weeks", large)):
            dst = Path(tmp) / f"copy-{name.split()[0]}"
            shutil.copytree(src, dst)
            measure(name, dst, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
