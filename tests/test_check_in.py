"""Check-ins (issue 18): analysis.check_in through a real DuckDB store, real FIT/GPX files and the CLI."""

from __future__ import annotations

import datetime as dt
import shutil
from datetime import UTC, datetime

import duckdb
import pandas as pd
import pytest
from conftest import ADMIN
from fit_fixtures import SessionSpec, Stretch, encode_activity, gpx_from_records, records_for

from analysis import check_in as ci
from analysis.cli import main as cli_main
from analysis.errors import InputError
from analysis.ingest.pipeline import ingest
from analysis.io.exercise_taxonomy import classify_exercise
from analysis.io.strength import check_strength_log
from analysis.store import SCHEMA_VERSION, STORE_FILE, Store

RUN_START = datetime(2026, 3, 2, 6, 30, tzinfo=UTC)
RUN_DAY = dt.date(2026, 3, 2)  # local date at UTC+1
LATER = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # "now" in these tests: a week after the run


def _records(start: datetime = RUN_START):
    return records_for([Stretch(1800, 3.2)], start=start)


def _fit(records, *, rpe: int | None = None, feel: int | None = None) -> bytes:
    return encode_activity([SessionSpec("running", tuple(records), workout_feel=feel, workout_rpe=rpe)],
                           utc_offset_s=3600)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "store") as s:
        yield s


def _add_run(store: Store, athlete: str = "Ana", *, rpe: int | None = None, feel: int | None = None,
             start: datetime = RUN_START, name: str = "run.fit") -> str:
    report = ingest([(name, _fit(_records(start), rpe=rpe, feel=feel))], athlete=athlete, store=store, viewer=ADMIN,
                    workers=0)
    assert list(report["status"]) == ["imported"], report["reason"].tolist()
    runs = store.runs(ADMIN, [athlete])
    return runs.loc[runs["file_name"] == name, "run_id"].iloc[0]


def _run_effort(store: Store, run_id: str) -> tuple:
    row = store.runs(ADMIN).set_index("run_id").loc[run_id]
    return tuple(None if pd.isna(row[c]) else row[c] for c in ("perceived_effort", "feel", "effort_source"))


# --- the watch's answer --------------------------------------------------------------------------


def test_the_watch_self_evaluation_reaches_the_runs_table(store):
    run_id = _add_run(store, rpe=70, feel=75)
    assert _run_effort(store, run_id) == (7.0, 75.0, "watch")
    plain = _add_run(store, start=RUN_START + dt.timedelta(hours=5), name="plain.fit")
    assert _run_effort(store, plain) == (None, None, None)


# --- storing ---------------------------------------------------------------------------------------


def test_a_check_in_stores_soreness_exercises_and_the_run_effort(store):
    run_id = _add_run(store, rpe=50, feel=50)
    version = store.data_version()
    saved = ci.save_check_in(store, ADMIN, ci.CheckIn(
        "ana", RUN_DAY, back_soreness=3, note="stiff after the long run",
        exercises=(ci.ExerciseDone("Dead bug", 3, 10), ci.ExerciseDone("Side plank", 3, seconds_per_set=45),
                   ci.ExerciseDone("Clamshell", 2, 15)),
        runs=(ci.RunAnswer(run_id[:8], perceived_effort=7.5, feel=25),)), now=LATER)
    assert store.data_version() > version
    assert saved.check_in_id.startswith("ci-20260302-")
    assert any("replaces the watch's (effort 5/10, feel 50/100)" in m for m in saved.messages)

    log = store.strength_log(ADMIN)
    check_strength_log(log.astype({"source_row": "int64"}))  # every file's rows' contract (the store keeps int32)
    mine = log[log["source_format"] == "check_in"]
    assert mine["athlete"].unique().tolist() == ["Ana"]  # the stored spelling, not the typed one
    assert mine["date"].dt.date.unique().tolist() == [RUN_DAY]
    assert mine["back_soreness"].dropna().tolist() == [3.0]
    assert mine["notes"].dropna().tolist() == ["stiff after the long run"]
    exercises = mine[mine["exercise"].notna()]
    assert exercises["exercise"].tolist() == ["Dead bug", "Side plank", "Clamshell"]
    assert exercises["session_type"].tolist() == ["core", "core", "hip"]
    assert exercises["sets"].tolist() == [3.0, 3.0, 2.0]
    assert exercises["reps"].fillna(-1).tolist() == [10.0, -1, 15.0]
    assert exercises["duration_min"].fillna(-1).tolist() == [-1, 0.75, -1]
    assert mine["source_row"].tolist() == [1, 2, 3, 4]

    assert _run_effort(store, run_id) == (7.5, 25.0, "check-in")
    row = store.runs(ADMIN).set_index("run_id").loc[run_id]
    assert (row["watch_perceived_effort"], row["watch_feel"]) == (5.0, 50.0)  # kept, to come back

    stored = ci.stored_check_in(store, ADMIN, saved.check_in_id)
    assert stored.check_in.back_soreness == 3.0 and stored.session_types == ("core", "core", "hip")
    assert stored.check_in.exercises[1] == ci.ExerciseDone("Side plank", 3, None, 45.0)
    assert "effort 7.5/10" in stored.summary() and "feel 25/100 (weak)" in stored.summary()


