"""Shared test plumbing: the corpus beside the repo, and the rule that CI runs every test.

Locally, tests that need something absent (../shared/corpus, chromium) skip with a reason.
In CI (env CI=true or 1) a skip is turned into a failure, so a missing corpus or browser can
never pass silently. This file uses only the standard library and pytest (tests/test_ci_guard.py
copies it into a throwaway project to prove the rule).
"""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

from analysis.access import Viewer

# The viewer of tests that are not about who sees what: everything, as the command line sees it.
ADMIN = Viewer.everything("tests")
REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = Path(os.environ.get("CORE_CADENCE_CORPUS") or REPO_ROOT.parent / "shared" / "corpus")
CATALOG_CSV = CORPUS_DIR / "CATALOG.csv"
SAMPLE_DIR = REPO_ROOT / "sample_data"
def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


def corpus_catalog() -> list[dict[str, str]]:
    """Rows of the corpus CATALOG.csv (one dict per file, all values strings); [] when absent.

    Meant for `pytest.mark.parametrize`; an empty list gives pytest's "empty parameter set" skip,
    which fails in CI like any other skip. `CORPUS_DIR / row["local_path"]` is the file.
    """
    if not CATALOG_CSV.is_file():
        return []
    with CATALOG_CSV.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The real-file corpus (../shared/corpus, or env CORE_CADENCE_CORPUS); skips when absent."""
    if not CATALOG_CSV.is_file():
        pytest.skip(
            f"corpus not found at {CORPUS_DIR} (needs CATALOG.csv; put shared/ beside the repo "
            "or set CORE_CADENCE_CORPUS)"
        )
    return CORPUS_DIR


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # (path, lineno, "Skipped: reason")
        reason = str(longrepr[2])
        return reason.removeprefix("Skipped: ")
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail") and in_ci():
        report.outcome = "failed"
        report.longrepr = (
            f"skipped in CI: {_skip_reason(report)} — CI must run every test "
            "(corpus beside the repo, chromium installed)"
        )


@pytest.fixture(scope="session")
def sample_store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the bundled sample club, loaded once per test session (pages and browser tests copy it)."""
    from analysis.ingest.pipeline import load_sample_club
    from analysis.store import Store

    directory = tmp_path_factory.mktemp("sample-store")
    with Store(directory) as store:
        report = load_sample_club(store, viewer=ADMIN, sample_dir=SAMPLE_DIR)
    failed = report[report["status"] == "failed"]
    assert failed.empty, f"sample club files failed to import:\n{failed[['file', 'reason']]}"
    return directory


@pytest.fixture
def store_copy(sample_store_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the sample-club store for a test that may change it."""
    target = tmp_path / "store"
    shutil.copytree(sample_store_dir, target)
    return target
