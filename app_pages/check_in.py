"""Check-in: what only the runner can say, logged on a phone where it happens: back soreness (0-10) with a note,
the strength work done (the program's exercises as quick picks, anything else as free text), and how each run of
the day felt (perceived effort, Borg CR10 0-10; feel 0-100 as Garmin's self-evaluation). Then the athlete's last
14 days of check-ins, each to edit or delete.

Thin page: `analysis.check_in` checks and stores (`save_check_in`, all or nothing, `InputError` naming the field
and its range), words come from `analysis.effort`. Every write moves `Store.data_version()`, so every page shows
it at once. One column, big tap targets (pills and segmented controls, no sliders), nothing needs hover.

The form's widgets have stable keys (`check_in_*`). A change that must reach widgets already drawn (the reset
after saving, loading a check-in to edit) is left in session state and applied at the top of the next run,
before any widget exists.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import streamlit as st

from analysis import check_in as ci
from analysis.access import Viewer
from analysis.effort import BORG_CR10_ANCHORS, FEEL_ANCHORS, effort_summary, effort_words, feel_words
from analysis.errors import InputError
from app_pages import _shared
from app_pages._shared import md

# widget keys (stable, so AppTest and a user's session can drive the page)
TYPE_NAME_KEY = "check_in_type_name"  # toggle: type the athlete's name instead of the sidebar's
NAME_KEY = "check_in_name"
NEW_ATHLETE_KEY = "check_in_new_athlete"  # toggle: add the typed (unknown) name as a new athlete
DATE_KEY = "check_in_date"
SORENESS_KEY = "check_in_soreness"
NOTE_KEY = "check_in_note"
PICKS_KEY = "check_in_picks"
SETS_KEY, REPS_KEY, SECONDS_KEY = "check_in_sets_", "check_in_reps_", "check_in_seconds_"  # + the pick's slug
OTHER_KEY = "check_in_other_text"
EFFORT_KEY, FEEL_KEY = "check_in_effort_", "check_in_feel_"  # + the run's id
AS_USUAL_KEY = "check_in_as_usual"
SAVE_KEY = "check_in_save"
CANCEL_KEY = "check_in_cancel_edit"
EDIT_KEY, DELETE_KEY = "check_in_edit_", "check_in_delete_"  # + the check-in's id
CONFIRM_KEY, KEEP_KEY = "check_in_delete_yes_", "check_in_delete_no_"
# page state (not widgets)
EDITING_KEY = "check_in_editing"  # the id of the check-in loaded into the form; Save replaces it
DELETING_KEY = "check_in_deleting"  # the id whose Delete waits for its confirmation
FLASH_KEY = "check_in_flash"  # (success line, messages) shown after the rerun that follows a change
RESET_KEY = "check_in_reset"  # empty the form at the top of the next run
LOAD_KEY = "check_in_load"  # load this check-in into the form at the top of the next run

EMPTY_FORM = {TYPE_NAME_KEY: False, NAME_KEY: "", NEW_ATHLETE_KEY: False, SORENESS_KEY: None, NOTE_KEY: "",
              PICKS_KEY: [], OTHER_KEY: ""}

PICKS = {p.name: p for p in ci.PROGRAM_EXERCISES}
SORENESS_OPTIONS = tuple(range(11))
EFFORT_OPTIONS = (0.0, 0.5, *(float(v) for v in range(1, 11)))  # Borg CR10, with its "just noticeable" 0.5
FEEL_OPTIONS = tuple(value for value, _ in FEEL_ANCHORS)  # 0, 25, 50, 75, 100
EFFORT_LEGEND = " · ".join(f"{value:g} {words}" for value, words in BORG_CR10_ANCHORS)
FEEL_LEGEND = " · ".join(f"{value:g} {words}" for value, words in FEEL_ANCHORS)

_BAD_LINES = "_check_in_bad_lines"  # a free-text line that does not read as an exercise


def slug(name: str) -> str:
    """"Side-lying leg raise" → "side_lying_leg_raise": the widget-key part of a quick pick."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def type_words(kind: str) -> str:
    if kind in ("core", "hip"):
        return f"{kind} (counts for the plan)"
    if kind == "other":
        return "other (not core or hip; give the name a session type on the Strength log page)"
    return kind


