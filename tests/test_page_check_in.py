"""AppTest of the Check-in page on the sample club, with one run of Ana's today that her watch rated: a check-in
through the page (soreness, quick picks, free text, the run's effort and feel) is stored as strength-log rows
and replaces the watch's answer; edit replaces it, delete brings the watch's answer back; bad values and unknown
names are refused with save_check_in's message and nothing stored; "as usual" fills in the last exercises."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from app_harness import assert_no_exception, open_app
from conftest import ADMIN
from fit_fixtures import Stretch, run_file

from analysis import check_in as ci
from analysis.errors import InputError
from analysis.ingest.pipeline import ingest
from analysis.store import Store

PAGE = "app_pages/check_in.py"
WATCH_EFFORT, WATCH_FEEL = 6.0, 50.0


@pytest.fixture
def store_with_run_today(store_copy):
    """The sample club plus a run of Ana's that started 3 hours ago, rated by her watch (effort 6, feel 50).

    The watch's answer is written straight into the runs table (what the FIT reader stores from a Garmin
    self-evaluation), so this test does not depend on the FIT decoder reading it.
    """
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    fit = run_file([Stretch(900, 3.0), Stretch(900, 3.1)], start=start, utc_offset_s=3600)
    with Store(store_copy) as store:
        report = ingest([("today.fit", fit)], athlete="Ana", store=store, viewer=ADMIN, workers=0)
        assert list(report["status"]) == ["imported"]
        run = store.runs(ADMIN, ["Ana"]).sort_values("start_time").iloc[-1]
        with store._transaction() as tx:
            tx.execute("UPDATE runs SET watch_perceived_effort = ?, watch_feel = ?, perceived_effort = ?, feel = ?, "
                       "effort_source = 'watch' WHERE run_id = ?",
                       [WATCH_EFFORT, WATCH_FEEL, WATCH_EFFORT, WATCH_FEEL, run["run_id"]])
    return store_copy, run["run_id"], pd.Timestamp(run["local_date"]).date()


def check_in_page(store_dir, monkeypatch, athlete: str = "Ana"):
    at = open_app(store_dir, monkeypatch, page=PAGE)
    at.session_state["athlete"] = athlete  # after switch_page AppTest no longer sends the sidebar's values
    at.run()
    assert_no_exception(at)
    assert at.title[0].value == "Check-in"
    return at


def run_again(at):
    at.run()
    assert_no_exception(at)
    return at


def texts(elements) -> str:
    """The elements' text without the page's markdown escapes and bold marks."""
    return "\n".join(e.value for e in elements).replace("\\", "").replace("**", "")


def check_in_rows(store_dir, athlete: str = "Ana") -> pd.DataFrame:
    with Store(store_dir) as store:
        log = store.strength_log(ADMIN, [athlete])
    return log[log["source_format"] == "check_in"].reset_index(drop=True)


def stored_run(store_dir, run_id: str) -> pd.Series:
    with Store(store_dir) as store:
        return store.runs(ADMIN).set_index("run_id").loc[run_id]


def ana_today(store_dir) -> dt.date:
    with Store(store_dir) as store:
        return ci.athlete_today(store, ADMIN, "Ana")


def version(store_dir) -> int:
    with Store(store_dir) as store:
        return store.data_version()


def test_a_check_in_through_the_page_is_stored_and_replaces_the_watchs_answer(store_with_run_today, monkeypatch):
    store_dir, run_id, day = store_with_run_today
    with Store(store_dir) as store:
        store.map_exercise(ADMIN, "Quinzel wobble", "core", athlete="Ana")  # the athlete's own name for an exercise
    at = check_in_page(store_dir, monkeypatch)
    at.date_input(key="check_in_date").set_value(day)
    at.segmented_control(key="check_in_soreness").set_value(4)
    at.pills(key="check_in_picks").set_value(["Dead bug", "Side plank"])
    run_again(at)
    # each pick gets its usual dose, which can be changed
    assert at.number_input(key="check_in_sets_dead_bug").value == 3
    assert at.number_input(key="check_in_reps_dead_bug").value == 10
    assert at.number_input(key="check_in_seconds_side_plank").value == 30
    at.number_input(key="check_in_reps_dead_bug").set_value(12)
    at.text_area(key="check_in_other_text").input("Copenhagen plank 3x20s\nQuinzel wobble 2x8\nFoam rolling")
    run_again(at)
    shown = texts(at.markdown)
    assert "Copenhagen plank: 3 × 20 s, stored as hip" in shown  # the taxonomy's type
    assert "Quinzel wobble: 2 × 8, stored as core" in shown  # Ana's own mapping
    assert "Foam rolling: 1 set, stored as mobility" in shown
    # the run of the day, with the watch's answer and what a check-in does to it
    assert "The watch says effort 6/10" in texts(at.caption) and "replaces it" in texts(at.caption)
    at.segmented_control(key=f"check_in_effort_{run_id}").set_value(7.0)
    at.segmented_control(key=f"check_in_feel_{run_id}").set_value(75.0)
    run_again(at)
    assert "Effort 7 / 10: very strong." in texts(at.markdown)
    assert "Feel 75 / 100: strong." in texts(at.markdown)

    at.button(key="check_in_save").click()
    run_again(at)
    assert not at.error
    assert f"Saved Ana's check-in of {day:%Y-%m-%d}: back soreness 4/10; Dead bug 3 × 12 (core)" in texts(at.success)
    assert "replaces the watch's (effort 6/10, feel 50/100)" in texts(at.info)

    rows = check_in_rows(store_dir)
    assert list(rows["date"].dt.date.unique()) == [day]
    assert list(rows["back_soreness"].dropna()) == [4.0]
    exercises = rows[rows["exercise"].notna()]
    assert list(exercises["exercise"]) == ["Dead bug", "Side plank", "Copenhagen plank", "Quinzel wobble",
                                           "Foam rolling"]
    assert list(exercises["session_type"]) == ["core", "core", "hip", "core", "mobility"]
    assert list(exercises["sets"]) == [3, 3, 3, 2, 1]
    assert list(exercises["reps"].fillna(0)) == [12, 0, 0, 8, 0]
    assert list(exercises["duration_min"].fillna(0) * 60) == pytest.approx([0, 30, 20, 0, 0])
    run = stored_run(store_dir, run_id)
    assert (run["perceived_effort"], run["feel"], run["effort_source"]) == (7.0, 75.0, "check-in")
    assert (run["watch_perceived_effort"], run["watch_feel"]) == (WATCH_EFFORT, WATCH_FEEL)  # kept

    # the form is empty again, and the check-in is listed with its summary
    assert at.segmented_control(key="check_in_soreness").value is None
    assert at.pills(key="check_in_picks").value == []
    assert at.text_area(key="check_in_other_text").value == ""
    assert at.date_input(key="check_in_date").value == ana_today(store_dir)
    at.date_input(key="check_in_date").set_value(day)  # the run's day again (it may be yesterday near midnight)
    run_again(at)
    assert at.segmented_control(key=f"check_in_effort_{run_id}").value is None
    [entry] = [b.key for b in at.button if (b.key or "").startswith("check_in_edit_")]
    assert "back soreness 4/10; Dead bug 3 × 12 (core); Side plank 3 × 30 s (core)" in texts(at.markdown)
    assert "Already rated in another check-in" in texts(at.caption)  # the run now says where its answer is from


def saved_with_api(store_dir, day: dt.date, **fields) -> str:
    with Store(store_dir) as store:
        return ci.save_check_in(store, ADMIN, ci.CheckIn("Ana", day, **fields)).check_in_id


def test_edit_loads_the_check_in_and_save_replaces_it(store_with_run_today, monkeypatch):
    store_dir, run_id, day = store_with_run_today
    first = saved_with_api(store_dir, day, back_soreness=3, note="stiff",
                           exercises=(ci.ExerciseDone("Plank", 3, None, 45), ci.ExerciseDone("Nordic curl", 3, 6)),
                           runs=(ci.RunAnswer(run_id, 5.0, None),))
    at = check_in_page(store_dir, monkeypatch)
    at.button(key=f"check_in_edit_{first}").click()
    run_again(at)
    assert at.session_state["check_in_editing"] == first
    assert at.date_input(key="check_in_date").value == day
    assert at.segmented_control(key="check_in_soreness").value == 3
    assert at.text_input(key="check_in_note").value == "stiff"
    assert at.pills(key="check_in_picks").value == ["Plank"]
    assert at.number_input(key="check_in_seconds_plank").value == 45
    assert at.text_area(key="check_in_other_text").value == "Nordic curl 3x6"
    assert at.segmented_control(key=f"check_in_effort_{run_id}").value == 5.0
    assert at.segmented_control(key=f"check_in_feel_{run_id}").value is None
    assert "Editing Ana's check-in" in texts(at.info)
    assert [b.label for b in at.button if b.key == "check_in_save"] == ["Save changes"]

    at.segmented_control(key="check_in_soreness").set_value(6)
    run_again(at)
    at.button(key="check_in_save").click()
    run_again(at)
    assert not at.error
    assert "Replaced Ana's check-in" in texts(at.success)
    with Store(store_dir) as store:
        listed = ci.recent_check_ins(store, ADMIN, ["Ana"], days=None)
    assert [c.check_in_id for c in listed] == [first]  # still one check-in, the same id
    rows = check_in_rows(store_dir)
    assert list(rows["back_soreness"].dropna()) == [6.0]
    assert list(rows["exercise"].dropna()) == ["Plank", "Nordic curl"]
    assert stored_run(store_dir, run_id)["perceived_effort"] == 5.0
    assert "check_in_editing" not in at.session_state  # back to a new check-in
    assert [b.label for b in at.button if b.key == "check_in_save"] == ["Save the check-in"]


def test_cancel_edit_changes_nothing(store_with_run_today, monkeypatch):
    store_dir, run_id, day = store_with_run_today
    first = saved_with_api(store_dir, day, back_soreness=3)
    at = check_in_page(store_dir, monkeypatch)
    at.button(key=f"check_in_edit_{first}").click()
    run_again(at)
    before = version(store_dir)
    at.segmented_control(key="check_in_soreness").set_value(9)
    run_again(at)
    at.button(key="check_in_cancel_edit").click()
    run_again(at)
    assert "Edit cancelled" in texts(at.success)
    assert at.segmented_control(key="check_in_soreness").value is None
    assert version(store_dir) == before
    assert list(check_in_rows(store_dir)["back_soreness"].dropna()) == [3.0]


def test_delete_asks_first_then_removes_it_and_the_watchs_answer_comes_back(store_with_run_today, monkeypatch):
    store_dir, run_id, day = store_with_run_today
    first = saved_with_api(store_dir, day, back_soreness=2, exercises=(ci.ExerciseDone("Dead bug", 3, 10),),
                           runs=(ci.RunAnswer(run_id, 8.0, 25.0),))
    assert stored_run(store_dir, run_id)["effort_source"] == "check-in"
    at = check_in_page(store_dir, monkeypatch)
    at.button(key=f"check_in_delete_{first}").click()
    run_again(at)
    assert "Delete this check-in?" in at.warning[0].value
    at.button(key=f"check_in_delete_no_{first}").click()  # keep it: nothing happens
    run_again(at)
    assert not at.warning and len(check_in_rows(store_dir)) == 2

    at.button(key=f"check_in_delete_{first}").click()
    run_again(at)
    at.button(key=f"check_in_delete_yes_{first}").click()
    run_again(at)
    assert f"Deleted Ana's check-in of {day:%Y-%m-%d}" in texts(at.success)
    with Store(store_dir) as store:
        assert ci.stored_check_in(store, ADMIN, first) is None
    assert check_in_rows(store_dir).empty
    run = stored_run(store_dir, run_id)
    assert (run["perceived_effort"], run["feel"], run["effort_source"]) == (WATCH_EFFORT, WATCH_FEEL, "watch")
    assert not [b for b in at.button if (b.key or "").startswith("check_in_edit_")]
    assert "No check-ins of Ana from" in texts(at.caption)


def test_bad_values_show_save_check_ins_message_and_store_nothing(store_with_run_today, monkeypatch):
    store_dir, run_id, day = store_with_run_today
    at = check_in_page(store_dir, monkeypatch)
    before = version(store_dir)

    at.button(key="check_in_save").click()  # nothing given
    run_again(at)
    assert "Not saved: an empty check-in" in texts(at.error)

    at.segmented_control(key="check_in_soreness").set_value(2)
    at.text_area(key="check_in_other_text").input("Dead bug 0x10")
    run_again(at)
    at.button(key="check_in_save").click()
    run_again(at)
    assert "exercise 'Dead bug' sets 0: expected a whole number from 1 to 50" in texts(at.error)
    assert at.segmented_control(key="check_in_soreness").value == 2  # the form keeps what was typed
    assert version(store_dir) == before and check_in_rows(store_dir).empty

    at.text_area(key="check_in_other_text").input("Dead bug 3x10\nPlank: three")  # a dose that does not read
    run_again(at)
    assert "Line 2: exercise 'Plank: three': 'three' is not a dose" in texts(at.error)
    assert at.button(key="check_in_save").disabled  # nothing is saved with a line dropped unseen
    assert version(store_dir) == before and check_in_rows(store_dir).empty


def test_the_date_can_not_be_later_than_the_athletes_today(store_with_run_today, monkeypatch):
    store_dir, _, _ = store_with_run_today
    at = check_in_page(store_dir, monkeypatch)
    with Store(store_dir) as store:
        latest, today = ci.latest_allowed_date(store, ADMIN, "Ana"), ci.athlete_today(store, ADMIN, "Ana")
    date = at.date_input(key="check_in_date")
    assert date.value == today and date.max == latest
    before = version(store_dir)
    with Store(store_dir) as store, pytest.raises(InputError, match="in the future"):
        ci.save_check_in(store, ADMIN, ci.CheckIn("Ana", latest + dt.timedelta(days=1), back_soreness=1))
    assert version(store_dir) == before


def test_an_unknown_name_is_refused_unless_added_as_a_new_athlete(store_with_run_today, monkeypatch):
    store_dir, _, _ = store_with_run_today
    at = check_in_page(store_dir, monkeypatch)
    at.toggle(key="check_in_type_name").set_value(True)
    run_again(at)
    at.text_input(key="check_in_name").input("ana")  # a stored athlete, however typed
    run_again(at)
    assert "Ana is in the store" in texts(at.caption)
    assert not [t for t in at.toggle if t.key == "check_in_new_athlete"]

    at.text_input(key="check_in_name").input("Zed Newcomer")
    at.segmented_control(key="check_in_soreness").set_value(2)
    run_again(at)
    assert "Nobody called Zed Newcomer is in the store" in texts(at.caption)
    before = version(store_dir)
    at.button(key="check_in_save").click()
    run_again(at)
    assert "athlete 'Zed Newcomer': not in the store" in texts(at.error)
    with Store(store_dir) as store:
        assert "Zed Newcomer" not in set(store.athletes(ADMIN)["athlete"])
    assert version(store_dir) == before

    at.toggle(key="check_in_new_athlete").set_value(True)
    run_again(at)
    at.button(key="check_in_save").click()
    run_again(at)
    assert not at.error
    assert "added a new athlete, Zed Newcomer" in texts(at.info)
    with Store(store_dir) as store:
        assert "Zed Newcomer" in set(store.athletes(ADMIN)["athlete"])
    assert list(check_in_rows(store_dir, "Zed Newcomer")["back_soreness"]) == [2.0]
    assert at.session_state["athlete"] == "Zed Newcomer"  # the sidebar follows the new athlete
    assert at.toggle(key="check_in_type_name").value is False  # the form is empty again


def test_as_usual_fills_in_the_last_exercises(store_with_run_today, monkeypatch):
    store_dir, _, _ = store_with_run_today
    at = check_in_page(store_dir, monkeypatch)
    [usual] = [b for b in at.button if b.key == "check_in_as_usual"]
    assert usual.disabled and "needs an earlier check-in with exercises" in texts(at.caption)

    with Store(store_dir) as store:
        yesterday = ci.athlete_today(store, ADMIN, "Ana") - dt.timedelta(days=1)
    done = (ci.ExerciseDone("Dead bug", 3, 10), ci.ExerciseDone("Plank", 2, None, 45.0),
            ci.ExerciseDone("Copenhagen plank", 2, None, 20.0), ci.ExerciseDone("Quinzel wobble", 3))
    saved_with_api(store_dir, yesterday, exercises=done)
    at = check_in_page(store_dir, monkeypatch)
    [usual] = [b for b in at.button if b.key == "check_in_as_usual"]
    assert not usual.disabled
    usual.click()
    run_again(at)
    assert at.pills(key="check_in_picks").value == ["Dead bug", "Plank"]
    assert at.number_input(key="check_in_sets_plank").value == 2
    assert at.number_input(key="check_in_seconds_plank").value == 45
    assert at.text_area(key="check_in_other_text").value == "Copenhagen plank 2x20s\nQuinzel wobble 3 sets"
    at.button(key="check_in_save").click()
    run_again(at)
    assert not at.error
    with Store(store_dir) as store:
        latest = ci.recent_check_ins(store, ADMIN, ["Ana"], days=None)[0].check_in
        today = ci.athlete_today(store, ADMIN, "Ana")
    assert latest.date == today and latest.exercises == done


def test_a_day_without_runs_says_so(store_with_run_today, monkeypatch):
    store_dir, _, day = store_with_run_today
    at = check_in_page(store_dir, monkeypatch)
    at.date_input(key="check_in_date").set_value(day - dt.timedelta(days=400))
    run_again(at)
    assert "No runs of Ana on" in at.info[0].value and "nothing to rate" in at.info[0].value
    assert not [b for b in at.button_group if (b.key or "").startswith("check_in_effort_")]


def test_a_check_in_from_the_command_line_with_values_between_the_buttons_can_be_edited(store_with_run_today,
                                                                                         monkeypatch):
    store_dir, run_id, day = store_with_run_today
    first = saved_with_api(store_dir, day, back_soreness=3.5, runs=(ci.RunAnswer(run_id, 6.5, 60.0),))
    at = check_in_page(store_dir, monkeypatch)
    at.button(key=f"check_in_edit_{first}").click()
    run_again(at)
    assert at.segmented_control(key="check_in_soreness").value == 3.5
    assert at.segmented_control(key=f"check_in_effort_{run_id}").value == 6.5
    assert at.segmented_control(key=f"check_in_feel_{run_id}").value == 60.0
    assert "Feel 60 / 100: normal." in texts(at.markdown)
    at.button(key="check_in_save").click()
    run_again(at)
    assert not at.error
    run = stored_run(store_dir, run_id)
    assert (run["perceived_effort"], run["feel"]) == (6.5, 60.0)


def test_on_an_empty_store_the_first_athlete_is_typed_in(tmp_path, monkeypatch):
    store_dir = tmp_path / "empty"
    with Store(store_dir) as store:
        store.mark_sample_club_loaded(ADMIN)  # so the app does not load the sample club on its first start
    at = open_app(store_dir, monkeypatch, page=PAGE)
    assert "No athletes in the store yet: type the name of the first one." in texts(at.caption)
    assert not [t for t in at.toggle if t.key == "check_in_type_name"]
    assert [b.disabled for b in at.button if b.key == "check_in_save"] == [True]
    at.text_input(key="check_in_name").input("First Runner")
    run_again(at)
    at.toggle(key="check_in_new_athlete").set_value(True)
    at.segmented_control(key="check_in_soreness").set_value(0)
    run_again(at)
    assert "No runs of First Runner" in texts(at.info)
    at.button(key="check_in_save").click()
    run_again(at)
    assert not at.error
    assert list(check_in_rows(store_dir, "First Runner")["back_soreness"]) == [0.0]
    assert at.session_state["athlete"] == "First Runner"
