"""Strength logs in, one normalised frame out (DESIGN.md §2 "Strength log", §7 CSV rules, §8 taxonomy).

`read_strength_log(source, *, athlete=None)` reads three CSV layouts, told apart by the header only
(never the file name):

- `core_cadence`: the project's own CSV (columns in `STRENGTH_LOG_COLUMNS`, header aliases in
  `CSV_HEADER_ALIASES`, template `sample_data/strength_log_template.csv`);
- `strong`: the Strong app's export (`Date, Workout Name, Exercise Name, Set Order, Weight, …`; old and
  new versions, `,` or `;`, decimal commas, 24- or 12-hour clock);
- `hevy`: the Hevy app's export (`title, start_time, end_time, …, exercise_title, set_index, set_type,
  weight_kg|weight_lbs, reps, …`).

The file is either read completely or refused with `analysis.errors.InputError` listing up to
`MAX_LISTED_PROBLEMS` problems, each with the row number a spreadsheet shows (header = row 1), the
column as named in the file and what was expected. Nothing is ever half-imported, and no other
exception escapes.

`write_strength_log_csv(frame)` writes a normalised log back as the project's own CSV; reading that
text gives the same frame again.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.io.exercise_taxonomy import SESSION_TYPES, classify_exercise, is_recognised_exercise
from analysis.io.source import load_source, sniff_format

MAX_STRENGTH_LOG_BYTES = 20_000_000  # 20 MB; a year of daily logging is well under 1 MB
MAX_STRENGTH_LOG_ROWS = 200_000  # data rows; a decade of one set per row is ~50,000
MAX_STRENGTH_LOG_HEADER_COLUMNS = 200
MAX_LISTED_PROBLEMS = 20
LB_TO_KG = 0.45359237  # exact, by definition of the international pound
SOURCE_FORMATS: tuple[str, ...] = ("core_cadence", "strong", "hevy")
_FIRST_YEAR, _LAST_YEAR = 1900, 2100


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
    LogColumn("source_format", "str", "core_cadence, strong or hevy: the layout the row was read from."),
    LogColumn("source_row", "int64", "Row number in the file as a spreadsheet shows it (header row = 1)."),
)
STRENGTH_LOG_COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in STRENGTH_LOG_COLUMNS)
_DTYPES = {c.name: c.dtype for c in STRENGTH_LOG_COLUMNS}
_TEXT_COLUMNS = ("athlete", "session_type", "exercise", "notes")
_NUMBER_COLUMNS = ("sets", "reps", "load_kg", "duration_min", "rpe", "back_soreness")

# The project's own CSV: header alias -> (column, factor to the column's unit). Matching ignores case,
# spaces and punctuation ("Back pain", "back_pain" and "BACK-PAIN" are one alias). README lists these.
# Deliberately absent: "name" (could be the exercise's name) and "time" (could be a time of day).
CSV_HEADER_ALIASES: tuple[tuple[str, str, float], ...] = (
    ("date", "date", 1.0),
    ("day", "date", 1.0),
    ("session date", "date", 1.0),
    ("workout date", "date", 1.0),
    ("athlete", "athlete", 1.0),
    ("athlete name", "athlete", 1.0),
    ("runner", "athlete", 1.0),
    ("session_type", "session_type", 1.0),
    ("session type", "session_type", 1.0),
    ("session", "session_type", 1.0),
    ("type", "session_type", 1.0),
    ("category", "session_type", 1.0),
    ("workout type", "session_type", 1.0),
    ("exercise", "exercise", 1.0),
    ("exercise name", "exercise", 1.0),
    ("movement", "exercise", 1.0),
    ("drill", "exercise", 1.0),
    ("sets", "sets", 1.0),
    ("set count", "sets", 1.0),
    ("number of sets", "sets", 1.0),
    ("reps", "reps", 1.0),
    ("repetitions", "reps", 1.0),
    ("rep count", "reps", 1.0),
    ("load_kg", "load_kg", 1.0),
    ("load", "load_kg", 1.0),
    ("load (kg)", "load_kg", 1.0),
    ("weight", "load_kg", 1.0),
    ("weight_kg", "load_kg", 1.0),
    ("weight (kg)", "load_kg", 1.0),
    ("kg", "load_kg", 1.0),
    ("load_lb", "load_kg", LB_TO_KG),
    ("load_lbs", "load_kg", LB_TO_KG),
    ("weight_lb", "load_kg", LB_TO_KG),
    ("weight_lbs", "load_kg", LB_TO_KG),
    ("weight (lbs)", "load_kg", LB_TO_KG),
    ("lbs", "load_kg", LB_TO_KG),
    ("duration_min", "duration_min", 1.0),
    ("duration", "duration_min", 1.0),
    ("duration (min)", "duration_min", 1.0),
    ("minutes", "duration_min", 1.0),
    ("mins", "duration_min", 1.0),
    ("min", "duration_min", 1.0),
    ("duration_s", "duration_min", 1 / 60),
    ("duration (s)", "duration_min", 1 / 60),
    ("duration_seconds", "duration_min", 1 / 60),
    ("seconds", "duration_min", 1 / 60),
    ("secs", "duration_min", 1 / 60),
    ("rpe", "rpe", 1.0),
    ("effort", "rpe", 1.0),
    ("perceived effort", "rpe", 1.0),
    ("back_soreness", "back_soreness", 1.0),
    ("back soreness", "back_soreness", 1.0),
    ("back soreness (0-10)", "back_soreness", 1.0),
    ("soreness", "back_soreness", 1.0),
    ("back pain", "back_soreness", 1.0),
    ("back_pain", "back_soreness", 1.0),
    ("pain", "back_soreness", 1.0),
    ("notes", "notes", 1.0),
    ("note", "notes", 1.0),
    ("comment", "notes", 1.0),
    ("comments", "notes", 1.0),
    ("remarks", "notes", 1.0),
    ("warmup", "warmup", 1.0),
    ("warm-up", "warmup", 1.0),
    ("is_warmup", "warmup", 1.0),
)

# Words accepted in a session_type cell (matching ignores case and punctuation; "and"/"&" are ignored).
SESSION_TYPE_ALIASES: dict[str, tuple[str, ...]] = {
    "core": ("core", "abs", "trunk", "core stability", "core strength", "core work"),
    "hip": ("hip", "hips", "hip stability", "hip strength", "glutes", "hips glutes", "glute", "pelvic stability"),
    "mobility": ("mobility", "stretching", "stretch", "mobility/stretching", "flexibility", "yoga"),
    "strength": ("strength", "lower body", "legs", "strength training", "lower body strength"),
    "other": ("other", "misc", "miscellaneous"),
}

_TRUE = {"true", "yes", "y", "1", "x", "w", "warmup", "warm-up", "warm up"}
_FALSE = {"false", "no", "n", "0"}
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,3}):(\d{2}(?:\.\d+)?)$")
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        )
    )
    for m in names
}
_TIME = (
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(?:([AaPp])\.?\s*[Mm]\.?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?)?"
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + r"$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})" + _TIME + r"$")
_DMY_DOT = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})" + _TIME + r"$")
_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})" + _TIME + r"$")
_HEVY_DATE = re.compile(r"^(\d{1,2})\s+([A-Za-z]{3,9})\.?\s+(\d{4})" + _TIME + r"$")

_DATE_FAMILY_TEXT = {
    "iso": "YYYY-MM-DD",
    "ymd/": "YYYY/MM/DD",
    "dmy.": "DD.MM.YYYY",
    "dmy/": "DD/MM/YYYY",
    "mdy/": "MM/DD/YYYY",
    "dm/": "DD/MM/YYYY or MM/DD/YYYY",
    "24h": "YYYY-MM-DD HH:MM:SS (24-hour clock)",
    "12h": "YYYY-MM-DD H:MM:SS AM/PM (12-hour clock)",
    "day": "YYYY-MM-DD",
    "hevy": "22 Dec 2025, 08:00",
    "hevy12": "22 Dec 2025, 8:00 AM",
}


# ----------------------------------------------------------------------------------------------------
# public API


def read_strength_log(source: object, *, athlete: str | None = None) -> pd.DataFrame:
    """Read a strength log (our CSV, a Strong export or a Hevy export) into the normalised frame.

    `source` is a path, bytes or a binary file object. `athlete` names whose log it is when the file
    does not say (Strong and Hevy never do); when the file has an athlete column, `athlete` only fills
    its blank cells. Columns, dtypes and units: `STRENGTH_LOG_COLUMNS` (dates are local calendar dates,
    loads kg, durations minutes, RPE 1-10, back soreness 0-10). Rows stay in file order.

    `frame.attrs` carries `source_format`, `file_name`, `encoding` (UTF-8, UTF-16 or Windows-1252), `warnings`
    (sentences for the import report) and `unrecognised_exercises` (sorted names whose session type had to
    be guessed as `other`).
    Every problem raises `analysis.errors.InputError` naming the file; nothing else escapes.
    """
    name = None
    try:
        data, name = _load(source)
        return _read(data, name, athlete)
    except InputError:
        raise
    except Exception as exc:  # a reader bug or a case we did not foresee: still reported against the file
        raise InputError(
            f"could not be read as a strength log ({type(exc).__name__}: {exc}); "
            "check that it is a CSV export of your log, and if it still fails send it to us",
            file_name=name or "uploaded file",
        ) from exc


def check_strength_log(frame: pd.DataFrame) -> None:
    """Raise AssertionError when `frame` breaks the normalised strength-log contract (tests and writers use it)."""
    assert tuple(frame.columns) == STRENGTH_LOG_COLUMN_NAMES, f"columns differ: {list(frame.columns)}"
    for col in STRENGTH_LOG_COLUMN_NAMES:
        assert str(frame[col].dtype) == _DTYPES[col], f"{col} has dtype {frame[col].dtype}"
    assert isinstance(frame.index, pd.RangeIndex), "index must be a RangeIndex"
    assert frame["date"].notna().all(), "date is missing"
    assert (frame["date"] == frame["date"].dt.normalize()).all(), "date must be at midnight"
    for col in _TEXT_COLUMNS:
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
            elif col in _NUMBER_COLUMNS:
                row.append(_format_number(value))
            else:
                row.append("" if _is_missing(value) else str(value))
        writer.writerow(row)
    return out.getvalue()


# ----------------------------------------------------------------------------------------------------
# bytes -> text -> table


def _load(source: object) -> tuple[bytes, str]:
    """Bytes and display name of `source`, refusing anything above MAX_STRENGTH_LOG_BYTES before reading it all."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            size = path.stat().st_size if path.is_file() else None
        except (OSError, ValueError):
            size = None  # load_source says what is wrong with the path
        if size is not None and size > MAX_STRENGTH_LOG_BYTES:
            raise InputError(_too_big(size), file_name=path.name)
        try:
            data, name = load_source(source)
        except InputError:
            raise
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot be opened ({exc})", file_name=path.name) from exc
    elif hasattr(source, "read") and not isinstance(source, (bytes, bytearray, memoryview)):
        name = Path(str(getattr(source, "name", "") or "uploaded file")).name
        try:
            chunk = source.read(MAX_STRENGTH_LOG_BYTES + 1)
        except Exception as exc:
            raise InputError(f"cannot be read ({type(exc).__name__}: {exc})", file_name=name) from exc
        if isinstance(chunk, str):
            raise InputError("was opened as text; open it in binary mode ('rb')", file_name=name)
        data, name = load_source(bytes(chunk), name)
    else:
        data, name = load_source(source)
    if len(data) > MAX_STRENGTH_LOG_BYTES:
        raise InputError(_too_big(len(data)), file_name=name)
    return data, name