def options_with(options: tuple, value: object) -> list:
    """The options, plus a stored value that is not one of them (a check-in made on the command line)."""
    if value is None or value in options:
        return list(options)
    return sorted({*options, value})


@st.cache_data(show_spinner=False, max_entries=16)
def _recent(path: str, version: int, viewer: Viewer, athlete: str, today: dt.date) -> list[ci.StoredCheckIn]:
    return ci.recent_check_ins(_shared.get_store(), viewer, [athlete], today=today)


@st.cache_data(show_spinner=False, max_entries=16)
def _day_runs(path: str, version: int, viewer: Viewer, athlete: str, day: dt.date) -> pd.DataFrame:
    return ci.runs_of_day(_shared.get_store(), viewer, athlete, day)


@st.cache_data(show_spinner=False, max_entries=16)
def _usual(path: str, version: int, viewer: Viewer, athlete: str, before: dt.date) -> tuple[ci.ExerciseDone, ...]:
    return ci.last_exercises(_shared.get_store(), viewer, athlete, before=before)


@st.cache_data(show_spinner=False, max_entries=512)
def _session_type(path: str, version: int, viewer: Viewer, name: str, athlete: str | None) -> str:
    return _shared.get_store().session_type_of(viewer, name, athlete=athlete)


def session_type(name: str, athlete: str | None) -> str:
    """The session type the store will give this name (the athlete's mapping, the club's, or the taxonomy's)."""
    return _session_type(*_shared.cache_key(), name, athlete)


# --- changes applied before any widget is drawn ---------------------------------------------------------------


def clear_form() -> None:
    """Empty the form. Drawn widgets get explicit empty values (a key merely deleted would leave the browser
    showing the old choice); the dose inputs go with their picks, the date is set again by `choose_date`."""
    for key in list(st.session_state):
        if str(key).startswith((SETS_KEY, REPS_KEY, SECONDS_KEY)) or key in (DATE_KEY, EDITING_KEY, DELETING_KEY):
            del st.session_state[key]
        elif str(key).startswith((EFFORT_KEY, FEEL_KEY)):
            st.session_state[key] = None
    st.session_state.update({**EMPTY_FORM, PICKS_KEY: []})


def fill_exercises(exercises: tuple[ci.ExerciseDone, ...]) -> None:
    """Put exercises in the form: the program's as quick picks with their dose, the rest as free-text lines."""
    picks, lines = [], []
    for exercise in exercises:
        pick = PICKS.get(exercise.name)
        timed = pick is not None and pick.seconds_per_set is not None
        fits = pick is not None and pick.name not in picks and (
            exercise.seconds_per_set is not None if timed else exercise.reps is not None)
        if not fits:
            lines.append(ci.exercise_text(exercise))
            continue
        picks.append(pick.name)
        st.session_state[SETS_KEY + slug(pick.name)] = exercise.sets
        if timed:
            st.session_state[SECONDS_KEY + slug(pick.name)] = float(exercise.seconds_per_set)
        else:
            st.session_state[REPS_KEY + slug(pick.name)] = exercise.reps
    st.session_state[PICKS_KEY] = [name for name in PICKS if name in picks]
    st.session_state[OTHER_KEY] = "\n".join(lines)


def load_into_form(check_in_id: str) -> None:
    stored = ci.stored_check_in(_shared.get_store(), _shared.viewer(), check_in_id)
    clear_form()
    if stored is None:
        st.session_state[FLASH_KEY] = ("", ("That check-in is no longer in the store (deleted elsewhere).",))
        return
    c = stored.check_in
    st.session_state[EDITING_KEY] = check_in_id
    st.session_state[DATE_KEY] = c.date
    st.session_state[SORENESS_KEY] = c.back_soreness
    st.session_state[NOTE_KEY] = c.note
    fill_exercises(c.exercises)
    answers = {a.run_id: a for a in c.runs}
    for run_id in ci.runs_of_day(_shared.get_store(), _shared.viewer(), c.athlete, c.date)["run_id"]:
        answer = answers.get(run_id, ci.RunAnswer(run_id))
        st.session_state[EFFORT_KEY + run_id] = answer.perceived_effort
        st.session_state[FEEL_KEY + run_id] = answer.feel
    st.toast(f"{c.date:%Y-%m-%d} is in the form above: change it, then Save changes.", icon=":material/edit:")


