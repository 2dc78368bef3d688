"""The persistent store: one DuckDB file holding athletes, runs, samples, strength logs and import history.

Why DuckDB: an embedded analytical database (no server to run), columnar and fast at exactly what the
pages do (scan a season of runs, aggregate by week), and it reads and writes pandas frames directly.
SQLite would need a row-by-row insert of ~5,000 samples per run and is slow at scans.

Concurrency: DuckDB lets one *process* write; inside it, every thread takes its own cursor (a
separate connection to the same database, with its own transaction), so Streamlit sessions keep
reading consistent snapshots while another session imports. A second process (the CLI while the app
runs) gets a clear "store is in use" error instead of corrupting anything.

Identity: a run is its file's SHA-256. Re-importing the same file changes nothing; the same run
exported twice (same athlete, start within 60 s) keeps the richer file. Metrics are computed at
ingest and recomputed from stored samples (never by re-parsing files) when a setting changes.
"""

from __future__ import annotations

import bisect
import functools
import json
import os
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.access import ROLES as ROLE_NAMES
from analysis.access import Viewer, clean_email, name_key
from analysis.consistency import validate_plan
from analysis.errors import InputError
from analysis.io.activity import Activity, TimerEvent
from analysis.io.exercise_taxonomy import SESSION_TYPES, classify_exercise, exercise_key, is_recognised_exercise
from analysis.io.samples import COLUMN_NAMES, SAMPLE_COLUMNS, conform_samples
from analysis.metrics import MetricSettings, RunMetrics, resolve_settings, run_metrics
from analysis.metrics import recompute as recompute_pool
from analysis.privacy import DEFAULT_PRIVACY_RADIUS_M, validate_privacy_radius_m

# 2: strength_log.session_type_inferred and exercise_mappings; 3: how hard each run felt (runs.perceived_effort,
# feel, effort_source and the watch's own answer) and check-ins; 4: what an activity list adds to a run
# (runs.activity_name, strava_perceived_effort); 5: club accounts (users) and who imported each file
# (imports.imported_by). An older store is migrated on open.
SCHEMA_VERSION = 5
STORE_FILE = "core_cadence.duckdb"
PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_STORE_DIR = PROJECT_DIR / "data"
DUPLICATE_WINDOW_S = 60.0  # two files of one athlete starting this close are the same run

# Columns of the strength log as stored (the normalised log of analysis.io.strength).
STRENGTH_COLUMNS = ("date", "athlete", "session_type", "exercise", "sets", "reps", "load_kg", "duration_min",
                    "rpe", "back_soreness", "notes", "warmup", "source_format", "source_row")

_METRIC_FIELDS = tuple(f for f in fields(RunMetrics) if f.name != "sport")
_SQL_TYPE = {bool: "BOOLEAN", float: "DOUBLE", str: "VARCHAR", "bool": "BOOLEAN", "float": "DOUBLE", "str": "VARCHAR"}

# Every status an import report row can have. `overlaps`: a strength file covering the same dates as one already
# stored (same athlete and layout), held back so nothing is counted twice (`add_batch(on_strength_overlap=)`).
REPORT_STATUSES = ("imported", "duplicate", "overlaps", "skipped", "failed")
STRENGTH_OVERLAP_CHOICES = ("hold", "replace", "keep")
APP_LAYOUTS = ("strong", "hevy")  # strength layouts whose session type always comes from the exercise name
MAX_EXERCISE_NAME_CHARS = 200
CHECK_IN_FORMAT = "check_in"  # strength_log.source_format of what a runner logged in the app (analysis.check_in)

REPORT_COLUMNS = ("file", "status", "kind", "athlete", "sport", "start_local", "distance_km", "duration_min",
                  "cadence_unit", "sample_interval_s", "pauses", "fields", "warnings", "reason")


def default_store_dir() -> Path:
    """`CORE_CADENCE_STORE` when set, else `data/` in the project (git-ignored)."""
    return Path(os.environ.get("CORE_CADENCE_STORE") or DEFAULT_STORE_DIR)


class ParsedLike(Protocol):
    """What `add_batch` needs of one parsed file (analysis.ingest.parse.ParsedFile has it).

    Optionally also `facts`: a mapping with the activity's `summary()`, `fields_present` and
    `sample_interval_s`, computed where the file was read (see `_RunFacts`); absent or None, they are
    computed here.
    """

    name: str
    sha256: str
    kind: str  # "activity", "strength", "skipped", "failed"
    reason: str
    activity: Activity | None
    metrics: RunMetrics | None
    strength_log: pd.DataFrame | None


@dataclass(frozen=True)
class StoreStatus:
    path: Path
    athletes: int
    runs: int
    samples: int
    strength_entries: int
    sample_club: str  # "loaded", "removed" or "never"


# The user's own names (schema 2): an exercise name's session type for one athlete, or for the whole club
# (athlete_id NULL). Looked up by `exercise_key` (case, brackets and plurals folded), so "Copenhagen
# Adductor" and "copenhagen adductors" are one mapping. One row per (athlete_id, key): the constraint covers
# athletes (NULLs are distinct in SQL), `Store.map_exercise` keeps the club's rows unique.
_EXERCISE_MAPPINGS_SQL = """CREATE TABLE exercise_mappings (
    athlete_id INTEGER,
    exercise_key VARCHAR NOT NULL,
    exercise VARCHAR NOT NULL,
    session_type VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (athlete_id, exercise_key))"""


# How hard a run felt (schema 3), last in the runs table. `watch_*` is the answer the file carried (Garmin's
# self-evaluation, `Activity.perceived_effort`/`feel`); `perceived_effort`/`feel` are what every page reads:
# a check-in's answer where it gave one (`check_in_runs`), else the watch's. `effort_source` says which:
# "check-in" when a check-in rated the run, "watch" when only the file did, NULL when nobody answered.
_RUN_EFFORT_COLUMNS = (("perceived_effort", "DOUBLE"), ("feel", "DOUBLE"), ("effort_source", "VARCHAR"),
                       ("watch_perceived_effort", "DOUBLE"), ("watch_feel", "DOUBLE"))
# What an activity list (Strava's activities.csv, analysis.ingest.strava) says about a run (schema 4): the name
# the runner gave it and Strava's Perceived Exertion, which ranks between a check-in's answer and the watch's.
_RUN_LISTING_COLUMNS = (("activity_name", "VARCHAR"), ("strava_perceived_effort", "DOUBLE"))
EFFORT_SOURCES = ("check-in", "strava", "watch")  # effort_source values, the one that wins first
# Check-ins (schema 3, analysis.check_in): one row per check-in. What it logged lives where the rest of the
# data does: its soreness and exercises in `strength_log` (file_sha256 = check_in_id, source_format
# "check_in"), its answers about runs in `check_in_runs`. `note` is also written on its soreness row (or first
# exercise row) so strength_log exports show it; a check-in of runs only keeps its note here alone.
_CHECK_IN_SQL = (
    """CREATE TABLE check_ins (
    check_in_id VARCHAR PRIMARY KEY,
    athlete_id INTEGER NOT NULL,
    date DATE NOT NULL,
    note VARCHAR,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL)""",
    """CREATE TABLE check_in_runs (
    check_in_id VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    perceived_effort DOUBLE,
    feel DOUBLE,
    UNIQUE (check_in_id, run_id))""",
)


# Watched folders (schema 4, analysis.watch): a folder of the server's disk imported for one athlete as files
# appear, and each file's size and modification time when it was last imported (so it is imported once).
_WATCH_SQL = (
    """CREATE TABLE watched_folders (
    folder VARCHAR PRIMARY KEY,
    athlete_id INTEGER NOT NULL,
    added_at TIMESTAMPTZ NOT NULL)""",
    """CREATE TABLE watched_files (
    folder VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    batch_id VARCHAR,
    seen_at TIMESTAMPTZ NOT NULL,
    UNIQUE (folder, path))""",
)


# Club accounts (schema 5, analysis.access): a verified e-mail's role and athletes (an athlete account: the one
# athlete it is linked to; a coach: the squad; an admin: none, they see everyone). Names, not ids: a squad may
# name an athlete whose first import is still to come. `[core_cadence] admins` in the secrets adds admins that
# need no row here (the first administrators).
_USERS_SQL = """CREATE TABLE users (
    email VARCHAR PRIMARY KEY,
    role VARCHAR NOT NULL,
    athletes VARCHAR[] NOT NULL,
    added_at TIMESTAMPTZ NOT NULL,
    added_by VARCHAR)"""


def _schema_sql() -> list[str]:
    metric_columns = ",\n    ".join(f"{f.name} {_SQL_TYPE[f.type]}" for f in _METRIC_FIELDS)
    sample_columns = ",\n    ".join(
        f"{c.name} {'TIMESTAMPTZ' if c.name == 'time' else 'DOUBLE'}" for c in SAMPLE_COLUMNS
    )
    effort_columns = ",\n    ".join(f"{name} {kind}" for name, kind in _RUN_EFFORT_COLUMNS)
    listing_columns = ",\n    ".join(f"{name} {kind}" for name, kind in _RUN_LISTING_COLUMNS)
    return [
        "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
        """CREATE TABLE athletes (
    athlete_id INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL UNIQUE,
    is_sample BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL)""",
        f"""CREATE TABLE runs (
    run_id VARCHAR PRIMARY KEY,
    athlete_id INTEGER NOT NULL,
    file_name VARCHAR,
    source_format VARCHAR,
    sport VARCHAR,
    sub_sport VARCHAR,
    start_time TIMESTAMPTZ,
    utc_offset_s DOUBLE,
    local_start VARCHAR,
    local_date DATE,
    device VARCHAR,
    reader VARCHAR,
    cadence_unit VARCHAR,
    sample_count INTEGER,
    sample_interval_s DOUBLE,
    pauses INTEGER,
    fields_present VARCHAR,
    warnings VARCHAR,
    imported_at TIMESTAMPTZ,
    {metric_columns},
    {effort_columns},
    {listing_columns})""",
        f"""CREATE TABLE samples (
    run_id VARCHAR NOT NULL,
    seq INTEGER NOT NULL,
    {sample_columns})""",
        "CREATE TABLE timer_events (run_id VARCHAR NOT NULL, time TIMESTAMPTZ, kind VARCHAR, source VARCHAR)",
        """CREATE TABLE strength_files (
    file_sha256 VARCHAR PRIMARY KEY,
    athlete_id INTEGER NOT NULL,
    file_name VARCHAR,
    source_format VARCHAR,
    entries INTEGER,
    imported_at TIMESTAMPTZ)""",
        """CREATE TABLE strength_log (
    file_sha256 VARCHAR NOT NULL,
    athlete_id INTEGER NOT NULL,
    date DATE,
    session_type VARCHAR,
    exercise VARCHAR,
    sets DOUBLE, reps DOUBLE, load_kg DOUBLE, duration_min DOUBLE, rpe DOUBLE, back_soreness DOUBLE,
    notes VARCHAR,
    warmup BOOLEAN,
    source_format VARCHAR,
    source_row INTEGER,
    session_type_inferred BOOLEAN)""",
        _EXERCISE_MAPPINGS_SQL,
        *_CHECK_IN_SQL,
        *_WATCH_SQL,
        _USERS_SQL,
        """CREATE TABLE imports (
    batch_id VARCHAR, imported_at TIMESTAMPTZ, athlete VARCHAR, file VARCHAR, sha256 VARCHAR,
    status VARCHAR, kind VARCHAR, sport VARCHAR, start_local VARCHAR, distance_km DOUBLE,
    duration_min DOUBLE, cadence_unit VARCHAR, sample_interval_s DOUBLE, pauses INTEGER, fields VARCHAR,
    warnings VARCHAR, reason VARCHAR, imported_by VARCHAR)""",
        "CREATE INDEX samples_run ON samples (run_id)",
    ]


def _migrate_1_to_2(tx: duckdb.DuckDBPyConnection) -> None:
    """Schema 1 -> 2: `strength_log.session_type_inferred` (back-filled by `_inferred_by_rule`) and the
    `exercise_mappings` table."""
    tx.execute("ALTER TABLE strength_log ADD COLUMN session_type_inferred BOOLEAN")
    tx.execute(_EXERCISE_MAPPINGS_SQL)
    tx.execute("UPDATE strength_log SET session_type_inferred = FALSE")
    triples = tx.execute("SELECT DISTINCT source_format, exercise, session_type FROM strength_log").fetchall()
    inferred = pd.DataFrame([t for t in triples if _inferred_by_rule(*t)],
                            columns=["source_format", "exercise", "session_type"], dtype=object)
    if inferred.empty:
        return
    tx.register("inferred_triples", inferred)
    tx.execute("""UPDATE strength_log s SET session_type_inferred = TRUE FROM inferred_triples t
                  WHERE s.source_format IS NOT DISTINCT FROM t.source_format
                    AND s.exercise IS NOT DISTINCT FROM t.exercise
                    AND s.session_type IS NOT DISTINCT FROM t.session_type""")
    tx.unregister("inferred_triples")


def _migrate_2_to_3(tx: duckdb.DuckDBPyConnection) -> None:
    """Schema 2 -> 3: the runs' effort columns (empty: files read before schema 3 kept no self-evaluation;
    re-importing a file does not re-read it, so a run keeps "not reported" until a check-in rates it) and the
    check-in tables."""
    for name, kind in _RUN_EFFORT_COLUMNS:
        tx.execute(f"ALTER TABLE runs ADD COLUMN {name} {kind}")
    for statement in _CHECK_IN_SQL:
        tx.execute(statement)


