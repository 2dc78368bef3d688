"""Strava bulk exports: `activities.csv` joined to the files in `activities/`.

A Strava bulk export ("Download or delete your account" → "Request your archive") is a zip holding
`activities.csv` (one row per activity) and `activities/` with every original upload: `<id>.fit.gz`,
`<id>.gpx`, `<id>.gpx.gz`, `<id>.tcx.gz`. The files carry the samples; only the list carries what the runner
typed into Strava: the activity's name ("Long one", "Tempo Tuesday"), its type, and on newer exports the
**Perceived Exertion** (Strava's 1-10 slider, a CR10-style rating). This module reads the list and says, for
each listed file, what it adds to the run (`Listing`), which rows are not runs (reported, not imported) and
which rows have no file in the export (reported).

The list's quirks, all handled:

- **Repeated column names.** `Elapsed Time`, `Distance` and others appear twice (the first `Distance` in km,
  the second in metres): columns are found by their first occurrence, read by position.
- **Older exports wrap header cells in HTML**, `<span class="translation_missing" title="...">Type</span>`:
  tags are removed before names are matched.
- `Activity Date` is `Oct 6, 2022, 11:19:20 PM` (UTC); it is shown as written.
- `Filename` is relative to the export's root; a manual activity has none.

The list is read with the strength-log CSV rules (`analysis.io.strength.table`: size and row caps,
encodings, delimiter), so a hostile list is refused as a hostile log is.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from analysis.errors import InputError
from analysis.io.strength.table import decode, decode_head, header_key, read_table

MAX_ACTIVITY_NAME_CHARS = 200
_TAG = re.compile(r"<[^>]*>")

# header key (tags removed, `header_key`) -> field. English, the language every export seen so far uses.
_COLUMNS = {
    "activityid": "activity_id",
    "activitydate": "date",
    "activityname": "name",
    "activitytype": "type",
    "filename": "filename",
    "perceivedexertion": "perceived_exertion",
}
_REQUIRED = ("activity_id", "filename")
# Strava's activity types that are runs, and ones that certainly are not; another value (a type added later,
# or a translated export) is left to the file itself (the reader's sport).
RUN_TYPES = frozenset({"run", "trail run", "virtual run", "treadmill run"})
NOT_RUN_TYPES = frozenset({
    "ride", "virtual ride", "e-bike ride", "mountain bike ride", "gravel ride", "e-mountain bike ride",
    "velomobile", "handcycle", "walk", "hike", "swim", "rowing", "virtual row", "kayaking", "canoeing",
    "stand up paddling", "surfing", "kitesurf", "windsurf", "alpine ski", "backcountry ski", "nordic ski",
    "snowboard", "snowshoe", "ice skate", "inline skate", "roller ski", "skateboard", "wheelchair",
    "weight training", "workout", "crossfit", "elliptical", "stair-stepper", "rock climbing", "yoga",
    "pilates", "hiit", "golf", "soccer", "tennis", "badminton", "pickleball", "racquetball", "squash",
    "table tennis", "sail",
})
STRAVA_EFFORT_RANGE = (1.0, 10.0)  # Strava's Perceived Exertion slider


@dataclass(frozen=True)
class Listing:
    """What an activity list adds to the run read from one of its files."""

    activity_name: str | None
    perceived_effort: float | None  # Strava's Perceived Exertion, 1-10 (None when not given)
    source: str = "strava"


@dataclass(frozen=True)
class ListedActivity:
    """One row of `activities.csv`."""

    row: int  # spreadsheet row number (header = 1)
    activity_id: str
    date: str  # as written (UTC)
    activity_type: str
    filename: str  # relative to the export's root; "" for a manual activity
    listing: Listing

    @property
    def is_run(self) -> bool | None:
        """True/False when Strava's type says so; None when the type is one this module does not know."""
        kind = self.activity_type.casefold()
        if kind in RUN_TYPES:
            return True
        if kind in NOT_RUN_TYPES:
            return False
        return None

    def describe(self) -> str:
        """"“Long one” (Run, Oct 6, 2022, 11:19:20 PM)" for the import report."""
        what = ", ".join(part for part in (self.activity_type, self.date) if part)
        named = f"“{self.listing.activity_name}”" if self.listing.activity_name else f"activity {self.activity_id}"
        return f"{named} ({what})" if what else named


@dataclass(frozen=True)
class ActivityList:
    name: str  # display name of activities.csv (e.g. "export.zip/activities.csv")
    activities: tuple[ListedActivity, ...]
    warnings: tuple[str, ...] = ()

    @property
    def root(self) -> str:
        """The display-name prefix its `Filename`s are relative to ("export.zip/")."""
        cut = self.name.rfind("/")
        return self.name[: cut + 1] if cut >= 0 else ""

    def by_display_name(self) -> dict[str, ListedActivity]:
        """Listed activities with a file, by the display name `analysis.ingest.sources` gives that file."""
        return {self.root + a.filename: a for a in self.activities if a.filename}


def _key(cell: str) -> str:
    return header_key(_TAG.sub(" ", cell))


def is_activity_list(head: bytes, *, truncated: bool = False) -> bool:
    """True when the first bytes of a file are the header of a Strava `activities.csv` (Activity ID, Filename)."""
    text = decode_head(head, truncated=truncated)
    if not text:
        return False
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    keys = {_key(cell) for cell in first.split(",")}
    return "activityid" in keys and "filename" in keys and ("activitydate" in keys or "activitytype" in keys)


