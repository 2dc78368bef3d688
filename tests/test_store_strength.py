"""The store's strength side (schema 2): the v1 -> v2 migration, `session_type_inferred`, the user's own exercise
names (mappings applied to stored entries at once), the unrecognised names, strength files, and what happens to
a strength file that overlaps one already stored (hold / replace / keep).

Logs are real CSV bytes as the apps write them, read by `read_strength_log` (through `parse_source`, as an
import does) into a real DuckDB store in tmp_path.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import ADMIN

from analysis.errors import InputError
from analysis.ingest.parse import ParsedFile, parse_source
from analysis.ingest.sources import SourceFile
from analysis.io.exercise_taxonomy import SESSION_TYPES, classify_exercise
from analysis.io.strength import read_strength_log
from analysis.store import _METRIC_FIELDS, _SQL_TYPE, REPORT_STATUSES, SCHEMA_VERSION, STORE_FILE, Store

STRONG_HEADER = ("Workout #;Date;Workout Name;Duration (sec);Exercise Name;Set Order;Weight (kg);Reps;RPE;"
                 "Distance (meters);Seconds;Notes;Workout Notes")


def strong_csv(days: list[dt.date], exercises: tuple[str, ...] = ("Bird Dog", "Copenhagen Adductor")) -> bytes:
    """A Strong export (the app's newer `;` layout): two sets of each exercise on each day."""
    lines = [STRONG_HEADER]
    for n, day in enumerate(days, start=1):
        for exercise in exercises:
            for order in (1, 2):
                lines.append(f"{n};{day} 07:30:00;Core;1800;{exercise};{order};0;10;;0;0;;")
    return ("\n".join(lines) + "\n").encode()


def ours_csv(rows: list[str], header: str = "date,athlete,session_type,exercise,sets,reps,back_soreness") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def days(first: str, count: int, step: int = 7) -> list[dt.date]:
    start = dt.date.fromisoformat(first)
    return [start + dt.timedelta(days=step * i) for i in range(count)]


def strength_item(name: str, data: bytes, athlete: str | None = "Ana") -> ParsedFile:
    item = parse_source(SourceFile(name, data, "strength_csv"), athlete=athlete)
    assert item.kind == "strength", item.reason
    return item


def add(store: Store, name: str, data: bytes, athlete: str = "Ana", **options) -> pd.Series:
    report = store.add_batch(ADMIN, athlete, [strength_item(name, data, athlete)], **options)
    assert len(report) == 1
    return report.iloc[0]


@pytest.fixture
def store(tmp_path) -> Store:
    with Store(tmp_path / "store") as s:
        yield s


def inferred_column(store: Store) -> list[tuple]:
    return store._cursor().execute("""SELECT source_format, exercise, session_type, session_type_inferred
                                      FROM strength_log ORDER BY source_format, source_row""").fetchall()


# ----------------------------------------------------------------------------------------------------
# schema 2 and the migration of a version-1 store


def v1_statements() -> list[str]:
    """The schema-1 DDL as released (copied, not imported: the store's own DDL is schema 2 now)."""
    metric_columns = ",\n    ".join(f"{f.name} {_SQL_TYPE[f.type]}" for f in _METRIC_FIELDS)
    return [
        "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
        """CREATE TABLE athletes (
    athlete_id INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL UNIQUE,
    is_sample BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL)""",
        f"""CREATE TABLE runs (
    run_id VARCHAR PRIMARY KEY, athlete_id INTEGER NOT NULL, file_name VARCHAR, source_format VARCHAR,
    sport VARCHAR, sub_sport VARCHAR, start_time TIMESTAMPTZ, utc_offset_s DOUBLE, local_start VARCHAR,
    local_date DATE, device VARCHAR, reader VARCHAR, cadence_unit VARCHAR, sample_count INTEGER,
    sample_interval_s DOUBLE, pauses INTEGER, fields_present VARCHAR, warnings VARCHAR, imported_at TIMESTAMPTZ,
    {metric_columns})""",
        """CREATE TABLE samples (run_id VARCHAR NOT NULL, seq INTEGER NOT NULL, time TIMESTAMPTZ, elapsed_s DOUBLE,
    distance_m DOUBLE, speed_mps DOUBLE, heart_rate_bpm DOUBLE, cadence_spm DOUBLE, altitude_m DOUBLE,
    lat_deg DOUBLE, lon_deg DOUBLE, power_w DOUBLE, stance_time_ms DOUBLE, stance_time_balance_pct DOUBLE,
    vertical_oscillation_mm DOUBLE, step_length_mm DOUBLE, vertical_ratio_pct DOUBLE)""",
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
    source_row INTEGER)""",
        """CREATE TABLE imports (
    batch_id VARCHAR, imported_at TIMESTAMPTZ, athlete VARCHAR, file VARCHAR, sha256 VARCHAR,
    status VARCHAR, kind VARCHAR, sport VARCHAR, start_local VARCHAR, distance_km DOUBLE,
    duration_min DOUBLE, cadence_unit VARCHAR, sample_interval_s DOUBLE, pauses INTEGER, fields VARCHAR,
    warnings VARCHAR, reason VARCHAR)""",
        "CREATE INDEX samples_run ON samples (run_id)",
    ]


# (file, athlete_id, date, session_type, exercise, source_format, source_row) and whether schema 2 calls the
# type inferred: the rule used when the reader did not say.
V1_ENTRIES = [
    ("f-strong", 1, "2026-01-05", "core", "Bird Dog", "strong", 2, True),
    ("f-strong", 1, "2026-01-05", "other", "Flumbo Zap", "strong", 3, True),
    ("f-hevy", 2, "2026-01-06", "hip", "Glute Bridge", "hevy", 2, True),
    ("f-ours", 1, "2026-01-07", "core", "Dead bug", "core_cadence", 2, True),  # equals the taxonomy's type
    ("f-ours", 1, "2026-01-07", "hip", "Dead bug", "core_cadence", 3, False),  # the file said hip
    ("f-ours", 1, "2026-01-08", "core", None, "core_cadence", 4, False),  # a session without a named exercise
    ("f-ours", 1, "2026-01-08", None, None, "core_cadence", 5, False),  # soreness only
]


def build_v1_store(directory) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(directory / STORE_FILE))
    for statement in v1_statements():
        con.execute(statement)
    con.execute("INSERT INTO meta VALUES ('schema_version', '1'), ('metric_settings', '{}'), "
                "('sample_club', 'never'), ('data_version', '7'), ('plan', ?)", [json.dumps({"core": 3})])
    con.execute("INSERT INTO athletes VALUES (1, 'Ana', FALSE, now()), (2, 'Ben', FALSE, now())")
    con.execute("""INSERT INTO strength_files VALUES ('f-strong', 1, 'strong.csv', 'strong', 2, now()),
                   ('f-hevy', 2, 'hevy.csv', 'hevy', 1, now()), ('f-ours', 1, 'ours.csv', 'core_cadence', 4, now())""")
    for sha, athlete_id, date, kind, exercise, layout, row, _ in V1_ENTRIES:
        con.execute("INSERT INTO strength_log VALUES (?, ?, ?, ?, ?, 1, 10, NULL, NULL, NULL, ?, NULL, FALSE, ?, ?)",
                    [sha, athlete_id, date, kind, exercise, 2.0 if exercise is None and kind is None else None,
                     layout, row])
    con.close()


def test_a_version_1_store_is_upgraded_in_place_on_open(tmp_path):
    directory = tmp_path / "v1"
    build_v1_store(directory)
    with Store(directory) as store:
        assert store._meta("schema_version") == str(SCHEMA_VERSION)
        assert store.data_version() > 7  # the migration is a write: every page's cache moves
        assert store.plan(ADMIN) == {"core": 3}  # what was stored is still there
        flags = {(r[0], r[4], r[6]): r[7] for r in V1_ENTRIES}
        stored = store._cursor().execute("""SELECT file_sha256, exercise, source_row, session_type_inferred
                                            FROM strength_log""").fetchall()
        assert len(stored) == len(V1_ENTRIES)
        assert {(sha, ex, row): inferred for sha, ex, row, inferred in stored} == flags
        assert store.exercise_mappings(ADMIN).empty
        log = store.strength_log(ADMIN)
        assert len(log) == len(V1_ENTRIES) and store.status(ADMIN).strength_entries == len(V1_ENTRIES)

        # the new table works on the migrated store: a mapping reaches the Strong entry classed `other`
        assert log.loc[log["exercise"] == "Flumbo Zap", "session_type"].tolist() == ["other"]
        store.map_exercise(ADMIN, "flumbo zaps", "mobility", athlete="Ana")
        log = store.strength_log(ADMIN)
        assert log.loc[log["exercise"] == "Flumbo Zap", "session_type"].tolist() == ["mobility"]
        # the row whose file said "hip" for a dead bug keeps it; the inferred one is the taxonomy's
        dead_bugs = log[log["exercise"] == "Dead bug"].sort_values("source_row")
        assert dead_bugs["session_type"].tolist() == ["core", "hip"]
    with Store(directory) as store:  # opening again migrates nothing more
        assert store._meta("schema_version") == str(SCHEMA_VERSION)
        assert len(store.exercise_mappings(ADMIN)) == 1


def test_a_migration_that_fails_leaves_the_version_1_store_as_it_was(tmp_path, monkeypatch):
    import analysis.store as store_module

    directory = tmp_path / "v1"
    build_v1_store(directory)

    def half_then_fail(tx):
        tx.execute("ALTER TABLE strength_log ADD COLUMN session_type_inferred BOOLEAN")
        raise RuntimeError("disk full")

    monkeypatch.setitem(store_module._MIGRATIONS, 1, half_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        Store(directory)
    con = duckdb.connect(str(directory / STORE_FILE))
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall() == [("1",)]
    columns = [r[0] for r in con.execute("DESCRIBE strength_log").fetchall()]
    assert "session_type_inferred" not in columns and columns[-1] == "source_row"
    assert con.execute("SELECT count(*) FROM strength_log").fetchall() == [(len(V1_ENTRIES),)]
    con.close()
    monkeypatch.undo()
    with Store(directory) as store:  # and the real migration still works afterwards
        assert store._meta("schema_version") == str(SCHEMA_VERSION)


def test_a_newer_or_unknown_schema_version_is_still_refused(tmp_path):
    with Store(tmp_path) as store:
        store._cursor().execute(f"UPDATE meta SET value = '{SCHEMA_VERSION + 1}' WHERE key = 'schema_version'")
    with pytest.raises(InputError, match=f"schema version {SCHEMA_VERSION + 1}; this version of Core & Cadence "
                                         f"needs {SCHEMA_VERSION}"):
        Store(tmp_path)


# ----------------------------------------------------------------------------------------------------
# session_type_inferred at import


OURS = ours_csv(["2026-02-02,Ana,,Dead bug,3,10,",  # blank type: inferred
                 "2026-02-02,Ana,hip,Dead bug,3,10,",  # the file says hip
                 "2026-02-03,Ana,,Quinzel wobble,2,5,",  # inferred, unrecognised: other
                 "2026-02-04,Ana,,,,,3"])  # soreness only


def test_the_readers_flags_are_stored_as_given(store):
    item = strength_item("ours.csv", OURS)
    # what the reader says wins over the rule (which would call row 3, the file's "hip", not inferred)
    item.strength_log.attrs["session_type_inferred"] = (True, True, True, False)
    store.add_batch(ADMIN, "Ana", [item])
    stored = store._cursor().execute(
        "SELECT source_row, session_type_inferred FROM strength_log ORDER BY source_row").fetchall()
    assert stored == [(2, True), (3, True), (4, True), (5, False)]


def test_without_the_readers_flags_the_rule_decides(store):
    ours = strength_item("ours.csv", OURS)
    strong = strength_item("strong.csv", strong_csv(days("2026-02-02", 1)))
    for item in (ours, strong):
        item.strength_log.attrs.pop("session_type_inferred", None)
    # flags of the wrong length are not trusted either
    hevy_log = read_strength_log(b'"title","start_time","end_time","description","exercise_title","superset_id",'
                                 b'"exercise_notes","set_index","set_type","weight_kg","reps","distance_km",'
                                 b'"duration_seconds","rpe"\n"Hips","4 Aug 2026, 07:22","4 Aug 2026, 07:57","",'
                                 b'"Clamshell",,"",0,"normal",,12,,,\n', athlete="Ana")
    hevy_log.attrs["session_type_inferred"] = (False, False)
    hevy = ParsedFile(name="hevy.csv", sha256="h" * 64, kind="strength", strength_log=hevy_log)
    store.add_batch(ADMIN, "Ana", [ours, strong, hevy])
    by_row = {(r[0], r[1], r[2]): r[3] for r in inferred_column(store)}
    assert by_row[("core_cadence", "Dead bug", "core")] is True
    assert by_row[("core_cadence", "Dead bug", "hip")] is False
    assert by_row[("core_cadence", "Quinzel wobble", "other")] is True
    assert by_row[("core_cadence", None, None)] is False
    assert by_row[("hevy", "Clamshell", "hip")] is True
    assert all(r[3] for r in inferred_column(store) if r[0] == "strong")


# ----------------------------------------------------------------------------------------------------
# the user's own names


def test_mappings_apply_at_once_to_stored_entries_the_athletes_before_the_clubs(store):
    add(store, "ana.csv", OURS, "Ana")
    add(store, "ben.csv", strong_csv(days("2026-02-02", 2), ("Quinzel Wobbles (Kettlebell)", "Bird Dog")), "Ben")
    before = store.strength_log(ADMIN)
    assert set(before.loc[before["exercise"].str.startswith("Quinzel", na=False), "session_type"]) == {"other"}

    version = store.data_version()
    store.map_exercise(ADMIN, "quinzel wobble", "core")  # the club: every athlete, every spelling with that key
    assert store.data_version() > version
    log = store.strength_log(ADMIN)
    wobbles = log[log["exercise"].str.startswith("Quinzel", na=False)]
    assert set(wobbles["athlete"]) == {"Ana", "Ben"} and set(wobbles["session_type"]) == {"core"}

    store.map_exercise(ADMIN, "Quinzel wobble", "Strength", athlete="ben")  # Ben's own beats the club's; case ignored
    log = store.strength_log(ADMIN)
    wobbles = log[log["exercise"].str.startswith("Quinzel", na=False)]
    assert wobbles.groupby("athlete")["session_type"].unique().map(list).to_dict() == {
        "Ana": ["core"], "Ben": ["strength"]}

    store.map_exercise(ADMIN, "Dead bugs", "mobility", athlete="Ana")
    log = store.strength_log(ADMIN)
    ana_dead = log[(log["athlete"] == "Ana") & (log["exercise"] == "Dead bug")].sort_values("source_row")
    assert ana_dead["session_type"].tolist() == ["mobility", "hip"]  # the file's own "hip" is kept
    # everything else is exactly as before
    untouched = ~log["exercise"].fillna("").str.match("Quinzel|Dead bug")
    pd.testing.assert_frame_equal(log[untouched], before[untouched])
    assert log["session_type"].dtype == before["session_type"].dtype

    mappings = store.exercise_mappings(ADMIN)
    assert list(mappings.columns) == ["athlete", "exercise", "session_type", "created_at"]
    assert mappings[["athlete", "exercise", "session_type"]].values.tolist() == [
        [None, "quinzel wobble", "core"], ["Ana", "Dead bugs", "mobility"], ["Ben", "Quinzel wobble", "strength"]]

    assert store.unmap_exercise(ADMIN, "QUINZEL WOBBLE", athlete="Ben") is True
    log = store.strength_log(ADMIN)
    assert set(log.loc[log["exercise"].str.startswith("Quinzel", na=False), "session_type"]) == {"core"}
    assert store.unmap_exercise(ADMIN, "quinzel wobble") is True
    version = store.data_version()
    assert store.unmap_exercise(ADMIN, "quinzel wobble") is False  # nothing to remove: nothing written
    assert store.data_version() == version
    log = store.strength_log(ADMIN)
    assert set(log.loc[log["exercise"].str.startswith("Quinzel", na=False), "session_type"]) == {"other"}


def test_a_new_mapping_of_the_same_key_replaces_the_old_one(store):
    add(store, "ana.csv", OURS)
    store.map_exercise(ADMIN, "Quinzel wobble", "core", athlete="Ana")
    store.map_exercise(ADMIN, "quinzel  wobbles", "hip", athlete="Ana")
    mappings = store.exercise_mappings(ADMIN)
    assert mappings[["athlete", "exercise", "session_type"]].values.tolist() == [["Ana", "quinzel wobbles", "hip"]]
    store.map_exercise(ADMIN, "Quinzel wobble", "core")
    store.map_exercise(ADMIN, "Quinzel wobble", "mobility")
    assert len(store.exercise_mappings(ADMIN)) == 2


@pytest.mark.parametrize(("name", "kind", "athlete", "message"), [
    ("Quinzel wobble", "abs", None, "not one of: " + ", ".join(SESSION_TYPES)),
    ("Quinzel wobble", "core", "Nobody", "no athlete called 'Nobody'.*athletes: Ana"),
    ("  (band) ", "core", None, "an exercise name is needed"),
    ("x" * 201, "core", None, "keep it under 200"),
])
def test_bad_mappings_are_refused_and_nothing_is_written(store, name, kind, athlete, message):
    add(store, "ana.csv", OURS)
    version = store.data_version()
    with pytest.raises(InputError, match=message):
        store.map_exercise(ADMIN, name, kind, athlete=athlete)
    assert store.exercise_mappings(ADMIN).empty and store.data_version() == version


def test_unmapping_for_an_unknown_athlete_is_refused(store):
    with pytest.raises(InputError, match="no athlete called 'Zed'"):
        store.unmap_exercise(ADMIN, "Plank", athlete="Zed")


def test_stored_entries_follow_the_current_taxonomy(store, monkeypatch):
    import analysis.store as store_module

    add(store, "ana.csv", OURS)
    # an entry stored as `other` by an older taxonomy reads as what the taxonomy says now
    store._cursor().execute("UPDATE strength_log SET session_type = 'other' WHERE source_row = 2")
    assert store.strength_log(ADMIN).set_index("source_row").loc[2, "session_type"] == "core"

    def better(name: str) -> str:
        return "core" if "quinzel" in name.lower() else classify_exercise(name)

    monkeypatch.setattr(store_module, "classify_exercise", better)
    log = store.strength_log(ADMIN).set_index("source_row")
    assert log.loc[4, "session_type"] == "core" and log.loc[3, "session_type"] == "hip"


def test_unrecognised_exercises_are_those_no_taxonomy_or_mapping_covers(store):
    add(store, "ana.csv", ours_csv(["2026-02-02,Ana,,Quinzel wobble,2,5,", "2026-02-09,Ana,,Quinzel Wobbles,2,5,",
                                    "2026-02-09,Ana,,Quinzel Wobbles,2,5,", "2026-02-10,Ana,,Bench press,3,5,",
                                    "2026-02-10,Ana,,Flumbo zing,3,,", "2026-02-11,Ana,core,Zorbflex zap,3,,"]))
    add(store, "ben.csv", strong_csv(days("2026-03-02", 3), ("Flumbo Zing", "Plank")), "Ben")
    found = store.unrecognised_exercises(ADMIN)
    assert list(found.columns) == ["athlete", "exercise", "entries", "last_date"]
    # one row per key (the most-logged spelling), bench press is known (`other` on purpose), the Zorbflex zap
    # has its type from the file
    assert found.values.tolist() == [
        ["Ana", "Quinzel Wobbles", 3, pd.Timestamp("2026-02-09")],
        ["Ana", "Flumbo zing", 1, pd.Timestamp("2026-02-10")],
        ["Ben", "Flumbo Zing", 6, pd.Timestamp("2026-03-16")],
    ]
    assert found["entries"].dtype == "int64" and found["last_date"].dtype == "datetime64[ns]"
    assert store.unrecognised_exercises(ADMIN, ["Ben"])["athlete"].tolist() == ["Ben"]

    store.map_exercise(ADMIN, "flumbo zings", "strength", athlete="Ana")  # Ana's only: Ben's still needs a type
    assert store.unrecognised_exercises(ADMIN)["exercise"].tolist() == ["Quinzel Wobbles", "Flumbo Zing"]
    store.map_exercise(ADMIN, "Flumbo zing", "strength")
    store.map_exercise(ADMIN, "Quinzel wobble", "other")  # "other" is a choice too: it is no longer unrecognised
    assert store.unrecognised_exercises(ADMIN).empty
    assert list(store.unrecognised_exercises(ADMIN).columns) == ["athlete", "exercise", "entries", "last_date"]


def test_later_imports_do_not_warn_about_mapped_names(store):
    add(store, "first.csv", ours_csv(["2026-02-02,Ana,,Plank,3,,"]))
    store.map_exercise(ADMIN, "Quinzel wobble", "core")
    store.map_exercise(ADMIN, "Flumbo zing", "strength", athlete="Ana")
    row = add(store, "later.csv", ours_csv(["2026-03-02,Ana,,Quinzel wobble,2,5,", "2026-03-02,Ana,,Flumbo zing,3,,",
                                            "2026-03-02,Ana,,Zorbflex carry,3,,"]))
    assert row["status"] == "imported"
    assert "not recognised, classed 'other': Zorbflex carry. Give each a session type" in row["warnings"]
    assert "Quinzel" not in row["warnings"] and "Flumbo zing" not in row["warnings"]
    # another athlete's flumbo zings are not covered by Ana's mapping
    row = add(store, "ben.csv", ours_csv(["2026-03-02,Ben,,Flumbo zing,3,,", "2026-03-02,Ben,,Quinzel wobble,3,,"]),
              "Ben")
    assert "classed 'other': Flumbo zing." in row["warnings"] and "Quinzel" not in row["warnings"]


def test_removing_an_athlete_removes_their_mappings_and_keeps_the_clubs(store):
    add(store, "ana.csv", OURS)
    add(store, "ben.csv", OURS.replace(b"Ana", b"Ben"), "Ben")
    store.map_exercise(ADMIN, "Quinzel wobble", "core", athlete="Ana")
    store.map_exercise(ADMIN, "Quinzel wobble", "hip", athlete="Ben")
    store.map_exercise(ADMIN, "Flumbo zing", "strength")
    assert store.remove_athlete(ADMIN, "Ana")
    assert store.exercise_mappings(ADMIN)[["athlete", "exercise"]].values.tolist() == [
        [None, "Flumbo zing"], ["Ben", "Quinzel wobble"]]


# ----------------------------------------------------------------------------------------------------
# strength files


def test_strength_files_list_what_is_stored_and_one_can_be_removed_with_its_history(store):
    add(store, "strong.csv", strong_csv(days("2026-01-05", 3)))
    add(store, "ours.csv", OURS)
    add(store, "ben.csv", strong_csv(days("2026-04-06", 2)), "Ben")
    files = store.strength_files(ADMIN)
    assert list(files.columns) == ["file_sha256", "athlete", "file_name", "source_format", "entries", "first_date",
                                   "last_date", "imported_at"]
    assert files[["athlete", "file_name", "source_format", "entries", "first_date", "last_date"]].values.tolist() == [
        ["Ana", "strong.csv", "strong", 12, pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-19")],
        ["Ana", "ours.csv", "core_cadence", 4, pd.Timestamp("2026-02-02"), pd.Timestamp("2026-02-04")],
        ["Ben", "ben.csv", "strong", 8, pd.Timestamp("2026-04-06"), pd.Timestamp("2026-04-13")],
    ]
    assert store.strength_files(ADMIN, ["Ben"])["file_name"].tolist() == ["ben.csv"]
    assert files["imported_at"].dt.tz is not None

    sha = files.loc[files["file_name"] == "strong.csv", "file_sha256"].item()
    assert sha in set(store.imports(ADMIN)["sha256"])
    others = store.strength_log(ADMIN).query("source_format != 'strong' or athlete == 'Ben'")
    assert store.remove_strength_file(ADMIN, sha) == 12
    assert store.strength_files(ADMIN)["file_name"].tolist() == ["ours.csv", "ben.csv"]
    pd.testing.assert_frame_equal(store.strength_log(ADMIN).reset_index(drop=True), others.reset_index(drop=True))
    assert sha not in set(store.imports(ADMIN)["sha256"])
    version = store.data_version()
    assert store.remove_strength_file(ADMIN, sha) == 0 and store.remove_strength_file(ADMIN, "nope") == 0
    assert store.data_version() == version
    # removed, the same file is new again
    assert add(store, "strong.csv", strong_csv(days("2026-01-05", 3)))["status"] == "imported"


def test_a_coach_file_lists_every_athlete_and_survives_deleting_the_importer(store):
    coach = ours_csv(["2026-02-02,Ana,,Plank,3,,", "2026-02-03,Ben,,Plank,3,,", "2026-02-04,Ben,,Plank,3,,"])
    assert add(store, "club.csv", coach, "Coach")["status"] == "imported"
    [row] = store.strength_files(ADMIN).to_dict("records")
    assert (row["athlete"], row["entries"]) == ("Ana, Ben", 3)
    assert store.strength_files(ADMIN, ["Ben"])["file_name"].tolist() == ["club.csv"]
    store.remove_athlete(ADMIN, "Coach")  # the batch's athlete, with no entries of their own
    store.remove_athlete(ADMIN, "Ana")
    [row] = store.strength_files(ADMIN).to_dict("records")
    assert (row["athlete"], row["entries"]) == ("Ben", 2)
    assert add(store, "club.csv", coach, "Coach")["status"] == "duplicate"
    store.remove_athlete(ADMIN, "Ben")
    assert store.strength_files(ADMIN).empty


# ----------------------------------------------------------------------------------------------------
# a strength file overlapping one already stored


JAN_MAR = strong_csv(days("2026-01-05", 12))  # 12 Mondays: 2026-01-05 .. 2026-03-23, 48 entries
JAN_MAY = strong_csv(days("2026-01-05", 20))  # the same log exported again two months later: 80 entries


def test_an_overlapping_file_is_held_by_default_and_nothing_is_counted_twice(store):
    assert "overlaps" in REPORT_STATUSES
    add(store, "strong.csv", JAN_MAR)
    before = store.strength_log(ADMIN)
    version = store.data_version()
    row = add(store, "strong-may.csv", JAN_MAY)
    assert row["status"] == "overlaps"
    assert row["reason"] == (
        "overlaps strong.csv (48 entries, 2026-01-05 to 2026-03-23) of the same athlete and layout: not imported, "
        "so nothing is counted twice; import it again choosing Replace to swap the old file for this one, or Keep "
        "both")
    assert row["sport"] == "strength log (strong)" and row["fields"] == "80 entries"
    pd.testing.assert_frame_equal(store.strength_log(ADMIN), before)
    assert store.strength_files(ADMIN)["file_name"].tolist() == ["strong.csv"]
    assert store.data_version() > version  # the import history still records it
    assert store.imports(ADMIN)["status"].tolist()[0] == "overlaps"
    # not stored, so importing it again is not a duplicate but the same question
    assert add(store, "strong-may.csv", JAN_MAY)["status"] == "overlaps"


def test_replace_swaps_the_stored_file_for_the_new_one_in_one_write(store):
    add(store, "strong.csv", JAN_MAR)
    add(store, "ours.csv", OURS)  # another layout: untouched
    ours = store.strength_log(ADMIN).query("source_format == 'core_cadence'")
    row = add(store, "strong-may.csv", JAN_MAY, on_strength_overlap="replace")
    assert row["status"] == "imported"
    assert row["reason"].startswith("replaced strong.csv (48 entries, 2026-01-05 to 2026-03-23)")
    files = store.strength_files(ADMIN)
    assert sorted(files["file_name"]) == ["ours.csv", "strong-may.csv"]
    log = store.strength_log(ADMIN)
    strong = log[log["source_format"] == "strong"]
    assert len(strong) == 80 and strong["date"].max() == pd.Timestamp("2026-05-18")
    pd.testing.assert_frame_equal(log[log["source_format"] == "core_cadence"].reset_index(drop=True),
                                  ours.reset_index(drop=True))
    # the old file is no longer stored: importing it again is an overlap, not a duplicate
    assert add(store, "strong.csv", JAN_MAR)["status"] == "overlaps"


def test_replace_that_fails_later_in_the_batch_keeps_the_old_file(store, monkeypatch):
    add(store, "strong.csv", JAN_MAR)
    before = store.strength_log(ADMIN)

    def items():
        yield strength_item("strong-may.csv", JAN_MAY)
        raise KeyboardInterrupt  # the user left the page mid-import

    with pytest.raises(KeyboardInterrupt):
        store.add_batch(ADMIN, "Ana", items(), on_strength_overlap="replace")
    pd.testing.assert_frame_equal(store.strength_log(ADMIN), before)
    assert store.strength_files(ADMIN)["file_name"].tolist() == ["strong.csv"]


def test_keep_stores_both(store):
    add(store, "strong.csv", JAN_MAR)
    row = add(store, "strong-may.csv", JAN_MAY, on_strength_overlap="keep")
    assert row["status"] == "imported" and row["reason"] == ""
    assert store.strength_files(ADMIN)["entries"].tolist() == [48, 80]


@pytest.mark.parametrize(("name", "data", "athlete"), [
    ("later.csv", strong_csv(days("2026-03-30", 4)), "Ana"),  # starts the Monday after the stored file ends
    ("ben.csv", JAN_MAY, "Ben"),  # another athlete
    ("soreness.csv", ours_csv(["2026-01-06,Ana,,,,,3", "2026-02-10,Ana,,,,,2"]), "Ana"),  # another layout
])
def test_files_that_do_not_overlap_are_imported(store, name, data, athlete):
    add(store, "strong.csv", JAN_MAR)
    assert add(store, name, data, athlete)["status"] == "imported"


def test_two_overlapping_stored_files_are_both_named_and_both_replaced(store):
    add(store, "jan.csv", strong_csv(days("2026-01-05", 4)))
    add(store, "mar.csv", strong_csv(days("2026-03-02", 4)), on_strength_overlap="keep")
    row = add(store, "all.csv", JAN_MAY)
    assert row["reason"].startswith("overlaps jan.csv (16 entries, 2026-01-05 to 2026-01-26) and mar.csv (16 "
                                    "entries, 2026-03-02 to 2026-03-23) of the same athlete and layout")
    assert "swap the old files for this one" in row["reason"]
    row = add(store, "all.csv", JAN_MAY, on_strength_overlap="replace")
    assert row["reason"].startswith("replaced jan.csv (16 entries, 2026-01-05 to 2026-01-26) and mar.csv")
    assert store.strength_files(ADMIN)["file_name"].tolist() == ["all.csv"]


def test_a_held_file_creates_no_athlete(store):
    add(store, "club.csv", ours_csv(["2026-02-02,Ana,,Plank,3,,", "2026-02-09,Ana,,Plank,3,,"]))
    newer = ours_csv(["2026-02-02,Ana,,Plank,3,,", "2026-02-09,Ana,,Plank,3,,", "2026-02-09,Zoe,,Plank,3,,"])
    assert add(store, "club-2.csv", newer)["status"] == "overlaps"
    assert store.athletes(ADMIN)["athlete"].tolist() == ["Ana"]


def test_an_unknown_overlap_choice_is_a_value_error(store):
    with pytest.raises(ValueError, match="on_strength_overlap='ask': use one of hold, replace, keep"):
        store.add_batch(ADMIN, "Ana", [], on_strength_overlap="ask")
    assert store.athletes(ADMIN).empty


def test_mapped_session_types_are_resolved_per_distinct_name_not_per_entry(store, monkeypatch):
    """100 entries of 2 names by 2 athletes: 4 look-ups, and the result is the same as one per entry."""
    import analysis.store as store_module

    add(store, "ana.csv", strong_csv(days("2026-01-05", 25), ("Flumbo Zing", "Bird Dog")))
    add(store, "ben.csv", strong_csv(days("2026-01-06", 25), ("Flumbo Zing", "Bird Dog")), "Ben")
    store.map_exercise(ADMIN, "Flumbo zing", "strength", athlete="Ben")
    calls = []
    original = store_module._resolve_session_type

    def counted(athlete_id, exercise, mappings):
        calls.append((athlete_id, exercise))
        return original(athlete_id, exercise, mappings)

    monkeypatch.setattr(store_module, "_resolve_session_type", counted)
    log = store.strength_log(ADMIN)
    assert len(log) == 200 and len(calls) == 4
    expected = np.where(log["exercise"] == "Bird Dog", "core",
                        np.where(log["athlete"] == "Ben", "strength", "other"))
    assert log["session_type"].tolist() == expected.tolist()