def _migrate_3_to_4(tx: duckdb.DuckDBPyConnection) -> None:
    """Schema 3 -> 4: the runs' `activity_name` and `strava_perceived_effort` (empty until a list is imported),
    and the watched-folder tables."""
    for name, kind in _RUN_LISTING_COLUMNS:
        tx.execute(f"ALTER TABLE runs ADD COLUMN {name} {kind}")
    for statement in _WATCH_SQL:
        tx.execute(statement)


def _migrate_4_to_5(tx: duckdb.DuckDBPyConnection) -> None:
    """Schema 4 -> 5: the users table (empty: a store from before accounts had none) and `imports.imported_by`
    (empty for earlier imports: nobody recorded who made them)."""
    tx.execute(_USERS_SQL)
    tx.execute("ALTER TABLE imports ADD COLUMN imported_by VARCHAR")


# schema version -> the step that upgrades a store of that version to the next one
_MIGRATIONS = {1: _migrate_1_to_2, 2: _migrate_2_to_3, 3: _migrate_3_to_4, 4: _migrate_4_to_5}


def _inferred_by_rule(source_format: object, exercise: object, session_type: object) -> bool:
    """Whether a stored entry's session type came from its exercise name, when the reader did not say.

    Strong and Hevy exports never carry a type (it is always the taxonomy's); in our CSV a type equal to
    what the taxonomy gives the name is taken as inferred (a blank cell filled in, or a type that agrees
    with the name: either way the name decides). A soreness-only row or a session without a named exercise
    has nothing to infer from.
    """
    if source_format in APP_LAYOUTS:
        return True
    return (source_format == "core_cadence" and isinstance(exercise, str) and isinstance(session_type, str)
            and session_type == classify_exercise(exercise))


def _visible(viewer: Viewer, athletes: Iterable[str] | None = None, column: str = "a.name") -> tuple[str, list]:
    """A WHERE condition (and its parameters) keeping the rows of `column` (an athlete name) `viewer` sees,
    narrowed to `athletes` when given: how every read and write applies its viewer inside the query."""
    names = viewer.names(athletes)
    if names is None:
        return "TRUE", []
    return f"lower({column}) IN (SELECT lower(unnest(?)))", [names]


# Store methods a caller may use without a viewer: plumbing that shows no athlete's data, and `account`, which
# is how a viewer is made (it reads only the logged-in user's own row). Every other public method takes the
# viewer first; `_needs_viewer` checks it at run time and tests/test_access.py fails on a method that does not.
VIEWERLESS_METHODS = ("close", "data_version", "account")