def _too_big(size: int) -> str:
    return (
        f"is {size / 1e6:.1f} MB; strength logs above {MAX_STRENGTH_LOG_BYTES / 1e6:.0f} MB are refused "
        "(split the file by year)"
    )


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """Text and encoding name. Tried in order: UTF-8 (BOM or not), UTF-16 (with BOM), Windows-1252."""
    kind = sniff_format(data)
    if kind == "zip" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError(
            "is an Excel workbook or a zip archive, not a CSV file: in your spreadsheet choose "
            "Save as / Download as CSV (UTF-8), or unpack the archive first",
            file_name=name,
        )
    if kind in ("fit", "gpx", "tcx", "gzip"):
        raise InputError(
            f"is a {kind.upper()} file, not a strength log CSV; import activities on the activity import",
            file_name=name,
        )
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = (("utf-8-sig", "UTF-8"),)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = (("utf-16", "UTF-16"),)
    else:
        encodings = (("utf-8", "UTF-8"), ("cp1252", "Windows-1252"))
    for codec, label in encodings:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text, label
    raise InputError(
        "is not a text file in UTF-8, UTF-16 (with byte-order mark) or Windows-1252: it looks binary. "
        "Export the log again as CSV (UTF-8)",
        file_name=name,
    )


@dataclass
class _Table:
    name: str
    header: list[str]  # cells as written, trimmed
    keys: list[str]  # header cells normalised for matching ("" for an empty name)
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells padded to the header width)
    delimiter: str
    ragged: list[int]  # rows with more non-blank cells than the header has columns


