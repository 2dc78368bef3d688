"""The normalised strength log every layout is read into: columns, dtypes, units; its check and its CSV writer.

DESIGN.md §2 "Strength log". Every reader output meets `check_strength_log` (the dtype contract);
`write_strength_log_csv` writes a log as our own CSV, which reads back to the same frame.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.io.exercise_taxonomy import SESSION_TYPES
from analysis.io.strength.cells import format_number, is_missing

# The file layouts, and `check_in`: what a runner logged on the Check-in page or with `analysis check-in`.
SOURCE_FORMATS: tuple[str, ...] = ("core_cadence", "strong", "hevy", "check_in")


@dataclass(frozen=True)
class LogColumn:
    name: str
    dtype: str
    help: str


STRENGTH_LOG_COLUMNS: tuple[LogColumn, ...] = (
    LogColumn(
        "date",
        "datetime64[ns]",
        "Local calendar date of the entry, tz-naive, at midnight (Strong/Hevy: the workout's start date).",
    ),
    LogColumn("athlete", "str", "Whose log this is; never missing."),
    LogColumn(
        "session_type",
        "str",
        "core, hip, mobility, strength or other; missing (NaN) only on a soreness-only row (no exercise).",
    ),
    LogColumn("exercise", "str", "Exercise name as written in the file; NaN on soreness-only rows."),
    LogColumn("sets", "float64", "Number of sets; 1 for every Strong/Hevy row (one row per set); NaN if unknown."),
    LogColumn("reps", "float64", "Repetitions per set; NaN if unknown or timed."),
    LogColumn("load_kg", "float64", "External load in kilograms (pounds converted, x 0.45359237); NaN if unknown."),
    LogColumn("duration_min", "float64", "Duration in minutes (Strong/Hevy seconds / 60); NaN if unknown."),
    LogColumn("rpe", "float64", "Rating of perceived exertion, 1-10; NaN if not given."),
    LogColumn("back_soreness", "float64", "Back soreness, 0 (none) to 10 (worst); NaN if not reported."),
    LogColumn("notes", "str", "Free text, kept as written (trimmed); NaN when empty."),
    LogColumn("warmup", "bool", "True for warm-up sets (Hevy set_type warmup, Strong set order W); kept, not dropped."),
    LogColumn("source_format", "str", "core_cadence, strong or hevy: the layout the row was read from; check_in: "
              "logged in the app (Check-in page, `analysis check-in`)."),
    LogColumn("source_row", "int64", "Row number in the file as a spreadsheet shows it (header row = 1); a "
              "check-in's rows are numbered from 1 in the order they were logged."),
)
STRENGTH_LOG_COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in STRENGTH_LOG_COLUMNS)
DTYPES = {c.name: c.dtype for c in STRENGTH_LOG_COLUMNS}
TEXT_COLUMNS = ("athlete", "session_type", "exercise", "notes")
NUMBER_COLUMNS = ("sets", "reps", "load_kg", "duration_min", "rpe", "back_soreness")


def check_strength_log(frame: pd.DataFrame) -> None:
    """Raise AssertionError when `frame` breaks the normalised strength-log contract (tests and writers use it)."""
    assert tuple(frame.columns) == STRENGTH_LOG_COLUMN_NAMES, f"columns differ: {list(frame.columns)}"
    for col in STRENGTH_LOG_COLUMN_NAMES:
        assert str(frame[col].dtype) == DTYPES[col], f"{col} has dtype {frame[col].dtype}"
    assert isinstance(frame.index, pd.RangeIndex), "index must be a RangeIndex"
    assert frame["date"].notna().all(), "date is missing"
    assert (frame["date"] == frame["date"].dt.normalize()).all(), "date must be at midnight"
    for col in TEXT_COLUMNS:
        present = frame[col].dropna()
        assert (present == present.str.strip()).all(), f"{col} has untrimmed text"
        assert (present != "").all(), f"{col} has empty text (use NaN)"
    assert frame["athlete"].notna().all(), "athlete is missing"
    kinds = frame["session_type"].dropna()
    assert kinds.isin(SESSION_TYPES).all(), f"unknown session types: {sorted(set(kinds) - set(SESSION_TYPES))}"
    no_type = frame["session_type"].isna()
    assert frame.loc[no_type, "exercise"].isna().all(), "an exercise row has no session_type"
    assert frame.loc[no_type, "back_soreness"].notna().all(), "a row has neither a session_type nor back soreness"
    for col in ("sets", "reps", "load_kg", "duration_min"):
        values = frame[col].dropna()
        assert (values >= 0).all() and np.isfinite(values).all(), f"{col} must be finite and >= 0"
    rpe, sore = frame["rpe"].dropna(), frame["back_soreness"].dropna()
    assert ((rpe >= 1) & (rpe <= 10)).all(), "rpe must be within 1-10"
    assert ((sore >= 0) & (sore <= 10)).all(), "back_soreness must be within 0-10"
    assert frame["source_format"].isin(SOURCE_FORMATS).all(), "unknown source_format"
    assert (frame["source_row"] >= 1).all(), "source_row must be >= 1"


# Columns of the CSV that write_strength_log_csv writes (the data columns of the contract plus warmup).
CSV_COLUMNS: tuple[str, ...] = (
    "date",
    "athlete",
    "session_type",
    "exercise",
    "sets",
    "reps",
    "load_kg",
    "duration_min",
    "rpe",
    "back_soreness",
    "notes",
    "warmup",
)


def write_strength_log_csv(frame: pd.DataFrame) -> str:
    """A normalised log as the project's own CSV text (comma-separated, `\\r\\n` line ends, ISO dates).

    Numbers are written exactly (shortest round-trip form, whole numbers without `.0`), NaN as an empty
    cell, `warmup` as `true`/`false`. `source_format`/`source_row` are not written: they describe where
    rows came from, and reading the text back gives `core_cadence` and the new row numbers. Text is
    written as it is (escaping cells that start with `= + - @` for spreadsheets is the exports' job).
    Encode the text as UTF-8 to store it.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    dates = frame["date"].dt.strftime("%Y-%m-%d").tolist()
    columns = {col: frame[col].tolist() for col in CSV_COLUMNS[1:]}
    for i, day in enumerate(dates):
        row = [day]
        for col in CSV_COLUMNS[1:]:
            value = columns[col][i]
            if col == "warmup":
                row.append("true" if bool(value) else "false")
            elif col in NUMBER_COLUMNS:
                row.append(format_number(value))
            else:
                row.append("" if is_missing(value) else str(value))
        writer.writerow(row)
    return out.getvalue()
