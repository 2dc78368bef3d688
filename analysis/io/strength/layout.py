"""The skeleton every strength-log layout fills in: how it is recognised, and how its rows become entries.

A layout (`core_cadence.py`, `strong.py`, `hevy.py`) is a `Layout` with a `name` (the `source_format`
it writes), `recognise(table)` returning a `Recognition` (or None) and `read(...)` returning one
`Entry` per set or log row. `analysis.io.strength.reader` asks every layout, takes the most confident
recognition, and does the rest (dates settled per file, problems, the frame) once for all of them.

Confidence orders the answers: a header whose cells an app's layout knows by name beats our own CSV's
forgiving aliases, which beat an app's column order and values alone (an unknown header language),
which beat nothing (our CSV is also the fallback that explains what a table lacks).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from analysis.io.exercise_taxonomy import classify_exercise
from analysis.io.strength.cells import EXPECTED, Bad, Problems, checked, number, text_or_none
from analysis.io.strength.dates import DateCell
from analysis.io.strength.table import Table

BY_HEADER_NAMES = 30  # every column the layout needs is named as the app writes it
BY_COLUMN_ORDER = 20  # the header is unknown, but column order and values are the app's
BY_ALIASES = 25  # our own CSV: a date column and something to log, by the aliases (a table that has them is
#   ours even when its column count and values would also fit a Strong layout)
FALLBACK = 1  # nothing else matched: our CSV's reader says what is missing


@dataclass(frozen=True)
class Recognition:
    """How a layout reads one table: its columns by field, and what the header told about it."""

    layout: Layout
    confidence: int
    columns: Mapping[str, int] = field(default_factory=dict)  # field -> column index
    language: str | None = None  # e.g. "German"; None when the header's language is not known
    detail: str = ""  # e.g. "2016 layout"


@dataclass
class Entry:
    row: int
    date: DateCell
    athlete: str | None
    session_type: str | None
    exercise: str | None
    sets: float = math.nan
    reps: float = math.nan
    load_kg: float = math.nan
    duration_min: float = math.nan
    rpe: float = math.nan
    back_soreness: float = math.nan
    notes: str | None = None
    warmup: bool = False
    inferred: bool = False  # session_type came from the exercise name (taxonomy), not from the file
    note_key: tuple[str, ...] | None = None  # Strong: workout + exercise, to attach "Note" rows


class Layout:
    """One way a strength log is written. Subclasses set the class attributes and the two methods."""

    name: str = ""  # the source_format written on every row
    app: str = ""  # how the report names it ("Strong", "Hevy", "our CSV")
    needs_athlete: bool = True  # the file never says whose log it is

    def recognise(self, table: Table) -> Recognition | None:
        raise NotImplementedError

    def read(self, table: Table, how: Recognition, problems: Problems, warnings: list[str],
             athlete: str | None) -> list[Entry]:
        raise NotImplementedError


def join_notes(*parts: str | None) -> str | None:
    kept = [p for p in (text_or_none(x or "") for x in parts) if p]
    return " | ".join(kept) if kept else None


def classify_app_entry(entry: Entry, row: int, column: str, problems: Problems) -> None:
    """Lifting apps have no session type: infer it from the exercise name (a blank name is a problem)."""
    if entry.exercise is None:
        problems.add(row, column, "the exercise name is blank")
    else:
        entry.session_type = classify_exercise(entry.exercise)
        entry.inferred = True


def read_set_numbers(entry: Entry, row: int, cell: Callable[[str], str | None], header: Callable[[str], str],
                     decimal_comma: bool, problems: Problems, *, seconds_field: str,
                     distance_fields: tuple[str, ...]) -> int:
    """Reps, duration and RPE of one set row of a lifting app's export (Strong and Hevy write them alike).

    `cell(field)` is the row's text under that field, or None when the file has no such column. Both
    apps write 0 for "not logged" in reps, seconds and RPE, so 0 becomes NaN there. Distances are not
    part of the strength log: returns 1 when the row carried one (for a warning), else 0.
    """
    text = cell("reps")
    if text is not None:
        try:
            reps = checked(number(text, decimal_comma, EXPECTED["reps"]), "reps", text)
            entry.reps = math.nan if reps == 0 else reps
        except Bad as bad:
            problems.add(row, header("reps"), str(bad))
    text = cell(seconds_field)
    if text is not None:
        try:
            seconds = checked(number(text, decimal_comma, "a time in seconds (0 or more)"), "duration_min", text)
            entry.duration_min = math.nan if seconds == 0 else seconds / 60
        except Bad as bad:
            problems.add(row, header(seconds_field), str(bad))
    text = cell("rpe")
    if text is not None:
        try:
            rpe = number(text, decimal_comma, EXPECTED["rpe"])
            entry.rpe = math.nan if rpe == 0 else checked(rpe, "rpe", text)  # 0 = not rated
        except Bad as bad:
            problems.add(row, header("rpe"), str(bad))
    for name in distance_fields:
        text = cell(name)
        if text is not None:
            try:
                if number(text, decimal_comma, "a distance") > 0:
                    return 1
            except Bad:
                pass  # distance is not read, so it cannot make the file fail
    return 0


def distance_warning(rows: int) -> str:
    return f"Distances ({rows} rows) are not part of the strength log and were not kept."
