"""Who sees what, below the pages: every Store read and write takes a Viewer and keeps to its athletes.

A real store on disk with three athletes (Ana, Ben, Cara): runs, strength files (one coach's file naming two
of them), check-ins, exercise mappings, a watched folder, import history. A coach of Ana and Ben and an
athlete account for Ana must never meet Cara (or, for Ana, Ben) in anything a read returns, and nothing they
may not do can change what is stored.
"""

from __future__ import annotations

import datetime as dt
import inspect
from datetime import UTC, datetime

import duckdb
import pandas as pd
import pytest
from conftest import ADMIN
from fit_fixtures import Stretch, run_file

from analysis import check_in as ci
from analysis.access import AccessDenied, Viewer, verified_email
from analysis.export import store_tables
from analysis.ingest.pipeline import ingest
from analysis.store import SCHEMA_VERSION, STORE_FILE, VIEWERLESS_METHODS, Store

COACH = Viewer.account("coach@club.org", "coach", ["Ana", "Ben"])
ANA = Viewer.account("ana@club.org", "athlete", ["Ana"])
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def a_run(day: int, hour: int = 6) -> bytes:
    start = datetime(2026, 3, day, hour, 30, tzinfo=UTC)
    return run_file([Stretch(1200, 3.0), Stretch(1200, 2.8, 84.0, 158)], start=start)


def club_csv(rows: list[str]) -> bytes:
    return ("date,athlete,session_type,exercise,sets,reps,back_soreness\n" + "\n".join(rows) + "\n").encode()


@pytest.fixture
def club(tmp_path):
    """Ana, Ben and Cara with something of every kind stored."""
    with Store(tmp_path / "store") as store:
        for name, day in (("Ana", 2), ("Ben", 3), ("Cara", 4)):
            report = ingest([(f"{name.lower()}-run.fit", a_run(day)),
                             (f"{name.lower()}.csv", club_csv([f"2026-03-0{day},{name},core,Zorblat,3,10,2"]))],
                            athlete=name, store=store, viewer=ADMIN, workers=0)
            assert set(report["status"]) == {"imported"}, report[["file", "reason"]]
            store.map_exercise(ADMIN, f"{name} special", "hip", athlete=name)
            run_id = store.runs(ADMIN, [name])["run_id"].iloc[0]
            ci.save_check_in(store, ADMIN, ci.CheckIn(name, dt.date(2026, 3, day), 3, note=f"{name}'s back",
                                                      runs=(ci.RunAnswer(run_id, 5),)), now=NOW)
        # a coach's file naming Ben and Cara, imported under Ben
        report = ingest([("club.csv", club_csv(["2026-03-10,Ben,core,Plank,3,,", "2026-03-10,Cara,core,Plank,3,,"]))],
                        athlete="Ben", store=store, viewer=ADMIN, workers=0)
        assert list(report["status"]) == ["imported"]
        store.watch_folder(ADMIN, str(tmp_path), "Cara")
        store.map_exercise(ADMIN, "club special", "core")
        yield store


def public_methods() -> dict[str, object]:
    return {name: member for name, member in vars(Store).items()
            if not name.startswith("_") and callable(member) and not isinstance(member, (staticmethod, classmethod))}


def test_every_store_read_and_write_takes_a_viewer_first():
    """A Store method a page could call without a viewer fails this test (the three exemptions show no data)."""
    missing = []
    for name, method in public_methods().items():
        if name in VIEWERLESS_METHODS:
            continue
        params = list(inspect.signature(inspect.unwrap(method)).parameters.values())
        if len(params) < 2 or params[1].name != "viewer" or params[1].default is not inspect.Parameter.empty:
            missing.append(name)
    assert not missing, f"Store methods without a required viewer first: {missing}"
    assert set(VIEWERLESS_METHODS) == {"close", "data_version", "account"}


def test_a_store_method_called_without_a_viewer_refuses_to_run(club):
    version = club.data_version()
    for name in public_methods():
        if name in VIEWERLESS_METHODS:
            continue
        with pytest.raises(TypeError, match=f"Store.{name} needs a Viewer"):
            getattr(club, name)(None)
        with pytest.raises(TypeError, match="needs a Viewer"):
            getattr(club, name)("Ana")  # an athlete's name is not a viewer either
    assert club.data_version() == version