class Store:
    """One store directory. Open it once per process and share it between threads.

    Every read and write takes a `Viewer` (analysis.access) first and keeps to the athletes it may see, in the
    query itself: a coach's call can no more return another squad's run than a page can forget to filter it.
    """

    def __init__(self, directory: str | os.PathLike | None = None):
        self.directory = Path(directory) if directory is not None else default_store_dir()
        self.path = self.directory / STORE_FILE
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path))
        except duckdb.IOException as exc:
            raise InputError(
                f"the store at {self.path} is in use by another program (close the app or the other "
                f"command first) or cannot be opened: {exc}"
            ) from None
        self._write_lock = threading.Lock()
        self._cursor_lock = threading.Lock()
        self._ensure_schema()

    # --- plumbing -------------------------------------------------------------------------------

    def close(self) -> None:
        with self._cursor_lock:
            self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        # Making a cursor is a call on the shared connection, and DuckDB refuses a call on a connection that is
        # busy with another ("connection is busy"): two threads (two sessions, or the watched-folder thread)
        # asking at once must take turns. Once made, each cursor is its own connection and runs in parallel.
        with self._cursor_lock:
            return self._con.cursor()

    @contextmanager
    def _snapshot(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor whose queries all see one state of the store (a read-only transaction)."""
        cur = self._cursor()
        cur.execute("BEGIN TRANSACTION")
        try:
            yield cur
        finally:
            cur.execute("ROLLBACK")
            cur.close()

    @contextmanager
    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All-or-nothing writes: if anything fails, nothing already stored has changed."""
        with self._write_lock:
            cur = self._cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
                # Pages cache what they compute keyed on this number, so every write must move it.
                cur.execute("INSERT OR REPLACE INTO meta SELECT 'data_version', "
                            "CAST(coalesce((SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'data_version'), 0)"
                            " + 1 AS VARCHAR)")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("COMMIT")
            finally:
                cur.close()

    def _ensure_schema(self) -> None:
        cur = self._cursor()
        exists = _first(cur.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
        ).fetchall())[0]
        if not exists:
            with self._transaction() as tx:
                for statement in _schema_sql():
                    tx.execute(statement)
                tx.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
                tx.execute("INSERT INTO meta VALUES ('metric_settings', ?)", [json.dumps({})])
                tx.execute("INSERT INTO meta VALUES ('sample_club', 'never')")
            return
        version = _first(cur.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall())
        found = version[0] if version else "none"
        number = int(found) if str(found).isdigit() else None
        if number == SCHEMA_VERSION:
            return
        if number is None or number not in _MIGRATIONS:
            raise InputError(
                f"the store at {self.path} has schema version {found}; this version of Core & Cadence "
                f"needs {SCHEMA_VERSION}. Export your data with the version that wrote it, or start a new store."
            )
        # An older store holds a user's real data: upgrade it in place, every step in one transaction, so a
        # failure part-way leaves it exactly as it was (and still readable by the version that wrote it).
        with self._transaction() as tx:
            while number < SCHEMA_VERSION:
                _MIGRATIONS[number](tx)
                number += 1
            self._set_meta(tx, "schema_version", str(SCHEMA_VERSION))

    def _meta(self, key: str) -> str | None:
        row = _first(self._cursor().execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall())
        return row[0] if row else None

    def _set_meta(self, tx: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
        tx.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    # --- reading --------------------------------------------------------------------------------

    def status(self, viewer: Viewer) -> StoreStatus:
        """How much the store holds of the athletes `viewer` sees."""
        cur = self._cursor()
        where, params = _visible(viewer)

        def count(table: str) -> int:
            if table == "athletes":
                sql = f"SELECT count(*) FROM athletes a WHERE {where}"
            elif table == "samples":
                sql = ("SELECT count(*) FROM samples JOIN runs USING (run_id) JOIN athletes a USING (athlete_id) "
                       f"WHERE {where}")
            else:
                sql = f"SELECT count(*) FROM {table} JOIN athletes a USING (athlete_id) WHERE {where}"
            return int(_first(cur.execute(sql, params).fetchall())[0])

        return StoreStatus(self.path, count("athletes"), count("runs"), count("samples"), count("strength_log"),
                           self._meta("sample_club") or "never")

    def data_version(self) -> int:
        """A number that changes with every write (import, delete, settings): a cache key for derived tables."""
        return int(self._meta("data_version") or 0)

    def plan(self, viewer: Viewer) -> dict[str, int]:
        """The strength plan (session type -> sessions per week) the weekly tables use; default 2 core + 2 hip."""
        stored = self._meta("plan")
        return validate_plan(json.loads(stored) if stored else None)

    def set_plan(self, viewer: Viewer, plan: Mapping[str, int] | None) -> dict[str, int]:
        """Store a new plan (checked by `analysis.consistency.validate_plan`; None restores the default).

        Admins only."""
        viewer.require_admin("change the strength plan")
        checked = validate_plan(plan)
        with self._transaction() as tx:
            self._set_meta(tx, "plan", json.dumps(checked))
        return checked

    def privacy_radius_m(self, viewer: Viewer) -> float:
        """Metres around each run's start and end that maps and position exports hide (`analysis.privacy`)."""
        stored = self._meta("privacy_radius_m")
        return validate_privacy_radius_m(stored) if stored is not None else DEFAULT_PRIVACY_RADIUS_M

    def set_privacy_radius_m(self, viewer: Viewer, radius_m: float | None) -> float:
        """Store a new privacy radius in metres (0-2000; 0 shows everything; None restores the default 200 m).

        `InputError` (a ValueError) with what is allowed when the value is not a number in range.
        """
        viewer.require_admin("change the privacy radius")
        checked = DEFAULT_PRIVACY_RADIUS_M if radius_m is None else validate_privacy_radius_m(radius_m)
        with self._transaction() as tx:
            self._set_meta(tx, "privacy_radius_m", repr(checked))
        return checked

    def metric_settings(self, viewer: Viewer) -> MetricSettings:
        return self._metric_settings()

    def _metric_settings(self) -> MetricSettings:
        return resolve_settings(**json.loads(self._meta("metric_settings") or "{}"))

    def athletes(self, viewer: Viewer) -> pd.DataFrame:
        """One row per athlete `viewer` sees: name, is_sample, runs, strength entries, first and last run date."""
        where, params = _visible(viewer)
        return self._cursor().execute(f"""
            SELECT a.name AS athlete, a.is_sample,
                   (SELECT count(*) FROM runs r WHERE r.athlete_id = a.athlete_id) AS runs,
                   (SELECT count(*) FROM strength_log s WHERE s.athlete_id = a.athlete_id) AS strength_entries,
                   (SELECT min(local_date) FROM runs r WHERE r.athlete_id = a.athlete_id) AS first_run,
                   (SELECT max(local_date) FROM runs r WHERE r.athlete_id = a.athlete_id) AS last_run
            FROM athletes a WHERE {where} ORDER BY a.name""", params).df()

    def runs(self, viewer: Viewer, athletes: Iterable[str] | None = None) -> pd.DataFrame:
        """One row per run: metadata and every RunMetrics column; `local_date` as datetime64 (midnight)."""
        where, params = _visible(viewer, athletes)
        sql = ("SELECT a.name AS athlete, r.* EXCLUDE (athlete_id) FROM runs r JOIN athletes a USING (athlete_id) "
               f"WHERE {where}")
        frame = self._cursor().execute(sql + " ORDER BY a.name, r.start_time", params).df()
        frame["local_date"] = pd.to_datetime(frame["local_date"]).astype("datetime64[ns]")
        return frame

    def samples(self, viewer: Viewer, run_id: str) -> pd.DataFrame:
        """The canonical samples frame of one stored run (DESIGN.md §2 contract); empty for a run that is not
        stored, and likewise for a run the viewer does not see (whether it exists is not theirs to know)."""
        return self._samples(run_id, viewer)

    def _samples(self, run_id: str, viewer: Viewer | None = None) -> pd.DataFrame:
        where, params = ("TRUE", []) if viewer is None else _visible(viewer)
        frame = self._cursor().execute(
            f"""SELECT {', '.join('s.' + c for c in COLUMN_NAMES)} FROM samples s
                WHERE s.run_id = ? AND s.run_id IN (SELECT r.run_id FROM runs r JOIN athletes a USING (athlete_id)
                                                    WHERE {where})
                ORDER BY s.seq""", [run_id, *params]
        ).df()
        # Series, not .to_numpy(): a tz-aware column's to_numpy() is Timestamp objects, parsed one by one.
        return conform_samples({c: frame[c] for c in COLUMN_NAMES})

    def athlete_samples(self, viewer: Viewer, athlete: str) -> pd.DataFrame:
        """Every stored sample of one athlete's runs: `run_id`, then the samples columns (§2), runs by start time.

        For exports (one athlete at a time, so a club's season is never in memory at once). `time` is UTC.
        """
        where, params = _visible(viewer, [athlete])
        frame = self._cursor().execute(
            f"""SELECT s.run_id, {', '.join('s.' + c for c in COLUMN_NAMES)}
                FROM samples s JOIN runs r USING (run_id) JOIN athletes a USING (athlete_id)
                WHERE lower(a.name) = lower(?) AND {where} ORDER BY r.start_time, s.run_id, s.seq""",
            [athlete, *params]).df()
        frame["time"] = pd.to_datetime(frame["time"], utc=True)
        return frame

    def activity(self, viewer: Viewer, run_id: str) -> Activity:
        """A stored run as an `Activity` (samples, timer events and metadata), without its file; `KeyError` for a
        run the viewer does not see."""
        self._require_run(viewer, run_id)
        return self._activity(run_id)

    def _require_run(self, viewer: Viewer, run_id: str) -> None:
        where, params = _visible(viewer)
        if not self._cursor().execute(f"""SELECT count(*) FROM runs r JOIN athletes a USING (athlete_id)
                                          WHERE r.run_id = ? AND {where}""", [run_id, *params]).fetchall()[0][0]:
            raise KeyError(run_id)

    def _activity(self, run_id: str) -> Activity:
        cur = self._cursor()
        row = cur.execute("SELECT * FROM runs WHERE run_id = ?", [run_id]).df()
        if row.empty:
            raise KeyError(run_id)
        r = row.iloc[0]
        # .df() rather than fetchall(): DuckDB needs pytz to hand out tz-aware Python datetimes.
        events = cur.execute("SELECT time, kind, source FROM timer_events WHERE run_id = ? ORDER BY time",
                             [run_id]).df().itertuples(index=False)
        offset = None if pd.isna(r["utc_offset_s"]) else float(r["utc_offset_s"])
        return Activity(
            samples=self._samples(run_id), sport=r["sport"], sub_sport=r["sub_sport"],
            start_time=pd.Timestamp(r["start_time"]).tz_convert("UTC"), utc_offset_s=offset,
            device=r["device"], source_format=r["source_format"], file_name=r["file_name"], file_sha256=run_id,
            cadence_unit=r["cadence_unit"], reader=r["reader"],
            timer_events=tuple(TimerEvent(pd.Timestamp(t).tz_convert("UTC"), k, s) for t, k, s in events),
            warnings=tuple(w for w in (r["warnings"] or "").split(" | ") if w),
        )

    def strength_log(self, viewer: Viewer, athletes: Iterable[str] | None = None) -> pd.DataFrame:
        """The normalised strength log of every (or the given) athlete, in file order.

        An entry whose session type came from its exercise name (`session_type_inferred`) gets it again
        now: the athlete's own mapping of that name, else the club's, else `classify_exercise` with the
        current taxonomy. So a mapping, or a better taxonomy, reaches entries imported long ago, while a
        type the file itself wrote is kept as written. The names are resolved once per distinct
        (athlete, exercise), not per entry (100,000 entries: see `_resolve_session_types`).
        """
        sql = """SELECT s.date, a.name AS athlete, s.session_type, s.exercise, s.sets, s.reps, s.load_kg,
                        s.duration_min, s.rpe, s.back_soreness, s.notes, s.warmup, s.source_format, s.source_row,
                        s.athlete_id AS _athlete_id, s.session_type_inferred AS _inferred
                 FROM strength_log s JOIN athletes a USING (athlete_id)"""
        where, params = _visible(viewer, athletes)
        with self._snapshot() as cur:
            frame = cur.execute(sql + f" WHERE {where} ORDER BY a.name, s.date, s.file_sha256, s.source_row",
                                params).df()
            mappings = _mapping_lookup(cur)
        frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
        _resolve_session_types(frame, mappings)
        return frame.drop(columns=["_athlete_id", "_inferred"])

    def exercise_mappings(self, viewer: Viewer) -> pd.DataFrame:
        """The user's own exercise names: athlete (None = the whole club), exercise, session_type, created_at.

        The club's mappings first, then each athlete's the viewer sees, by name; `exercise` as the user typed it.
        """
        where, params = _visible(viewer)
        frame = self._cursor().execute(f"""
            SELECT a.name AS athlete, m.exercise, m.session_type, m.created_at
            FROM exercise_mappings m LEFT JOIN athletes a USING (athlete_id)
            WHERE m.athlete_id IS NULL OR ({where})
            ORDER BY m.athlete_id IS NOT NULL, a.name, m.exercise_key""", params).df()
        frame["athlete"] = frame["athlete"].astype(object).where(frame["athlete"].notna(), None)
        return frame

    def unrecognised_exercises(self, viewer: Viewer, athletes: Iterable[str] | None = None) -> pd.DataFrame:
        """Stored names classed `other` only because nothing recognised them: athlete, exercise, entries, last_date.

        An entry counts when its type was inferred from the name, the taxonomy matches no phrase of it
        (`is_recognised_exercise`) and no mapping (the athlete's or the club's) covers it. Names the taxonomy
        knows to be `other` (upper body, cardio) are left out: that is their type, not a gap. Spellings with
        one `exercise_key` are one row (one mapping covers them all), shown as the most-logged spelling;
        `entries` counts rows of the log, `last_date` is the last day logged. By athlete, then most entries.
        """
        sql = """SELECT a.name AS athlete, s.athlete_id, s.exercise, count(*) AS entries, max(s.date) AS last_date
                 FROM strength_log s JOIN athletes a USING (athlete_id)
                 WHERE s.session_type_inferred AND s.exercise IS NOT NULL"""
        where, params = _visible(viewer, athletes)
        sql += f" AND {where}"
        with self._snapshot() as cur:
            names = cur.execute(sql + " GROUP BY ALL", params).df()
            mappings = _mapping_lookup(cur)
        columns = ["athlete", "exercise", "entries", "last_date"]
        if names.empty:
            return pd.DataFrame({"athlete": pd.Series(dtype=object), "exercise": pd.Series(dtype=object),
                                 "entries": pd.Series(dtype="int64"),
                                 "last_date": pd.Series(dtype="datetime64[ns]")})[columns]
        names["key"] = names["exercise"].map(exercise_key)
        unknown = [not is_recognised_exercise(e) and (a, k) not in mappings and (None, k) not in mappings
                   for a, e, k in zip(names["athlete_id"], names["exercise"], names["key"], strict=True)]
        names = names[unknown].sort_values(["entries", "exercise"], ascending=[False, True])
        frame = names.groupby(["athlete", "key"], sort=False).agg(
            exercise=("exercise", "first"), entries=("entries", "sum"), last_date=("last_date", "max")
        ).reset_index()
        frame["entries"] = frame["entries"].astype("int64")
        frame["last_date"] = pd.to_datetime(frame["last_date"]).astype("datetime64[ns]")
        frame = frame.sort_values(["athlete", "entries", "exercise"], ascending=[True, False, True])
        return frame[columns].reset_index(drop=True)

    def strength_files(self, viewer: Viewer, athletes: Iterable[str] | None = None) -> pd.DataFrame:
        """One row per stored strength file: file_sha256, athlete, file_name, source_format, entries,
        first_date, last_date, imported_at.

        `entries`, `first_date` and `last_date` come from the entries stored now (a coach's file naming several
        athletes names them all in `athlete`, joined by ", "). `athletes` keeps the files with an entry of
        one of them. By athlete, then first date, then import time. A file is listed, and counted, only by its
        entries of athletes the viewer sees: a coach's file naming other squads' athletes shows none of theirs.
        """
        where, params = _visible(viewer, athletes)
        file_where, file_params = _visible(viewer, athletes, column="fa.name")
        sql = f"""WITH per_file AS (
                     SELECT s.file_sha256, count(*) AS entries, min(s.date) AS first_date, max(s.date) AS last_date,
                            string_agg(DISTINCT a.name, ', ' ORDER BY a.name) AS names
                     FROM strength_log s JOIN athletes a USING (athlete_id) WHERE {where} GROUP BY s.file_sha256)
                 SELECT f.file_sha256, coalesce(p.names, fa.name) AS athlete, f.file_name, f.source_format,
                        coalesce(p.entries, 0) AS entries, p.first_date, p.last_date, f.imported_at
                 FROM strength_files f LEFT JOIN per_file p USING (file_sha256)
                      LEFT JOIN athletes fa ON fa.athlete_id = f.athlete_id
                 WHERE p.file_sha256 IS NOT NULL
                    OR (NOT EXISTS (SELECT 1 FROM strength_log s WHERE s.file_sha256 = f.file_sha256)
                        AND {file_where})"""
        frame = self._cursor().execute(sql + " ORDER BY athlete, p.first_date, f.imported_at, f.file_name",
                                       [*params, *file_params]).df()
        frame["entries"] = frame["entries"].astype("int64")
        for column in ("first_date", "last_date"):
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
        return frame

    def imports(self, viewer: Viewer, limit: int | None = None) -> pd.DataFrame:
        """The import history of the athletes `viewer` sees, newest first (`imported_by`: who imported)."""
        where, params = _visible(viewer, column="athlete")
        sql = f"SELECT * FROM imports WHERE {where} ORDER BY imported_at DESC, rowid"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._cursor().execute(sql, params).df()

    # --- writing --------------------------------------------------------------------------------

    def add_batch(self, viewer: Viewer, athlete: str, parsed: Iterable[ParsedLike], *, is_sample: bool = False,
                  batch_id: str | None = None, on_strength_overlap: str = "hold",
                  listings: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Store a batch of parsed files for one athlete; return the import report (one row per file).

        All writes happen in one transaction: a failure while storing leaves the store as it was.
        Files that failed or were skipped are only reported. Duplicates (same SHA-256, or the same run
        within 60 s) change nothing, except that a richer file replaces a poorer copy of the same run.

        `parsed` may be a lazy iterable (`analysis.ingest.parse.parse_iter`): each file is taken as it
        is read, so a season need not be held in memory at once; an exception it raises (a progress
        callback stopping the import) rolls the whole batch back. Runs are written in bulk (see
        `_RunBatch`), so a thousand runs cost a few seconds here, not a few seconds per hundred.

        `on_strength_overlap` says what happens to a strength file that overlaps one already stored (same
        athlete, same layout, date ranges overlapping, other bytes: typically a newer export of the same app
        log, which repeats every old entry): `"hold"` stores nothing of it and reports it as `overlaps`,
        naming the stored file(s); `"replace"` deletes the stored file's entries of those athletes (and its
        file row when none are left) in this same transaction and stores the new one; `"keep"` stores it
        beside them. Anything else is a ValueError.

        `listings`: {file name as in `parsed`: an `analysis.ingest.strava.Listing`} (what an activity list
        says about the run in that file: its name, Strava's Perceived Exertion). A listed file that is a
        duplicate gives them to the run already stored (what a list says is news even when the file is not).

        `viewer` must see `athlete` (`AccessDenied` before anything is read); a strength file naming an athlete
        the viewer does not see is refused (a failed row), and the sample club is an administrator's. The import
        history records `viewer.who` as the importer.
        """
        if on_strength_overlap not in STRENGTH_OVERLAP_CHOICES:
            raise ValueError(f"on_strength_overlap={on_strength_overlap!r}: use one of "
                             f"{', '.join(STRENGTH_OVERLAP_CHOICES)}")
        athlete = _clean_athlete(athlete)
        viewer.require(athlete, "import files")
        if is_sample:
            viewer.require_admin("load the sample club")
        batch_id = batch_id or datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%f")
        now = datetime.now(UTC)
        report: list[dict[str, Any]] = []
        with self._transaction() as tx:
            athlete_id = self._athlete_id(tx, athlete, is_sample=is_sample, create=True)
            runs = _RunBatch(tx, athlete_id, athlete, now)
            for item in parsed:
                listing = (listings or {}).get(item.name)
                row = self._add_one(tx, viewer, runs, athlete_id, athlete, item, now, on_strength_overlap,
                                    _listing_values(listing))
                report.append(row)
                del item  # the batch keeps what it will write; the parsed file itself can go
            runs.flush()
            for run_id, values, fill_only in runs.relisted:
                order = "coalesce({column}, ?)" if fill_only else "coalesce(?, {column})"
                tx.execute("UPDATE runs SET " + ", ".join(f"{c} = " + order.format(column=c) for c in values)
                           + " WHERE run_id = ?", [*values.values(), run_id])
            if runs.rated or runs.relisted:
                _refresh_run_effort(tx, sorted(runs.rated | {r for r, _, _ in runs.relisted}))
            frame = _report_frame(report)
            if not frame.empty:
                stored = frame.assign(batch_id=batch_id, imported_at=now, sha256=_shas(report), imported_by=viewer.who)
                tx.register("report_frame", stored)
                tx.execute("""INSERT INTO imports SELECT batch_id, imported_at, athlete, file, sha256, status, kind,
                              sport, start_local, distance_km, duration_min, cadence_unit, sample_interval_s,
                              pauses, fields, warnings, reason, imported_by FROM report_frame""")
                tx.unregister("report_frame")
        return frame

    # --- the user's own exercise names -------------------------------------------------------------

    def map_exercise(self, viewer: Viewer, name: str, session_type: str, *, athlete: str | None = None) -> None:
        """Give an exercise name a session type: for one athlete, or (athlete None) for the whole club.

        Applies at once to every stored entry whose type came from the name (`strength_log`), and to later
        imports. The name is matched by `exercise_key` (case, brackets, plurals ignored) and replaces an
        existing mapping of that key. `InputError` for a type outside `SESSION_TYPES`, an empty or overlong
        name, or an athlete the store does not have. A club-wide mapping is an administrator's; an athlete's
        needs a viewer who sees them (`AccessDenied`).
        """
        self._require_mapping(viewer, athlete, "map exercise names")
        shown, key = _clean_exercise(name)
        kind = " ".join(str(session_type or "").split()).lower()
        if kind not in SESSION_TYPES:
            raise InputError(f"session type {session_type!r} for {shown!r} is not one of: {', '.join(SESSION_TYPES)}")
        with self._transaction() as tx:
            athlete_id = self._mapping_athlete(tx, athlete)
            now = datetime.now(UTC)
            changed = tx.execute("""UPDATE exercise_mappings SET exercise = ?, session_type = ?, created_at = ?
                                    WHERE athlete_id IS NOT DISTINCT FROM ? AND exercise_key = ?
                                    RETURNING 1""", [shown, kind, now, athlete_id, key]).fetchall()
            if not changed:
                tx.execute("INSERT INTO exercise_mappings VALUES (?, ?, ?, ?, ?)", [athlete_id, key, shown, kind, now])

    def unmap_exercise(self, viewer: Viewer, name: str, *, athlete: str | None = None) -> bool:
        """Remove the mapping of a name (the athlete's, or the club's when athlete is None); False when none.

        The entries it covered go back to the club's mapping (for an athlete's) or to the taxonomy. Nothing
        is written when there is no such mapping. `InputError` for an athlete the store does not have.
        """
        self._require_mapping(viewer, athlete, "unmap exercise names")
        _, key = _clean_exercise(name)
        athlete_id = self._mapping_athlete(self._cursor(), athlete)
        sql = "FROM exercise_mappings WHERE athlete_id IS NOT DISTINCT FROM ? AND exercise_key = ?"
        if not self._cursor().execute("SELECT count(*) " + sql, [athlete_id, key]).fetchall()[0][0]:
            return False
        with self._transaction() as tx:
            tx.execute("DELETE " + sql, [athlete_id, key])
        return True

    def session_type_of(self, viewer: Viewer, exercise: str, *, athlete: str | None = None) -> str:
        """The session type an entry of this exercise name gets now: the athlete's mapping, else the club's, else
        the taxonomy's (`classify_exercise`). What a check-in will store, shown before it is saved."""
        if athlete is not None and str(athlete).strip():
            viewer.require(athlete, "look up exercise names")
        with self._snapshot() as cur:
            mappings = _mapping_lookup(cur)
            athlete_id = (self._athlete_id(cur, _clean_athlete(athlete), is_sample=False, create=False)
                          if athlete and str(athlete).strip() else None)
        return _resolve_session_type(athlete_id, str(exercise), mappings)

    @staticmethod
    def _require_mapping(viewer: Viewer, athlete: str | None, action: str) -> None:
        if athlete is None:
            viewer.require_admin(f"{action} for the whole club")
        else:
            viewer.require(athlete, action)

    def _mapping_athlete(self, cur: duckdb.DuckDBPyConnection, athlete: str | None) -> int | None:
        """The athlete_id a mapping is stored under (None = the club); `InputError` for an unknown athlete."""
        if athlete is None:
            return None
        athlete_id = self._athlete_id(cur, " ".join(str(athlete).split()), is_sample=False, create=False)
        if athlete_id is None:
            known = [r[0] for r in cur.execute("SELECT name FROM athletes ORDER BY name").fetchall()]  # admins only
            raise InputError(f"no athlete called {athlete!r} in the store (athletes: "
                             f"{', '.join(known) if known else 'none yet'}); leave the athlete out to map the "
                             "name for the whole club")
        return athlete_id

    # --- check-ins (analysis.check_in validates; these only store) --------------------------------------

    def write_check_in(self, viewer: Viewer, check_in_id: str, athlete: str, day: date, *, note: str | None,
                       entries: pd.DataFrame, ratings: Iterable[tuple[str, float | None, float | None]],
                       create_athlete: bool = False) -> None:
        """Store one check-in, replacing the one with this id if there is one: all or nothing.

        `entries` holds its strength-log rows (`STRENGTH_COLUMNS`; `athlete`, `source_format` and
        `source_row` are set here) with `session_type_inferred`; `ratings` its (run_id, perceived effort
        0-10 or None, feel 0-100 or None) answers. Runs it rated before and no longer does go back to the
        watch's answer. `InputError` for an athlete the store does not have (unless `create_athlete`), or a run
        that is not that athlete's. Values are not range-checked here: `analysis.check_in.save_check_in` is
        the way in.
        """
        ratings = [(str(r), _finite_or_none(e), _finite_or_none(f)) for r, e, f in ratings]
        viewer.require(athlete, "check in")
        with self._transaction() as tx:
            name = _clean_athlete(athlete)
            owner = _first(tx.execute("""SELECT a.name FROM check_ins c JOIN athletes a USING (athlete_id)
                                         WHERE c.check_in_id = ?""", [check_in_id]).fetchall())
            if owner is not None:  # replacing a check-in of someone the viewer does not see is not theirs to do
                viewer.require(owner[0], "change check-ins")
            athlete_id = self._athlete_id(tx, name, is_sample=False, create=False)
            if athlete_id is None:
                if not create_athlete:
                    raise InputError(self._unknown_athlete_text(tx, viewer, name))
                athlete_id = self._athlete_id(tx, name, is_sample=False, create=True)
            run_ids = [r for r, _, _ in ratings]
            theirs = {r[0] for r in tx.execute("SELECT run_id FROM runs WHERE athlete_id = ? AND run_id IN "
                                               "(SELECT unnest(?))", [athlete_id, run_ids]).fetchall()}
            for run_id in run_ids:
                if run_id not in theirs:
                    raise InputError(f"run {run_id}: no run with this id belongs to {name}")
            now = datetime.now(UTC)
            # epoch_us, not the TIMESTAMPTZ itself: DuckDB needs pytz to hand out tz-aware Python datetimes.
            old = _first(tx.execute("SELECT epoch_us(created_at) FROM check_ins WHERE check_in_id = ?",
                                    [check_in_id]).fetchall())
            before = [r[0] for r in tx.execute("SELECT run_id FROM check_in_runs WHERE check_in_id = ?",
                                               [check_in_id]).fetchall()]
            for table in ("strength_log", "check_in_runs"):
                column = "file_sha256" if table == "strength_log" else "check_in_id"
                tx.execute(f"DELETE FROM {table} WHERE {column} = ?", [check_in_id])
            tx.execute("DELETE FROM check_ins WHERE check_in_id = ?", [check_in_id])
            tx.execute("INSERT INTO check_ins VALUES (?, ?, ?, ?, ?, ?)",
                       [check_in_id, athlete_id, day, note or None,
                        datetime.fromtimestamp(old[0] / 1e6, UTC) if old else now, now])
            if len(entries):
                frame = pd.DataFrame({c: entries[c] if c in entries.columns else np.nan for c in STRENGTH_COLUMNS})
                mappings = _mapping_lookup(tx)
                inferred = entries["session_type_inferred"].to_numpy(dtype=bool)
                frame.loc[inferred, "session_type"] = [_resolve_session_type(athlete_id, e, mappings)
                                                       for e in frame.loc[inferred, "exercise"]]
                frame = frame.assign(file_sha256=check_in_id, athlete_id=athlete_id, athlete=name,
                                     source_format=CHECK_IN_FORMAT, source_row=np.arange(1, len(frame) + 1),
                                     session_type_inferred=inferred,
                                     date=pd.Timestamp(day).date())
                tx.register("check_in_frame", frame)
                tx.execute("""INSERT INTO strength_log (file_sha256, athlete_id, date, session_type, exercise, sets,
                                  reps, load_kg, duration_min, rpe, back_soreness, notes, warmup, source_format,
                                  source_row, session_type_inferred)
                              SELECT file_sha256, athlete_id, date, session_type, exercise, sets, reps, load_kg,
                                  duration_min, rpe, back_soreness, notes, warmup, source_format, source_row,
                                  session_type_inferred FROM check_in_frame""")
                tx.unregister("check_in_frame")
            if ratings:
                tx.executemany("INSERT INTO check_in_runs VALUES (?, ?, ?, ?)",
                               [[check_in_id, r, e, f] for r, e, f in ratings])
            _refresh_run_effort(tx, sorted(set(before) | set(run_ids)))

    def delete_check_in(self, viewer: Viewer, check_in_id: str) -> bool:
        """Delete one check-in (its strength-log rows and run answers); False, writing nothing, when unknown (or
        of an athlete the viewer does not see).

        The runs it rated go back to the watch's answer (or to "not reported").
        """
        where, params = _visible(viewer)
        if not self._cursor().execute(f"""SELECT count(*) FROM check_ins c JOIN athletes a USING (athlete_id)
                                          WHERE c.check_in_id = ? AND {where}""",
                                      [check_in_id, *params]).fetchall()[0][0]:
            return False
        with self._transaction() as tx:
            rated = [r[0] for r in tx.execute("SELECT run_id FROM check_in_runs WHERE check_in_id = ?",
                                              [check_in_id]).fetchall()]
            tx.execute("DELETE FROM strength_log WHERE file_sha256 = ?", [check_in_id])
            tx.execute("DELETE FROM check_in_runs WHERE check_in_id = ?", [check_in_id])
            tx.execute("DELETE FROM check_ins WHERE check_in_id = ?", [check_in_id])
            _refresh_run_effort(tx, rated)
        return True

    def check_in_tables(self, viewer: Viewer, athletes: Iterable[str] | None = None, *, since: date | None = None,
                        check_in_id: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """The stored check-ins as three frames, read in one snapshot (`analysis.check_in` assembles them):

        * check-ins: check_in_id, athlete, date (datetime64, midnight), note, created_at, updated_at; newest
          date first, then newest change;
        * entries: check_in_id, then the strength-log columns of its rows (session types resolved as in
          `strength_log`), in row order;
        * ratings: check_in_id, run_id, perceived_effort, feel, local_start, distance_km of the run.

        `athletes`, `since` (dates on or after) and `check_in_id` narrow all three.
        """
        seen, params = _visible(viewer, athletes)
        where = [seen]
        if since is not None:
            where.append("c.date >= ?")
            params.append(since)
        if check_in_id is not None:
            where.append("c.check_in_id = ?")
            params.append(check_in_id)
        chosen = f"""SELECT c.*, a.name AS athlete FROM check_ins c JOIN athletes a USING (athlete_id)
                     WHERE {' AND '.join(where)}"""
        with self._snapshot() as cur:
            heads = cur.execute(f"""SELECT check_in_id, athlete, date, note, created_at, updated_at FROM ({chosen})
                                    ORDER BY date DESC, updated_at DESC, check_in_id""", params).df()
            entries = cur.execute(f"""
                SELECT s.file_sha256 AS check_in_id, s.date, c.athlete, s.session_type, s.exercise, s.sets, s.reps,
                       s.load_kg, s.duration_min, s.rpe, s.back_soreness, s.notes, s.warmup, s.source_format,
                       s.source_row, s.athlete_id AS _athlete_id, s.session_type_inferred AS _inferred
                FROM strength_log s JOIN ({chosen}) c ON c.check_in_id = s.file_sha256
                ORDER BY s.file_sha256, s.source_row""", params).df()
            ratings = cur.execute(f"""
                SELECT cr.check_in_id, cr.run_id, cr.perceived_effort, cr.feel, r.local_start, r.distance_km
                FROM check_in_runs cr JOIN ({chosen}) c USING (check_in_id) JOIN runs r USING (run_id)
                ORDER BY cr.check_in_id, r.start_time""", params).df()
            mappings = _mapping_lookup(cur)
        for frame in (heads, entries):
            frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
        _resolve_session_types(entries, mappings)
        return heads, entries.drop(columns=["_athlete_id", "_inferred"]), ratings

    def athlete_utc_offset_s(self, viewer: Viewer, athlete: str) -> float | None:
        """The UTC offset (s) of the athlete's latest run that has one: where they are, as far as the store knows."""
        if not viewer.sees(athlete):
            return None
        row = _first(self._cursor().execute(
            """SELECT r.utc_offset_s FROM runs r JOIN athletes a USING (athlete_id)
               WHERE lower(a.name) = lower(?) AND r.utc_offset_s IS NOT NULL ORDER BY r.start_time DESC LIMIT 1""",
            [_clean_athlete(athlete)]).fetchall())
        return None if row is None else float(row[0])

    def _unknown_athlete_text(self, cur: duckdb.DuckDBPyConnection, viewer: Viewer, name: str) -> str:
        where, params = _visible(viewer)
        known = [r[0] for r in cur.execute(f"SELECT name FROM athletes a WHERE {where} ORDER BY name",
                                           params).fetchall()]
        return (f"athlete {name!r}: not in the store (athletes: {', '.join(known) if known else 'none yet'}); "
                "check the spelling, or choose new athlete to add them")

    # --- club accounts (analysis.access) -----------------------------------------------------------------

    def account(self, email: str, *, admins: Iterable[str] = ()) -> Viewer | None:
        """The viewer of a logged-in user (`email` verified by the OpenID Connect provider); None: no account.

        `admins` are the secrets' `[core_cadence] admins`, administrators with or without a row here. Read on
        every page run, so removing or changing a user takes effect on their next one. Case is ignored.
        """
        address = clean_email(email)
        if address in {clean_email(a) for a in admins}:
            return Viewer.account(address, "admin")
        row = _first(self._cursor().execute("SELECT role, athletes FROM users WHERE email = ?",
                                            [address]).fetchall())
        return None if row is None else Viewer.account(address, row[0], row[1])

    def users(self, viewer: Viewer) -> pd.DataFrame:
        """email, role, athletes (a list: the athlete linked, or a coach's squad), added_at, added_by. Admins only."""
        viewer.require_admin("list users")
        frame = self._cursor().execute("SELECT * FROM users ORDER BY role, email").df()
        frame["athletes"] = frame["athletes"].map(list)
        return frame

    def add_user(self, viewer: Viewer, email: str, role: str, athletes: Iterable[str] = ()) -> Viewer:
        """Add a user or change an existing one's role and athletes; returns the viewer they will be. Admins only.

        An `athlete` account needs exactly one athlete, a `coach` one or more (the squad), an `admin` none.
        Names are matched to stored athletes ignoring case and spaces and stored as the store spells them; a
        name not stored yet is kept as typed (its first import will create it). `InputError` otherwise.
        """
        viewer.require_admin("manage users")
        address = clean_email(email)
        if role not in ROLE_NAMES:
            raise InputError(f"role {role!r} for {address}: use one of {', '.join(ROLE_NAMES)}")
        names = [_clean_athlete(a) for a in athletes if str(a).strip()]
        if role == "athlete" and len(names) != 1:
            raise InputError(f"an athlete account ({address}) is linked to exactly one athlete; got "
                             f"{len(names)} ({', '.join(names) or 'none'})")
        if role == "coach" and not names:
            raise InputError(f"a coach ({address}) needs a squad: one or more athlete names")
        if role == "admin" and names:
            raise InputError(f"an admin ({address}) sees every athlete: give no athletes")
        with self._transaction() as tx:
            stored = {name_key(n): n for (n,) in tx.execute("SELECT name FROM athletes").fetchall()}
            spelled = list(dict.fromkeys(stored.get(name_key(n), n) for n in names))
            tx.execute("DELETE FROM users WHERE email = ?", [address])
            tx.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?)",
                       [address, role, spelled, datetime.now(UTC), viewer.who])
        return Viewer.account(address, role, spelled)

    def remove_user(self, viewer: Viewer, email: str) -> bool:
        """Remove a user (their data stays); False when there was none. Admins only."""
        viewer.require_admin("manage users")
        address = clean_email(email)
        if not self._cursor().execute("SELECT count(*) FROM users WHERE email = ?", [address]).fetchall()[0][0]:
            return False
        with self._transaction() as tx:
            tx.execute("DELETE FROM users WHERE email = ?", [address])
        return True

    # --- watched folders (analysis.watch scans them; these only store) --------------------------------------

    def watch_folder(self, viewer: Viewer, folder: str, athlete: str, *, create_athlete: bool = False) -> None:
        """Watch `folder` (an absolute path, as `analysis.watch.watch_folder` resolves it) for `athlete`.

        Watching a folder again changes its athlete. `InputError` for an athlete the store does not have, unless
        `create_athlete`. A folder is on the server's disk: watching one is an administrator's (`AccessDenied`).
        """
        viewer.require_admin("watch a folder of the server's disk")
        with self._transaction() as tx:
            name = _clean_athlete(athlete)
            athlete_id = self._athlete_id(tx, name, is_sample=False, create=create_athlete)
            if athlete_id is None:
                raise InputError(self._unknown_athlete_text(tx, viewer, name))
            tx.execute("DELETE FROM watched_folders WHERE folder = ?", [folder])
            tx.execute("INSERT INTO watched_folders VALUES (?, ?, ?)", [folder, athlete_id, datetime.now(UTC)])

    def unwatch_folder(self, viewer: Viewer, folder: str) -> bool:
        """Stop watching a folder (its runs stay); False when it was not watched. Admins only."""
        viewer.require_admin("stop watching a folder")
        if not self._cursor().execute("SELECT count(*) FROM watched_folders WHERE folder = ?",
                                      [folder]).fetchall()[0][0]:
            return False
        with self._transaction() as tx:
            tx.execute("DELETE FROM watched_folders WHERE folder = ?", [folder])
            tx.execute("DELETE FROM watched_files WHERE folder = ?", [folder])
        return True

    def watched_folders(self, viewer: Viewer) -> pd.DataFrame:
        """folder, athlete, added_at, files (imported from it so far), last_import: one row per watched folder
        of an athlete the viewer sees."""
        where, params = _visible(viewer)
        return self._cursor().execute(f"""
            SELECT w.folder, a.name AS athlete, w.added_at,
                   (SELECT count(*) FROM watched_files f WHERE f.folder = w.folder) AS files,
                   (SELECT max(f.seen_at) FROM watched_files f WHERE f.folder = w.folder) AS last_import
            FROM watched_folders w JOIN athletes a USING (athlete_id) WHERE {where} ORDER BY w.folder""",
            params).df()

    def watched_file_states(self, viewer: Viewer, folder: str) -> dict[str, tuple[int, int]]:
        """{path relative to the folder: (size in bytes, modification time in ns)} as last imported. Admins only."""
        viewer.require_admin("read a watched folder's files")
        rows = self._cursor().execute("SELECT path, size_bytes, mtime_ns FROM watched_files WHERE folder = ?",
                                      [folder]).fetchall()
        return {path: (int(size), int(mtime)) for path, size, mtime in rows}

    def record_watched_files(self, viewer: Viewer, folder: str, files: Iterable[tuple[str, int, int]],
                             batch_id: str) -> None:
        """Remember that these (path, size, mtime_ns) of `folder` were imported by batch `batch_id`. Admins only."""
        viewer.require_admin("record a watched folder's files")
        rows = [[folder, p, int(size), int(mtime), batch_id, datetime.now(UTC)] for p, size, mtime in files]
        if not rows:
            return
        with self._transaction() as tx:
            tx.executemany("DELETE FROM watched_files WHERE folder = ? AND path = ?", [r[:2] for r in rows])
            tx.executemany("INSERT INTO watched_files VALUES (?, ?, ?, ?, ?, ?)", rows)

    def watch_imports(self, viewer: Viewer, since: datetime) -> pd.DataFrame:
        """The import-history rows of watched-folder batches (batch ids `watch-...`) since `since` (UTC), of the
        athletes the viewer sees."""
        where, params = _visible(viewer, column="athlete")
        return self._cursor().execute(f"""SELECT * FROM imports WHERE batch_id LIKE 'watch-%' AND imported_at >= ?
                                          AND {where} ORDER BY imported_at DESC, rowid""", [since, *params]).df()

    # --- strength files --------------------------------------------------------------------------------

    def remove_strength_file(self, viewer: Viewer, sha256: str) -> int:
        """Delete one stored strength file: its entries, its file row and its import history; returns entries removed.

        All or nothing (one transaction). An unknown SHA-256 removes nothing, writes nothing and returns 0.
        Deletion is an administrator's (`AccessDenied`).
        """
        viewer.require_admin("delete a strength file")
        cur = self._cursor()
        if not cur.execute("SELECT count(*) FROM strength_files WHERE file_sha256 = ?", [sha256]).fetchall()[0][0]:
            return 0
        with self._transaction() as tx:
            removed = int(tx.execute("SELECT count(*) FROM strength_log WHERE file_sha256 = ?",
                                     [sha256]).fetchall()[0][0])
            for table in ("strength_log", "strength_files"):
                tx.execute(f"DELETE FROM {table} WHERE file_sha256 = ?", [sha256])
            tx.execute("DELETE FROM imports WHERE sha256 = ?", [sha256])
        return removed

    def _athlete_id(self, tx: duckdb.DuckDBPyConnection, name: str, *, is_sample: bool, create: bool) -> int | None:
        row = _first(tx.execute("SELECT athlete_id FROM athletes WHERE lower(name) = lower(?)", [name]).fetchall())
        if row:
            return int(row[0])
        if not create:
            return None
        new_id = int(_first(tx.execute("SELECT coalesce(max(athlete_id), 0) + 1 FROM athletes").fetchall())[0])
        tx.execute("INSERT INTO athletes VALUES (?, ?, ?, ?)", [new_id, name, is_sample, datetime.now(UTC)])
        return new_id

    def _add_one(self, tx: duckdb.DuckDBPyConnection, viewer: Viewer, runs: _RunBatch, athlete_id: int, athlete: str,
                 item: ParsedLike, now: datetime, on_strength_overlap: str = "hold",
                 listing: dict[str, Any] | None = None) -> dict[str, Any]:
        row: dict[str, Any] = {"file": item.name, "kind": item.kind, "athlete": athlete, "reason": item.reason,
                               "_sha256": item.sha256}
        if item.kind in ("failed", "skipped"):
            return row | {"status": item.kind}
        if item.kind == "strength":
            return row | self._add_strength(tx, viewer, athlete_id, item, now, on_strength_overlap)
        activity, metrics = item.activity, item.metrics
        assert activity is not None, f"{item.name}: parsed as an activity without one"
        facts = _RunFacts.of(activity, getattr(item, "facts", None))
        row |= facts.report
        listed = f"; gave it {_listing_text(listing)} from the activity list" if listing else ""
        known = runs.known(item.sha256)
        if known:
            if listing:
                runs.relisted.append((item.sha256, listing, False))
            # Another athlete's name and file are not this viewer's to read, even through a duplicate's reason.
            where = f"athlete {known[0]}, file {known[1]}" if viewer.sees(known[0]) else "for another athlete"
            return row | {"status": "duplicate", "reason": f"already imported ({where}){listed}"}
        twin = runs.twin(activity.start_time)
        if twin:
            old_richness = (len((twin.fields_present or "").split(",")), twin.sample_count)
            new_richness = (len(facts.fields_present), len(activity.samples))
            if new_richness <= old_richness:
                if listing:
                    runs.relisted.append((twin.run_id, listing, False))
                return row | {"status": "duplicate",
                              "reason": f"the same run as {twin.file_name} (starts within {DUPLICATE_WINDOW_S:.0f} s), "
                                        f"which has as many channels; kept that one{listed}"}
            kept = tx.execute(f"SELECT {', '.join(c for c, _ in _RUN_LISTING_COLUMNS)} FROM runs WHERE run_id = ?",
                              [twin.run_id]).fetchall()
            if kept and any(v is not None for v in kept[0]):  # the list's words about the run stay with it
                runs.relisted.append((item.sha256, dict(zip((c for c, _ in _RUN_LISTING_COLUMNS), kept[0],
                                                            strict=True)), True))
            if runs.forget(twin.run_id):  # already written: delete it like any stored run
                # A check-in's answer about the run is about the run, not the file: it moves to the richer copy.
                tx.execute("UPDATE check_in_runs SET run_id = ? WHERE run_id = ?", [item.sha256, twin.run_id])
                runs.rated.add(item.sha256)
                self._delete_runs(tx, [twin.run_id])
            row["reason"] = f"replaced {twin.file_name}, the same run with fewer channels"
        if metrics is None:
            metrics = run_metrics(activity, self._metric_settings())
        runs.add(activity, metrics, facts, listing)
        if listing:
            row["reason"] = "; ".join(r for r in (row.get("reason"), f"{_listing_text(listing)} from the activity list")
                                      if r)
        return row | {"status": "imported"}

    def _add_strength(self, tx: duckdb.DuckDBPyConnection, viewer: Viewer, athlete_id: int, item: ParsedLike,
                      now: datetime, on_overlap: str = "hold") -> dict[str, Any]:
        log = item.strength_log
        assert log is not None
        known = _first(tx.execute("""SELECT f.file_name, a.name FROM strength_files f LEFT JOIN athletes a
                                     USING (athlete_id) WHERE f.file_sha256 = ?""", [item.sha256]).fetchall())
        if known:
            shown = f"as {known[0]}" if viewer.sees(known[1]) else "for another athlete"
            return {"status": "duplicate", "reason": f"already imported {shown}"}
        frame = pd.DataFrame({c: log[c] if c in log.columns else np.nan for c in STRENGTH_COLUMNS})
        frame["session_type_inferred"] = _inferred_flags(log, frame, item)
        source_format = str(log.attrs.get("source_format", frame["source_format"].iloc[0] if len(frame) else ""))
        dates = pd.to_datetime(log["date"]) if len(log) else pd.Series(dtype="datetime64[ns]")
        summary = {"sport": f"strength log ({source_format})",
                   "start_local": str(dates.min().date()) if len(dates) else "", "fields": f"{len(frame)} entries"}
        warnings = list(log.attrs.get("warnings") or getattr(item, "warnings", ()) or ())
        # A coach's file may name several athletes; each entry goes to the athlete it names (the batch's
        # athlete filled in the blanks when the file was read).
        names = frame["athlete"].fillna("").astype(str).map(lambda n: " ".join(n.split()))
        others = sorted({n for n in names.unique() if n and not viewer.sees(n)}, key=name_key)
        if others:
            return summary | {"status": "failed", "reason": (
                f"names athletes this account may not import for ({', '.join(others)}; it covers "
                f"{', '.join(viewer.athletes or ()) or 'nobody'}): nothing of it was imported. Remove their rows, "
                "or ask their coach or an administrator to import it")}
        ids = {name: self._athlete_id(tx, _clean_athlete(name), is_sample=False, create=False) if name else athlete_id
               for name in names.unique()}
        frame["date"] = pd.to_datetime(frame["date"]).dt.date
        reason = ""
        if on_overlap != "keep":  # only athletes already stored can overlap: nobody is created for a held file
            known_ids = names.map(lambda n: ids[n] if ids[n] is not None else -1).astype("int64")
            overlaps = self._strength_overlaps(tx, frame.assign(athlete_id=known_ids), source_format, item.sha256)
            listed = " and ".join(f"{o['file_name']} ({_entries_text(o)})" for o in overlaps)
            if overlaps and on_overlap == "hold":
                many = len(overlaps) > 1
                return summary | {"status": "overlaps", "warnings": " | ".join(warnings), "reason": (
                    f"overlaps {listed} of the same athlete and layout: not imported, so nothing is counted twice; "
                    f"import it again choosing Replace to swap the old file{'s' if many else ''} for this one, "
                    "or Keep both")}
            for o in overlaps:
                tx.execute("DELETE FROM strength_log WHERE file_sha256 = ? AND athlete_id IN (SELECT unnest(?))",
                           [o["file_sha256"], o["athlete_ids"]])
                tx.execute("""DELETE FROM strength_files f WHERE file_sha256 = ? AND NOT EXISTS
                              (SELECT 1 FROM strength_log s WHERE s.file_sha256 = f.file_sha256)""", [o["file_sha256"]])
            if overlaps:
                reason = f"replaced {listed}, which covered the same dates of the same athlete and layout"
        ids = {name: known if known is not None else self._athlete_id(tx, _clean_athlete(name), is_sample=False,
                                                                       create=True)
               for name, known in ids.items()}
        frame = frame.assign(file_sha256=item.sha256, athlete_id=names.map(ids).astype("int64"))
        tx.register("strength_frame", frame)
        tx.execute("""INSERT INTO strength_log (file_sha256, athlete_id, date, session_type, exercise, sets, reps,
                          load_kg, duration_min, rpe, back_soreness, notes, warmup, source_format, source_row,
                          session_type_inferred)
                      SELECT file_sha256, athlete_id, date, session_type, exercise, sets, reps, load_kg, duration_min,
                          rpe, back_soreness, notes, warmup, source_format, source_row, session_type_inferred
                      FROM strength_frame""")
        tx.unregister("strength_frame")
        tx.execute("INSERT INTO strength_files VALUES (?, ?, ?, ?, ?, ?)",
                   [item.sha256, athlete_id, item.name, source_format, len(frame), now])
        unknown = log.attrs.get("unrecognised_exercises") or getattr(item, "unrecognised_exercises", ()) or ()
        unknown = _not_mapped(unknown, frame, _mapping_lookup(tx))
        # The reader's own sentence about these names cannot know the store's mappings: this one replaces it.
        warnings = [w for w in warnings if not _READER_UNRECOGNISED.search(w)]
        if unknown:
            warnings.append("not recognised, classed 'other': " + ", ".join(unknown)
                            + ". Give each a session type on the Strength log page (or a session_type column in "
                            "your file).")
        done = summary | {"status": "imported", "warnings": " | ".join(warnings)}
        return done | ({"reason": reason} if reason else {})

    def _strength_overlaps(self, tx: duckdb.DuckDBPyConnection, frame: pd.DataFrame, source_format: str,
                           sha256: str) -> list[dict[str, Any]]:
        """Stored strength files of `source_format` whose entries of an athlete of `frame` overlap its dates.

        `frame` has `athlete_id` (-1 for athletes not stored yet) and `date`. Each file found comes with the
        ids of the athletes it shares with `frame` and the count and date range of those athletes' entries
        (what a replace would delete), in storage order.
        """
        known = frame[frame["athlete_id"] >= 0]
        if known.empty:
            return []
        spans = known.groupby("athlete_id")["date"].agg(["min", "max"])
        stored = tx.execute("""
            SELECT s.file_sha256, f.file_name, s.athlete_id, count(*) AS entries, min(s.date) AS first,
                   max(s.date) AS last
            FROM strength_log s JOIN strength_files f USING (file_sha256)
            WHERE f.source_format = ? AND s.file_sha256 <> ? AND s.athlete_id IN (SELECT unnest(?))
            GROUP BY s.file_sha256, f.file_name, s.athlete_id
            ORDER BY min(f.imported_at), s.file_sha256, s.athlete_id""",
            [source_format, sha256, [int(a) for a in spans.index]]).fetchall()
        by_file: dict[str, list[tuple]] = {}
        for row in stored:
            by_file.setdefault(row[0], []).append(row)
        found = []
        for file_sha256, rows in by_file.items():
            if not any(first <= spans.loc[a, "max"] and spans.loc[a, "min"] <= last
                       for _, _, a, _, first, last in rows):
                continue
            found.append({"file_sha256": file_sha256, "file_name": rows[0][1], "athlete_ids": [r[2] for r in rows],
                          "entries": sum(r[3] for r in rows), "first": min(r[4] for r in rows),
                          "last": max(r[5] for r in rows)})
        return found

    def _delete_runs(self, tx: duckdb.DuckDBPyConnection, run_ids: list[str]) -> None:
        for table in ("samples", "timer_events", "check_in_runs", "runs"):
            tx.execute(f"DELETE FROM {table} WHERE run_id IN (SELECT unnest(?))", [run_ids])

    def remove_run(self, viewer: Viewer, run_id: str) -> bool:
        """Delete one run with its samples and timer events. Returns False when it was not stored. Admins only."""
        viewer.require_admin("delete runs")
        with self._transaction() as tx:
            exists = _first(tx.execute("SELECT count(*) FROM runs WHERE run_id = ?", [run_id]).fetchall())[0]
            self._delete_runs(tx, [run_id])
            tx.execute("DELETE FROM imports WHERE sha256 = ?", [run_id])
        return bool(exists)

    def remove_runs(self, viewer: Viewer, run_ids: Iterable[str]) -> int:
        """Delete several runs (samples and timer events too) in one transaction; returns how many were stored.

        All or nothing, like every write: the Data page deletes a selection of runs at once, and a failure
        part-way leaves every one of them in place. Unknown ids are ignored. Admins only.
        """
        viewer.require_admin("delete runs")
        wanted = sorted({str(r) for r in run_ids})
        if not wanted:
            return 0
        with self._transaction() as tx:
            found = int(_first(tx.execute("SELECT count(*) FROM runs WHERE run_id IN (SELECT unnest(?))",
                                          [wanted]).fetchall())[0])
            self._delete_runs(tx, wanted)
            tx.execute("DELETE FROM imports WHERE sha256 IN (SELECT unnest(?))", [wanted])
        return found

    def remove_athlete(self, viewer: Viewer, name: str) -> bool:
        """Delete an athlete and everything of theirs: runs, samples, strength log, import history. Admins only."""
        viewer.require_admin("delete an athlete")
        with self._transaction() as tx:
            athlete_id = self._athlete_id(tx, name, is_sample=False, create=False)
            if athlete_id is None:
                return False
            self._remove_athlete_id(tx, athlete_id, name)
        return True

    def _remove_athlete_id(self, tx: duckdb.DuckDBPyConnection, athlete_id: int, name: str) -> None:
        name = _first(tx.execute("SELECT name FROM athletes WHERE athlete_id = ?", [athlete_id]).fetchall())[0]
        run_ids = [r[0] for r in tx.execute("SELECT run_id FROM runs WHERE athlete_id = ?", [athlete_id]).fetchall()]
        self._delete_runs(tx, run_ids)
        tx.execute("""DELETE FROM check_in_runs WHERE check_in_id IN
                      (SELECT check_in_id FROM check_ins WHERE athlete_id = ?)""", [athlete_id])
        for table in ("strength_log", "exercise_mappings", "check_ins", "athletes"):
            tx.execute(f"DELETE FROM {table} WHERE athlete_id = ?", [athlete_id])
        # A file goes with its last entry. A coach's file imported under this athlete but naming others keeps
        # their entries, so its row stays (re-importing it is still a duplicate), filed under one of them.
        tx.execute("""DELETE FROM strength_files f WHERE NOT EXISTS
                      (SELECT 1 FROM strength_log s WHERE s.file_sha256 = f.file_sha256)""")
        tx.execute("""UPDATE strength_files f SET athlete_id = (SELECT min(s.athlete_id) FROM strength_log s
                      WHERE s.file_sha256 = f.file_sha256) WHERE f.athlete_id = ?""", [athlete_id])
        tx.execute("DELETE FROM imports WHERE athlete = ?", [name])

    def remove_sample_club(self, viewer: Viewer) -> int:
        """Delete every athlete loaded as sample data; remember it so the app does not load it again. Admins only."""
        viewer.require_admin("remove the sample club")
        with self._transaction() as tx:
            rows = tx.execute("SELECT athlete_id, name FROM athletes WHERE is_sample").fetchall()
            for athlete_id, name in rows:
                self._remove_athlete_id(tx, athlete_id, name)
            self._set_meta(tx, "sample_club", "removed")
        return len(rows)

    def mark_sample_club_loaded(self, viewer: Viewer) -> None:
        viewer.require_admin("load the sample club")
        with self._transaction() as tx:
            self._set_meta(tx, "sample_club", "loaded")

    def set_metric_settings(self, viewer: Viewer, settings: MetricSettings | None = None, *, progress=None,
                            workers: int | None = None, **overrides: float) -> int:
        """Change metric settings and recompute every run from its stored samples; returns runs updated.

        `progress(done, total, run_id)` is called for each run as its batch comes back (the Data page draws
        a progress bar; `done` and `total` count runs). The new settings are stored in the same transaction
        as the recomputed metrics, so when the recompute stops part-way (a progress callback raising:
        Streamlit stops a script that way when the user navigates away) the store keeps the old settings
        with the metrics they gave, and readers see the old metrics until the commit. Invalid settings
        raise ValueError (from `resolve_settings`) before anything is computed. `workers`: processes that
        compute the metrics (None = every usable CPU for a big store, this process for a small one; 0 = this
        process; see `analysis.metrics.recompute`). Admins only.
        """
        viewer.require_admin("change metric settings")
        return self._recompute(resolve_settings(settings, **overrides), progress, store_settings=True,
                               workers=workers)

    def recompute(self, viewer: Viewer, progress=None, *, workers: int | None = None) -> int:
        """Recompute every run's metrics from stored samples with the stored settings (no file is re-read).
        `progress` and `workers` as in `set_metric_settings`. Admins only."""
        viewer.require_admin("recompute metrics")
        return self._recompute(self._metric_settings(), progress, store_settings=False, workers=workers)

    def _recompute(self, settings: MetricSettings, progress, *, store_settings: bool,
                   workers: int | None = None) -> int:
        """Every run's metrics from its stored samples, read in batches from one snapshot (`_stored_runs`: one
        query each for a batch's runs rows, timer events and samples) and computed in worker processes
        (`analysis.metrics.recompute`); then, in one transaction, the settings and every run's metrics.

        Only the computed `RunMetrics` are kept, never more samples than the batches in flight. A run stored
        after the snapshot (an import that committed meanwhile measured it with the old settings) is computed
        inside the transaction, so every run has the new settings' metrics when it commits.
        """
        with self._snapshot() as cur:
            spans = {span.run_id: span for span in _sample_spans(cur)}
            groups = recompute_pool.batches([(span.run_id, span.count) for span in spans.values()])
            used = recompute_pool.workers_for(len(spans), len(groups), workers)
            computed: dict[str, RunMetrics] = {}
            # Read as the workers take them: a batch's samples are read when one is free to take it.
            stream = (_stored_runs(cur, [spans[run_id] for run_id in group]) for group in groups)
            with closing(recompute_pool.metrics_of(stream, settings, workers=used)) as results:
                for pairs in results:
                    for run_id, metrics in pairs:
                        computed[run_id] = metrics
                        if progress is not None:
                            progress(len(computed), len(spans), run_id)
        with self._transaction() as tx:
            if store_settings:
                self._set_meta(tx, "metric_settings", json.dumps(settings.changed()))
            stored = tx.execute("SELECT run_id, coalesce(sample_count, 0) FROM runs ORDER BY run_id").fetchall()
            late = [(run_id, count) for run_id, count in stored if run_id not in computed]
            for group in recompute_pool.batches(late):  # read by their ids: where they are stored is not known
                computed.update(recompute_pool.batch_metrics(
                    _stored_runs(tx, [_SampleSpan(run_id) for run_id in group]), settings))
            present = {run_id for run_id, _ in stored}
            _write_metrics(tx, {run_id: m for run_id, m in computed.items() if run_id in present})
        return len(stored)


