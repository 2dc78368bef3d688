"""End to end: a real `streamlit run app.py` server, driven by Debian's chromium through Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO_ROOT

from analysis.store import Store

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT_S = 60
PAGE_TIMEOUT_MS = 60_000


def chromium_path() -> str | None:
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode} before it was healthy:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.25)
    pytest.fail(f"streamlit not healthy at {url} after {STARTUP_TIMEOUT_S} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def server(sample_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a fresh `streamlit run app.py` over a copy of the sample-club store; always terminated."""
    port = free_port()
    store = tmp_path_factory.mktemp("browser") / "store"
    shutil.copytree(sample_store_dir, store)
    env = dict(os.environ)
    env["CORE_CADENCE_STORE"] = str(store)
    env.pop("CORE_CADENCE_SAMPLE_DIR", None)
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "streamlit", "run", "app.py"),
                *("--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"),
                *("--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"),
            ],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", proc, log)
        yield f"http://127.0.0.1:{port}/", store
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.skip("chromium not installed (/usr/bin/chromium or on PATH); scripts/test.sh installs it as root")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def test_overview_in_a_real_browser(server, browser, sample_store_dir, tmp_path):
    url, _ = server
    with Store(sample_store_dir) as store:  # the original; the server has its own copy
        expected_runs = store.status().runs
    assert expected_runs > 100
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(url, timeout=PAGE_TIMEOUT_MS)
        title = page.get_by_role("heading", name="Core & Cadence")
        title.wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
        tables = page.locator('[data-testid="stDataFrame"]')
        tables.first.wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
        # Streamlit shows its status widget ("Running…") while the script runs; wait until it is gone.
        page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=PAGE_TIMEOUT_MS)
        page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)

        assert title.is_visible()
        assert tables.count() == 3 and tables.nth(1).is_visible()  # athletes, runs, latest imports (expander)
        assert page.locator('[data-testid="stException"]').count() == 0
        runs = page.locator('[data-testid="stMetric"]').filter(has_text="Runs")
        shown = runs.locator('[data-testid="stMetricValue"]').inner_text().strip()
    finally:
        page.close()
    assert shown == str(expected_runs)