def test_the_weekly_table_counts_a_check_in_like_a_file(store):
    from analysis.consistency import weekly_table

    _add_run(store)
    ci.save_check_in(store, ADMIN, ci.CheckIn("Ana", RUN_DAY, back_soreness=4,
                                       exercises=(ci.ExerciseDone("Dead bug", 3, 10),)), now=LATER)
    week = weekly_table(store.runs(ADMIN), store.strength_log(ADMIN))
    row = week[week["week_start"] == pd.Timestamp("2026-03-02")].iloc[0]
    assert row["core_sessions"] == 1 and row["hip_sessions"] == 0 and row["back_soreness"] == 4.0


def test_an_exercise_takes_the_athletes_own_mapping(store):
    _add_run(store)
    store.map_exercise(ADMIN, "Quinzel wobble", "hip", athlete="Ana")
    saved = ci.save_check_in(store, ADMIN, ci.CheckIn("Ana", RUN_DAY, exercises=(ci.ExerciseDone("quinzel wobbles", 2,
                                                                                                 8),)),
                             now=LATER)
    assert ci.stored_check_in(store, ADMIN, saved.check_in_id).session_types == ("hip",)
    store.unmap_exercise(ADMIN, "Quinzel wobble", athlete="Ana")  # the name decides again, now
    assert ci.stored_check_in(store, ADMIN, saved.check_in_id).session_types == (classify_exercise("quinzel wobbles"),)


def test_editing_replaces_the_check_in_and_a_run_it_no_longer_rates_gets_the_watch_back(store):
    run_id = _add_run(store, rpe=40)
    saved = ci.save_check_in(store, ADMIN, ci.CheckIn("Ana", RUN_DAY, 2, runs=(ci.RunAnswer(run_id, 8),)), now=LATER)
    first = ci.stored_check_in(store, ADMIN, saved.check_in_id)
    again = ci.save_check_in(store, ADMIN, ci.CheckIn("Ana", RUN_DAY, 6, exercises=(ci.ExerciseDone("Plank", 1),)),
                             check_in_id=saved.check_in_id, now=LATER)
    assert again.check_in_id == saved.check_in_id
    found = ci.recent_check_ins(store, ADMIN, days=None)
    assert [c.check_in_id for c in found] == [saved.check_in_id]
    assert found[0].check_in.back_soreness == 6.0 and found[0].check_in.runs == ()
    assert found[0].created_at == first.created_at and found[0].updated_at >= first.updated_at
    assert _run_effort(store, run_id) == (4.0, None, "watch")
    assert store.strength_log(ADMIN)["back_soreness"].dropna().tolist() == [6.0]