@dataclass(frozen=True)
class _SampleSpan:
    """Where a run's samples are in the `samples` table: rows `first`..`last` (rowids) when `count` rows of
    them are stored there one after another (None when it has none, or they are not known)."""

    run_id: str
    first: int | None = None
    last: int | None = None
    count: int = 0

    @property
    def contiguous(self) -> bool:
        return self.first is not None and self.last is not None and self.last - self.first + 1 == self.count


def _sample_spans(cur: duckdb.DuckDBPyConnection) -> list[_SampleSpan]:
    """Every run with where its samples are, in storage order (runs without samples last, by run id).

    Why storage order: a run's samples are written by one INSERT, one after another, so a batch of runs
    in storage order is one range of rowids, which DuckDB reads without scanning the rest of the table
    (30 ms for 250,000 samples here, where filtering by run id scanned every row group: 120-350 ms).
    """
    rows = cur.execute("""SELECT r.run_id, g.first, g.last, coalesce(g.count, 0)
                          FROM runs r LEFT JOIN (SELECT run_id, min(rowid) AS first, max(rowid) AS last,
                                                        count(*) AS count FROM samples GROUP BY run_id) g
                          USING (run_id) ORDER BY g.first NULLS LAST, r.run_id""").fetchall()
    return [_SampleSpan(run_id, first, last, int(count)) for run_id, first, last, count in rows]


