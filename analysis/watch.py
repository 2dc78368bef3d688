"""Watched folders: files that appear in a folder (Garmin Express, a synced cloud folder, Syncthing) import by
themselves, each once.

A scan walks the folder (linked folders are not followed, hidden files and operating-system litter are left
out, only regular files count) and compares every file's size and modification time with what the store
remembers of it (`Store.watched_file_states`). A file that is new or changed is imported when it has stopped
growing: its modification time is at least `SETTLE_S` old and its size and time are the same when it is read
(so a file still being copied is left for the next scan, never imported half-written). The ready files of one
scan go through the ordinary import (`analysis.ingest.pipeline.ingest`: content decides, every cap and worker
limit applies) as one batch with the id `watch-<time>`, so each has its import report in the history; then
they are remembered, and a second scan changes nothing. A file that failed is remembered too: it is tried again
only when it changes.

In the app the scans run in a thread of the app's own process (`analysis.watch.Watcher`), so the store never
has a second writer; `python -m analysis watch FOLDER --athlete NAME [--once]` runs them from the command line
(when the app is not running: DuckDB lets one process write).
"""

from __future__ import annotations

import atexit
import os
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from analysis.access import APP_VIEWER, Viewer
from analysis.errors import InputError

SETTLE_S = 5.0  # a file modified less than this long ago may still be being written
WATCH_INTERVAL_S = 30.0  # seconds between the app's scans
SHUTDOWN_WAIT_S = 60.0  # at exit, how long a scan in progress may take to finish
_LITTER = frozenset({"__macosx", "thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class ScanResult:
    """What one scan of one folder did: files imported, files left for later, and the import report."""

    folder: str
    imported_files: int  # files handed to the import (each has a report row or more)
    waiting_files: int  # new or changed files still being written: left for the next scan
    report: pd.DataFrame

    def summary(self) -> str:
        if self.report.empty and not self.waiting_files:
            return f"{self.folder}: nothing new"
        counts = self.report["status"].value_counts() if not self.report.empty else {}
        parts = [f"{n} {status}" for status, n in getattr(counts, "items", dict)()]
        if self.waiting_files:
            parts.append(f"{self.waiting_files} still being written (next scan)")
        return f"{self.folder}: " + ", ".join(parts)


WATCH_ROOTS_ENV = "CORE_CADENCE_WATCH_ROOTS"  # folders (os.pathsep-separated) that watched folders must be in


def allowed_roots() -> tuple[Path, ...]:
    """The folders a watched folder must be inside, from env `CORE_CADENCE_WATCH_ROOTS`; () = anywhere.

    A watched folder is read from the server's own disk: on a shared server, set this so the Data & settings
    page cannot be pointed at the server's other files (docs/security.md).
    """
    raw = os.environ.get(WATCH_ROOTS_ENV, "")
    return tuple(Path(p).expanduser().resolve() for p in raw.split(os.pathsep) if p.strip())


def resolve_folder(folder: str | os.PathLike) -> str:
    """The folder as an absolute path (links resolved); `InputError` when it is not an existing folder, or not
    inside the allowed roots (`allowed_roots`) when they are set."""
    path = Path(folder).expanduser()
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        raise InputError(f"folder {str(folder)!r}: does not exist (give the folder your watch syncs to)") from None
    if not resolved.is_dir():
        raise InputError(f"folder {str(folder)!r}: is a file, not a folder")
    roots = allowed_roots()
    if roots and not any(resolved == root or root in resolved.parents for root in roots):
        raise InputError(f"folder {str(folder)!r}: not inside the folders this server may watch "
                         f"({', '.join(str(r) for r in roots)}; set by {WATCH_ROOTS_ENV})")
    return str(resolved)


def _files(root: Path) -> list[tuple[str, os.stat_result]]:
    """(path relative to `root`, stat) of every regular, visible file below it; linked folders not followed."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d.casefold() not in _LITTER)
        for name in sorted(filenames):
            if name.startswith(".") or name.casefold() in _LITTER:
                continue
            path = Path(dirpath, name)
            try:
                info = path.lstat()
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode):
                out.append((path.relative_to(root).as_posix(), info))
    return out


def scan_folder(store, viewer: Viewer, folder: str | os.PathLike, athlete: str, *, settle_s: float = SETTLE_S,
                now: float | None = None, workers: int | None = 1, new_athlete: bool = False) -> ScanResult:
    """Import the new and changed files of `folder` for `athlete` that have stopped growing; see the module.

    `now` (seconds since 1970) is for tests. `InputError` when the folder is gone or the athlete is unknown
    (unless `new_athlete`).
    """
    from analysis.ingest.pipeline import ingest

    root = Path(resolve_folder(folder))
    known_names = {a.casefold() for a in store.athletes(viewer)["athlete"]}
    if " ".join(str(athlete).split()).casefold() not in known_names and not new_athlete:
        raise InputError(f"athlete {athlete!r}: not in the store; check the spelling, or add them as a new athlete")
    remembered = store.watched_file_states(viewer, str(root))
    clock = time.time() if now is None else now
    ready: list[tuple[str, int, int]] = []
    waiting = 0
    for relative, info in _files(root):
        state = (int(info.st_size), int(info.st_mtime_ns))
        if remembered.get(relative) == state:
            continue
        if clock - info.st_mtime < settle_s or info.st_size == 0:
            waiting += 1
            continue
        ready.append((relative, *state))
    if not ready:
        return ScanResult(str(root), 0, waiting, pd.DataFrame(columns=["file", "status", "reason"]))
    batch_id = f"watch-{datetime.now(UTC):%Y%m%dT%H%M%S.%f}"
    # By path: the ingest reads each file in place with every cap, so a first scan of years of files is
    # never held in memory at once.
    report = ingest([root / relative for relative, _, _ in ready], athlete=athlete, store=store, viewer=viewer,
                    workers=workers, batch_id=batch_id)
    taken = []
    for relative, size, mtime in ready:
        try:
            after = (root / relative).stat()
        except OSError:
            continue
        if (int(after.st_size), int(after.st_mtime_ns)) == (size, mtime):
            taken.append((relative, size, mtime))
        else:
            waiting += 1  # it changed while it was read: the next scan reads it again (the store drops a twin)
    store.record_watched_files(viewer, str(root), taken, batch_id)
    return ScanResult(str(root), len(ready), waiting, report)


def scan_watched(store, viewer: Viewer, *, settle_s: float = SETTLE_S,
                 workers: int | None = 1) -> list[ScanResult | str]:
    """One scan of every folder the store watches; a folder that cannot be scanned gives a sentence instead."""
    results: list[ScanResult | str] = []
    for row in store.watched_folders(viewer).itertuples(index=False):
        try:
            results.append(scan_folder(store, viewer, row.folder, row.athlete, settle_s=settle_s, workers=workers))
        except InputError as exc:
            results.append(f"{row.folder}: {exc}")
    return results


class Watcher:
    """Scans the store's watched folders every `interval_s` in a daemon thread of this process.

    One per store and process (the app keeps it as a cached resource). `on_error(text)` hears about a scan
    that raised, so a broken folder never stops the others or the thread.
    """

    def __init__(self, store, *, interval_s: float = WATCH_INTERVAL_S,
                 on_error: Callable[[str], None] | None = None):
        self.store = store
        self.interval_s = interval_s
        self.on_error = on_error
        self.last_results: list[ScanResult | str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="core-cadence-watcher", daemon=True)

    def start(self) -> Watcher:
        self._thread.start()
        # A daemon thread still inside DuckDB when the interpreter finalises aborts the process ("FATAL:
        # exception not rethrown"); atexit runs before that, while the thread can still finish its scan.
        atexit.register(self.stop, wait_s=SHUTDOWN_WAIT_S)
        return self

    def stop(self, wait_s: float = 0.0) -> None:
        """Ask the thread to stop; with `wait_s`, wait up to that long for a scan in progress to end."""
        self._stop.set()
        if wait_s > 0 and self._thread.is_alive():
            self._thread.join(wait_s)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                if not self.store.watched_folders(APP_VIEWER).empty:
                    self.last_results = scan_watched(self.store, APP_VIEWER)
            except Exception as exc:  # the thread must outlive any one bad scan
                if self.on_error is not None:
                    self.on_error(f"watched folders: {exc}")


__all__ = ["SETTLE_S", "WATCH_INTERVAL_S", "WATCH_ROOTS_ENV", "ScanResult", "Watcher", "allowed_roots",
           "resolve_folder", "scan_folder", "scan_watched"]
