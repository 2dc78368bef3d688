"""The shared chart style: every number a page shows has a label with a unit; one stable colour per athlete."""

from __future__ import annotations

import ast
import math

import pytest
from conftest import REPO_ROOT

from analysis.charts.style import METRIC_LABELS, athlete_colours, label, pace_text
from analysis.consistency import WEEKLY_RUN_METRICS
from analysis.metrics.run import FATIGUE_METRICS
from analysis.metrics.settings import METRIC_SETTINGS


@pytest.mark.parametrize("metric", [*FATIGUE_METRICS, *WEEKLY_RUN_METRICS, "adherence", "consistency_4wk",
                                    "consistency_28d", "back_soreness"])
def test_every_metric_a_page_plots_has_a_title_a_unit_and_a_meaning(metric):
    shown = label(metric)
    assert shown.title and shown.unit and len(shown.meaning) > 20
    assert shown.axis_title == f"{shown.title} ({shown.unit})"


def test_every_label_is_complete():
    for name, shown in METRIC_LABELS.items():
        assert shown.title and shown.unit and shown.meaning, name


def test_a_missing_label_names_itself():
    with pytest.raises(KeyError, match="no on-screen label for 'made_up_metric'"):
        label("made_up_metric")


def test_colours_are_distinct_for_a_club_of_thirty_and_do_not_depend_on_order():
    names = [f"Athlete {i:02d}" for i in range(30)]
    colours = athlete_colours(names)
    assert len(set(colours.values())) == 30
    assert athlete_colours(reversed(names)) == colours
    assert athlete_colours(["ben", "Ana"])["Ana"] == athlete_colours(["Ana", "ben", "ben"])["Ana"]


@pytest.mark.parametrize(("seconds", "text"), [(300, "5:00"), (299.6, "5:00"), (331.2, "5:31"), (59, "0:59")])
def test_pace_text(seconds, text):
    assert pace_text(seconds) == text


@pytest.mark.parametrize("seconds", [math.nan, None, 0, -4])
def test_pace_text_without_a_pace(seconds):
    assert pace_text(seconds) == "—"


def test_every_metric_setting_has_a_readable_title_on_the_settings_page():
    """Like the help-text rule for settings: a new setting must get a title on the Data & settings page."""
    tree = ast.parse((REPO_ROOT / "app_pages" / "data_settings.py").read_text())
    [titles] = [node.value for node in tree.body if isinstance(node, ast.Assign)
                and any(getattr(t, "id", "") == "SETTING_TITLES" for t in node.targets)]
    named = {key.value for key in titles.keys}
    assert {s.name for s in METRIC_SETTINGS} <= named