_BATCH_IDS = "(SELECT unnest(?::VARCHAR[]) AS run_id, unnest(range(?)) AS i)"  # a batch's runs and positions


def _stored_runs(cur: duckdb.DuckDBPyConnection, spans: list[_SampleSpan]) -> recompute_pool.StoredRuns:
    """The runs of `spans` with their samples and timer events, as compact arrays for a metrics worker
    (`recompute_pool.StoredRuns`), in three queries; what `Store._activity` reads run by run."""
    run_ids = [span.run_id for span in spans]
    params = [run_ids, len(run_ids)]
    rows = cur.execute(
        f"""SELECT r.sport, r.sub_sport, epoch_us(r.start_time), r.utc_offset_s, r.device, r.source_format,
                   r.file_name, r.cadence_unit, r.reader, r.warnings
            FROM runs r JOIN {_BATCH_IDS} b USING (run_id) ORDER BY b.i""", params).fetchall()
    if len(rows) != len(run_ids):
        raise KeyError(f"{len(run_ids) - len(rows)} of the runs to recompute are not stored")
    events: list[list[tuple[int, str, str]]] = [[] for _ in run_ids]
    # By time, as Store._activity orders them; ties in the order they were stored.
    for i, t, kind, source in cur.execute(
            f"""SELECT b.i, epoch_ns(e.time), e.kind, e.source FROM timer_events e JOIN {_BATCH_IDS} b USING (run_id)
                ORDER BY b.i, e.time, e.rowid""", params).fetchall():
        events[i].append((t, kind, source))
    time_ns, channels, offsets = _batch_samples(cur, spans)
    return recompute_pool.StoredRuns(run_ids=tuple(run_ids), rows=tuple(rows), offsets=offsets, time_ns=time_ns,
                                     channels=channels, events=tuple(tuple(e) for e in events))


