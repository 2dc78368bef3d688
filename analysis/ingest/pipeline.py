"""The whole import, as the CLI and the Import page run it: expand, parse in workers, store, report.

    report = ingest(["~/garmin.zip", "strong.csv"], athlete="Ana", store=store, progress=callback)

`report` is one row per file (DESIGN.md §3 import report). Failed and skipped files are reported and
the rest are stored; storing is one transaction, so nothing already stored changes if it fails.

Reading and storing overlap: the store takes each file from `parse_iter` as soon as it (and every file
before it) has been read, while the workers read the next ones. On a season of 1,000 one-hour runs this
keeps the second core busy while the store writes (benchmarks/ingest.py), and parsed runs do not pile
up in memory: only those read but not yet stored are held (the files' bytes are, until read). The store's
write transaction is therefore open while files are read: other writers in this process wait for the
import to finish, readers see the store as it was until it commits.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.access import Viewer
from analysis.errors import InputError
from analysis.ingest.parse import DEFAULT_TIMEOUT_S, GOOD_ROWS_HINT, ParsedFile, parse_all, parse_iter
from analysis.ingest.sources import Skipped, SourceFile, expand_sources, is_upload, size_text
from analysis.ingest.strava import join_activity_lists

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
SAMPLE_DIR = PROJECT_DIR / "sample_data"
Progress = Callable[[int, int, str], None]
# Bytes one import's uploads may hold together. Streamlit's `server.maxUploadSize` (.streamlit/config.toml)
# caps each file, not their number: Streamlit keeps every uploaded file in the server's memory for the
# session, and an import then holds them until each is read, so without a total one visitor choosing many
# 200 MB files could take all of a small server's memory. 1 GiB is several whole-account exports (a
# Garmin or Strava zip is typically 50-150 MB) and what a 2-4 GB server can hold besides the app.
MAX_UPLOAD_BYTES = 1024**3
# What to do with a strength log whose dates overlap a stored log of the same athlete and layout
# (`Store.add_batch(on_strength_overlap=...)`): "hold" stores nothing and reports it as `overlaps` naming the
# stored file; "replace" deletes the stored file's entries and stores the new one; "keep" stores both.
STRENGTH_OVERLAP_CHOICES = ("hold", "replace", "keep")
# Bytes of strength files one import keeps for a second choice (`held`): strength logs are at most 20 MB
# each and usually a few KB, so this holds every such file of any real import while bounding the memory
# a Streamlit session keeps.
MAX_HELD_BYTES = 64 * 1024**2
LEFT_OUT_MARK = "left out (bad values)"  # in the warning read_strength_log writes for rows it left out


@dataclass(frozen=True, eq=False)
class HeldFile:
    """A strength file of an import that another choice would store, with its bytes (for `ingest` again).

    `status` is its report row's: "overlaps" (held: its dates overlap a stored log; import it again with
    `on_strength_overlap="replace"` or `"keep"`) or "failed" (refused only for bad rows, its reason ending
    with `GOOD_ROWS_HINT`; import it again with `skip_bad_rows=True`). `skip_bad_rows` is the option it was
    read with (an overlapping file read without its bad rows must be read so again).
    """

    name: str
    data: bytes
    status: str
    skip_bad_rows: bool = False

    @property
    def upload(self) -> tuple[str, bytes]:
        """`(name, bytes)`: what `ingest` takes, under the name the report showed."""
        return self.name, self.data


def ingest(sources: Iterable, *, athlete: str, store, viewer: Viewer, workers: int | None = None,
           timeout_s: float = DEFAULT_TIMEOUT_S, progress: Progress | None = None,
           is_sample: bool = False, drop_positions: bool = False,
           max_upload_bytes: int | None = None, skip_bad_rows: bool = False,
           on_strength_overlap: str = "hold", held: list[HeldFile] | None = None,
           batch_id: str | None = None) -> pd.DataFrame:
    """Import files, folders, zips and .gz files (paths, or (name, bytes) uploads) for one athlete.

    `drop_positions` (privacy option): runs are stored without GPS positions (`analysis.privacy`); their
    metrics are the same, they have no map, and each run's report row says so. A run already stored is a
    duplicate and keeps what it has (its reason says how to drop its positions).

    `max_upload_bytes` (default `MAX_UPLOAD_BYTES`, bytes): the uploads among `sources` (`(name, bytes)`)
    may hold at most this much in total, checked before anything is read; `InputError` otherwise. Paths
    are not counted: they are read from disk one file at a time, not held in the server's memory.

    `skip_bad_rows` (strength logs only): a log with bad rows is imported without them; they are named in
    its report row's warnings ("N rows left out (bad values): row 12 (column 'Weight': ...), ..."). Problems
    of the whole file (no date column, an unsettled day/month order, the header) still refuse it. Without
    it (the default) such a log is refused, every bad row named, and when its other rows could be imported
    its reason ends with `GOOD_ROWS_HINT`.

    `on_strength_overlap` (one of `STRENGTH_OVERLAP_CHOICES`, for `Store.add_batch`): a strength log whose
    dates overlap a stored log of the same athlete and layout is held ("hold", the default: not stored,
    status `overlaps`, the reason names the stored file), replaces the stored one ("replace") or is stored
    beside it ("keep").

    `held`: when a list is given, a `HeldFile` (name, bytes) is appended for each strength file that
    another choice would store (status `overlaps`, or refused only for bad rows), in report order, so the
    caller can import just those again; at most `MAX_HELD_BYTES` of them (strength files only, which are
    small; a file beyond that is not kept, and the report still lists it).

    `batch_id`: the import history's id for this batch (default: the time); watched folders use `watch-...`.
    """
    if on_strength_overlap not in STRENGTH_OVERLAP_CHOICES:
        raise ValueError(f"on_strength_overlap must be one of {', '.join(STRENGTH_OVERLAP_CHOICES)}, "
                         f"not {on_strength_overlap!r}")
    if isinstance(sources, (str, os.PathLike)) or is_upload(sources):
        sources = [sources]
    sources = list(sources)  # checked whole before any file is read (a generator could not be)
    check_upload_total(upload_bytes(sources), max_upload_bytes)
    items, listings = join_activity_lists(list(expand_sources(sources)))
    items = summarise_skipped(items)
    del sources
    candidates = _strength_bytes(items) if held is not None else {}
    parsed = parse_iter(items, athlete=athlete, settings=store.metric_settings(viewer), workers=workers,
                        timeout_s=timeout_s, progress=progress, drop_positions=drop_positions,
                        skip_bad_rows=skip_bad_rows)
    del items  # parse_iter holds them, and lets each file's bytes go once a worker has it
    with closing(parsed):  # however add_batch ends, the workers stop with it
        report = store.add_batch(viewer, athlete, parsed, is_sample=is_sample, on_strength_overlap=on_strength_overlap,
                                 listings=listings, batch_id=batch_id)
    if held is not None:
        held.extend(_held_files(report, candidates, skip_bad_rows))
    if drop_positions:
        duplicate = report["status"] == "duplicate"
        report.loc[duplicate, "reason"] = report.loc[duplicate, "reason"] + (
            "; the stored copy is unchanged: delete it and import again to drop its GPS positions")
    return report


SKIPPED_GROUP_MIN = 4  # this many files of one archive or folder skipped for the same reason become one row


def summarise_skipped(items: list) -> list:
    """Files of one archive or folder skipped for the same reason, as one report row per reason.

    A Garmin Connect account export holds thousands of files that are not recorded activities (all-day
    monitoring, sleep, settings as FIT; JSON summaries): listing each would bury the runs in the report. Files
    whose reason is the same sentence are the same kind, so `SKIPPED_GROUP_MIN` or more of them (under one
    top-level name) become one row, "garmin.zip: 2,345 files", whose reason counts them and names the first.
    The row stands where the first of them stood; everything else keeps its order.
    """
    groups: dict[tuple[str, str], list[int]] = {}
    for index, item in enumerate(items):
        if isinstance(item, Skipped) and "/" in item.name:
            groups.setdefault((item.name.split("/", 1)[0], item.reason), []).append(index)
    merged: dict[int, Skipped] = {}
    dropped: set[int] = set()
    for (top, reason), indexes in groups.items():
        if len(indexes) < SKIPPED_GROUP_MIN:
            continue
        first = items[indexes[0]].name
        merged[indexes[0]] = Skipped(f"{top}: {len(indexes):,} files",
                                     f"{len(indexes):,} files like {first.split('/', 1)[1]}: {reason}")
        dropped.update(indexes[1:])
    return [merged.get(i, item) for i, item in enumerate(items) if i not in dropped]


def _strength_bytes(items: list) -> dict[int, bytes]:
    """The bytes of the strength files among `items`, by position, up to `MAX_HELD_BYTES` in all."""
    kept: dict[int, bytes] = {}
    total = 0
    for index, item in enumerate(items):
        if isinstance(item, SourceFile) and item.kind == "strength_csv" and total + len(item.data) <= MAX_HELD_BYTES:
            kept[index] = item.data
            total += len(item.data)
    return kept


def _held_files(report: pd.DataFrame, candidates: dict[int, bytes], skip_bad_rows: bool) -> list[HeldFile]:
    """The strength files another choice would store (`ingest`'s `held`); report row i is the file at i."""
    found = []
    for index, data in candidates.items():
        if index >= len(report):
            break
        row = report.iloc[index]
        if row["status"] == "overlaps" or (row["status"] == "failed" and refused_for_rows_only(row["reason"])):
            found.append(HeldFile(str(row["file"]), data, str(row["status"]), skip_bad_rows))
    return found


def refused_for_rows_only(reason: object) -> bool:
    """Whether a report reason is that of a strength log whose good rows `skip_bad_rows` would import."""
    return isinstance(reason, str) and reason.endswith(GOOD_ROWS_HINT)


def rows_left_out(warnings: object) -> list[str]:
    """The sentences of a report row's warnings (joined by " | ") that list rows left out for bad values."""
    if not isinstance(warnings, str):
        return []
    return [w for w in warnings.split(" | ") if LEFT_OUT_MARK in w]


def upload_bytes(sources: Iterable) -> int:
    """Bytes held by the `(name, bytes)` uploads among `sources` (paths count 0)."""
    total = 0
    for source in sources:
        if is_upload(source):
            data = source[1]
            total += data.nbytes if isinstance(data, memoryview) else len(data)
    return total


def check_upload_total(total_bytes: int, max_upload_bytes: int | None = None) -> None:
    """`InputError` when one import's uploads hold more than `max_upload_bytes` (default `MAX_UPLOAD_BYTES`).

    The message names the total and the cap and says what to do; the Import page shows the same sentence
    beside its (then disabled) Import button before anything is sent to `ingest`.
    """
    cap = MAX_UPLOAD_BYTES if max_upload_bytes is None else max_upload_bytes
    if total_bytes > cap:
        raise InputError(f"the upload holds {size_text(total_bytes)}; one import takes at most {size_text(cap)}: "
                         "import the files in parts")


def default_sample_dir() -> Path:
    """The bundled sample club, or env CORE_CADENCE_SAMPLE_DIR (tests use a small club)."""
    return Path(os.environ.get("CORE_CADENCE_SAMPLE_DIR") or SAMPLE_DIR)


def sample_athletes(sample_dir: Path | None = None) -> list[tuple[str, Path]]:
    """(display name, folder) of each athlete of the bundled sample club."""
    sample_dir = sample_dir or default_sample_dir()
    if not sample_dir.is_dir():
        return []
    return [(d.name.title(), d) for d in sorted(sample_dir.iterdir()) if d.is_dir() and not d.name.startswith(".")]


def load_sample_club(store, *, viewer: Viewer, sample_dir: Path | None = None, workers: int | None = None,
                     progress: Progress | None = None) -> pd.DataFrame:
    """Load the synthetic sample club (one athlete per sub-folder), marked as sample data.

    Every athlete's runs go through one worker pool (starting workers costs seconds, so not one
    pool per athlete); strength logs are small and read in this process with their athlete's name.
    """
    athletes = sample_athletes(sample_dir)
    expanded = [(name, item) for name, folder in athletes for item in expand_sources([folder])]
    runs = [(name, item) for name, item in expanded if isinstance(item, SourceFile) and item.kind in ("fit", "gpx")]
    parsed_runs = parse_all([item for _, item in runs], settings=store.metric_settings(viewer), workers=workers,
                            progress=progress)
    by_athlete: dict[str, list[ParsedFile]] = {name: [] for name, _ in athletes}
    for (name, _), result in zip(runs, parsed_runs, strict=True):
        by_athlete[name].append(result)
    reports = []
    for name, _ in athletes:
        others = [item for owner, item in expanded if owner == name and not (
            isinstance(item, SourceFile) and item.kind in ("fit", "gpx"))]
        parsed = by_athlete[name] + parse_all(others, athlete=name, workers=0)
        reports.append(store.add_batch(viewer, name, parsed, is_sample=True))
    store.mark_sample_club_loaded(viewer)
    return pd.concat(reports, ignore_index=True) if reports else pd.DataFrame()