def test_the_latest_check_in_of_a_run_wins_and_a_blank_field_is_the_watchs(store):
    run_id = _add_run(store, rpe=30, feel=100)
    ci.save_check_in(store, ADMIN, ci.CheckIn("Ana", RUN_DAY, runs=(ci.RunAnswer(run_id, 6, 50),)), now=LATER)
    second = ci.save_check_in(store, ADMIN, ci.CheckIn("Ana", RUN_DAY, runs=(ci.RunAnswer(run_id, 9),)), now=LATER)
    assert _run_effort(store, run_id) == (9.0, 100.0, "check-in")
    ci.delete_check_in(store, ADMIN, second.check_in_id)
    assert _run_effort(store, run_id) == (6.0, 50.0, "check-in")


def test_deleting_a_check_in_removes_its_rows_and_restores_the_run(store):
    run_id = _add_run(store, rpe=60, feel=75)
    saved = ci.save_check_in(store, ADMIN, ci.CheckIn("Ana", RUN_DAY, 5, exercises=(ci.ExerciseDone("Bird dog", 3, 8),),
                                               runs=(ci.RunAnswer(run_id, 9, 0),)), now=LATER)
    version = store.data_version()
    ci.delete_check_in(store, ADMIN, saved.check_in_id)
    assert store.data_version() > version
    assert store.strength_log(ADMIN).empty and ci.recent_check_ins(store, ADMIN, days=None) == []
    assert _run_effort(store, run_id) == (6.0, 75.0, "watch")
    with pytest.raises(InputError, match="check-in ci-nope: not in the store"):
        ci.delete_check_in(store, ADMIN, "ci-nope")