def _batch_samples(cur: duckdb.DuckDBPyConnection,
                   spans: list[_SampleSpan]) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """The samples of `spans`' runs one run after another, each in `seq` order: (time in ns, float channels,
    offsets). One rowid range when each run's samples are stored together and the runs follow one another
    (what `_sample_spans` finds for a store written by `add_batch`); else a join on the run ids.

    NULL comes back as NaN (as `Store._samples` gives it) from the query itself: numpy arrays straight from
    DuckDB (`fetchnumpy`) take 50 ms for 250,000 samples, where Arrow's conversion of NULLs took 170-300 ms.
    """
    columns = f"coalesce(epoch_ns(s.time), {recompute_pool.NAT_NS}) AS time_ns, " + ", ".join(
        f"coalesce(s.{c}, 'NaN'::DOUBLE) AS {c}" for c in COLUMN_NAMES[1:])
    with_samples = [span for span in spans if span.count]
    ranged = bool(with_samples) and all(span.contiguous for span in with_samples) and all(
        a.last < b.first for a, b in zip(with_samples, with_samples[1:], strict=False))  # type: ignore[operator]
    found: dict[str, np.ndarray] = {}
    if ranged:
        # In rowid order the rows of each run come together, in the order they were written (`seq` is checked
        # below). A scan returns them in that order (DuckDB keeps insertion order), which is checked rather
        # than sorted for: ORDER BY cost a third of the read. Rows of another run inside the range (not
        # written by add_batch) change the count, and then the join below reads the batch instead.
        found = cur.sql(f"SELECT s.rowid AS stored_at, s.seq, {columns} FROM samples s "
                        "WHERE s.rowid BETWEEN $first AND $last",
                        params={"first": with_samples[0].first, "last": with_samples[-1].last}).fetchnumpy()
        stored_at = np.asarray(found.pop("stored_at"))
        if not (np.diff(stored_at) > 0).all():
            by_rowid = np.argsort(stored_at, kind="stable")
            found = {name: np.asarray(values)[by_rowid] for name, values in found.items()}
        counts = np.array([span.count for span in spans], dtype="int64")
        offsets = np.concatenate(([0], np.cumsum(counts))).astype("int64")
        ranged = len(found["seq"]) == int(offsets[-1])
    if not ranged:
        found = cur.sql(f"SELECT s.seq, {columns}, b.i FROM samples s JOIN {_BATCH_IDS} b USING (run_id) "
                        "ORDER BY b.i, s.seq", params=[[span.run_id for span in spans], len(spans)]).fetchnumpy()
        offsets = np.searchsorted(np.asarray(found.pop("i")), np.arange(len(spans) + 1)).astype("int64")
    seq = np.asarray(found.pop("seq"))
    later = np.diff(seq) > 0
    starts = offsets[1:-1]
    later[starts[(starts > 0) & (starts < len(seq))] - 1] = True  # a run's first sample follows another run's
    order = None if later.all() else np.lexsort((seq, np.repeat(np.arange(len(spans)), np.diff(offsets))))
    arrays = {name: np.ascontiguousarray(values if order is None else np.asarray(values)[order])
              for name, values in found.items()}
    time_ns = arrays.pop("time_ns").astype("int64", copy=False)
    return time_ns, {c: arrays[c].astype("float64", copy=False) for c in COLUMN_NAMES[1:]}, offsets


