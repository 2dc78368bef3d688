"""The conftest rule: a skip passes locally but fails in CI (xfail stays xfail)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

THROWAWAY_TESTS = """
import pytest

def test_passes():
    assert True

def test_skips():
    pytest.skip("needs the moon")

@pytest.mark.skipif(True, reason="marked away")
def test_skipif():
    pass

@pytest.mark.xfail(reason="known bug", strict=True)
def test_xfails():
    assert False
"""


def _run_throwaway(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    project = tmp_path / ("ci" if ci else "local")
    project.mkdir()
    shutil.copy(Path(__file__).with_name("conftest.py"), project / "conftest.py")
    (project / "test_throwaway.py").write_text(THROWAWAY_TESTS)
    (project / "pytest.ini").write_text("[pytest]\n")  # keep the repo's pyproject out of it
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)  # the copied conftest imports analysis
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", str(project)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _counts(output: str) -> dict[str, int]:
    last = output.strip().splitlines()[-1]
    return {word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|skipped|xfailed|xpassed|errors?)", last)}


def test_skip_is_a_skip_outside_ci(tmp_path):
    result = _run_throwaway(tmp_path, ci=None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _counts(result.stdout) == {"passed": 1, "skipped": 2, "xfailed": 1}


def test_skip_becomes_failure_in_ci(tmp_path):
    result = _run_throwaway(tmp_path, ci="true")
    assert result.returncode == 1, result.stdout + result.stderr
    # pytest.skip() in the test body fails the call phase; a skip mark fails setup, reported as an error.
    assert _counts(result.stdout) == {"passed": 1, "failed": 1, "error": 1, "xfailed": 1}
    assert "skipped in CI: needs the moon — CI must run every test" in result.stdout
    assert "skipped in CI: marked away" in result.stdout


def test_ci_equals_one_counts_as_ci(tmp_path):
    result = _run_throwaway(tmp_path, ci="1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert _counts(result.stdout) == {"passed": 1, "failed": 1, "error": 1, "xfailed": 1}