def test_a_richer_copy_of_a_rated_run_keeps_the_check_ins_answer(store):
    records = _records()
    no_heart_rate = records_for([Stretch(1800, 3.2, heart_rate_bpm=None)], start=RUN_START)
    report = ingest([("run.gpx", gpx_from_records(no_heart_rate))], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    assert list(report["status"]) == ["imported"]
    gpx_id = store.runs(ADMIN)["run_id"].iloc[0]
    saved = ci.save_check_in(store, ADMIN, ci.CheckIn("Ana", RUN_DAY, runs=(ci.RunAnswer(gpx_id, 8, 25),)), now=LATER)
    report = ingest([("run.fit", _fit(records, rpe=50))], athlete="Ana", store=store, viewer=ADMIN, workers=0)
    assert list(report["status"]) == ["imported"] and "replaced run.gpx" in report["reason"].iloc[0]
    fit_id = store.runs(ADMIN)["run_id"].iloc[0]
    assert fit_id != gpx_id and len(store.runs(ADMIN)) == 1
    assert _run_effort(store, fit_id) == (8.0, 25.0, "check-in")
    assert ci.stored_check_in(store, ADMIN, saved.check_in_id).check_in.runs == (ci.RunAnswer(fit_id, 8.0, 25.0),)
    ci.delete_check_in(store, ADMIN, saved.check_in_id)
    assert _run_effort(store, fit_id) == (5.0, None, "watch")


def test_removing_a_run_or_an_athlete_takes_their_check_in_parts(store):
    run_id = _add_run(store)
    saved = ci.save_check_in(store, ADMIN, ci.CheckIn("Ana", RUN_DAY, 2, runs=(ci.RunAnswer(run_id, 5),)), now=LATER)
    assert store.remove_run(ADMIN, run_id)
    assert ci.stored_check_in(store, ADMIN, saved.check_in_id).check_in.runs == ()
    assert store.remove_athlete(ADMIN, "Ana")
    assert ci.recent_check_ins(store, ADMIN, days=None) == [] and store.strength_log(ADMIN).empty
    tables = store._cursor().execute("SELECT (SELECT count(*) FROM check_ins), (SELECT count(*) FROM check_in_runs)")
    assert tables.fetchall() == [(0, 0)]


# --- refusing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "message"), [
    ({"back_soreness": 11}, r"back soreness 11: outside the allowed range 0-10"),
    ({"back_soreness": -1}, r"back soreness -1: outside the allowed range 0-10"),
    ({"back_soreness": "sore"}, r"back soreness 'sore': not a number; expected 0-10"),
    ({"runs": "effort", "effort": 10.5}, r"perceived effort of run \w+ 10.5: outside the allowed range 0-10"),
    ({"runs": "effort", "feel": 101}, r"feel of run \w+ 101: outside the allowed range 0-100"),
    ({"runs": "effort", "effort": None, "feel": None}, r"give its perceived effort \(0-10\) or feel \(0-100\)"),
    ({"date": dt.date(2026, 3, 11)}, r"date 2026-03-11: in the future; a check-in is for today \(2026-03-10"),
    ({"runs": "unknown"}, r"run beefbeefbeef: no run of Ana has this id"),
    ({"runs": "twice"}, r"answered twice in one check-in"),
    ({"runs": "effort", "date": dt.date(2026, 3, 3)}, r"it is from 2026-03-02, not 2026-03-03"),
    ({"exercises": (ci.ExerciseDone("Plank", 0),)}, r"exercise 'Plank' sets 0: expected a whole number from 1 to 50"),
    ({"exercises": (ci.ExerciseDone("  ", 3, 10),)}, r"exercise 1: the name is empty"),
    ({"exercises": (ci.ExerciseDone("Plank", 3, 10, 30),)}, r"repetitions or seconds per set, not both"),
    ({}, r"an empty check-in: give back soreness \(0-10\)"),
    ({"note": "just a note"}, r"an empty check-in"),
    ({"athlete": "Anna", "back_soreness": 2}, r"athlete 'Anna': not in the store \(athletes: Ana\)"),
])
def test_a_bad_check_in_names_the_field_and_range_and_stores_nothing(store, change, message):
    run_id = _add_run(store, rpe=50)
    ci.save_check_in(store, ADMIN, ci.CheckIn("Ana", RUN_DAY, 1), now=LATER)  # something stored already
    before = (store.data_version(), store.strength_log(ADMIN), store.runs(ADMIN), store.athletes(ADMIN))
    runs = ()
    kind = change.pop("runs", None)
    if kind == "effort":
        runs = (ci.RunAnswer(run_id, change.pop("effort", 7), change.pop("feel", None)),)
    elif kind == "unknown":
        runs = (ci.RunAnswer("beefbeefbeef", 7),)
    elif kind == "twice":
        runs = (ci.RunAnswer(run_id, 7), ci.RunAnswer(run_id[:10], 6))
    check_in = ci.CheckIn(**({"athlete": "Ana", "date": RUN_DAY, "runs": runs} | change))
    with pytest.raises(InputError, match=message):
        ci.save_check_in(store, ADMIN, check_in, now=LATER)
    assert store.data_version() == before[0]
    pd.testing.assert_frame_equal(store.strength_log(ADMIN), before[1])
    pd.testing.assert_frame_equal(store.runs(ADMIN), before[2])
    pd.testing.assert_frame_equal(store.athletes(ADMIN), before[3])


def test_a_new_athlete_is_created_only_when_asked(store):
    with pytest.raises(InputError, match="not in the store"):
        ci.save_check_in(store, ADMIN, ci.CheckIn("Zoë", RUN_DAY, 2), now=LATER)
    assert store.athletes(ADMIN).empty
    saved = ci.save_check_in(store, ADMIN, ci.CheckIn("Zoë", RUN_DAY, 2), new_athlete=True, now=LATER)
    assert store.athletes(ADMIN)["athlete"].tolist() == ["Zoë"]
    assert saved.messages == ("added a new athlete, Zoë",)


def test_today_follows_the_athletes_latest_run_offset(tmp_path):
    with Store(tmp_path) as store:
        report = ingest([("west.fit", encode_activity([SessionSpec("running", tuple(_records()))],
                                                      utc_offset_s=-8 * 3600))],
                        athlete="Ana", store=store, viewer=ADMIN, workers=0)
        assert list(report["status"]) == ["imported"]
        early = datetime(2026, 3, 11, 3, 0, tzinfo=UTC)
        assert ci.athlete_today(store, ADMIN, "Ana", now=early) == dt.date(2026, 3, 10)
        assert ci.latest_allowed_date(store, ADMIN, "Ana", now=early) == dt.date(2026, 3, 10)
        with pytest.raises(InputError, match="in the future"):
            ci.save_check_in(store, ADMIN, ci.CheckIn("Ana", dt.date(2026, 3, 11), 2), now=early)
        # nobody's time zone known: no one anywhere is told today is in the future (UTC+14)
        assert ci.latest_allowed_date(store, ADMIN, "Zoë", now=early) == dt.date(2026, 3, 11)