def every_read(store: Store, viewer: Viewer) -> dict[str, object]:
    """What each read method gives this viewer (the store's whole reading surface, by name)."""
    runs = store.runs(ADMIN)
    cara_run = runs.loc[runs["athlete"] == "Cara", "run_id"].iloc[0]
    cara_check_in = store.check_in_tables(ADMIN, ["Cara"])[0]["check_in_id"].iloc[0]
    return {
        "athletes": store.athletes(viewer), "runs": store.runs(viewer), "runs named": store.runs(viewer, ["Cara"]),
        "strength_log": store.strength_log(viewer), "strength_log named": store.strength_log(viewer, ["Cara"]),
        "exercise_mappings": store.exercise_mappings(viewer),
        "unrecognised_exercises": store.unrecognised_exercises(viewer),
        "strength_files": store.strength_files(viewer), "imports": store.imports(viewer),
        "check_in_tables": store.check_in_tables(viewer),
        "check-in by id": store.check_in_tables(viewer, check_in_id=cara_check_in),
        "watched_folders": store.watched_folders(viewer),
        "watch_imports": store.watch_imports(viewer, datetime(2000, 1, 1, tzinfo=UTC)),
        "athlete_samples": store.athlete_samples(viewer, "Cara"), "samples": store.samples(viewer, cara_run),
        "status": store.status(viewer), "offset": store.athlete_utc_offset_s(viewer, "Cara"),
        "exports": store_tables(store, viewer),
    }


def text_of(value: object) -> str:
    if isinstance(value, pd.DataFrame):
        return value.astype(str).to_csv()
    if isinstance(value, (tuple, list)):
        return " ".join(text_of(v) for v in value)
    if isinstance(value, dict):
        return " ".join(f"{k} {text_of(v)}" for k, v in value.items())
    return str(value)


@pytest.mark.parametrize("viewer, hidden", [(COACH, ("Cara",)), (ANA, ("Ben", "Cara"))], ids=["coach", "athlete"])
def test_no_read_returns_an_athlete_the_viewer_does_not_see(club, viewer, hidden):
    for name, value in every_read(club, viewer).items():
        text = text_of(value)
        for other in hidden:
            assert other not in text, f"{name} shows {other} to {viewer.email}"
    reads = every_read(club, viewer)
    assert sorted(reads["athletes"]["athlete"]) == sorted(viewer.athletes)
    assert sorted(reads["runs"]["athlete"].unique()) == sorted(viewer.athletes)
    assert reads["status"].athletes == len(viewer.athletes) and reads["status"].runs == len(viewer.athletes)
    assert reads["samples"].empty and reads["athlete_samples"].empty and reads["offset"] is None
    assert reads["watched_folders"].empty  # Cara's folder
    assert len(reads["check_in_tables"][0]) == len(viewer.athletes) and reads["check-in by id"][0].empty
    mappings = reads["exercise_mappings"]
    assert set(mappings["exercise"]) == {"club special", *(f"{a} special" for a in viewer.athletes)}


def test_the_admin_reads_everything(club):
    reads = every_read(club, ADMIN)
    assert list(reads["athletes"]["athlete"]) == ["Ana", "Ben", "Cara"]
    assert len(reads["samples"]) > 0 and len(reads["watched_folders"]) == 1


def test_a_coachs_file_is_listed_only_by_the_entries_the_viewer_sees(club):
    files = club.strength_files(COACH).set_index("file_name")
    assert files.loc["club.csv", "athlete"] == "Ben" and files.loc["club.csv", "entries"] == 1
    assert "club.csv" not in set(club.strength_files(ANA)["file_name"])
    assert club.strength_files(ADMIN).set_index("file_name").loc["club.csv", "athlete"] == "Ben, Cara"


def test_a_run_the_viewer_does_not_see_is_not_there(club):
    cara_run = club.runs(ADMIN, ["Cara"])["run_id"].iloc[0]
    with pytest.raises(KeyError):
        club.activity(COACH, cara_run)
    assert club.activity(ADMIN, cara_run).file_sha256 == cara_run


def contents(store: Store) -> dict[str, pd.DataFrame]:
    cur = store._cursor()
    return {t: cur.execute(f"SELECT * EXCLUDE (imported_at) FROM {t}" if t == "imports" else f"SELECT * FROM {t}").df()
            for t in ("athletes", "runs", "strength_log", "strength_files", "check_ins", "check_in_runs",
                      "exercise_mappings", "watched_folders", "users", "imports")}


def assert_unchanged(store: Store, before: dict[str, pd.DataFrame]) -> None:
    for table, frame in contents(store).items():
        pd.testing.assert_frame_equal(frame, before[table], obj=table)


