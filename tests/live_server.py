"""A live app for the tests that need one: Debian's chromium, free ports, health polling, `streamlit run`.

Shared by the browser tests (tests/test_browser.py), the login tests (tests/oidc_provider.py and its users) and
the personal-mode test, after Streamlit's own end-to-end tests: start `streamlit run`, poll
`/_stcore/health`, wait for the script to finish after each action.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

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
HOST = "127.0.0.1"


def chromium_path() -> str | None:
    """Debian's chromium (/usr/bin/chromium) or one on PATH; None when absent (the caller skips)."""
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (another process could still take it before it is used)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def read_log(log: Path) -> str:
    try:
        return log.read_text(errors="replace")
    except OSError:
        return "(no log)"


def stop_process(proc: subprocess.Popen) -> None:
    """Terminate `proc` (SIGTERM, then SIGKILL after 15 s) and reap it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def wait_http_ok(url: str, proc: subprocess.Popen, log: Path, *, timeout_s: float = STARTUP_TIMEOUT_S,
                 expect: str | None = None) -> str:
    """Poll `url` until it answers 200 (and, if `expect` is given, a body containing it); return the body.

    Raises RuntimeError, with the server's log, if `proc` exits first or the time runs out.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before {url} answered:\n{read_log(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                body = resp.read().decode()
                if resp.status == 200 and (expect is None or expect in body):
                    return body
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{url} did not answer after {timeout_s} s:\n{read_log(log)}")


@contextmanager
def streamlit_server(app: Path, secrets_file: Path | None = None, *, port: int | None = None,
                     address: str | None = HOST, cwd: Path | None = None, env: Mapping[str, str] | None = None,
                     log: Path, extra_args: Sequence[str] = ()) -> Iterator[str]:
    """Run `streamlit run APP` on PORT and yield its base URL (http://127.0.0.1:PORT/) once /_stcore/health says
    "ok"; always stopped.

    `secrets_file`: passed as `--secrets.files`, which replaces Streamlit's default secrets locations
    (~/.streamlit/secrets.toml and ./.streamlit/secrets.toml), so only this file is read; for a login, the port
    must be the one in the secrets' redirect_uri (pick it with `free_port()` first). `address`: None leaves
    `server.address` to the config file (as `scripts/run.sh` does). `log` receives the server's output.
    """
    port = port or free_port()
    cmd = [
        *(sys.executable, "-m", "streamlit", "run", str(app)),
        *("--server.port", str(port), "--server.headless", "true"),
        *("--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"),
        *(("--server.address", address) if address is not None else ()),
        *(("--secrets.files", str(secrets_file)) if secrets_file is not None else ()),
        *extra_args,
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd or app.parent, env=dict(env if env is not None else os.environ),
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_http_ok(f"http://{HOST}:{port}/_stcore/health", proc, log, expect="ok")
        yield f"http://{HOST}:{port}/"
    finally:
        stop_process(proc)


def wait_for_script(page, timeout_ms: int = PAGE_TIMEOUT_MS) -> None:
    """Wait until the Streamlit app's script has finished (Streamlit marks the app root with its script state)."""
    page.wait_for_timeout(400)  # a rerun request reaches the server and the state turns "running"
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=timeout_ms)




@contextmanager
def chromium():
    """Debian's chromium, headless, launched through Playwright (never Playwright's own download); skips the
    test where it is not installed (a failure in CI, tests/conftest.py)."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("chromium not installed (/usr/bin/chromium or on PATH); scripts/test.sh installs it as root")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()