def _write_metrics(tx: duckdb.DuckDBPyConnection, computed: Mapping[str, RunMetrics]) -> None:
    """Every run's metrics columns from `computed` with one UPDATE (NaN and infinities stored as NULL)."""
    if not computed:
        return
    schema = _runs_arrow_schema(tx)
    names = ["run_id", *(f.name for f in _METRIC_FIELDS)]
    table = pa.Table.from_pylist(
        [{"run_id": run_id} | {f.name: _finite_or_none(getattr(m, f.name)) for f in _METRIC_FIELDS}
         for run_id, m in computed.items()],
        schema=pa.schema([schema.field(name) for name in names]))
    assignments = ", ".join(f"{f.name} = m.{f.name}" for f in _METRIC_FIELDS)
    tx.register("recomputed_metrics", table)  # a few hundred bytes a run, so it may stay until the commit
    try:
        tx.execute(f"UPDATE runs SET {assignments} FROM recomputed_metrics m WHERE runs.run_id = m.run_id")
    finally:
        tx.unregister("recomputed_metrics")


def _listing_values(listing: Any) -> dict[str, Any] | None:
    """An `analysis.ingest.strava.Listing` as the runs columns it fills (None when it says nothing)."""
    if listing is None:
        return None
    values = {"activity_name": getattr(listing, "activity_name", None),
              "strava_perceived_effort": _finite_or_none(getattr(listing, "perceived_effort", None))}
    values = {k: v for k, v in values.items() if v is not None}
    return values or None


def _listing_text(values: Mapping[str, Any]) -> str:
    parts = []
    if values.get("activity_name"):
        parts.append(f"its name “{values['activity_name']}”")
    if values.get("strava_perceived_effort") is not None:
        parts.append(f"Perceived Exertion {values['strava_perceived_effort']:g}/10")
    return " and ".join(parts)


def _refresh_run_effort(tx: duckdb.DuckDBPyConnection, run_ids: Iterable[str]) -> None:
    """Set `perceived_effort`, `feel` and `effort_source` of these runs from their answers (`EFFORT_SOURCES`).

    The latest check-in (by its last change) that rated a run wins; a value it left blank is Strava's, else
    the watch's. A run no check-in rates has Strava's Perceived Exertion (with the watch's feel), else the
    watch's answer, else none.
    """
    ids = sorted(set(run_ids))
    if not ids:
        return
    latest = {run_id: (effort, feel) for run_id, effort, feel in tx.execute(
        """SELECT run_id, perceived_effort, feel FROM (
               SELECT cr.run_id, cr.perceived_effort, cr.feel,
                      row_number() OVER (PARTITION BY cr.run_id ORDER BY c.updated_at DESC, c.check_in_id DESC) AS n
               FROM check_in_runs cr JOIN check_ins c USING (check_in_id) WHERE cr.run_id IN (SELECT unnest(?)))
           WHERE n = 1""", [ids]).fetchall()}
    rows = tx.execute("""SELECT run_id, strava_perceived_effort, watch_perceived_effort, watch_feel FROM runs
                         WHERE run_id IN (SELECT unnest(?))""", [ids]).fetchall()
    updates = []
    for run_id, strava_effort, watch_effort, watch_feel in rows:
        listed_effort = watch_effort if strava_effort is None else strava_effort
        if run_id in latest:
            effort, feel = latest[run_id]
            values = (listed_effort if effort is None else effort, watch_feel if feel is None else feel, "check-in")
        else:
            source = ("strava" if strava_effort is not None
                      else "watch" if watch_effort is not None or watch_feel is not None else None)
            values = (listed_effort, watch_feel, source)
        updates.append([*values, run_id])
    tx.executemany("UPDATE runs SET perceived_effort = ?, feel = ?, effort_source = ? WHERE run_id = ?", updates)


def _mapping_lookup(cur: duckdb.DuckDBPyConnection) -> dict[tuple[int | None, str], str]:
    """Every exercise mapping as {(athlete_id or None for the club, exercise_key): session_type}."""
    rows = cur.execute("SELECT athlete_id, exercise_key, session_type FROM exercise_mappings").fetchall()
    return {(None if a is None else int(a), key): kind for a, key, kind in rows}


def _resolve_session_type(athlete_id: int | None, exercise: str,
                          mappings: Mapping[tuple[int | None, str], str]) -> str:
    """The session type of an inferred entry: the athlete's mapping, else the club's, else the taxonomy's."""
    key = exercise_key(exercise)
    return mappings.get((athlete_id, key)) or mappings.get((None, key)) or classify_exercise(exercise)