def _header_key(text: str) -> str:
    """Header cell for matching: case, accents kept; spaces and punctuation removed ('Back pain' -> 'backpain')."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def _split(text: str, name: str) -> _Table:
    """Cut the text into a header and rows; the delimiter is read from the header line."""
    lines_before = 0
    delimiter = None
    body = text
    first_end = _line_end(body)
    first = body[:first_end].strip()
    if first.casefold().startswith("sep=") and len(first) == 5 and first[4] in ",;\t":
        delimiter = first[4]  # Excel's "sep=;" hint line; Excel does not show it as a row
        body = _after_line(body, first_end)
    # blank lines before the header are rows a spreadsheet shows: count them, start at the header line
    prefix = body[: len(body) - len(body.lstrip(" \t\r\n"))]
    cut = max(prefix.rfind("\n"), prefix.rfind("\r")) + 1
    if cut:
        lines_before = prefix.count("\n", 0, cut) + prefix.count("\r", 0, cut) - prefix.count("\r\n", 0, cut)
        body = body[cut:]
        if lines_before > MAX_STRENGTH_LOG_ROWS:
            raise InputError(f"has more than {MAX_STRENGTH_LOG_ROWS:,} blank lines before its header", file_name=name)
    header_line = body[: _line_end(body)]
    if not header_line.strip():
        raise InputError("is empty: there is no header row and no data", file_name=name)
    if delimiter is None:
        counts = {d: _count_outside_quotes(header_line, d) for d in (",", ";", "\t")}
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        if ranked[0][1] == 0:
            shown = header_line.strip()[:80]
            raise InputError(
                f"has a single column (header row: '{shown}'); a strength log needs columns separated by "
                "commas, semicolons or tabs, e.g. 'date,exercise,sets,reps'",
                file_name=name,
            )
        if ranked[0][1] == ranked[1][1]:
            a, b = (_delimiter_name(d) for d, _ in ranked[:2])
            raise InputError(
                f"has a header row that could be split by {a} or by {b}; use one of them only", file_name=name
            )
        delimiter = ranked[0][0]
    if _count_outside_quotes(header_line, delimiter) >= MAX_STRENGTH_LOG_HEADER_COLUMNS:
        raise InputError(
            f"has more than {MAX_STRENGTH_LOG_HEADER_COLUMNS} columns in its header: this does not look like a "
            "strength log",
            file_name=name,
        )
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, quotechar='"', strict=True)
    header_row = lines_before + 1
    rows: list[tuple[int, list[str]]] = []
    ragged: list[int] = []
    header: list[str] | None = None
    index = -1  # records read so far - 1 (the header is record 0)
    try:
        for index, record in enumerate(reader):
            if header is None:
                header = [c.replace("\ufeff", "").strip() for c in record]
                if len(header) > MAX_STRENGTH_LOG_HEADER_COLUMNS:
                    raise InputError(
                        f"has {len(header)} columns in its header; at most {MAX_STRENGTH_LOG_HEADER_COLUMNS} "
                        "are read: this does not look like a strength log",
                        file_name=name,
                    )
                continue
            if index > MAX_STRENGTH_LOG_ROWS:
                raise InputError(
                    f"has more than {MAX_STRENGTH_LOG_ROWS:,} rows; split it into smaller files", file_name=name
                )
            width = len(header)
            if len(record) > width:
                if any(c.strip() for c in record[width:]):
                    ragged.append(header_row + index)
                record = record[:width]
            elif len(record) < width:
                record = record + [""] * (width - len(record))
            rows.append((header_row + index, record))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            # The csv module's own cap (131,072 characters), reached by one huge cell or by an opening
            # quote that is never closed, which swallows the rest of the file into one cell.
            raise InputError(
                f"row {header_row + index + 1}: a cell is longer than {csv.field_size_limit():,} characters, so "
                "either a cell holds far more than a log's notes ever do, or a cell opens a double quote (\") "
                "and never closes it",
                file_name=name,
            ) from None
        raise InputError(
            f"row {header_row + index + 1}: the CSV quoting is broken ({exc}); a cell that starts with a "
            'double quote (") must end with one',
            file_name=name,
        ) from exc
    assert header is not None
    return _Table(name, header, [_header_key(h) for h in header], rows, delimiter, ragged)


def _line_end(text: str) -> int:
    ends = [i for i in (text.find("\n"), text.find("\r")) if i >= 0]
    return min(ends) if ends else len(text)


def _after_line(text: str, end: int) -> str:
    if text.startswith("\r\n", end):
        return text[end + 2 :]
    return text[end + 1 :]


def _count_outside_quotes(line: str, ch: str) -> int:
    """How often `ch` occurs in `line` outside double-quoted parts."""
    return _QUOTED.sub("", line).count(ch)


_QUOTED = re.compile(r'"[^"]*(?:"|$)')


def _delimiter_name(d: str) -> str:
    return {",": "commas", ";": "semicolons", "\t": "tabs"}[d]


# ----------------------------------------------------------------------------------------------------
# problems and values


class _Problems:
    """Every problem found in the file; raised together so the runner can fix them in one go."""

    def __init__(self, name: str):
        self.name = name
        self.items: list[tuple[int, int | None, str | None, str]] = []  # (order, row, column, text)

    def add(self, row: int | None, column: str | None, text: str) -> None:
        self.items.append((len(self.items), row, column, text))

    def raise_if_any(self) -> None:
        if not self.items:
            return
        ordered = sorted(self.items, key=lambda p: (p[1] is not None, p[1] or 0, p[0]))
        lines = []
        for _, row, column, text in ordered[:MAX_LISTED_PROBLEMS]:
            where = []
            if row is not None:
                where.append(f"row {row}")
            if column is not None:
                where.append(f"column '{column}'")
            lines.append(f"- {', '.join(where)}: {text}" if where else f"- {text}")
        more = len(ordered) - MAX_LISTED_PROBLEMS
        if more > 0:
            lines.append(f"…and {more} more")
        n = len(ordered)
        head = f"{n} problem{'s' if n != 1 else ''} found, so nothing was imported (fix and import again):"
        err = InputError("\n".join([head, *lines]), file_name=self.name)
        err.problems = tuple((row, column, text) for _, row, column, text in ordered)
        raise err


class _Bad(ValueError):
    """A cell that cannot be used; the message says what was expected."""


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _format_number(value: object) -> str:
    if _is_missing(value):
        return ""
    x = float(value)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def _number(text: str, decimal_comma: bool, what: str) -> float:
    """A number cell (blank -> NaN). `decimal_comma` accepts `62,5` (files separated by `;` or tabs)."""
    s = text.strip()
    if not s:
        return math.nan
    t = s.replace("\u2212", "-")
    if decimal_comma and "," in t and "." not in t and t.count(",") == 1:
        t = t.replace(",", ".")
    if not _NUMBER.match(t):
        hint = " (use a point for decimals: the file is comma-separated)" if "," in s and not decimal_comma else ""
        raise _Bad(f"'{s}' is not a number; expected {what}{hint}")
    value = float(t)
    if not math.isfinite(value):
        raise _Bad(f"'{s}' is too large; expected {what}")
    return value


def _text(cell: str) -> str | None:
    s = cell.strip()
    return s or None


def _session_type_key(text: str) -> str:
    words = re.sub(r"[^\w]+|_", " ", unicodedata.normalize("NFKC", text).casefold()).split()
    return " ".join(w for w in words if w != "and")


_SESSION_LOOKUP = {_session_type_key(a): kind for kind, aliases in SESSION_TYPE_ALIASES.items() for a in aliases}


@dataclass
class _DateCell:
    row: int
    column: str
    raw: str
    family: str
    day: date | None
    first: int = 0  # for DD/MM vs MM/DD: the two leading numbers
    second: int = 0
    year: int = 0


def _time_ok(groups: tuple[str | None, ...]) -> bool:
    """(hour, minute, second, am/pm) of a date's time part is a clock time (or absent)."""
    hour, minute, second, ampm = groups
    if hour is None:
        return True
    h, m = int(hour), int(minute)
    s = int(second) if second else 0
    if ampm:
        return 1 <= h <= 12 and m < 60 and s < 60
    return h < 24 and m < 60 and s < 60


