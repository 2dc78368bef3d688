"""One cell at a time: numbers, clock durations, text, ranges, and the list of problems a file has.

Dates have their own module (`dates.py`): their order is settled per file, not per cell.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from analysis.errors import InputError

MAX_LISTED_PROBLEMS = 20
LB_TO_KG = 0.45359237  # exact, by definition of the international pound

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,3}):(\d{2}(?:\.\d+)?)$")

EXPECTED = {
    "sets": "a number of sets (0 or more)",
    "reps": "a number of repetitions (0 or more)",
    "load_kg": "a load (0 or more)",
    "duration_min": "a duration (0 or more; minutes, or m:ss)",
    "rpe": "an RPE from 1 to 10",
    "back_soreness": "a back soreness score from 0 (none) to 10 (worst)",
}


class Bad(ValueError):
    """A cell that cannot be used; the message says what was expected."""


class Problems:
    """Every problem found in a file; raised together so the runner can fix them in one go.

    A problem with a row number is that row's; one without (a whole column, the file's date order) is
    the file's. `rows()` is what "import the good rows" leaves out.
    """

    def __init__(self, name: str):
        self.name = name
        self.items: list[tuple[int, int | None, str | None, str]] = []  # (order, row, column, text)

    def add(self, row: int | None, column: str | None, text: str) -> None:
        self.items.append((len(self.items), row, column, text))

    def __bool__(self) -> bool:
        return bool(self.items)

    def rows(self) -> set[int]:
        return {row for _, row, _, _ in self.items if row is not None}

    def of_file(self) -> bool:
        return any(row is None for _, row, _, _ in self.items)

    def ordered(self) -> list[tuple[int | None, str | None, str]]:
        ordered = sorted(self.items, key=lambda p: (p[1] is not None, p[1] or 0, p[0]))
        return [(row, column, text) for _, row, column, text in ordered]

    def raise_if_any(self, *, rows_skippable: bool = False) -> None:
        if not self.items:
            return
        ordered = self.ordered()
        lines = [f"- {describe_problem(*p)}" for p in ordered[:MAX_LISTED_PROBLEMS]]
        more = len(ordered) - MAX_LISTED_PROBLEMS
        if more > 0:
            lines.append(f"…and {more} more")
        n = len(ordered)
        fix = "fix and import again"
        if rows_skippable and not self.of_file():
            fix += ", or choose to import only the good rows (skip bad rows)"
        head = f"{n} problem{'s' if n != 1 else ''} found, so nothing was imported ({fix}):"
        err = InputError("\n".join([head, *lines]), file_name=self.name)
        err.problems = tuple(ordered)
        raise err


def describe_problem(row: int | None, column: str | None, text: str) -> str:
    where = []
    if row is not None:
        where.append(f"row {row}")
    if column is not None:
        where.append(f"column '{column}'")
    return f"{', '.join(where)}: {text}" if where else text


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def format_number(value: object) -> str:
    """Shortest round-trip text of a number, whole numbers without `.0`, NaN as an empty cell."""
    if is_missing(value):
        return ""
    x = float(value)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def number(text: str, decimal_comma: bool, what: str) -> float:
    """A number cell (blank -> NaN). `decimal_comma` accepts `62,5` (files separated by `;` or tabs)."""
    s = text.strip()
    if not s:
        return math.nan
    t = s.replace("\u2212", "-")
    if decimal_comma and "," in t and "." not in t and t.count(",") == 1:
        t = t.replace(",", ".")
    if not _NUMBER.match(t):
        hint = " (use a point for decimals: the file is comma-separated)" if "," in s and not decimal_comma else ""
        raise Bad(f"'{s}' is not a number; expected {what}{hint}")
    value = float(t)
    if not math.isfinite(value):
        raise Bad(f"'{s}' is too large; expected {what}")
    return value


def is_number(text: str, decimal_comma: bool) -> bool:
    try:
        return not math.isnan(number(text, decimal_comma, "a number"))
    except Bad:
        return False


def duration_minutes(text: str, decimal_comma: bool, factor: float) -> float:
    """Minutes from a duration cell: `m:ss` or `h:mm:ss` clock text, else a number times `factor`."""
    clock = _CLOCK.match(text.strip())
    if clock:
        h, m, s = clock.groups()
        if float(s) >= 60 or (h is not None and int(m) >= 60):
            raise Bad(f"'{text.strip()}' is not a clock time; expected {EXPECTED['duration_min']}")
        return int(h or 0) * 60 + int(m) + float(s) / 60
    return number(text, decimal_comma, EXPECTED["duration_min"]) * factor


def text_or_none(cell: str) -> str | None:
    s = cell.strip()
    return s or None


BACK_SORENESS_RANGE = (0.0, 10.0)  # 0 no soreness at all .. 10 the worst imaginable (a numeric rating scale)


def checked(value: float, canonical: str, raw: str) -> float:
    """`value` when it is within the range of column `canonical` (NaN passes), else `Bad`."""
    if math.isnan(value):
        return value
    if canonical == "rpe" and not 1 <= value <= 10:
        raise Bad(f"{raw.strip()} is outside 1-10; expected {EXPECTED['rpe']}")
    low, high = BACK_SORENESS_RANGE
    if canonical == "back_soreness" and not low <= value <= high:
        raise Bad(f"{raw.strip()} is outside {low:g}-{high:g}; expected {EXPECTED['back_soreness']}")
    if value < 0:
        raise Bad(f"{raw.strip()} is negative; expected {EXPECTED[canonical]}")
    return value
