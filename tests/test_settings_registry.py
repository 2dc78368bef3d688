"""The one settings registry (analysis.settings), datasette-style: one test fails on an undocumented setting.

Every setting of every group has a help sentence, a unit, a default within its bounds, a page that shows it
(the Data & settings page: a widget for the ones you can change, a read-only table for the fixed ones) and a
mention in the docs.
"""

from __future__ import annotations

import pytest
from app_harness import assert_no_exception, open_app
from conftest import REPO_ROOT

from analysis.errors import InputError
from analysis.settings import GROUPS, SETTINGS, Setting, all_settings, setting

PAGE = "app_pages/data_settings.py"
TAB_KEY = "data_settings_tab"
DOCS = sorted((REPO_ROOT / "docs").glob("*.md"))


def test_every_setting_has_help_a_unit_a_default_within_bounds_and_docs():
    settings = all_settings()
    assert {s.group for s in settings} == set(GROUPS), "every group has at least one setting"
    assert [s.group for s in settings] == sorted((s.group for s in settings), key=GROUPS.index), "ordered by group"
    docs = "\n".join(p.read_text(encoding="utf-8") for p in DOCS)
    for s in settings:
        assert isinstance(s, Setting) and SETTINGS[s.name] is s
        assert s.help.strip().endswith(".") and len(s.help.split()) >= 8, f"setting {s.name} needs a help sentence"
        assert s.unit.strip(), f"setting {s.name} needs a unit"
        assert s.minimum <= s.default <= s.maximum, f"setting {s.name}: default outside its bounds"
        assert s.validate(s.default) == s.default
        assert f"`{s.name}`" in docs, f"setting {s.name} is not documented in docs/*.md"


def test_validate_names_the_setting_and_its_bounds():
    radius = setting("privacy_radius_m")
    assert radius.validate("150") == 150.0
    for bad in (-1, 2000.5, float("nan"), "far", None, True):
        with pytest.raises(InputError, match="privacy_radius_m must be a number from 0 to 2000 m"):
            radius.validate(bad)
    with pytest.raises(KeyError, match="unknown setting"):
        setting("no_such_setting")


def test_the_data_and_settings_page_shows_every_setting(store_copy, monkeypatch):
    shown: list[str] = []
    for tab in ("Metric settings", "Privacy"):
        at = open_app(store_copy, monkeypatch, page=PAGE)
        at.session_state[TAB_KEY] = tab
        at.run()
        assert_no_exception(at)
        shown += [n.help or "" for n in at.number_input]
        shown += [h for df in at.dataframe if "help" in df.value.columns for h in df.value["help"]]
    text = "\n".join(shown)
    missing = [s.name for s in all_settings() if s.help not in text]
    assert not missing, f"the Data & settings page does not show: {missing}"