def _make_date(y: int, m: int, d: int) -> date | None:
    if not _FIRST_YEAR <= y <= _LAST_YEAR:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _classify_date(raw: str, row: int, column: str, layout: str) -> _DateCell:
    """Parse one date cell; `family` says how it was written, `day` is None when it is no calendar date."""
    s = raw.strip()
    if layout == "hevy":
        m = _HEVY_DATE.match(s)
        if m:
            month = _MONTHS.get(m.group(2).casefold())
            ok = month is not None and _time_ok(m.groups()[3:7])
            day = _make_date(int(m.group(3)), month, int(m.group(1))) if ok else None
            return _DateCell(row, column, s, "hevy12" if m.group(7) else "hevy", day)
        m = _ISO_DATE.match(s)
        if m:
            ok = _time_ok(m.groups()[3:7])
            day = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if ok else None
            return _DateCell(row, column, s, "iso", day)
        return _DateCell(row, column, s, "", None)
    if layout == "strong":
        m = _ISO_DATE.match(s)
        if not m:
            return _DateCell(row, column, s, "", None)
        family = "12h" if m.group(7) else ("24h" if m.group(4) else "day")
        ok = _time_ok(m.groups()[3:7])
        day = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if ok else None
        return _DateCell(row, column, s, family, day)
    for family, pattern in (("iso", _ISO_DATE), ("ymd/", _YMD_SLASH), ("dmy.", _DMY_DOT), ("dm/", _SLASH)):
        m = pattern.match(s)
        if not m:
            continue
        if not _time_ok(m.groups()[3:7]):
            return _DateCell(row, column, s, family, None)
        a, b, c = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if family in ("iso", "ymd/"):
            return _DateCell(row, column, s, family, _make_date(a, b, c))
        if family == "dmy.":
            return _DateCell(row, column, s, family, _make_date(c, b, a))
        return _DateCell(row, column, s, family, None, first=a, second=b, year=c)  # settled per file
    return _DateCell(row, column, s, "", None)