def read_activity_list(data: bytes, name: str) -> ActivityList:
    """Read a Strava `activities.csv`; `InputError` naming the file (and row or column) when it cannot be used.

    A Perceived Exertion outside 1-10 or not a number is left out with a warning naming the row; a name is
    trimmed to `MAX_ACTIVITY_NAME_CHARS`.
    """
    text, _ = decode(data, name)
    table = read_table(text, name)
    columns: dict[str, int] = {}
    for index, cell in enumerate(table.header):
        field = _COLUMNS.get(_key(cell))
        if field is not None and field not in columns:  # repeated names: the first one, by position
            columns[field] = index
    missing = [f for f in _REQUIRED if f not in columns]
    if missing:
        raise InputError(f"is not a Strava activity list: it has no {' or '.join(missing)} column "
                         "(expected Strava's activities.csv with 'Activity ID' and 'Filename')", file_name=name)
    warnings: list[str] = []
    out = []
    for row, cells in table.rows:
        def cell(field: str, cells: list[str] = cells) -> str:
            index = columns.get(field)
            return " ".join(cells[index].split()) if index is not None and index < len(cells) else ""

        activity_id = cell("activity_id")
        if not activity_id:
            continue
        effort = None
        raw = cell("perceived_exertion")
        if raw:
            try:
                effort = float(raw.replace(",", "."))
            except ValueError:
                effort = math.nan
            low, high = STRAVA_EFFORT_RANGE
            if not (math.isfinite(effort) and low <= effort <= high):
                warnings.append(f"row {row}: Perceived Exertion {raw!r} is not a number from {low:g} to {high:g}; "
                                "left out")
                effort = None
        title = cell("name")[:MAX_ACTIVITY_NAME_CHARS] or None
        filename = cell("filename").lstrip("/")
        out.append(ListedActivity(row, activity_id, cell("date"), cell("type"), filename, Listing(title, effort)))
    return ActivityList(name, tuple(out), tuple(warnings))


__all__ = [
    "MAX_ACTIVITY_NAME_CHARS",
    "NOT_RUN_TYPES",
    "RUN_TYPES",
    "STRAVA_EFFORT_RANGE",
    "ActivityList",
    "ListedActivity",
    "Listing",
    "is_activity_list",
    "read_activity_list",
]


# --- joining a list to the files of its export ---------------------------------------------------------------


def join_activity_lists(items: list) -> tuple[list, dict[str, Listing]]:
    """The files of an import with Strava's lists applied: (items to parse, {file display name: Listing}).

    `items` are `analysis.ingest.sources` results; a `SourceFile` of kind `strava_list` is a list. Each
    list is read (a list that cannot be read is reported as skipped, with why, and its export imports
    without names). Then, per list:

    - the list itself becomes a report row saying what it gave (it holds no samples to store);
    - a listed file whose row's type is not a run is not parsed: its report row says what Strava calls it;
    - a run's row whose file the export does not have gets a report row of its own;
    - every other listed file is parsed as usual, and its `Listing` (name, Perceived Exertion) goes with it.
    """
    from analysis.ingest.sources import Skipped, SourceFile

    lists: list[ActivityList] = []
    rest: list = []
    for item in items:
        if isinstance(item, SourceFile) and item.kind == "strava_list":
            try:
                lists.append(read_activity_list(item.data, item.name))
            except InputError as exc:
                reason = str(exc).removeprefix(f"{item.name}: ")
                rest.append(Skipped(item.name, f"could not be used as Strava's activity list: {reason}"))
        else:
            rest.append(item)
    if not lists:
        return rest, {}
    listed: dict[str, ListedActivity] = {}
    for activity_list in lists:
        listed.update(activity_list.by_display_name())
    present = {item.name for item in rest}
    listings: dict[str, Listing] = {}
    out: list = []
    for item in rest:
        entry = listed.get(item.name)
        if entry is not None and isinstance(item, SourceFile):
            if entry.is_run is False:
                out.append(Skipped(item.name, f"Strava lists it as {entry.describe()}, not a run: not imported"))
                continue
            listings[item.name] = entry.listing
        out.append(item)
    for activity_list in lists:
        files = [a for a in activity_list.activities if a.filename]
        runs = [a for a in files if a.is_run is not False]
        missing = [a for a in runs if activity_list.root + a.filename not in present]
        manual = len(activity_list.activities) - len(files)
        parts = [f"Strava's activity list: {len(activity_list.activities)} activities, "
                 f"{len(runs) - len(missing)} runs found in the export get their names and Perceived Exertion"]
        if len(files) > len(runs):
            parts.append(f"{len(files) - len(runs)} other activities (rides, walks, ...) are not imported")
        if manual:
            parts.append(f"{manual} {'have' if manual != 1 else 'has'} no file (entered by hand on Strava): "
                         "nothing to import")
        if missing:
            parts.append(f"{len(missing)} listed run{'s are' if len(missing) != 1 else ' is'} missing from the "
                         "export (listed below)")
        parts += list(activity_list.warnings[:20])
        if len(activity_list.warnings) > 20:
            parts.append(f"{len(activity_list.warnings) - 20} more rows like these")
        out.append(Skipped(activity_list.name, "; ".join(parts) + ". The list itself holds no samples to store"))
        for activity in missing:
            out.append(Skipped(activity_list.root + activity.filename,
                               f"listed in {activity_list.name} (row {activity.row}) as {activity.describe()}, but "
                               "the export has no such file: nothing to import"))
    return out, listings


__all__ += ["join_activity_lists"]