def apply_pending() -> None:
    if st.session_state.pop(RESET_KEY, False):
        clear_form()
    load = st.session_state.pop(LOAD_KEY, None)
    if load is not None:
        load_into_form(load)


def flash(success: str, messages: tuple[str, ...] = (), *, reset: bool = True, **sidebar: str) -> None:
    """Rerun (emptying the form unless `reset` is False); then show `success` and `messages` by the Save button."""
    st.session_state[FLASH_KEY] = (success, tuple(messages))
    st.session_state[RESET_KEY] = reset
    if sidebar:
        st.session_state[_shared.PENDING_KEY] = dict(sidebar)
    st.rerun()


# --- the form's parts -------------------------------------------------------------------------------------------


def choose_athlete(names: list[str], editing: ci.StoredCheckIn | None) -> tuple[str | None, bool]:
    """(whose check-in, whether to add them as a new athlete): the sidebar's athlete, or a typed name."""
    if editing is not None:
        c = editing.check_in
        st.info(f"Editing **{md(c.athlete)}**'s check-in of {c.date:%Y-%m-%d}: Save replaces it.")
        if st.button("Cancel edit", key=CANCEL_KEY, icon=":material/close:", width="stretch"):
            flash("Edit cancelled: nothing changed.")
        return c.athlete, False
    viewer = _shared.viewer()
    if viewer.role == "athlete":
        # An athlete account checks in for its own athlete only; the first check-in of a new account adds them.
        (own,) = viewer.athletes
        stored = next((n for n in names if n.casefold() == own.casefold()), None)
        st.caption(f"For **{md(stored or own)}**.")
        return stored or own, stored is None
    typed = True
    if names:
        typed = st.toggle("Type a name instead (a new athlete, or someone else)" if viewer.is_admin
                          else "Type a name instead (someone of your squad not in the store yet)", key=TYPE_NAME_KEY)
        if not typed:
            athlete = _shared.selected_athlete()
            st.caption(f"For **{md(athlete)}** (change the athlete in the sidebar, or type a name).")
            return athlete, False
    else:
        st.caption("No athletes in the store yet: type the name of the first one.")
    name = " ".join(st.text_input("Athlete's name", key=NAME_KEY, max_chars=80, placeholder="e.g. Ana").split())
    if not name:
        return None, False
    twin = next((n for n in names if n.casefold() == name.casefold()), None)
    if twin is not None:
        st.caption(f"**{md(twin)}** is in the store: the check-in goes to {md(twin)}.")
        return twin, False
    if not viewer.sees(name):
        st.warning(f"Your account covers {md(', '.join(viewer.athletes or ()))}: you cannot check in for "
                   f"{md(name)}.")
        return None, False
    new = st.toggle(f"Add {md(name)} as a new athlete", key=NEW_ATHLETE_KEY)
    if not new:
        st.caption(f"Nobody called {md(name)} is in the store: check the spelling, or add them as a new athlete.")
    return name, new


def choose_date(athlete: str | None) -> dt.date:
    store = _shared.get_store()
    latest = ci.latest_allowed_date(store, _shared.viewer(), athlete) if athlete else dt.date.today()
    today = ci.athlete_today(store, _shared.viewer(), athlete) if athlete else dt.date.today()
    chosen = st.session_state.get(DATE_KEY)
    if not isinstance(chosen, dt.date) or chosen > latest:
        st.session_state[DATE_KEY] = min(today, latest)
    return st.date_input("Date", key=DATE_KEY, max_value=latest, min_value=latest - dt.timedelta(days=3650),
                         format="YYYY-MM-DD",
                         help="The day you are checking in for: today, or an earlier day (never a later one).")


