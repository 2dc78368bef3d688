"""Running app.py under Streamlit's AppTest on a given store, optionally on one page (shared by page tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ADMIN, REPO_ROOT, SAMPLE_DIR
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

from analysis.ingest.pipeline import ingest
from analysis.store import Store

APP = REPO_ROOT / "app.py"
TIMEOUT_S = 120


def open_app(store_dir: Path, monkeypatch: pytest.MonkeyPatch, page: str | None = None, *,
             sample_dir: Path | None = None) -> AppTest:
    """Run app.py on the store at `store_dir`; then switch to `page` (e.g. "app_pages/squad.py") when given.

    Fails the test on any exception the app raised. Each call is a fresh session (new session state).
    """
    monkeypatch.setenv("CORE_CADENCE_STORE", str(store_dir))
    if sample_dir is not None:
        monkeypatch.setenv("CORE_CADENCE_SAMPLE_DIR", str(sample_dir))
    else:
        monkeypatch.delenv("CORE_CADENCE_SAMPLE_DIR", raising=False)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    at.run()
    assert_no_exception(at)
    if page is not None:
        at.switch_page(page)
        at.run()
        assert_no_exception(at)
    return at


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message + "\n" + "\n".join(e.stack_trace) for e in at.exception]


def metric_value(at: AppTest, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert len(values) == 1, f"expected one metric {label!r}, found {[m.label for m in at.metric]}"
    return values[0]


def choose_athlete(at: AppTest, athlete: str) -> AppTest:
    """Pick `athlete` in the sidebar's selectbox, as a user would, and run again."""
    at.sidebar.selectbox(key="athlete").select(athlete).run()
    assert_no_exception(at)
    return at


def add_runs_only_athlete(store_dir: Path, name: str = "Runs Only") -> str:
    """Store one run (a sample GPX with a byte added, so not a duplicate) for a new athlete without a strength log."""
    gpx = sorted((SAMPLE_DIR / "ana" / "runs").glob("*.gpx"))[0]
    with Store(store_dir) as store:
        report = ingest([("only-runs.gpx", gpx.read_bytes() + b"\n")], athlete=name, store=store, viewer=ADMIN,
                        workers=0)
    assert list(report["status"]) == ["imported"]
    return name


def everything_shown(at: AppTest) -> str:
    """Every element's protobuf as UTF-8 text (markdown, captions, help, options, chart specs), and tables."""
    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(text_format.MessageToString(proto, as_utf8=True))
        value = getattr(node, "value", None) if type(node).__name__ == "Dataframe" else None
        if value is not None:
            parts.append(value.astype(str).to_csv())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)
