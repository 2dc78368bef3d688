"""Read a strength log of any layout into the normalised frame; tell from a file's first bytes which layout it is.

The layouts (`LAYOUTS`) each say how they are recognised; the most confident recognition reads the
file (`layout.py`). What every layout shares happens here once: the table rules (`table.py`), dates
settled per file (`dates.py`), the athlete, the list of problems and what is done with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.io.exercise_taxonomy import is_recognised_exercise
from analysis.io.strength.cells import MAX_LISTED_PROBLEMS, Problems, describe_problem
from analysis.io.strength.contract import DTYPES, NUMBER_COLUMNS
from analysis.io.strength.core_cadence import CoreCadenceCsv, athlete_column
from analysis.io.strength.dates import settle_dates
from analysis.io.strength.hevy import HevyExport
from analysis.io.strength.layout import BY_COLUMN_ORDER, FALLBACK, Entry, Layout, Recognition
from analysis.io.strength.strong import StrongExport
from analysis.io.strength.table import Table, decode, decode_head, head_table, load_log_bytes, read_table

LAYOUTS: tuple[Layout, ...] = (HevyExport(), StrongExport(), CoreCadenceCsv())


@dataclass(frozen=True)
class LayoutSniff:
    """What the first bytes of a file are, as far as strength logs go.

    `layout` is the source_format a strength log would be read as, or None when the bytes are not one;
    `text` is the head decoded (None when it looks binary); `header` the header cells when the head is a
    delimited table; `detail` says how it was recognised ("Strong export, German").
    """

    layout: str | None
    text: str | None
    header: tuple[str, ...] | None
    detail: str = ""


def recognise(table: Table) -> Recognition:
    """The most confident layout's recognition of `table` (our CSV's fallback when nothing else knows it)."""
    found = [r for r in (layout.recognise(table) for layout in LAYOUTS) if r is not None]
    return max(found, key=lambda r: r.confidence)


def sniff_layout(head: bytes, *, truncated: bool = True) -> LayoutSniff:
    """Which strength layout the first bytes of a file are written in, by the same rules the reader uses.

    `truncated` says the file goes on after `head` (its last line may be cut). Never raises.
    """
    text = decode_head(head, truncated=truncated)
    if text is None:
        return LayoutSniff(None, None, None)
    table = head_table(text, truncated=truncated)
    if table is None:
        return LayoutSniff(None, text, None)
    how = recognise(table)
    if how.confidence <= FALLBACK:
        return LayoutSniff(None, text, tuple(table.header))
    detail = how.layout.app + (f" export, {how.language}" if how.language else "")
    return LayoutSniff(how.layout.name, text, tuple(table.header), detail)


def read_strength_log(source: object, *, athlete: str | None = None, skip_bad_rows: bool = False) -> pd.DataFrame:
    """Read a strength log (our CSV, a Strong export or a Hevy export) into the normalised frame.

    `source` is a path, bytes or a binary file object. `athlete` names whose log it is when the file
    does not say (Strong and Hevy never do); when the file has an athlete column, `athlete` only fills
    its blank cells. Columns, dtypes and units: `STRENGTH_LOG_COLUMNS` (dates are local calendar dates,
    loads kg, durations minutes, RPE 1-10, back soreness 0-10). Rows stay in file order.

    A file with problems is refused whole, every problem named by row and column. With
    `skip_bad_rows`, rows with problems are left out instead (listed in `attrs["skipped_rows"]` and in a
    warning); problems of the whole file (no date column, an unsettled day/month order) still refuse it.

    `frame.attrs` carries `source_format`, `file_name`, `encoding` (UTF-8, UTF-16 or Windows-1252),
    `language` (of a Strong header, None when unknown or not Strong), `layout_detail` ("2016 layout"),
    `warnings` (sentences for the import report), `unrecognised_exercises` (sorted names whose session
    type had to be guessed as `other`), `session_type_inferred` (one bool per row: the type came from
    the exercise name, not from the file) and `skipped_rows` (`(row, column, text)` tuples).
    Every problem raises `analysis.errors.InputError` naming the file; nothing else escapes.
    """
    name = None
    try:
        data, name = load_log_bytes(source)
        return _read(data, name, athlete, skip_bad_rows)
    except InputError:
        raise
    except Exception as exc:  # a reader bug or a case we did not foresee: still reported against the file
        raise InputError(
            f"could not be read as a strength log ({type(exc).__name__}: {exc}); "
            "check that it is a CSV export of your log, and if it still fails send it to us",
            file_name=name or "uploaded file",
        ) from exc


def _read(data: bytes, name: str, athlete: str | None, skip_bad_rows: bool) -> pd.DataFrame:
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise InputError("is empty; export the log again (or start from the strength log template)", file_name=name)
    text, encoding = decode(data, name)
    table = read_table(text, name)
    if athlete is not None and not isinstance(athlete, str):
        raise InputError(f"the athlete must be a name (text), not {type(athlete).__name__}", file_name=name)
    athlete = athlete.strip() if athlete else None
    if not any(any(c.strip() for c in cells) for _, cells in table.rows):
        raise InputError(
            "has a header but no rows: there is nothing to import (add at least one row under the header)",
            file_name=name,
        )
    how = recognise(table)
    layout = how.layout
    if how.confidence != BY_COLUMN_ORDER:  # read by position, a header's names do not matter
        _check_duplicate_headers(table)
    warnings: list[str] = []
    problems = Problems(name)
    for row in table.ragged:
        problems.add(row, None, f"has more cells than the header has columns ({len(table.header)})")
    if layout.needs_athlete and athlete is None:
        raise InputError(
            f"is a {layout.app} export, which does not say whose log it is: choose the athlete when importing "
            "(athlete=...)",
            file_name=name,
        )
    entries = layout.read(table, how, problems, warnings, athlete)
    if not entries:
        raise InputError("has no sets or entries to import (only rest-timer or note rows)", file_name=name)
    settle_dates([e.date for e in entries], problems.add, layout.name)
    for entry in entries:
        if entry.athlete is None and athlete is None:
            problems.add(entry.row, athlete_column(table),
                         "the athlete is blank; fill it in, or choose the athlete when importing")
    skipped: tuple[tuple[int | None, str | None, str], ...] = ()
    if problems and skip_bad_rows and not problems.of_file():
        bad = problems.rows()
        skipped = tuple(problems.ordered())
        entries = [e for e in entries if e.row not in bad]
        if not entries:
            problems.raise_if_any()  # every row is bad: there are no good rows to import
        warnings.insert(0, _skipped_sentence(skipped, len(bad)))
    else:
        problems.raise_if_any(rows_skippable=True)
    guessed = {e.exercise for e in entries if e.inferred}
    unrecognised = sorted(n for n in guessed if not is_recognised_exercise(n))
    if unrecognised:
        shown = ", ".join(unrecognised[:10]) + (f" and {len(unrecognised) - 10} more" if len(unrecognised) > 10 else "")
        warnings.append(
            f"{len(unrecognised)} exercise name{'s were' if len(unrecognised) != 1 else ' was'} not recognised and "
            f"counted as 'other': {shown}. Give each a session type on the Strength log page (or a session_type "
            "column in your file)."
        )
    frame = _frame(entries, athlete, layout.name)
    frame.attrs.update(
        source_format=layout.name, file_name=name, encoding=encoding, language=how.language,
        layout_detail=how.detail, warnings=warnings, unrecognised_exercises=unrecognised,
        session_type_inferred=tuple(e.inferred for e in entries), skipped_rows=skipped,
    )
    return frame


def _skipped_sentence(skipped: tuple[tuple[int | None, str | None, str], ...], rows: int) -> str:
    listed = "; ".join(describe_problem(*p) for p in skipped[:MAX_LISTED_PROBLEMS])
    more = f"; …and {len(skipped) - MAX_LISTED_PROBLEMS} more" if len(skipped) > MAX_LISTED_PROBLEMS else ""
    return f"{rows} row{'s' if rows != 1 else ''} left out (bad values), the other rows imported: {listed}{more}."


def _check_duplicate_headers(table: Table) -> None:
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


def _frame(entries: list[Entry], athlete: str | None, layout: str) -> pd.DataFrame:
    days = np.array([e.date.day for e in entries], dtype="datetime64[D]").astype("datetime64[ns]")
    data: dict[str, object] = {
        "date": days,
        "athlete": pd.Series([e.athlete or athlete for e in entries], dtype="str"),
        "session_type": pd.Series([e.session_type for e in entries], dtype="str"),
        "exercise": pd.Series([e.exercise for e in entries], dtype="str"),
    }
    for col in NUMBER_COLUMNS:
        data[col] = np.array([getattr(e, col) for e in entries], dtype="float64")
    data["notes"] = pd.Series([e.notes for e in entries], dtype="str")
    data["warmup"] = np.array([e.warmup for e in entries], dtype=bool)
    data["source_format"] = pd.Series([layout] * len(entries), dtype="str")
    data["source_row"] = np.array([e.row for e in entries], dtype="int64")
    return pd.DataFrame(data).astype(DTYPES)