def _resolve_session_types(frame: pd.DataFrame, mappings: Mapping[tuple[int | None, str], str]) -> None:
    """Give every inferred entry of `frame` (columns `_athlete_id`, `exercise`, `_inferred`) its type now, in place.

    Once per distinct (athlete, exercise): names are factorised, then (athlete, name code) pairs as one
    integer, so 100,000 entries with ~1,300 distinct pairs cost ~1,300 look-ups and ~5 ms of vectorised
    work; the query itself is most of `strength_log`'s time.
    """
    inferred = (frame["_inferred"].fillna(False).astype(bool) & frame["exercise"].notna()).to_numpy()
    if not inferred.any():
        return
    name_codes, names = pd.factorize(frame["exercise"].to_numpy(dtype=object)[inferred])
    pairs = frame["_athlete_id"].to_numpy(dtype="int64")[inferred] * len(names) + name_codes
    codes, uniques = pd.factorize(pairs)
    types = np.array([_resolve_session_type(int(pair // len(names)), str(names[pair % len(names)]), mappings)
                      for pair in uniques], dtype=object)
    dtype = frame["session_type"].dtype
    column = frame["session_type"].astype(object)
    column[inferred] = types[codes]
    frame["session_type"] = column.astype(dtype)


@dataclass(frozen=True)
class _RunFacts:
    """What the report and the `runs` row say about an activity that takes a pass over its samples.

    About 2 ms a run with pandas, half the store's time per run: `analysis.ingest.parse` computes these
    in the worker processes, in parallel, and passes them as `ParsedFile.facts`; here they are only
    computed when a caller did not (tests, benchmarks/large_club.py).
    """

    report: dict[str, Any]
    fields_present: tuple[str, ...]
    sample_interval_s: float

    @classmethod
    def of(cls, activity: Activity, facts: Mapping[str, Any] | None = None) -> _RunFacts:
        if not facts:  # the same mapping as analysis.ingest.parse.activity_facts (a test checks they agree)
            facts = {"summary": activity.summary(), "fields_present": activity.fields_present,
                     "sample_interval_s": activity.sample_interval_s}
        return cls(_activity_report(activity, facts["summary"]), tuple(facts["fields_present"]),
                   float(facts["sample_interval_s"]))


@dataclass(frozen=True)
class _KnownRun:
    """A run of the batch's athlete, stored or about to be, as the duplicate check needs it."""

    run_id: str
    file_name: str
    fields_present: str
    sample_count: int
    start_us: int  # start time, microseconds since 1970 UTC (the store's precision)


class _RunBatch:
    """The runs one `add_batch` accepts: duplicate checks answered from memory, rows written in bulk.

    Why: writing run by run cost about 14 ms a run (a look-up by SHA-256, a look-up of runs starting
    within 60 s, an INSERT of the run and one of its samples: each statement planned by DuckDB), so
    14 s of a season's 1,000-run import was spent here, one core, after every file was read. Now
    the store's run ids and this athlete's start times are read once per batch and kept up to date
    in memory as runs are accepted or replaced, and the samples of many runs go in as one Arrow
    table whose `run_id` is dictionary-encoded (one id per run, not one 64-character string per
    sample): about 2 ms a run, measured with benchmarks/ingest.py. The batch is written every
    `FLUSH_SAMPLES` samples, so memory stays bounded however many files come in; everything is
    inside the caller's transaction, so the store's all-or-nothing guarantee is unchanged.
    """

    FLUSH_SAMPLES = 500_000  # ~65 MB of Arrow columns: 140 one-hour runs at 1 Hz

    def __init__(self, tx: duckdb.DuckDBPyConnection, athlete_id: int, athlete: str, now: datetime):
        self.tx = tx
        self.athlete_id = athlete_id
        self.athlete = athlete
        self.now = now
        self.stored_ids = {r[0] for r in tx.execute("SELECT run_id FROM runs").fetchall()}
        # Storage order, so that of two stored runs within the window the older one is found first.
        rows = tx.execute("""SELECT run_id, file_name, fields_present, sample_count, epoch_us(start_time)
                             FROM runs WHERE athlete_id = ? AND start_time IS NOT NULL ORDER BY rowid""",
                          [athlete_id]).fetchall()
        self.athlete_runs: dict[str, _KnownRun] = {r[0]: _KnownRun(r[0], r[1], r[2], r[3], r[4]) for r in rows}
        self._starts = sorted((run.start_us, order, run.run_id)
                              for order, run in enumerate(self.athlete_runs.values()))
        self._order = len(self._starts)
        self.pending: dict[str, tuple[dict[str, Any], pd.DataFrame, tuple[TimerEvent, ...]]] = {}
        self.pending_samples = 0
        self.rated: set[str] = set()  # accepted runs that took over a replaced copy's check-in answers
        # (run_id, {column: value}, fill_only): what an activity list says about runs stored already (or about
        # the richer copy that replaces one), written once the batch's runs are: fill_only keeps what the run has
        self.relisted: list[tuple[str, dict[str, Any], bool]] = []

    def known(self, run_id: str) -> tuple[str, str] | None:
        """(athlete, file name) when a run with this SHA-256 is stored or accepted in this batch."""
        if run_id in self.pending:
            return self.athlete, self.pending[run_id][0]["file_name"]
        if run_id not in self.stored_ids:
            return None
        return _first(self.tx.execute("SELECT a.name, r.file_name FROM runs r JOIN athletes a USING (athlete_id) "
                                      "WHERE run_id = ?", [run_id]).fetchall())

    def twin(self, start_time: pd.Timestamp) -> _KnownRun | None:
        """The athlete's earliest-stored run starting within DUPLICATE_WINDOW_S of `start_time`, if any."""
        start_us = _epoch_us(start_time)
        window = int(DUPLICATE_WINDOW_S * 1_000_000)
        lo = bisect.bisect_left(self._starts, (start_us - window,))
        hi = bisect.bisect_right(self._starts, (start_us + window, float("inf")))
        if lo >= hi:
            return None
        _, _, run_id = min(self._starts[lo:hi], key=lambda entry: entry[1])
        return self.athlete_runs[run_id]

    def forget(self, run_id: str) -> bool:
        """Drop a run that is being replaced; True when it is already in the database (delete it there)."""
        self.athlete_runs.pop(run_id)
        self._starts = [entry for entry in self._starts if entry[2] != run_id]
        if self.pending.pop(run_id, None) is not None:
            return False
        self.stored_ids.discard(run_id)
        return True

    def add(self, activity: Activity, metrics: RunMetrics, facts: _RunFacts,
            listing: Mapping[str, Any] | None = None) -> None:
        """Accept a run; `listing`: `activity_name` and `strava_perceived_effort` from an activity list."""
        local = activity.local_start_time
        local_date = (local if local is not None else activity.start_time.tz_convert(None)).date()
        values = {
            "run_id": activity.file_sha256, "athlete_id": self.athlete_id, "file_name": activity.file_name,
            "source_format": activity.source_format, "sport": activity.sport, "sub_sport": activity.sub_sport,
            "start_time": activity.start_time.to_pydatetime(), "utc_offset_s": activity.utc_offset_s,
            "local_start": local.isoformat() if local is not None else None, "local_date": local_date,
            "device": activity.device, "reader": activity.reader, "cadence_unit": activity.cadence_unit,
            "sample_count": len(activity.samples),
            "sample_interval_s": _finite_or_none(facts.sample_interval_s), "pauses": activity.pauses,
            "fields_present": ",".join(facts.fields_present), "warnings": " | ".join(activity.warnings),
            "imported_at": self.now,
        }
        values |= {f.name: _finite_or_none(getattr(metrics, f.name)) for f in _METRIC_FIELDS}
        effort = _finite_or_none(getattr(activity, "perceived_effort", None))
        feel = _finite_or_none(getattr(activity, "feel", None))
        listed = listing or {}
        strava_effort = _finite_or_none(listed.get("strava_perceived_effort"))
        source = "strava" if strava_effort is not None else "watch" if effort is not None or feel is not None else None
        values |= {"perceived_effort": effort if strava_effort is None else strava_effort, "feel": feel,
                   "effort_source": source, "watch_perceived_effort": effort, "watch_feel": feel,
                   "activity_name": listed.get("activity_name"), "strava_perceived_effort": strava_effort}
        run_id = activity.file_sha256
        self.pending[run_id] = (values, activity.samples, activity.timer_events)
        self.pending_samples += len(activity.samples)
        run = _KnownRun(run_id, values["file_name"], values["fields_present"], values["sample_count"],
                        _epoch_us(activity.start_time))
        self.athlete_runs[run_id] = run
        bisect.insort(self._starts, (run.start_us, self._order, run_id))
        self._order += 1
        if self.pending_samples >= self.FLUSH_SAMPLES:
            self.flush()

    def flush(self) -> None:
        """Write every pending run (its row, samples and timer events) with three INSERTs."""
        if not self.pending:
            return
        tx = self.tx
        # Relations, not register(): a registered frame stays referenced until the transaction ends (its
        # view is only dropped at commit), which kept every batch's samples in memory twice.
        rows = [values for values, _, _ in self.pending.values()]
        schema = _runs_arrow_schema(tx)  # the table's own column order: insert_into is by position
        assert set(rows[0]) == set(schema.names), "a runs row must name every column of the table"
        tx.from_arrow(pa.Table.from_pylist(rows, schema=schema)).insert_into("runs")
        samples = _samples_table([(run_id, frame) for run_id, (_, frame, _) in self.pending.items()])
        tx.from_arrow(samples).project(f"run_id::VARCHAR, seq, {', '.join(COLUMN_NAMES)}").insert_into("samples")
        del samples
        events = [{"run_id": run_id, "time": e.time.to_pydatetime(), "kind": e.kind, "source": e.source}
                  for run_id, (_, _, timer_events) in self.pending.items() for e in timer_events]
        if events:
            tx.from_arrow(pa.Table.from_pylist(events, schema=_EVENTS_ARROW_SCHEMA)).insert_into("timer_events")
        self.stored_ids.update(self.pending)
        self.pending.clear()
        self.pending_samples = 0


_EVENTS_ARROW_SCHEMA = pa.schema([("run_id", pa.string()), ("time", pa.timestamp("us", tz="UTC")),
                                  ("kind", pa.string()), ("source", pa.string())])
_ARROW_TYPES = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(),
                "DATE": pa.date32(), "TIMESTAMP WITH TIME ZONE": pa.timestamp("us", tz="UTC")}


def _runs_arrow_schema(tx: duckdb.DuckDBPyConnection) -> pa.Schema:
    """The `runs` table's columns as an Arrow schema (read from the database: one source of truth)."""
    described = tx.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'runs' "
                           "AND table_catalog = current_database() AND table_schema = current_schema() "
                           "ORDER BY ordinal_position").fetchall()
    return pa.schema([(name, _ARROW_TYPES[kind]) for name, kind in described])


def _samples_table(runs: list[tuple[str, pd.DataFrame]]) -> pa.Table:
    """Samples of several runs as one Arrow table shaped like the `samples` table.

    NaN becomes NULL (`from_pandas`), as DuckDB stores NaN from a pandas frame, so SQL aggregates
    skip missing values and reading back gives NaN again.
    """
    lengths = np.array([len(samples) for _, samples in runs], dtype="int64")
    ids = pa.array([run_id for run_id, _ in runs], type=pa.string())
    codes = np.repeat(np.arange(len(runs), dtype="int32"), lengths)
    seq = np.concatenate([np.arange(n, dtype="int32") for n in lengths]) if len(runs) else np.empty(0, "int32")
    columns: dict[str, pa.Array] = {"run_id": pa.DictionaryArray.from_arrays(pa.array(codes), ids),
                                    "seq": pa.array(seq)}
    times = np.concatenate([samples["time"].array.as_unit("ns").asi8 for _, samples in runs])
    columns["time"] = pa.array(times.view("datetime64[ns]"), type=pa.timestamp("ns", tz="UTC"), from_pandas=True)
    # One (channels x samples) block: a conformed frame keeps its floats as one block, so each run's
    # part is a view, and each channel's row of the joined block goes to Arrow without another copy.
    block = np.concatenate([_channels(samples).T for _, samples in runs], axis=1)
    for row, name in enumerate(COLUMN_NAMES[1:]):
        columns[name] = pa.array(block[row], type=pa.float64(), from_pandas=True)
    return pa.table(columns)


def _channels(samples: pd.DataFrame) -> np.ndarray:
    """The float channels of a samples frame, (samples x channels) in COLUMN_NAMES order."""
    if samples.columns.equals(_SAMPLE_INDEX):  # the contract's order: slice by position, 3x cheaper
        return samples.iloc[:, 1:].to_numpy(dtype="float64")
    return samples[list(COLUMN_NAMES[1:])].to_numpy(dtype="float64")


_SAMPLE_INDEX = pd.Index(COLUMN_NAMES)


def _epoch_us(stamp: pd.Timestamp) -> int:
    """Microseconds since 1970 UTC, truncated as the store keeps them (`to_pydatetime` drops nanoseconds)."""
    return int(stamp.value) // 1000


def _clean_athlete(name: str) -> str:
    cleaned = " ".join(str(name or "").split())
    if not cleaned:
        raise InputError("an athlete name is needed (e.g. --athlete 'Ana')")
    if len(cleaned) > 80:
        raise InputError(f"athlete name is {len(cleaned)} characters; keep it under 80")
    return cleaned


# The reader's warning listing the names it classed `other` (analysis.io.strength); see `_add_strength`.
_READER_UNRECOGNISED = re.compile(r"\bnot recognised and counted as 'other'")


def _inferred_flags(log: pd.DataFrame, frame: pd.DataFrame, item: object) -> np.ndarray:
    """Per entry: did its session type come from the exercise name rather than the file?

    The reader says so in `attrs["session_type_inferred"]` (or the parsed file's attribute of that name,
    which survives a worker's pickle); when it does not, or not for every row, `_inferred_by_rule` decides,
    once per distinct (layout, exercise, type).
    """
    given = log.attrs.get("session_type_inferred")
    if given is None:
        given = getattr(item, "session_type_inferred", None)
    if given is not None and len(given) == len(frame):
        return np.array([bool(v) for v in given], dtype=bool)
    cells = frame[["source_format", "exercise", "session_type"]].astype(object)
    cells = cells.where(cells.notna(), None)
    cache: dict[tuple, bool] = {}
    flags = np.empty(len(frame), dtype=bool)
    for i, cell in enumerate(zip(cells["source_format"], cells["exercise"], cells["session_type"], strict=True)):
        if cell not in cache:
            cache[cell] = _inferred_by_rule(*cell)
        flags[i] = cache[cell]
    return flags


def _not_mapped(names: Iterable[str], frame: pd.DataFrame, mappings: Mapping[tuple[int | None, str], str]) -> list[str]:
    """The unrecognised `names` no mapping covers: the club's, or one of every athlete whose entries carry the name."""
    if not mappings:
        return list(names)
    athletes_of = frame.groupby("exercise")["athlete_id"].unique()
    left = []
    for name in names:
        key = exercise_key(name)
        ids = athletes_of.get(name, ())
        if (None, key) in mappings or (len(ids) and all((int(a), key) in mappings for a in ids)):
            continue
        left.append(name)
    return left


def _entries_text(found: Mapping[str, Any]) -> str:
    """'412 entries, 2026-01-03 to 2026-05-30' of an overlapping stored file."""
    count = found["entries"]
    return f"{count} {'entry' if count == 1 else 'entries'}, {found['first']} to {found['last']}"


def _clean_exercise(name: str) -> tuple[str, str]:
    """(the name as shown, its `exercise_key`) of a name a user maps; `InputError` when it has no words."""
    shown = " ".join(str(name or "").split())
    if len(shown) > MAX_EXERCISE_NAME_CHARS:
        raise InputError(f"exercise name is {len(shown)} characters; keep it under {MAX_EXERCISE_NAME_CHARS}")
    key = exercise_key(shown)
    if not key:
        raise InputError(f"an exercise name is needed (got {name!r}), e.g. 'Copenhagen adductor'")
    return shown, key


def _needs_viewer(method):
    """`method`, refusing to run unless its first argument is a `Viewer` (TypeError naming the method)."""
    @functools.wraps(method)
    def checked(self, *args, **kwargs):
        viewer = args[0] if args else kwargs.get("viewer")
        if not isinstance(viewer, Viewer):
            raise TypeError(f"Store.{method.__name__} needs a Viewer (analysis.access) as its first argument, "
                            f"not {type(viewer).__name__}")
        return method(self, *args, **kwargs)
    return checked


for _name, _method in list(vars(Store).items()):
    if not _name.startswith("_") and _name not in VIEWERLESS_METHODS and callable(_method):
        setattr(Store, _name, _needs_viewer(_method))


def _first(rows: list[tuple]) -> tuple | None:
    """The first row of a fully fetched result (DuckDB wants every result finished before the next)."""
    return rows[0] if rows else None


def _finite_or_none(value: Any) -> Any:
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _activity_report(activity: Activity, summary: Mapping[str, Any]) -> dict[str, Any]:
    """The import-report columns of a run: its `Activity.summary()` with the start in local time."""
    local = activity.local_start_time
    start = local if local is not None else activity.start_time.tz_convert(None)
    return {k: summary[k] for k in ("sport", "distance_km", "duration_min", "cadence_unit", "sample_interval_s",
                                    "pauses", "fields", "warnings")} | {
        "start_local": start.strftime("%Y-%m-%d %H:%M") + ("" if local is not None else " UTC"),
    }


def _shas(report: list[dict[str, Any]]) -> list[str]:
    return [r.get("_sha256", "") for r in report]


def _report_frame(report: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame([{c: r.get(c) for c in REPORT_COLUMNS} for r in report], columns=list(REPORT_COLUMNS))
    for c in ("distance_km", "duration_min", "sample_interval_s"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    frame["pauses"] = pd.to_numeric(frame["pauses"], errors="coerce").astype("Int32")
    for c in ("file", "status", "kind", "athlete", "sport", "start_local", "cadence_unit", "fields", "warnings",
              "reason"):
        frame[c] = frame[c].fillna("").astype(str)
    return frame