def test_writes_outside_the_viewers_athletes_are_refused_and_change_nothing(club, tmp_path):
    before = contents(club)
    cara_run = club.runs(ADMIN, ["Cara"])["run_id"].iloc[0]
    cara_check_in = club.check_in_tables(ADMIN, ["Cara"])[0]["check_in_id"].iloc[0]
    refused = [
        lambda: ingest([("x.fit", a_run(12))], athlete="Cara", store=club, viewer=COACH, workers=0),
        lambda: ingest([("x.fit", a_run(12))], athlete="Ben", store=club, viewer=ANA, workers=0),
        lambda: ingest([("x.fit", a_run(12))], athlete="Dora", store=club, viewer=COACH, workers=0),  # not in squad
        lambda: ci.save_check_in(club, COACH, ci.CheckIn("Cara", dt.date(2026, 3, 4), 5), now=NOW),
        lambda: ci.save_check_in(club, ANA, ci.CheckIn("Ben", dt.date(2026, 3, 3), 5), now=NOW, new_athlete=True),
        lambda: club.map_exercise(COACH, "wibble", "core"),  # the whole club's: an admin's
        lambda: club.map_exercise(ANA, "wibble", "core", athlete="Ben"),
        lambda: club.unmap_exercise(COACH, "club special"),
        lambda: club.unmap_exercise(COACH, "Cara special", athlete="Cara"),
        lambda: club.remove_run(COACH, cara_run), lambda: club.remove_runs(ANA, [cara_run]),
        lambda: club.remove_athlete(COACH, "Ana"), lambda: club.remove_sample_club(COACH),
        lambda: club.remove_strength_file(COACH, "x"), lambda: club.set_plan(COACH, {"core": 3}),
        lambda: club.set_privacy_radius_m(ANA, 0), lambda: club.set_metric_settings(COACH),
        lambda: club.recompute(ANA), lambda: club.watch_folder(COACH, str(tmp_path), "Ana"),
        lambda: club.unwatch_folder(COACH, str(tmp_path)), lambda: club.users(COACH),
        lambda: club.add_user(COACH, "x@club.org", "admin"), lambda: club.remove_user(ANA, "coach@club.org"),
        lambda: club.record_watched_files(COACH, str(tmp_path), [("a.fit", 1, 1)], "b"),
        lambda: club.mark_sample_club_loaded(COACH),
        lambda: club.write_check_in(COACH, cara_check_in, "Ana", dt.date(2026, 3, 2), note=None,
                                    entries=pd.DataFrame(), ratings=()),  # taking over Cara's check-in
    ]
    for attempt in refused:
        with pytest.raises(AccessDenied):
            attempt()
    assert club.delete_check_in(COACH, cara_check_in) is False  # not theirs: as if it did not exist
    assert_unchanged(club, before)


def test_a_strength_file_naming_someone_else_is_refused_whole(club):
    before = contents(club)
    report = ingest([("mine.csv", club_csv(["2026-03-11,Ana,core,Plank,3,,", "2026-03-11,Ben,core,Plank,3,,"]))],
                    athlete="Ana", store=club, viewer=ANA, workers=0)
    [row] = report.to_dict("records")
    assert row["status"] == "failed" and "may not import for (Ben" in row["reason"]
    after = contents(club)
    assert len(after["imports"]) == len(before["imports"]) + 1  # the refusal is in the history, nothing else
    for table in ("strength_log", "strength_files", "athletes"):
        pd.testing.assert_frame_equal(after[table], before[table], obj=table)


def test_a_duplicate_of_someone_elses_file_does_not_name_them(club):
    report = ingest([("copy.fit", a_run(4))], athlete="Ana", store=club, viewer=ANA, workers=0)  # Cara's run
    [row] = report.to_dict("records")
    assert row["status"] == "duplicate" and "Cara" not in row["reason"] and "another athlete" in row["reason"]
    report = ingest([("copy.csv", club_csv(["2026-03-04,Cara,core,Zorblat,3,10,2"]))], athlete="Ana", store=club,
                    viewer=ANA, workers=0)  # the very bytes of Cara's file
    assert "cara" not in report["reason"].iloc[0].lower()


