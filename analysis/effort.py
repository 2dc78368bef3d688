"""A run's perceived effort (Borg CR10, 0-10) and feel (0-100, as Garmin's self-evaluation) in words.

Both are self-reports of one run, logged in the app's Check-in page or imported (DESIGN.md §10): Garmin's
post-run self-evaluation writes ``workout_rpe`` (CR10 × 10) and ``workout_feel`` (0-100) into the FIT session
message; Strava's export carries Perceived Exertion. Perceived effort is a fatigue marker like late pace decay:
higher = the run felt harder.

* **Perceived effort** uses Borg's category-ratio scale CR10 (Borg G, 1998, *Borg's Perceived Exertion and Pain
  Scales*, Human Kinetics): numbers 0-10 with verbal anchors at fixed places (:data:`BORG_CR10_ANCHORS`); a
  number between two anchors lies between their words (6 is between "strong (heavy)" and "very strong").
* **Feel** is Garmin's five-step scale, stored 0-100: 0 very weak, 25 weak, 50 normal, 75 strong, 100 very
  strong (:data:`FEEL_ANCHORS`); a value between steps gets the nearest step's word.

Pure Python, no pandas or streamlit: the Check-in page, the Run explorer and the analysis share these words.
"""

from __future__ import annotations

import math

from analysis.errors import InputError

__all__ = [
    "BORG_CR10_ANCHORS",
    "EFFORT_SOURCES",
    "FEEL_ANCHORS",
    "FEEL_RANGE",
    "NOT_REPORTED",
    "PERCEIVED_EFFORT_RANGE",
    "effort_summary",
    "effort_text",
    "effort_words",
    "feel_text",
    "feel_words",
    "source_text",
]

PERCEIVED_EFFORT_RANGE: tuple[float, float] = (0.0, 10.0)  # Borg CR10
FEEL_RANGE: tuple[float, float] = (0.0, 100.0)  # Garmin workout_feel

#: Borg CR10's verbal anchors (Borg 1998), (value, words), in increasing order
BORG_CR10_ANCHORS: tuple[tuple[float, str], ...] = (
    (0.0, "nothing at all"),
    (0.5, "very, very weak (just noticeable)"),
    (1.0, "very weak"),
    (2.0, "weak (light)"),
    (3.0, "moderate"),
    (4.0, "somewhat strong"),
    (5.0, "strong (heavy)"),
    (7.0, "very strong"),
    (10.0, "extremely strong (maximal)"),
)

#: Garmin's feel steps, (value 0-100, word), in increasing order
FEEL_ANCHORS: tuple[tuple[float, str], ...] = (
    (0.0, "very weak"),
    (25.0, "weak"),
    (50.0, "normal"),
    (75.0, "strong"),
    (100.0, "very strong"),
)

#: where a run's effort and feel came from (the runs frame's ``effort_source``) → words
EFFORT_SOURCES: dict[str, str] = {"watch": "from the watch", "check-in": "from a check-in"}
NOT_REPORTED = "not reported"
_ON_ANCHOR = 0.05  # CR10 points: a value this close to an anchor takes its words (the watch stores tenths)


def _reported(value: object) -> float | None:
    """The value as a float, or None when it is missing (None, NaN, pandas NA)."""
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        if str(value) in ("<NA>", "NaT"):
            return None
        raise InputError(f"expected a number, got {value!r}") from None
    return None if math.isnan(number) else number


def _check(number: float, bounds: tuple[float, float], what: str) -> None:
    low, high = bounds
    if not (low <= number <= high):
        raise InputError(f"{what} must be between {low:g} and {high:g}, got {number:g}.")


def effort_words(value: object) -> str:
    """Borg CR10 words for a perceived effort 0-10: the anchor's words, or "between A and B" between anchors.

    ``"not reported"`` for a missing value (None, NaN); :class:`analysis.errors.InputError` outside 0-10.
    """
    number = _reported(value)
    if number is None:
        return NOT_REPORTED
    _check(number, PERCEIVED_EFFORT_RANGE, "Perceived effort (Borg CR10)")
    for (low, low_words), (high, high_words) in zip(BORG_CR10_ANCHORS, BORG_CR10_ANCHORS[1:], strict=False):
        if abs(number - low) <= _ON_ANCHOR:
            return low_words
        if abs(number - high) <= _ON_ANCHOR:
            return high_words
        if low < number < high:
            return f"between {low_words} and {high_words}"
    return BORG_CR10_ANCHORS[-1][1]  # unreachable: 0-10 is covered


def feel_words(value: object) -> str:
    """Garmin's feel word for 0-100 (0 very weak … 100 very strong), the nearest step's for values between.

    A value exactly half-way takes the higher step (12.5 → weak). ``"not reported"`` for a missing value;
    :class:`analysis.errors.InputError` outside 0-100.
    """
    number = _reported(value)
    if number is None:
        return NOT_REPORTED
    _check(number, FEEL_RANGE, "Feel")
    return min(reversed(FEEL_ANCHORS), key=lambda anchor: abs(anchor[0] - number))[1]


def effort_text(value: object) -> str:
    """'7.0 / 10 (Borg CR10) — very strong', or 'not reported'."""
    number = _reported(value)
    if number is None:
        return NOT_REPORTED
    return f"{number:.1f} / 10 (Borg CR10) — {effort_words(number)}"


def feel_text(value: object) -> str:
    """'75 / 100 — strong', or 'not reported'."""
    number = _reported(value)
    if number is None:
        return NOT_REPORTED
    return f"{number:.0f} / 100 — {feel_words(number)}"


def source_text(source: object) -> str:
    """'from the watch' / 'from a check-in'; '' when the source is unknown or missing."""
    return EFFORT_SOURCES.get(str(source), "") if isinstance(source, str) else ""


def effort_summary(perceived_effort: object, feel: object, source: object = None) -> str:
    """One line about how a run felt: 'Perceived effort 7.0 / 10 (Borg CR10) — very strong; feel 75 / 100 —
    strong (from the watch)', or 'Perceived effort and feel: not reported'."""
    effort, how = _reported(perceived_effort), _reported(feel)
    if effort is None and how is None:
        return f"Perceived effort and feel: {NOT_REPORTED}"
    where = source_text(source)
    return (f"Perceived effort {effort_text(effort)}; feel {feel_text(how)}"
            + (f" ({where})" if where else ""))