# --- the program's quick picks and the command line's syntax -------------------------------------------


@pytest.mark.parametrize("pick", ci.PROGRAM_EXERCISES, ids=lambda p: p.name)
def test_every_quick_pick_is_core_or_hip_work_for_the_taxonomy(pick):
    assert classify_exercise(pick.name) in ("core", "hip")
    assert (pick.reps is None) != (pick.seconds_per_set is None)


@pytest.mark.parametrize(("text", "expected"), [
    ("dead bug:3x10", ci.ExerciseDone("dead bug", 3, 10)),
    ("Plank:3×45s", ci.ExerciseDone("Plank", 3, None, 45.0)),
    ("plank:60s", ci.ExerciseDone("plank", 1, None, 60.0)),
    ("clamshell", ci.ExerciseDone("clamshell", 1)),
    ("hip thrust: 4 x 8", ci.ExerciseDone("hip thrust", 4, 8)),
])
def test_exercise_syntax(text, expected):
    assert ci.parse_exercise(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("dead bug 3x10", ci.ExerciseDone("dead bug", 3, 10)),  # the page's free text: a space instead of a colon
    ("dead bug 10", ci.ExerciseDone("dead bug", 1, 10)),
    ("clamshell 3 sets", ci.ExerciseDone("clamshell", 3)),
    ("Copenhagen plank 3x20s", ci.ExerciseDone("Copenhagen plank", 3, None, 20.0)),
    ("  90/90 hip switch  ", ci.ExerciseDone("90/90 hip switch", 1)),
])
def test_exercise_text_as_typed_on_the_page_reads_and_writes_back(text, expected):
    assert ci.parse_exercise(text) == expected
    assert ci.parse_exercise(ci.exercise_text(expected)) == expected


def test_a_bad_exercise_syntax_says_what_is_expected():
    with pytest.raises(InputError, match=r"'three' is not a dose; expected SETSxREPS \(3x10\)"):
        ci.parse_exercise("plank:three")


# --- the store migration ------------------------------------------------------------------------------


def test_a_version_2_store_gets_the_effort_columns_and_check_ins_on_open(tmp_path):
    directory = tmp_path / "v2"
    with Store(directory) as store:
        run_id = _add_run(store, rpe=70)
    con = duckdb.connect(str(directory / STORE_FILE))  # make it the store schema 2 wrote
    for column in ("perceived_effort", "feel", "effort_source", "watch_perceived_effort", "watch_feel",
                   "activity_name", "strava_perceived_effort"):  # schema 3's and 4's
        con.execute(f"ALTER TABLE runs DROP COLUMN {column}")
    for table in ("check_ins", "check_in_runs", "watched_folders", "watched_files", "users"):  # schema 3's to 5's
        con.execute(f"DROP TABLE {table}")
    con.execute("ALTER TABLE imports DROP COLUMN imported_by")  # schema 5's
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.close()
    with Store(directory) as store:
        assert store._meta("schema_version") == str(SCHEMA_VERSION)
        assert _run_effort(store, run_id) == (None, None, None)  # nothing read before schema 3 is invented
        ci.save_check_in(store, ADMIN, ci.CheckIn("Ana", RUN_DAY, 3, runs=(ci.RunAnswer(run_id, 6),)), now=LATER)
        assert _run_effort(store, run_id) == (6.0, None, "check-in")


# --- the command line ----------------------------------------------------------------------------------