def _settle_dates(cells: list[_DateCell], problems: _Problems, layout: str) -> None:
    """One date format per file; DD/MM vs MM/DD only when the file itself settles it. Fills `day`."""
    slash = [c for c in cells if c.family == "dm/"]
    ambiguous: _DateCell | None = None  # a DD/MM-or-MM/DD date the file does not settle
    if slash:
        day_first = [c for c in slash if c.first > 12]
        month_first = [c for c in slash if c.second > 12]
        if day_first and month_first:
            minority, order = (month_first, "mdy/") if len(day_first) >= len(month_first) else (day_first, "dmy/")
            other = "DD/MM/YYYY" if order == "mdy/" else "MM/DD/YYYY"
            for c in minority:
                problems.add(
                    c.row,
                    c.column,
                    f"'{c.raw}' can only be {_DATE_FAMILY_TEXT[order]}, but other rows are {other}; "
                    "use one date format in the whole file (best: YYYY-MM-DD)",
                )
            for c in slash:
                c.family = "dmy/" if c.first > 12 else ("mdy/" if c.second > 12 else order)
        elif day_first or month_first:
            order = "dmy/" if day_first else "mdy/"
            for c in slash:
                c.family = order
        elif any(c.first != c.second for c in slash):
            ambiguous = next(c for c in slash if c.first != c.second)
        else:
            for c in slash:
                c.family = "dmy/"
        if ambiguous is None:
            for c in slash:
                if c.family == "dmy/":
                    c.day = _make_date(c.year, c.second, c.first)
                else:
                    c.day = _make_date(c.year, c.first, c.second)
    known = [c for c in cells if c.family]
    counts = Counter(c.family for c in known)
    main = counts.most_common(1)[0][0] if counts else ""
    if len(counts) > 1:
        for c in known:
            if c.family != main and not (c.family in ("dmy/", "mdy/") and main in ("dmy/", "mdy/")):
                problems.add(
                    c.row,
                    c.column,
                    f"'{c.raw}' is written as {_DATE_FAMILY_TEXT[c.family]} but most dates in the file are "
                    f"{_DATE_FAMILY_TEXT[main]}; use one date format in the whole file",
                )
    if ambiguous is not None and main == "dm/":
        example = ambiguous
        problems.add(
            None,
            example.column,
            f"dates like '{example.raw}' could be day/month or month/day, and no date in the file settles "
            f"it (none has a number above 12 in the first two places); write dates as YYYY-MM-DD "
            f"(e.g. {example.year:04d}-{example.second:02d}-{example.first:02d} if it is "
            f"{example.first} {_month_name(example.second)})",
        )
    for c in cells:
        if c.family == "dm/":
            continue  # unsettled day/month order: reported above
        if c.family and c.day is None:
            problems.add(
                c.row,
                c.column,
                f"'{c.raw}' is not a calendar date between {_FIRST_YEAR} and {_LAST_YEAR} "
                "(or its time of day is impossible)",
            )
        elif not c.family:
            if not c.raw:
                problems.add(c.row, c.column, "the date is blank; every row needs a date")
            else:
                problems.add(c.row, c.column, f"'{c.raw}' is not a date; expected {_expected_date(layout)}")


def _month_name(m: int) -> str:
    names = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October")
    return (names + ("November", "December"))[m - 1] if 1 <= m <= 12 else str(m)


def _expected_date(layout: str) -> str:
    if layout == "strong":
        return "a Strong date like 2026-01-08 07:31:54 or 2026-01-08 7:31:54 PM"
    if layout == "hevy":
        return "a Hevy date like 22 Dec 2025, 08:00"
    return "a date like 2026-01-08 (YYYY-MM-DD)"


# ----------------------------------------------------------------------------------------------------
# the three layouts


@dataclass
class _Entry:
    row: int
    date: _DateCell
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
    inferred: bool = False  # session_type came from the taxonomy
    note_key: tuple[str, ...] | None = None  # Strong: workout + exercise, to attach "Note" rows


def _read(data: bytes, name: str, athlete: str | None) -> pd.DataFrame:
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise InputError("is empty; export the log again (or start from the strength log template)", file_name=name)
    text, encoding = _decode(data, name)
    table = _split(text, name)
    if athlete is not None and not isinstance(athlete, str):
        raise InputError(f"the athlete must be a name (text), not {type(athlete).__name__}", file_name=name)
    athlete = athlete.strip() if athlete else None
    _check_duplicate_headers(table)
    if not any(any(c.strip() for c in cells) for _, cells in table.rows):
        raise InputError(
            "has a header but no rows: there is nothing to import (add at least one row under the header)",
            file_name=name,
        )
    keys = set(table.keys)
    warnings: list[str] = []
    problems = _Problems(name)
    for row in table.ragged:
        problems.add(row, None, f"has more cells than the header has columns ({len(table.header)})")
    if {"exercisetitle", "starttime"} <= keys:
        layout = "hevy"
    elif {"exercisename", "setorder", "date"} <= keys:
        layout = "strong"
    else:
        layout = "core_cadence"
    if layout != "core_cadence" and athlete is None:
        app = "Strong" if layout == "strong" else "Hevy"
        raise InputError(
            f"is a {app} export, which does not say whose log it is: choose the athlete when importing (athlete=...)",
            file_name=name,
        )
    if layout == "hevy":
        entries = _read_hevy(table, problems, warnings)
    elif layout == "strong":
        entries = _read_strong(table, problems, warnings)
    else:
        entries = _read_core_cadence(table, problems, warnings, athlete)
    if not entries:
        raise InputError("has no sets or entries to import (only rest-timer or note rows)", file_name=name)
    _settle_dates([e.date for e in entries], problems, layout)
    for entry in entries:
        if entry.athlete is None and athlete is None:
            problems.add(
                entry.row,
                _column_name(table, "athlete"),
                "the athlete is blank; fill it in, or choose the athlete when importing",
            )
    problems.raise_if_any()
    guessed = {e.exercise for e in entries if e.inferred}
    unrecognised = sorted(n for n in guessed if not is_recognised_exercise(n))
    if unrecognised:
        shown = ", ".join(unrecognised[:10]) + (f" and {len(unrecognised) - 10} more" if len(unrecognised) > 10 else "")
        warnings.append(
            f"{len(unrecognised)} exercise name{'s were' if len(unrecognised) != 1 else ' was'} not recognised and "
            f"counted as 'other': {shown}. Give these rows a session_type, or tell us the names."
        )
    frame = _frame(entries, athlete, layout)
    frame.attrs["source_format"] = layout
    frame.attrs["file_name"] = name
    frame.attrs["encoding"] = encoding
    frame.attrs["warnings"] = warnings
    frame.attrs["unrecognised_exercises"] = unrecognised
    return frame