def soreness_section() -> tuple[float | None, str]:
    st.subheader("Back soreness")
    value = st.session_state.get(SORENESS_KEY)
    soreness = st.segmented_control(
        "Back soreness today (0-10)", options_with(SORENESS_OPTIONS, value), key=SORENESS_KEY,
        format_func=lambda v: f"{v:g}", width="stretch")
    st.caption(f"0 = {ci.SORENESS_WORDS[0]}, 10 = {ci.SORENESS_WORDS[1]}. Optional: leave it unpicked to not "
               "report soreness (tap the chosen number again to clear it).")
    if soreness is not None:
        st.markdown(f"Back soreness: **{soreness:g} / 10**.")
    note = st.text_input("Note (optional)", key=NOTE_KEY, max_chars=ci.MAX_NOTE_CHARS,
                         placeholder="e.g. stiff after the long drive")
    return soreness, note


def strength_section(athlete: str | None, day: dt.date) -> list[ci.ExerciseDone]:
    st.subheader("Strength work done")
    usual = _usual(*_shared.cache_key(), athlete, day) if athlete else ()
    if st.button("Today's core session as usual", key=AS_USUAL_KEY, icon=":material/replay:", width="stretch",
                 disabled=not usual):
        fill_exercises(usual)  # the picks and the free text are drawn below: they take these values now
    if usual:
        st.caption("Fills in the exercises of your latest earlier check-in: "
                   + md(", ".join(f"{e.name} {e.dose()}" for e in usual)) + ".")
    else:
        st.caption("*As usual* needs an earlier check-in with exercises: "
                   f"{md(athlete) if athlete else 'this athlete'} has none before {day:%Y-%m-%d} yet.")

    picked = st.pills("The program's exercises (tap each one you did)", list(PICKS), selection_mode="multi",
                      key=PICKS_KEY, width="stretch")
    done = []
    for name in picked:
        pick = PICKS[name]
        key = slug(name)
        st.markdown(f"**{md(name)}** · {type_words(session_type(name, athlete))}")
        left, right = st.columns(2)
        st.session_state.setdefault(SETS_KEY + key, pick.sets)
        sets = left.number_input("Sets (count)", min_value=1, max_value=ci.MAX_SETS, step=1, key=SETS_KEY + key)
        if pick.seconds_per_set is not None:
            st.session_state.setdefault(SECONDS_KEY + key, float(pick.seconds_per_set))
            seconds = right.number_input("Hold per set (s)", min_value=1.0, max_value=ci.MAX_SECONDS_PER_SET,
                                         step=5.0, format="%g", key=SECONDS_KEY + key)
            done.append(ci.ExerciseDone(name, sets, None, seconds))
        else:
            st.session_state.setdefault(REPS_KEY + key, pick.reps)
            reps = right.number_input("Reps per set (reps)", min_value=1, max_value=ci.MAX_REPS, step=1,
                                      key=REPS_KEY + key)
            done.append(ci.ExerciseDone(name, sets, reps))

    text = st.text_area("Anything else (one exercise a line)", key=OTHER_KEY, height=100,
                        placeholder="Copenhagen plank 3x20s\nNordic curl 3x6\nFoam rolling")
    st.caption("Write `name`, `name 3x10` (sets × reps), `name 3x30s` (sets × seconds held) or `name 3 sets`.")
    st.session_state[_BAD_LINES] = False
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            exercise = ci.parse_exercise(line)
        except InputError as exc:
            st.session_state[_BAD_LINES] = True  # Save waits until the line reads (nothing dropped unseen)
            st.error(f"Line {n}: {md(exc)}")
            continue
        kind = session_type(exercise.name, athlete)
        st.markdown(f"- **{md(exercise.name)}**: {md(exercise.dose())}, stored as {md(type_words(kind))}")
        done.append(exercise)
    return done


