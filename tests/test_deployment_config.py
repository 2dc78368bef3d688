"""The deployment settings DESIGN.md §7 asks for, and the rule that user text is never handed to HTML.

The browser test (tests/test_browser.py::test_hostile_names_and_files_are_shown_as_text_never_run) shows
names staying text in a real page; these catch the regressions a reviewer could miss in a diff.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from conftest import REPO_ROOT

from analysis.ingest.pipeline import MAX_UPLOAD_BYTES
from analysis.io.source import MAX_ACTIVITY_BYTES

CONFIG = REPO_ROOT / ".streamlit" / "config.toml"
APP_FILES = sorted([REPO_ROOT / "app.py", *(REPO_ROOT / "app_pages").glob("*.py")])


def _config() -> dict:
    return tomllib.loads(CONFIG.read_text())


def test_error_details_and_usage_statistics_stay_private() -> None:
    config = _config()
    assert config["client"]["showErrorDetails"] == "none"  # tracebacks go to the server log, not the visitor
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["toolbarMode"] == "viewer"  # visitors get no "Deploy" or developer menu items
    # Streamlit's defaults protect uploads and the websocket; turning them off must be a visible decision.
    assert config["server"].get("enableXsrfProtection", True) is True
    assert config["server"].get("enableCORS", True) is True


def test_upload_size_is_set_deliberately_and_fits_the_other_caps() -> None:
    upload_mb = _config()["server"]["maxUploadSize"]
    assert isinstance(upload_mb, int) and upload_mb > 0
    # One uploaded file fits the per-import total, and can hold at least one activity file of the size
    # the readers accept (an account zip is larger than one activity, hence >=).
    assert upload_mb * 1024**2 <= MAX_UPLOAD_BYTES
    assert upload_mb * 1024**2 >= MAX_ACTIVITY_BYTES
    readme = (REPO_ROOT / "README.md").read_text()
    assert f"{upload_mb} MB" in readme  # the limit a user meets is the one the README states


def _calls(path: Path) -> list[tuple[str, ast.Call]]:
    calls = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            calls.append((name, node))
    return calls


def test_no_page_hands_text_to_html() -> None:
    """No `unsafe_allow_html`, `st.html` or components HTML anywhere in the app: every string goes through
    Streamlit's markdown (escaped with `_shared.md` where it holds user text) or a data frame."""
    offences = []
    for path in APP_FILES:
        for name, call in _calls(path):
            if name in ("html", "iframe") or any(k.arg == "unsafe_allow_html" for k in call.keywords):
                offences.append(f"{path.name}:{call.lineno} {name}")
    assert offences == []
    assert len(APP_FILES) >= 8  # app.py and the pages were found
