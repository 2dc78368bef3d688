"""The Hevy app's CSV export: one row per set.

Header (English in every app language): `title, start_time, end_time, description, exercise_title,
superset_id, exercise_notes, set_index, set_type, weight_kg | weight_lbs, reps, distance_km |
distance_miles, duration_seconds, rpe`. `start_time` is written in the phone's locale
(`22 Dec 2025, 08:00`, `Jun 11, 2026, 1:01 PM`, `4 de set. de 2026, 15:16`: see `dates.py`).
`set_type` is `normal`, `warmup`, `dropset` or `failure`; warm-ups are kept and marked.
"""

from __future__ import annotations

from collections import Counter

from analysis.io.strength.cells import LB_TO_KG, Bad, Problems, checked, number, text_or_none
from analysis.io.strength.dates import classify_date
from analysis.io.strength.layout import (
    BY_HEADER_NAMES,
    Entry,
    Layout,
    Recognition,
    classify_app_entry,
    distance_warning,
    join_notes,
    read_set_numbers,
)
from analysis.io.strength.table import Table

_SET_TYPES = {"normal": False, "warmup": True, "dropset": False, "failure": False, "": False}
# header key -> (field, factor to kg); the first weight column found is read
_WEIGHTS = (("weightkg", 1.0), ("weightlbs", LB_TO_KG), ("weightlb", LB_TO_KG))
_DISTANCES = ("distancekm", "distancemiles", "distancemeters", "distancem")


class HevyExport(Layout):
    name = "hevy"
    app = "Hevy"

    def recognise(self, table: Table) -> Recognition | None:
        if not {"exercisetitle", "starttime"} <= set(table.keys):
            return None
        return Recognition(self, BY_HEADER_NAMES, {k: i for i, k in enumerate(table.keys) if k})

    def read(self, table: Table, how: Recognition, problems: Problems, warnings: list[str],
             athlete: str | None) -> list[Entry]:
        cols = how.columns

        def header(key: str) -> str:
            return table.header[cols[key]]

        weights = [(k, f) for k, f in _WEIGHTS if k in cols]  # some exports have both: a row fills one
        distance_rows = 0
        unknown_types: Counter[str] = Counter()
        entries: list[Entry] = []
        for row, cells in table.rows:
            if not any(c.strip() for c in cells):
                continue

            def cell(key: str, cells: list[str] = cells) -> str | None:
                return cells[cols[key]] if key in cols else None

            raw_type = cell("settype") or ""
            set_type = raw_type.strip().casefold().replace(" ", "").replace("-", "").replace("_", "")
            if set_type not in _SET_TYPES:
                unknown_types[raw_type.strip()] += 1
            entry = Entry(
                row=row,
                date=classify_date(cell("starttime") or "", row, header("starttime"), self.name),
                athlete=None,
                session_type=None,
                exercise=text_or_none(cell("exercisetitle") or ""),
                sets=1.0,
                warmup=_SET_TYPES.get(set_type, False),
                notes=join_notes(cell("exercisenotes"), cell("description")),
            )
            classify_app_entry(entry, row, header("exercisetitle"), problems)
            filled = [(k, f) for k, f in weights if (cell(k) or "").strip()]
            for weight_key, factor in filled[:1]:
                text = cell(weight_key) or ""
                try:
                    entry.load_kg = checked(number(text, table.decimal_comma, "a weight (0 or more)"), "load_kg",
                                            text) * factor
                except Bad as bad:
                    problems.add(row, header(weight_key), str(bad))
            distance_rows += read_set_numbers(entry, row, cell, header, table.decimal_comma, problems,
                                              seconds_field="durationseconds", distance_fields=_DISTANCES)
            entries.append(entry)
        if distance_rows:
            warnings.append(distance_warning(distance_rows))
        if unknown_types:
            shown = ", ".join(f"'{k}'" for k in sorted(unknown_types))
            warnings.append(f"Unknown Hevy set types read as ordinary sets: {shown}.")
        return entries