def test_what_the_viewer_may_do_works_and_the_history_says_who(club):
    report = ingest([("new.fit", a_run(14))], athlete="Ana", store=club, viewer=ANA, workers=0)
    assert list(report["status"]) == ["imported"]
    saved = ci.save_check_in(club, COACH, ci.CheckIn("Ben", dt.date(2026, 3, 3), 6), now=NOW)
    assert ci.stored_check_in(club, COACH, saved.check_in_id) is not None
    assert ci.stored_check_in(club, ANA, saved.check_in_id) is None  # Ben's
    club.map_exercise(ANA, "my wobble", "hip", athlete="Ana")
    history = club.imports(ADMIN)
    assert history.loc[history["file"] == "new.fit", "imported_by"].tolist() == ["ana@club.org"]
    assert set(history.loc[history["file"] == "ana-run.fit", "imported_by"]) == {"tests"}
    # a squad member with no data yet: the coach's first import creates them
    ingest([("dora.fit", a_run(15))], athlete="Dora", store=club, viewer=Viewer.account("c2@club.org", "coach",
                                                                                     ["Dora"]), workers=0)
    assert "Dora" in set(club.athletes(ADMIN)["athlete"])


def test_accounts_come_from_the_store_and_the_secrets_admins(club):
    assert club.account("nobody@club.org") is None
    assert club.account("Boss@Club.org ", admins=["boss@club.org"]) == Viewer.account("boss@club.org", "admin")
    club.add_user(ADMIN, "Ana@Club.org", "athlete", ["ana"])  # spelled as the store spells her
    club.add_user(ADMIN, "coach@club.org", "coach", ["ben", "Ana", "Zed"])
    assert club.account("ana@club.org") == ANA
    assert club.account("COACH@club.org").athletes == ("Ana", "Ben", "Zed")
    club.add_user(ADMIN, "coach@club.org", "coach", ["Ana"])  # a change replaces the account
    assert club.account("coach@club.org").athletes == ("Ana",)
    assert club.remove_user(ADMIN, "coach@club.org") is True and club.account("coach@club.org") is None
    assert club.remove_user(ADMIN, "coach@club.org") is False
    for role, names, message in (("athlete", [], "exactly one"), ("athlete", ["Ana", "Ben"], "exactly one"),
                                 ("coach", [], "needs a squad"), ("admin", ["Ana"], "give no athletes"),
                                 ("owner", [], "use one of")):
        with pytest.raises(ValueError, match=message):
            club.add_user(ADMIN, "x@club.org", role, names)
    with pytest.raises(ValueError, match="not an e-mail address"):
        club.add_user(ADMIN, "not an address", "admin")
    assert set(club.users(ADMIN)["email"]) == {"ana@club.org"}


@pytest.mark.parametrize("claims, expected", [
    ({"email": "Ana@Club.org", "email_verified": True}, "ana@club.org"),
    ({"email": "ana@club.org"}, "ana@club.org"),  # a provider that never sends the claim (Entra ID)
    ({"email": "ana@club.org", "email_verified": False}, None),
    ({"email": "ana@club.org", "email_verified": "false"}, None),
    ({"sub": "123"}, None), ({"email": ""}, None), ({"email": "not-an-address"}, None),
])
def test_only_a_verified_email_identifies_a_login(claims, expected):
    assert verified_email(claims) == expected


def test_a_viewer_is_one_cache_key_whatever_the_order_of_its_athletes():
    assert Viewer.account("c@club.org", "coach", ["Ben", "Ana"]) == Viewer.account("c@club.org", "coach",
                                                                                   ["Ana", " Ben "])
    assert hash(Viewer.account("c@club.org", "coach", ["Ben", "Ana"])) == hash(COACH.__class__(
        "coach", ("Ana", "Ben"), "c@club.org"))
    with pytest.raises(ValueError):
        Viewer("coach", None)  # a coach sees a list, never everyone
    with pytest.raises(ValueError):
        Viewer("admin", ("Ana",))


def test_a_version_4_store_gets_accounts_on_open(club):
    directory = club.directory
    club.close()
    con = duckdb.connect(str(directory / STORE_FILE))  # make it the store schema 4 wrote
    con.execute("DROP TABLE users")
    con.execute("ALTER TABLE imports DROP COLUMN imported_by")
    con.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    con.close()
    with Store(directory) as store:
        assert store._meta("schema_version") == str(SCHEMA_VERSION) == "5"
        assert store.imports(ADMIN)["imported_by"].isna().all()  # nobody recorded who imported before
        assert len(store.runs(ADMIN)) == 3 and store.users(ADMIN).empty
        store.add_user(ADMIN, "ana@club.org", "athlete", ["Ana"])
        assert store.account("ana@club.org") == ANA