def _check_duplicate_headers(table: _Table) -> None:
    seen: dict[str, str] = {}
    for raw, key in zip(table.header, table.keys, strict=True):
        if not key:
            continue
        if key in seen:
            first = seen[key]
            same = "appears twice" if first == raw else f"and '{first}' are the same column name"
            raise InputError(
                f"has a duplicate column in its header: '{raw}' {same}; keep one of them", file_name=table.name
            )
        seen[key] = raw


def _column_name(table: _Table, canonical: str) -> str | None:
    for raw, key in zip(table.header, table.keys, strict=True):
        alias = _ALIAS_INDEX.get(key)
        if alias and alias[0] == canonical:
            return raw
    return None


_ALIAS_INDEX: dict[str, tuple[str, float]] = {_header_key(a): (col, f) for a, col, f in CSV_HEADER_ALIASES}
_EXPECTED = {
    "sets": "a number of sets (0 or more)",
    "reps": "a number of repetitions (0 or more)",
    "load_kg": "a load (0 or more)",
    "duration_min": "a duration (0 or more; minutes, or m:ss)",
    "rpe": "an RPE from 1 to 10",
    "back_soreness": "a back soreness score from 0 (none) to 10 (worst)",
}


def _checked(value: float, canonical: str, raw: str) -> float:
    if math.isnan(value):
        return value
    if canonical == "rpe" and not 1 <= value <= 10:
        raise _Bad(f"{raw.strip()} is outside 1-10; expected {_EXPECTED['rpe']}")
    if canonical == "back_soreness" and not 0 <= value <= 10:
        raise _Bad(f"{raw.strip()} is outside 0-10; expected {_EXPECTED['back_soreness']}")
    if value < 0:
        raise _Bad(f"{raw.strip()} is negative; expected {_EXPECTED[canonical]}")
    return value


def _read_core_cadence(table: _Table, problems: _Problems, warnings: list[str], athlete: str | None) -> list[_Entry]:
    columns: dict[str, tuple[int, float, str]] = {}
    unknown: list[str] = []
    unnamed: list[int] = []
    for index, (raw, key) in enumerate(zip(table.header, table.keys, strict=True)):
        if not key:
            unnamed.append(index)
            continue
        alias = _ALIAS_INDEX.get(key)
        if alias is None:
            unknown.append(raw)
            continue
        canonical, factor = alias
        if canonical in columns:
            raise InputError(
                f"has two columns for {canonical}: '{columns[canonical][2]}' and '{raw}'; keep one of them",
                file_name=table.name,
            )
        columns[canonical] = (index, factor, raw)
    if "date" not in columns:
        found = ", ".join(f"'{h}'" for h in table.header[:12]) + (", …" if len(table.header) > 12 else "")
        raise InputError(
            f"has no date column, so it is not a strength log we can read. Expected our CSV (a 'date' column, "
            f"also called 'day'), a Strong export or a Hevy export; the header has {found}",
            file_name=table.name,
        )
    if not {"exercise", "back_soreness", "session_type"} & columns.keys():
        raise InputError(
            "has no exercise, session_type or back_soreness column: there is nothing to log "
            "(see the strength log template for the columns)",
            file_name=table.name,
        )
    if "athlete" not in columns and athlete is None:
        raise InputError(
            "has no athlete column: say whose log it is, with an 'athlete' column or by choosing the athlete "
            "when importing",
            file_name=table.name,
        )
    if unknown:
        warnings.append(f"Columns not read (not part of the strength log): {', '.join(unknown)}.")
    if unnamed and any(cells[i].strip() for _, cells in table.rows for i in unnamed):
        warnings.append("Cells under a column with no name in the header were not read.")
    decimal_comma = table.delimiter != ","
    entries = []
    for row, cells in table.rows:
        if not any(c.strip() for c in cells):
            continue  # an empty spreadsheet row

        def raw(canonical: str, cells: list[str] = cells) -> str:
            spec = columns.get(canonical)
            return cells[spec[0]] if spec else ""

        date_col = columns["date"][2]
        entry = _Entry(
            row=row,
            date=_classify_date(raw("date"), row, date_col, "core_cadence"),
            athlete=_text(raw("athlete")) or athlete,
            session_type=None,
            exercise=_text(raw("exercise")),
            notes=_text(raw("notes")),
        )
        for canonical in _NUMBER_COLUMNS:
            if canonical not in columns:
                continue
            index, factor, header = columns[canonical]
            cell = cells[index]
            try:
                clock = _CLOCK.match(cell.strip()) if canonical == "duration_min" else None
                if clock:
                    h, m, s = clock.groups()
                    if float(s) >= 60 or (h is not None and int(m) >= 60):
                        raise _Bad(f"'{cell.strip()}' is not a clock time; expected {_EXPECTED[canonical]}")
                    value = int(h or 0) * 60 + int(m) + float(s) / 60
                else:
                    value = _number(cell, decimal_comma, _EXPECTED[canonical]) * factor
                setattr(entry, canonical, _checked(value, canonical, cell))
            except _Bad as bad:
                problems.add(row, header, str(bad))
        if "warmup" in columns:
            flag = raw("warmup").strip().casefold()
            if flag in _TRUE:
                entry.warmup = True
            elif flag and flag not in _FALSE:
                problems.add(
                    row, columns["warmup"][2], f"'{raw('warmup').strip()}' is not yes/no; expected true or false"
                )
        kind_text = _text(raw("session_type"))
        if kind_text is not None:
            kind = _SESSION_LOOKUP.get(_session_type_key(kind_text))
            if kind is None:
                problems.add(
                    row,
                    columns["session_type"][2],
                    f"'{kind_text}' is not a session type; expected one of {', '.join(SESSION_TYPES)} "
                    "(or leave it blank to infer it from the exercise)",
                )
            entry.session_type = kind
        elif entry.exercise is not None:
            entry.session_type = classify_exercise(entry.exercise)
            entry.inferred = True
        elif math.isnan(entry.back_soreness):
            problems.add(
                row,
                None,
                "has no exercise, session type or back soreness: nothing to log; fill one in or delete the row",
            )
        entries.append(entry)
    return entries


