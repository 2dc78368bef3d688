"""analysis.effort: Borg CR10 and Garmin feel words, the ranges the Check-in page and the analysis share."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.effort import (
    BORG_CR10_ANCHORS,
    FEEL_ANCHORS,
    FEEL_RANGE,
    PERCEIVED_EFFORT_RANGE,
    effort_summary,
    effort_text,
    effort_words,
    feel_text,
    feel_words,
    source_text,
)
from analysis.errors import InputError


def test_ranges_and_anchors_cover_the_scales():
    assert PERCEIVED_EFFORT_RANGE == (0.0, 10.0) and FEEL_RANGE == (0.0, 100.0)
    values = [v for v, _ in BORG_CR10_ANCHORS]
    assert values == sorted(values) and values[0] == 0.0 and values[-1] == 10.0
    assert dict(BORG_CR10_ANCHORS) == {  # Borg (1998), Borg's Perceived Exertion and Pain Scales
        0.0: "nothing at all", 0.5: "very, very weak (just noticeable)", 1.0: "very weak", 2.0: "weak (light)",
        3.0: "moderate", 4.0: "somewhat strong", 5.0: "strong (heavy)", 7.0: "very strong",
        10.0: "extremely strong (maximal)"}
    assert dict(FEEL_ANCHORS) == {0.0: "very weak", 25.0: "weak", 50.0: "normal", 75.0: "strong",
                                  100.0: "very strong"}


@pytest.mark.parametrize("value, words", [
    *BORG_CR10_ANCHORS,
    (7, "very strong"), (np.float64(3.0), "moderate"), (3.04, "moderate"),  # the watch stores tenths
    (6.0, "between strong (heavy) and very strong"),
    (8.5, "between very strong and extremely strong (maximal)"),
    (0.3, "between nothing at all and very, very weak (just noticeable)"),
    (1.5, "between very weak and weak (light)"),
])
def test_effort_words_are_borgs_anchor_or_between_two(value, words):
    assert effort_words(value) == words


@pytest.mark.parametrize("value, word", [
    *FEEL_ANCHORS, (60, "normal"), (62, "normal"), (63, "strong"), (12.5, "weak"), (90, "very strong"),
    (5, "very weak"),
])
def test_feel_words_take_the_nearest_step(value, word):
    assert feel_words(value) == word


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA])
def test_missing_values_are_not_reported(missing):
    assert effort_words(missing) == feel_words(missing) == "not reported"
    assert effort_text(missing) == feel_text(missing) == "not reported"


@pytest.mark.parametrize("fn, value", [(effort_words, -0.1), (effort_words, 10.5), (feel_words, 101),
                                       (feel_words, -5), (effort_words, "hard")])
def test_values_off_the_scale_are_refused(fn, value):
    with pytest.raises(InputError):
        fn(value)


def test_texts_as_the_run_explorer_shows_them():
    assert effort_text(7) == "7.0 / 10 (Borg CR10) — very strong"
    assert feel_text(75.0) == "75 / 100 — strong"
    assert source_text("watch") == "from the watch" and source_text("check-in") == "from a check-in"
    assert source_text(None) == source_text(math.nan) == source_text("strava?") == ""
    assert effort_summary(7.0, 75.0, "watch") == (
        "Perceived effort 7.0 / 10 (Borg CR10) — very strong; feel 75 / 100 — strong (from the watch)")
    assert effort_summary(4.0, None, "check-in") == (
        "Perceived effort 4.0 / 10 (Borg CR10) — somewhat strong; feel not reported (from a check-in)")
    assert effort_summary(math.nan, math.nan, None) == "Perceived effort and feel: not reported"


def test_no_streamlit_or_pandas_needed():
    from pathlib import Path

    source = (Path(__file__).resolve().parent.parent / "analysis" / "effort.py").read_text(encoding="utf-8")
    assert "import streamlit" not in source and "import pandas" not in source