def run_answer_text(run: dict, editing: ci.StoredCheckIn | None) -> str:
    """What is stored for the run now, and what a check-in does to it."""
    watch = [f"effort {run['watch_perceived_effort']:g}/10 ({effort_words(run['watch_perceived_effort'])})"
             if pd.notna(run["watch_perceived_effort"]) else "",
             f"feel {run['watch_feel']:g}/100 ({feel_words(run['watch_feel'])})" if pd.notna(run["watch_feel"]) else ""]
    watch = [w for w in watch if w]
    lines = []
    if watch:
        lines.append(f"The watch says {', '.join(watch)}. A check-in's answer replaces it (deleting the check-in "
                     "brings the watch's back).")
    rated_here = editing is not None and run["run_id"] in {a.run_id for a in editing.check_in.runs}
    if str(run["effort_source"]) == "check-in" and not rated_here:
        lines.append(f"Already rated in another check-in: {effort_summary(run['perceived_effort'], run['feel'])}. "
                     "Saving this one replaces that answer.")
    if not lines:
        lines.append("No answer stored for this run yet.")
    return " ".join(lines)


def runs_section(athlete: str | None, day: dt.date, editing: ci.StoredCheckIn | None) -> list[ci.RunAnswer]:
    st.subheader(f"Runs of {day:%Y-%m-%d}")
    runs = _day_runs(*_shared.cache_key(), athlete, day) if athlete else pd.DataFrame()
    if runs.empty:
        st.info(f"No runs of {md(athlete) if athlete else 'this athlete'} on {day:%Y-%m-%d}: nothing to rate. "
                "Runs come from watch files (Import page); pick another date to rate an earlier run.")
        return []
    st.caption(f"Both optional. Perceived effort, Borg CR10: {EFFORT_LEGEND}. Feel, as on a Garmin watch "
               f"(0-100): {FEEL_LEGEND}.")
    answers = []
    for run in runs.to_dict("records"):
        run_id = run["run_id"]
        with st.container(border=True):
            st.markdown(f"**Run at {md(run['label'])}**")
            st.caption(run_answer_text(run, editing))
            effort_value = st.session_state.get(EFFORT_KEY + run_id)
            effort = st.segmented_control(
                "Perceived effort (Borg CR10, 0-10)", options_with(EFFORT_OPTIONS, effort_value),
                key=EFFORT_KEY + run_id, format_func=lambda v: f"{v:g}", width="stretch")
            if effort is not None:
                st.markdown(f"Effort **{effort:g} / 10**: {md(effort_words(effort))}.")
            feel_value = st.session_state.get(FEEL_KEY + run_id)
            feel = st.segmented_control(
                "Feel (0-100)", options_with(FEEL_OPTIONS, feel_value), key=FEEL_KEY + run_id,
                format_func=lambda v: feel_words(v) if v in FEEL_OPTIONS else f"{v:g} ({feel_words(v)})",
                width="stretch")
            if feel is not None:
                st.markdown(f"Feel **{feel:g} / 100**: {md(feel_words(feel))}.")
        if effort is not None or feel is not None:
            answers.append(ci.RunAnswer(run_id, effort, feel))
    return answers


def save(check_in: ci.CheckIn, new_athlete: bool, editing: ci.StoredCheckIn | None) -> None:
    store = _shared.get_store()
    try:
        saved = ci.save_check_in(store, _shared.viewer(), check_in,
                                 check_in_id=editing.check_in_id if editing else None, new_athlete=new_athlete)
    except InputError as exc:
        st.error(f"Not saved: {md(exc)}")
        return
    stored = ci.stored_check_in(store, _shared.viewer(), saved.check_in_id)
    athlete = stored.check_in.athlete if stored else check_in.athlete
    verb = "Replaced" if editing else "Saved"
    summary = stored.summary() if stored else ""
    flash(f"{verb} {athlete}'s check-in of {check_in.date:%Y-%m-%d}: {summary}. Every page shows it now.",
          saved.messages, **{_shared.ATHLETE_KEY: athlete})


