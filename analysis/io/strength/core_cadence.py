"""Our own CSV (DESIGN.md §7): a date column and something to log, by forgiving header aliases.

Columns and units: `STRENGTH_LOG_COLUMNS`; header aliases: `CSV_HEADER_ALIASES` (the README lists
them); template `sample_data/strength_log_template.csv`. It is also the reader of last resort: a
table no layout recognises is read here, so the message says what a strength log needs.
"""

from __future__ import annotations

import math
import re
import unicodedata

from analysis.errors import InputError
from analysis.io.exercise_taxonomy import SESSION_TYPES, classify_exercise
from analysis.io.strength.cells import (
    EXPECTED,
    LB_TO_KG,
    Bad,
    Problems,
    checked,
    duration_minutes,
    number,
    text_or_none,
)
from analysis.io.strength.dates import classify_date
from analysis.io.strength.layout import BY_ALIASES, FALLBACK, Entry, Layout, Recognition
from analysis.io.strength.table import Table, header_key

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


def _session_type_key(text: str) -> str:
    words = re.sub(r"[^\w]+|_", " ", unicodedata.normalize("NFKC", text).casefold()).split()
    return " ".join(w for w in words if w != "and")


_SESSION_LOOKUP = {_session_type_key(a): kind for kind, aliases in SESSION_TYPE_ALIASES.items() for a in aliases}
ALIAS_INDEX: dict[str, tuple[str, float]] = {header_key(a): (col, f) for a, col, f in CSV_HEADER_ALIASES}
NUMBER_COLUMNS = ("sets", "reps", "load_kg", "duration_min", "rpe", "back_soreness")
CONTENT_COLUMNS = frozenset({"exercise", "session_type", "back_soreness"})  # at least one: something to log


def athlete_column(table: Table) -> str | None:
    """The header cell of the athlete column, as written, or None."""
    for raw, key in zip(table.header, table.keys, strict=True):
        alias = ALIAS_INDEX.get(key)
        if alias and alias[0] == "athlete":
            return raw
    return None


class CoreCadenceCsv(Layout):
    name = "core_cadence"
    app = "our CSV"
    needs_athlete = False

    def recognise(self, table: Table) -> Recognition:
        found = {ALIAS_INDEX[k][0] for k in table.keys if k in ALIAS_INDEX}
        if "date" in found and found & CONTENT_COLUMNS:
            return Recognition(self, BY_ALIASES)
        return Recognition(self, FALLBACK)

    def read(self, table: Table, how: Recognition, problems: Problems, warnings: list[str],
             athlete: str | None) -> list[Entry]:
        columns = self._columns(table, athlete, warnings)
        entries = []
        for row, cells in table.rows:
            if not any(c.strip() for c in cells):
                continue  # an empty spreadsheet row

            def raw(canonical: str, cells: list[str] = cells) -> str:
                spec = columns.get(canonical)
                return cells[spec[0]] if spec else ""

            entry = Entry(
                row=row,
                date=classify_date(raw("date"), row, columns["date"][2], self.name),
                athlete=text_or_none(raw("athlete")) or athlete,
                session_type=None,
                exercise=text_or_none(raw("exercise")),
                notes=text_or_none(raw("notes")),
            )
            for canonical in NUMBER_COLUMNS:
                if canonical not in columns:
                    continue
                index, factor, header = columns[canonical]
                cell = cells[index]
                try:
                    if canonical == "duration_min":
                        value = duration_minutes(cell, table.decimal_comma, factor)
                    else:
                        value = number(cell, table.decimal_comma, EXPECTED[canonical]) * factor
                    setattr(entry, canonical, checked(value, canonical, cell))
                except Bad as bad:
                    problems.add(row, header, str(bad))
            if "warmup" in columns:
                flag = raw("warmup").strip().casefold()
                if flag in _TRUE:
                    entry.warmup = True
                elif flag and flag not in _FALSE:
                    problems.add(
                        row, columns["warmup"][2], f"'{raw('warmup').strip()}' is not yes/no; expected true or false"
                    )
            kind_text = text_or_none(raw("session_type"))
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

    def _columns(self, table: Table, athlete: str | None, warnings: list[str]) -> dict[str, tuple[int, float, str]]:
        """column -> (index, factor to the column's unit, header as written); refuses a table with nothing to log."""
        columns: dict[str, tuple[int, float, str]] = {}
        unknown: list[str] = []
        unnamed: list[int] = []
        for index, (raw, key) in enumerate(zip(table.header, table.keys, strict=True)):
            if not key:
                unnamed.append(index)
                continue
            alias = ALIAS_INDEX.get(key)
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
        if not CONTENT_COLUMNS & columns.keys():
            found = ", ".join(f"'{h}'" for h in table.header[:12]) + (", …" if len(table.header) > 12 else "")
            raise InputError(
                "has no exercise, session_type or back_soreness column: there is nothing to log "
                f"(see the strength log template for the columns; the header has {found})",
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
        return columns