def _key_index(table: _Table) -> dict[str, int]:
    return {key: i for i, key in enumerate(table.keys) if key}


def _join_notes(*parts: str | None) -> str | None:
    kept = [p for p in (_text(x or "") for x in parts) if p]
    return " | ".join(kept) if kept else None


def _read_strong(table: _Table, problems: _Problems, warnings: list[str]) -> list[_Entry]:
    cols = _key_index(table)
    decimal_comma = table.delimiter != ","

    def header(key: str) -> str:
        return table.header[cols[key]]

    weight_key, header_unit = None, None
    for key, unit in (
        ("weightkg", "kg"),
        ("weightkgs", "kg"),
        ("weightlb", "lb"),
        ("weightlbs", "lb"),
        ("weight", None),
    ):
        if key in cols:
            weight_key, header_unit = key, unit
            break
    unit_column = "weightunit" in cols
    assumed_kg = 0
    rest_rows = 0
    distance_rows = 0
    unknown_orders: Counter[str] = Counter()
    notes_by_key: dict[tuple[str, ...], list[str]] = {}
    entries: list[_Entry] = []
    for row, cells in table.rows:
        if not any(c.strip() for c in cells):
            continue

        def get(key: str, cells: list[str] = cells) -> str:
            return cells[cols[key]] if key in cols else ""

        order = get("setorder").strip()
        order_key = order.casefold()
        exercise = _text(get("exercisename"))
        key = (get("date").strip(), get("workoutname").strip(), get("workout").strip(), exercise or "")
        if "rest" in order_key:
            rest_rows += 1
            continue
        if order_key in ("note", "notes"):
            note = _text(get("notes"))
            if note:
                notes_by_key.setdefault(key, []).append(note)
            continue
        marker = re.fullmatch(r"([wdf]?)\d*", order_key)  # 3 = set 3, W = warm-up, D = drop set, F = failure
        warmup = marker is not None and marker.group(1) == "w"
        if marker is None:
            unknown_orders[order] += 1
        entry = _Entry(
            row=row,
            date=_classify_date(get("date"), row, header("date"), "strong"),
            athlete=None,
            session_type=None,
            exercise=exercise,
            sets=1.0,
            warmup=warmup,
            notes=_join_notes(get("notes"), get("workoutnotes")),
            note_key=key,
        )
        _classify_app_entry(entry, row, header("exercisename"), problems)
        if weight_key is not None:
            cell = get(weight_key)
            try:
                weight = _checked(_number(cell, decimal_comma, "a weight (0 or more)"), "load_kg", cell)
                unit = header_unit
                if unit_column and header_unit is None:
                    unit_text = get("weightunit").strip().casefold()
                    if unit_text in ("kg", "kgs", "kilogram", "kilograms"):
                        unit = "kg"
                    elif unit_text in ("lb", "lbs", "pound", "pounds"):
                        unit = "lb"
                    elif unit_text:
                        problems.add(row, header("weightunit"), f"'{get('weightunit').strip()}' is not kg or lbs")
                if unit is None and weight > 0:
                    unit = "kg"
                    assumed_kg += 1
                entry.load_kg = weight * LB_TO_KG if unit == "lb" else weight
            except _Bad as bad:
                problems.add(row, header(weight_key), str(bad))
        distance_rows += _read_set_numbers(entry, row, get, header, cols, decimal_comma, problems,
                                           seconds_key="seconds",
                                           distance_keys=("distance", "distancemeters", "distancekm", "distancemi",
                                                          "distancemiles"))
        entries.append(entry)
    for entry in entries:
        extra = notes_by_key.get(entry.note_key or ())
        if extra:
            entry.notes = _join_notes(entry.notes, *extra)
    if weight_key is not None and header_unit is None and not unit_column and assumed_kg:
        warnings.append(
            "This Strong export does not say the weight unit (older app versions leave out the 'Weight Unit' "
            "column); weights were read as kilograms. If your Strong app is set to pounds, export again from a "
            "current version of the app."
        )
    elif assumed_kg:
        warnings.append(f"{assumed_kg} weights had no unit and were read as kilograms.")
    if rest_rows:
        warnings.append(f"{rest_rows} rest-timer row{'s' if rest_rows != 1 else ''} (not sets) left out.")
    if distance_rows:
        warnings.append(f"Distances ({distance_rows} rows) are not part of the strength log and were not kept.")
    if unknown_orders:
        shown = ", ".join(f"'{k}'" for k in sorted(unknown_orders))
        warnings.append(f"Unknown Strong set order values read as ordinary sets: {shown}.")
    return entries