def test_cli_check_in_list_and_delete(tmp_path, capsys):
    directory = tmp_path / "store"
    with Store(directory) as store:
        run_id = _add_run(store, rpe=50)
    store_args = ["--store", str(directory)]
    code = cli_main(["check-in", "--athlete", "Ana", "--soreness", "4", "--note", "tight", "--exercise",
                     "dead bug:3x10", "--exercise", "clamshell:2x15", "--exercise", "side plank:3x30s",
                     "--run", run_id[:8], "--effort", "7", "--feel", "75", *store_args])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "replaces the watch's (effort 5/10)" in out and "stored check-in ci-20260302-" in out
    check_in_id = out.split("stored check-in ")[1].split()[0]
    with Store(directory) as store:
        log = store.strength_log(ADMIN)
        assert set(log["source_format"]) == {"check_in"}
        assert sorted(log["session_type"].dropna()) == ["core", "core", "hip"]
        assert _run_effort(store, run_id) == (7.0, 75.0, "check-in")

    assert cli_main(["check-in", "--list", *store_args]) == 0
    assert check_in_id in capsys.readouterr().out

    code = cli_main(["check-in", "--athlete", "Ana", "--date", "2026-03-02", "--soreness", "11", *store_args])
    err = capsys.readouterr().err
    assert code == 2 and "back soreness 11: outside the allowed range 0-10" in err
    with Store(directory) as store:
        assert store.strength_log(ADMIN)["back_soreness"].dropna().tolist() == [4.0]

    assert cli_main(["check-in", "--delete", check_in_id, *store_args]) == 0
    capsys.readouterr()
    with Store(directory) as store:
        assert store.strength_log(ADMIN).empty and _run_effort(store, run_id) == (5.0, None, "watch")
    assert cli_main(["check-in", "--delete", check_in_id, *store_args]) == 2
    assert "not in the store" in capsys.readouterr().err


def test_cli_check_in_refuses_a_typo_athlete_and_unpaired_efforts(tmp_path, capsys):
    directory = tmp_path / "store"
    with Store(directory) as store:
        run_id = _add_run(store)
    args = ["--store", str(directory), "--date", "2026-03-02"]
    assert cli_main(["check-in", "--athlete", "Anna", "--soreness", "2", *args]) == 2
    assert "athlete 'Anna': not in the store" in capsys.readouterr().err
    assert cli_main(["check-in", "--athlete", "Anna", "--soreness", "2", "--new-athlete", *args]) == 0
    capsys.readouterr()
    assert cli_main(["check-in", "--athlete", "Ana", "--run", run_id, "--effort", "5", "--effort", "6", *args]) == 2
    assert "--effort: give one per --run" in capsys.readouterr().err
    assert cli_main(["check-in", "--athlete", "Ana", "--date", "2026-02-30", "--soreness", "1",
                     "--store", str(directory)]) == 2
    assert "--date '2026-02-30': expected a date as YYYY-MM-DD" in capsys.readouterr().err


def test_the_export_carries_effort_and_check_in_rows(tmp_path, store_copy):
    with Store(store_copy) as store:
        runs = store.runs(ADMIN)
        run = runs[runs["athlete"] == "Ana"].iloc[-1]
        ci.save_check_in(store, ADMIN, ci.CheckIn("Ana", run["local_date"].date(), 2,
                                           exercises=(ci.ExerciseDone("Dead bug", 3, 10),),
                                           runs=(ci.RunAnswer(run["run_id"], 6.5, 50),)))
    out = tmp_path / "out"
    assert cli_main(["export", "--store", str(store_copy), "--out", str(out)]) == 0
    exported = pd.read_csv(out / "runs.csv").set_index("run_id")
    assert exported.loc[run["run_id"], ["perceived_effort", "feel", "effort_source"]].tolist() == [6.5, 50.0,
                                                                                                   "check-in"]
    log = pd.read_csv(out / "strength_log.csv")
    mine = log[log["source_format"] == "check_in"]
    assert mine["exercise"].dropna().tolist() == ["Dead bug"] and mine["back_soreness"].dropna().tolist() == [2.0]
    shutil.rmtree(out)