def recent_section(athlete: str | None, editing: ci.StoredCheckIn | None) -> None:
    st.subheader(f"The last {ci.RECENT_DAYS} days")
    if not athlete:
        return
    store = _shared.get_store()
    today = ci.athlete_today(store, _shared.viewer(), athlete)
    since = today - dt.timedelta(days=ci.RECENT_DAYS - 1)
    entries = _recent(*_shared.cache_key(), athlete, today)
    if not entries:
        st.caption(f"No check-ins of {md(athlete)} from {since:%Y-%m-%d} to {today:%Y-%m-%d} yet.")
        return
    st.caption(f"{md(athlete)}'s check-ins from {since:%Y-%m-%d} to {today:%Y-%m-%d}, newest first.")
    deleting = st.session_state.get(DELETING_KEY)
    for entry in entries:
        c = entry.check_in
        with st.container(border=True):
            here = " (in the form now)" if editing is not None and editing.check_in_id == entry.check_in_id else ""
            st.markdown(f"**{c.date:%Y-%m-%d}, {c.date:%A}**{here}")
            st.markdown(md(entry.summary()))
            if deleting == entry.check_in_id:
                st.warning("Delete this check-in? Its soreness, exercises and run answers go; the runs it rated "
                           "show the watch's answer again (or none).")
                yes, no = st.columns(2)
                if yes.button("Yes, delete it", key=CONFIRM_KEY + entry.check_in_id, type="primary",
                              icon=":material/delete:", width="stretch"):
                    try:
                        ci.delete_check_in(store, _shared.viewer(), entry.check_in_id)
                    except InputError as exc:
                        st.error(f"Not deleted: {md(exc)}")
                    else:  # the form is kept, unless it held the check-in just deleted
                        flash(f"Deleted {c.athlete}'s check-in of {c.date:%Y-%m-%d}.",
                              reset=editing is not None and editing.check_in_id == entry.check_in_id)
                if no.button("Keep it", key=KEEP_KEY + entry.check_in_id, width="stretch"):
                    st.session_state.pop(DELETING_KEY, None)
                    st.rerun()
                continue
            edit, delete = st.columns(2)
            if edit.button("Edit", key=EDIT_KEY + entry.check_in_id, icon=":material/edit:", width="stretch"):
                st.session_state[LOAD_KEY] = entry.check_in_id
                st.rerun()
            if delete.button("Delete", key=DELETE_KEY + entry.check_in_id, icon=":material/delete:",
                             width="stretch"):
                st.session_state[DELETING_KEY] = entry.check_in_id
                st.rerun()


# --- the page ------------------------------------------------------------------------------------------------------

apply_pending()
st.title("Check-in")
st.caption("What only you can say, logged where it happens: back soreness, the strength work you did, and how "
           "each run felt. It counts on every page at once (weekly table, charts, exports).")

names = list(_shared.athletes()["athlete"])
editing_id = st.session_state.get(EDITING_KEY)
editing = ci.stored_check_in(_shared.get_store(), _shared.viewer(), editing_id) if editing_id else None
if editing_id and editing is None:
    st.session_state.pop(EDITING_KEY, None)  # deleted meanwhile: the form is a new check-in again
athlete, new_athlete = choose_athlete(names, editing)
day = choose_date(athlete)

soreness, note = soreness_section()
exercises = strength_section(athlete, day)
answers = runs_section(athlete, day, editing)

st.divider()
label = "Save changes" if editing is not None else "Save the check-in"
unreadable = bool(st.session_state.get(_BAD_LINES))
if st.button(label, key=SAVE_KEY, type="primary", icon=":material/check:", width="stretch",
             disabled=athlete is None or unreadable):
    save(ci.CheckIn(athlete or "", day, soreness, note, tuple(exercises), tuple(answers)), new_athlete, editing)
if athlete is None:
    st.caption("Type the athlete's name above to save.")
elif unreadable:
    st.caption("Fix the free-text line marked above to save.")
success, messages = st.session_state.pop(FLASH_KEY, ("", ()))
if success:
    st.success(md(success))
    st.toast(md(success.split(":")[0] + "."), icon=":material/check:")
for message in messages:
    st.info(md(message))

recent_section(athlete, editing)