def _classify_app_entry(entry: _Entry, row: int, column: str, problems: _Problems) -> None:
    """Lifting apps have no session type: infer it from the exercise name (a blank name is a problem)."""
    if entry.exercise is None:
        problems.add(row, column, "the exercise name is blank")
    else:
        entry.session_type = classify_exercise(entry.exercise)
        entry.inferred = True


def _read_set_numbers(entry: _Entry, row: int, get: Callable[[str], str], header: Callable[[str], str],
                      cols: dict[str, int], decimal_comma: bool, problems: _Problems, *, seconds_key: str,
                      distance_keys: tuple[str, ...]) -> int:
    """Reps, duration and RPE of one set row of a lifting app's export (Strong and Hevy write them alike).

    Both apps write 0 for "not logged" in reps, seconds and RPE, so 0 becomes NaN there. Distances are
    not part of the strength log: returns 1 when the row carried one (for a warning), else 0.
    """
    if "reps" in cols:
        cell = get("reps")
        try:
            reps = _checked(_number(cell, decimal_comma, _EXPECTED["reps"]), "reps", cell)
            entry.reps = math.nan if reps == 0 else reps
        except _Bad as bad:
            problems.add(row, header("reps"), str(bad))
    if seconds_key in cols:
        cell = get(seconds_key)
        try:
            seconds = _checked(_number(cell, decimal_comma, "a time in seconds (0 or more)"), "duration_min", cell)
            entry.duration_min = math.nan if seconds == 0 else seconds / 60
        except _Bad as bad:
            problems.add(row, header(seconds_key), str(bad))
    if "rpe" in cols:
        cell = get("rpe")
        try:
            rpe = _number(cell, decimal_comma, _EXPECTED["rpe"])
            entry.rpe = math.nan if rpe == 0 else _checked(rpe, "rpe", cell)  # 0 = not rated
        except _Bad as bad:
            problems.add(row, header("rpe"), str(bad))
    for key in distance_keys:
        if key in cols:
            try:
                if _number(get(key), decimal_comma, "a distance") > 0:
                    return 1
            except _Bad:
                pass  # distance is not read, so it cannot make the file fail
    return 0


_HEVY_SET_TYPES = {"normal": False, "warmup": True, "dropset": False, "failure": False, "": False}


def _read_hevy(table: _Table, problems: _Problems, warnings: list[str]) -> list[_Entry]:
    cols = _key_index(table)
    decimal_comma = table.delimiter != ","

    def header(key: str) -> str:
        return table.header[cols[key]]

    if "weightkg" in cols:
        weight_key, factor = "weightkg", 1.0
    elif "weightlbs" in cols:
        weight_key, factor = "weightlbs", LB_TO_KG
    elif "weightlb" in cols:
        weight_key, factor = "weightlb", LB_TO_KG
    else:
        weight_key, factor = None, 1.0
    distance_rows = 0
    unknown_types: Counter[str] = Counter()
    entries: list[_Entry] = []
    for row, cells in table.rows:
        if not any(c.strip() for c in cells):
            continue

        def get(key: str, cells: list[str] = cells) -> str:
            return cells[cols[key]] if key in cols else ""

        set_type = get("settype").strip().casefold().replace(" ", "").replace("-", "").replace("_", "")
        if set_type not in _HEVY_SET_TYPES:
            unknown_types[get("settype").strip()] += 1
        exercise = _text(get("exercisetitle"))
        entry = _Entry(
            row=row,
            date=_classify_date(get("starttime"), row, header("starttime"), "hevy"),
            athlete=None,
            session_type=None,
            exercise=exercise,
            sets=1.0,
            warmup=_HEVY_SET_TYPES.get(set_type, False),
            notes=_join_notes(get("exercisenotes"), get("description")),
        )
        _classify_app_entry(entry, row, header("exercisetitle"), problems)
        if weight_key is not None:
            cell = get(weight_key)
            try:
                entry.load_kg = _checked(_number(cell, decimal_comma, "a weight (0 or more)"), "load_kg", cell) * factor
            except _Bad as bad:
                problems.add(row, header(weight_key), str(bad))
        distance_rows += _read_set_numbers(entry, row, get, header, cols, decimal_comma, problems,
                                           seconds_key="durationseconds",
                                           distance_keys=("distancekm", "distancemiles", "distancemeters", "distancem"))
        entries.append(entry)
    if distance_rows:
        warnings.append(f"Distances ({distance_rows} rows) are not part of the strength log and were not kept.")
    if unknown_types:
        shown = ", ".join(f"'{k}'" for k in sorted(unknown_types))
        warnings.append(f"Unknown Hevy set types read as ordinary sets: {shown}.")
    return entries


# ----------------------------------------------------------------------------------------------------
# entries -> frame


def _frame(entries: list[_Entry], athlete: str | None, layout: str) -> pd.DataFrame:
    days = np.array([e.date.day for e in entries], dtype="datetime64[D]").astype("datetime64[ns]")
    data: dict[str, object] = {
        "date": days,
        "athlete": pd.Series([e.athlete or athlete for e in entries], dtype="str"),
        "session_type": pd.Series([e.session_type for e in entries], dtype="str"),
        "exercise": pd.Series([e.exercise for e in entries], dtype="str"),
    }
    for col in _NUMBER_COLUMNS:
        data[col] = np.array([getattr(e, col) for e in entries], dtype="float64")
    data["notes"] = pd.Series([e.notes for e in entries], dtype="str")
    data["warmup"] = np.array([e.warmup for e in entries], dtype=bool)
    data["source_format"] = pd.Series([layout] * len(entries), dtype="str")
    data["source_row"] = np.array([e.row for e in entries], dtype="int64")
    frame = pd.DataFrame(data)
    return frame.astype(_DTYPES)
