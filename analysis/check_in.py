"""Check-ins: what only the runner can say, logged where it happens (the Check-in page and `analysis check-in`).

A check-in is one athlete's answers for one date: back soreness (0-10) with a note, the strength work done
(exercise, sets x reps or seconds), and for runs of that date how hard each felt: perceived effort on Borg's
CR10 scale (0-10; Borg 1998, *Borg's Perceived Exertion and Pain Scales*) and feel (0-100, Garmin's
self-evaluation scale, "very weak" to "very strong"). The page and the command line both call
:func:`save_check_in`, which checks everything first and then stores it in one transaction
(`Store.write_check_in`): its soreness and exercises become strength-log rows with `source_format`
`check_in` (so the weekly table, charts and exports use them like any file's rows), its run answers replace
the watch's in the runs table (`effort_source` "check-in"). Nothing here imports streamlit.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.access import Viewer
from analysis.effort import FEEL_RANGE, PERCEIVED_EFFORT_RANGE, effort_words, feel_words
from analysis.errors import InputError
from analysis.io.exercise_taxonomy import classify_exercise
from analysis.io.strength.cells import BACK_SORENESS_RANGE
from analysis.store import CHECK_IN_FORMAT, MAX_EXERCISE_NAME_CHARS, Store

RECENT_DAYS = 14  # the page lists this many days of check-ins (today included) for editing
MAX_NOTE_CHARS = 2000
MAX_SETS = 50
MAX_REPS = 1000
MAX_SECONDS_PER_SET = 3600.0  # one set held for an hour is already beyond any program
LATEST_UTC_OFFSET_S = 14 * 3600  # UTC+14 (Kiribati): no one anywhere is further ahead
SORENESS_WORDS = ("no soreness", "worst imaginable")  # what 0 and 10 mean (BACK_SORENESS_RANGE)


@dataclass(frozen=True)
class ExerciseDone:
    """One exercise of a check-in: `sets` of `reps` repetitions, or `sets` held for `seconds_per_set`."""

    name: str
    sets: int = 1
    reps: int | None = None
    seconds_per_set: float | None = None

    def dose(self) -> str:
        """"3 × 10", "3 × 30 s", or "3 sets"."""
        if self.reps is not None:
            return f"{self.sets} × {self.reps}"
        if self.seconds_per_set is not None:
            return f"{self.sets} × {self.seconds_per_set:g} s"
        return f"{self.sets} set{'s' if self.sets != 1 else ''}"


@dataclass(frozen=True)
class QuickPick:
    """An exercise of the program, offered with its usual dose; its session type comes from the taxonomy."""

    name: str
    sets: int
    reps: int | None = None
    seconds_per_set: float | None = None

    def as_done(self) -> ExerciseDone:
        return ExerciseDone(self.name, self.sets, self.reps, self.seconds_per_set)


# The core and hip exercises of the program the product supports (the seeds: dead bugs, bird dogs, planks and
# side planks, bridges, clamshells, side-lying leg raises, band and monster walks, single-leg work, Pallof
# press), with a usual starting dose. tests/test_check_in.py checks the taxonomy classes each as core or hip.
PROGRAM_EXERCISES: tuple[QuickPick, ...] = (
    QuickPick("Dead bug", 3, reps=10),
    QuickPick("Bird dog", 3, reps=10),
    QuickPick("Plank", 3, seconds_per_set=30),
    QuickPick("Side plank", 3, seconds_per_set=30),
    QuickPick("Pallof press", 3, reps=10),
    QuickPick("Glute bridge", 3, reps=12),
    QuickPick("Single-leg bridge", 3, reps=10),
    QuickPick("Clamshell", 3, reps=15),
    QuickPick("Side-lying leg raise", 3, reps=12),
    QuickPick("Lateral band walk", 3, reps=15),
    QuickPick("Monster walk", 3, reps=15),
    QuickPick("Single-leg deadlift", 3, reps=8),
    QuickPick("Hip thrust", 3, reps=10),
)


@dataclass(frozen=True)
class RunAnswer:
    """How hard one run felt: perceived effort (Borg CR10, 0-10) and/or feel (0-100); None = not answered."""

    run_id: str
    perceived_effort: float | None = None
    feel: float | None = None


@dataclass(frozen=True)
class CheckIn:
    """One athlete's answers for one local date (never in the future)."""

    athlete: str
    date: dt.date
    back_soreness: float | None = None  # 0 (none) - 10 (worst imaginable)
    note: str = ""
    exercises: tuple[ExerciseDone, ...] = ()
    runs: tuple[RunAnswer, ...] = ()


@dataclass(frozen=True)
class StoredCheckIn:
    """A check-in as stored: its id, what it says, and what the store adds (session types, the runs' labels)."""

    check_in_id: str
    check_in: CheckIn
    session_types: tuple[str, ...]  # one per exercise: the athlete's mapping, the club's, or the taxonomy's
    run_labels: tuple[str, ...]  # one per run answer: "07:02, 10.2 km"
    created_at: pd.Timestamp
    updated_at: pd.Timestamp

    def summary(self) -> str:
        """One line a runner reads: soreness, exercises, runs."""
        c = self.check_in
        parts = []
        if c.back_soreness is not None:
            parts.append(f"back soreness {c.back_soreness:g}/10")
        if c.note:
            parts.append(f"“{c.note}”")
        parts += [f"{e.name} {e.dose()} ({kind})" for e, kind in zip(c.exercises, self.session_types, strict=True)]
        for answer, label in zip(c.runs, self.run_labels, strict=True):
            said = []
            if answer.perceived_effort is not None:
                said.append(f"effort {answer.perceived_effort:g}/10 ({effort_words(answer.perceived_effort)})")
            if answer.feel is not None:
                said.append(f"feel {answer.feel:g}/100 ({feel_words(answer.feel)})")
            parts.append(f"run {label}: {', '.join(said)}")
        return "; ".join(parts)


@dataclass(frozen=True)
class SavedCheckIn:
    """What `save_check_in` did: the id, and sentences about it (a watch answer it replaced, an athlete added)."""

    check_in_id: str
    messages: tuple[str, ...]


# --- dates ------------------------------------------------------------------------------------------


def athlete_today(store: Store, viewer: Viewer, athlete: str, *, now: dt.datetime | None = None) -> dt.date:
    """Today where the athlete is: now in the UTC offset of their latest run, else the machine's local date."""
    now = now or dt.datetime.now(dt.UTC)
    offset = store.athlete_utc_offset_s(viewer, athlete)
    if offset is None:
        return now.astimezone().date()
    return (now.astimezone(dt.UTC) + dt.timedelta(seconds=offset)).date()


def default_date(store: Store, viewer: Viewer, athlete: str, run_ids: Sequence[str] = (), *,
                 now: dt.datetime | None = None) -> dt.date:
    """The date a check-in gets when none is given: the day of the run it rates, else the athlete's today."""
    if run_ids:
        runs = store.runs(viewer, [_stored_name(store, viewer, athlete)])
        run_id = resolve_run_id(list(runs["run_id"]), run_ids[0], athlete)
        return pd.Timestamp(runs.loc[runs["run_id"] == run_id, "local_date"].iloc[0]).date()
    return athlete_today(store, viewer, athlete, now=now)


def _stored_name(store: Store, viewer: Viewer, athlete: str) -> str:
    """The athlete's name as stored (the store matches names ignoring case), or `athlete` trimmed if new."""
    name = " ".join(str(athlete or "").split())
    return {a.lower(): a for a in store.athletes(viewer)["athlete"]}.get(name.lower(), name)


def latest_allowed_date(store: Store, viewer: Viewer, athlete: str, *, now: dt.datetime | None = None) -> dt.date:
    """The latest date a check-in may have: the athlete's today, or, when the store knows no time zone for
    them, today at UTC+14 (so nobody anywhere is told their today is in the future)."""
    now = now or dt.datetime.now(dt.UTC)
    if store.athlete_utc_offset_s(viewer, athlete) is None:
        return (now.astimezone(dt.UTC) + dt.timedelta(seconds=LATEST_UTC_OFFSET_S)).date()
    return athlete_today(store, viewer, athlete, now=now)


# --- checking -----------------------------------------------------------------------------------------


def _in_range(value: float | None, field: str, bounds: tuple[float, float], meaning: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{field} {value!r}: not a number; expected {bounds[0]:g}-{bounds[1]:g} ({meaning})") from None
    if math.isnan(number):
        return None
    low, high = bounds
    if not low <= number <= high:
        raise InputError(f"{field} {number:g}: outside the allowed range {low:g}-{high:g} ({meaning})")
    return number


def _whole(value: object, field: str, low: int, high: int) -> int:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"{field} {value!r}: not a number; expected a whole number from {low} to {high}") from None
    if not (math.isfinite(number) and number == int(number) and low <= number <= high):
        raise InputError(f"{field} {value!r}: expected a whole number from {low} to {high}")
    return int(number)


SORENESS_MEANING = f"0 = {SORENESS_WORDS[0]}, 10 = {SORENESS_WORDS[1]}"
EFFORT_MEANING = "Borg CR10: 0 = nothing at all, 10 = maximal"
FEEL_MEANING = "0 = very weak, 50 = normal, 100 = very strong"


def _checked_exercise(exercise: ExerciseDone, n: int) -> ExerciseDone:
    name = " ".join(str(exercise.name or "").split())
    label = f"exercise {n}"
    if not name:
        raise InputError(f"{label}: the name is empty; type what you did (e.g. dead bug)")
    if len(name) > MAX_EXERCISE_NAME_CHARS:
        raise InputError(f"{label}: the name has {len(name)} characters; at most {MAX_EXERCISE_NAME_CHARS} are kept")
    label = f"exercise {name!r}"
    sets = _whole(exercise.sets, f"{label} sets", 1, MAX_SETS)
    reps = None if exercise.reps is None else _whole(exercise.reps, f"{label} reps", 1, MAX_REPS)
    seconds = None
    if exercise.seconds_per_set is not None:
        seconds = _in_range(exercise.seconds_per_set, f"{label} seconds per set", (1.0, MAX_SECONDS_PER_SET),
                            "how long each set was held")
    if reps is not None and seconds is not None:
        raise InputError(f"{label}: give repetitions or seconds per set, not both")
    return ExerciseDone(name, sets, reps, seconds)


def check_check_in(store: Store, viewer: Viewer, check_in: CheckIn, *, now: dt.datetime | None = None) -> CheckIn:
    """The check-in with names trimmed and values checked; `InputError` naming the field and the allowed range.

    Refused: soreness outside 0-10, effort outside 0-10, feel outside 0-100, a date after the athlete's today,
    a run that is not the athlete's or not of that date, the same run twice, and an empty check-in (nothing
    but a note).
    """
    athlete = _stored_name(store, viewer, check_in.athlete)
    if not athlete:
        raise InputError("athlete: empty; choose whose check-in this is")
    day = check_in.date
    if isinstance(day, dt.datetime):
        day = day.date()
    if not isinstance(day, dt.date):
        raise InputError(f"date {day!r}: expected a date (YYYY-MM-DD)")
    latest = latest_allowed_date(store, viewer, athlete, now=now)
    if day > latest:
        raise InputError(f"date {day.isoformat()}: in the future; a check-in is for today ({latest.isoformat()} "
                         f"where {athlete} is) or an earlier day")
    soreness = _in_range(check_in.back_soreness, "back soreness", BACK_SORENESS_RANGE, SORENESS_MEANING)
    note = " ".join(str(check_in.note or "").split())
    if len(note) > MAX_NOTE_CHARS:
        raise InputError(f"note: {len(note)} characters; at most {MAX_NOTE_CHARS}")
    exercises = tuple(_checked_exercise(e, n) for n, e in enumerate(check_in.exercises, start=1))
    answers = []
    seen: set[str] = set()
    runs = store.runs(viewer, [athlete]) if check_in.runs else pd.DataFrame(columns=["run_id", "local_date"])
    dates = dict(zip(runs["run_id"], pd.to_datetime(runs["local_date"]).dt.date, strict=True))
    for answer in check_in.runs:
        run_id = resolve_run_id(list(dates), answer.run_id, athlete)
        if run_id in seen:
            raise InputError(f"run {run_id}: answered twice in one check-in; give one effort per run")
        seen.add(run_id)
        if dates[run_id] != day:
            raise InputError(f"run {run_id}: it is from {dates[run_id].isoformat()}, not {day.isoformat()}, the "
                             "check-in's date; rate it in a check-in of its own day")
        effort = _in_range(answer.perceived_effort, f"perceived effort of run {run_id[:12]}", PERCEIVED_EFFORT_RANGE,
                           EFFORT_MEANING)
        feel = _in_range(answer.feel, f"feel of run {run_id[:12]}", FEEL_RANGE, FEEL_MEANING)
        if effort is None and feel is None:
            raise InputError(f"run {run_id}: give its perceived effort ({PERCEIVED_EFFORT_RANGE[0]:g}-"
                             f"{PERCEIVED_EFFORT_RANGE[1]:g}) or feel ({FEEL_RANGE[0]:g}-{FEEL_RANGE[1]:g})")
        answers.append(RunAnswer(run_id, effort, feel))
    if soreness is None and not exercises and not answers:
        raise InputError(
            f"an empty check-in: give back soreness ({BACK_SORENESS_RANGE[0]:g}-{BACK_SORENESS_RANGE[1]:g}), an "
            f"exercise done, or a run's perceived effort ({PERCEIVED_EFFORT_RANGE[0]:g}-"
            f"{PERCEIVED_EFFORT_RANGE[1]:g}) or feel ({FEEL_RANGE[0]:g}-{FEEL_RANGE[1]:g})")
    return CheckIn(athlete, day, soreness, note, exercises, tuple(answers))


def resolve_run_id(run_ids: Sequence[str], given: str, athlete: str) -> str:
    """The run id `given` names: the id itself, or a prefix of at least 6 characters only one run starts with."""
    text = str(given or "").strip().lower()
    if text in run_ids:
        return text
    found = [r for r in run_ids if len(text) >= 6 and r.startswith(text)]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise InputError(f"run {given}: {len(found)} runs of {athlete} start with it; give more of the id")
    raise InputError(f"run {given}: no run of {athlete} has this id (see runs.csv or `analysis check-in --list`)")


# --- storing ---------------------------------------------------------------------------------------------


def new_check_in_id(day: dt.date) -> str:
    """"ci-20261207-3fa9c1": readable on a command line, random enough that two never collide."""
    return f"ci-{day:%Y%m%d}-{secrets.token_hex(3)}"


def entries_frame(check_in: CheckIn) -> pd.DataFrame:
    """The strength-log rows of a checked check-in: a soreness row (with the note), then one row per exercise.

    Timed sets store the seconds of one set as `duration_min` (seconds / 60), as Strong and Hevy rows do; the
    session type is the taxonomy's here and `session_type_inferred` is True, so the store gives it the
    athlete's or the club's mapping of the name when there is one.
    """
    rows = []
    note = check_in.note or None
    if check_in.back_soreness is not None:
        rows.append({"back_soreness": check_in.back_soreness, "notes": note, "session_type_inferred": False})
        note = None
    for exercise in check_in.exercises:
        rows.append({"session_type": classify_exercise(exercise.name), "exercise": exercise.name,
                     "sets": float(exercise.sets), "reps": np.nan if exercise.reps is None else float(exercise.reps),
                     "duration_min": (np.nan if exercise.seconds_per_set is None else exercise.seconds_per_set / 60),
                     "notes": note, "warmup": False, "session_type_inferred": True})
        note = None
    frame = pd.DataFrame(rows, columns=["session_type", "exercise", "sets", "reps", "load_kg", "duration_min", "rpe",
                                        "back_soreness", "notes", "warmup", "session_type_inferred"])
    frame["warmup"] = frame["warmup"].fillna(False).astype(bool)
    frame["session_type_inferred"] = frame["session_type_inferred"].astype(bool)
    return frame


def save_check_in(store: Store, viewer: Viewer, check_in: CheckIn, *, check_in_id: str | None = None,
                  new_athlete: bool = False, now: dt.datetime | None = None) -> SavedCheckIn:
    """Check and store a check-in (a new one, or the one `check_in_id` names, replaced); all or nothing.

    `new_athlete`: create the athlete when the store has nobody of that name (otherwise `InputError`, so a
    typo does not make a second athlete). Moves `data_version`, so every page shows it at once.
    """
    checked = check_check_in(store, viewer, check_in, now=now)
    if check_in_id is not None and stored_check_in(store, viewer, check_in_id) is None:
        raise InputError(f"check-in {check_in_id}: not in the store (see `analysis check-in --list`)")
    known = {a.lower() for a in store.athletes(viewer)["athlete"]}
    messages = []
    if checked.athlete.lower() not in known and new_athlete:
        messages.append(f"added a new athlete, {checked.athlete}")
    if checked.runs:
        runs = store.runs(viewer).set_index("run_id")
        for answer in checked.runs:
            run = runs.loc[answer.run_id]
            watch = [f"effort {run['watch_perceived_effort']:g}/10" if pd.notna(run["watch_perceived_effort"]) else "",
                     f"feel {run['watch_feel']:g}/100" if pd.notna(run["watch_feel"]) else ""]
            watch = [w for w in watch if w]
            if watch:
                messages.append(f"run {run_label(run)}: this check-in's answer replaces the watch's "
                                f"({', '.join(watch)})")
    identifier = check_in_id or new_check_in_id(checked.date)
    store.write_check_in(viewer, identifier, checked.athlete, checked.date, note=checked.note or None,
                         entries=entries_frame(checked),
                         ratings=[(a.run_id, a.perceived_effort, a.feel) for a in checked.runs],
                         create_athlete=new_athlete)
    return SavedCheckIn(identifier, tuple(messages))


def delete_check_in(store: Store, viewer: Viewer, check_in_id: str) -> None:
    """Delete a check-in; the runs it rated get the watch's answer back. `InputError` when there is no such id."""
    if not store.delete_check_in(viewer, str(check_in_id).strip()):
        raise InputError(f"check-in {check_in_id}: not in the store (see `analysis check-in --list`)")


# --- reading ----------------------------------------------------------------------------------------------


def run_label(run: pd.Series) -> str:
    """"07:02, 10.2 km": a run as a runner recognises it on its day."""
    start = str(run.get("local_start") or "")
    clock = start[11:16] if len(start) >= 16 else "--:--"
    km = run.get("distance_km")
    return f"{clock}, {km:.1f} km" if pd.notna(km) else clock


def _assemble(heads: pd.DataFrame, entries: pd.DataFrame, ratings: pd.DataFrame) -> list[StoredCheckIn]:
    by_id_entries = dict(tuple(entries.groupby("check_in_id", sort=False)))
    by_id_ratings = dict(tuple(ratings.groupby("check_in_id", sort=False)))
    out = []
    for head in heads.itertuples(index=False):
        rows = by_id_entries.get(head.check_in_id, entries.iloc[0:0])
        sore = rows["back_soreness"].dropna()
        exercises = rows[rows["exercise"].notna()]
        done = tuple(
            ExerciseDone(e.exercise, int(e.sets) if pd.notna(e.sets) else 1,
                         int(e.reps) if pd.notna(e.reps) else None,
                         round(float(e.duration_min) * 60, 3) if pd.notna(e.duration_min) else None)
            for e in exercises.itertuples(index=False))
        rated = by_id_ratings.get(head.check_in_id, ratings.iloc[0:0])
        answers = tuple(RunAnswer(r.run_id, None if pd.isna(r.perceived_effort) else float(r.perceived_effort),
                                  None if pd.isna(r.feel) else float(r.feel)) for r in rated.itertuples(index=False))
        labels = tuple(run_label(r) for _, r in rated.iterrows())
        note = head.note if isinstance(head.note, str) else ""
        check_in = CheckIn(head.athlete, pd.Timestamp(head.date).date(),
                           float(sore.iloc[0]) if len(sore) else None, note, done, answers)
        out.append(StoredCheckIn(head.check_in_id, check_in, tuple(exercises["session_type"]), labels,
                                 pd.Timestamp(head.created_at), pd.Timestamp(head.updated_at)))
    return out


def stored_check_in(store: Store, viewer: Viewer, check_in_id: str) -> StoredCheckIn | None:
    """One stored check-in, or None."""
    found = _assemble(*store.check_in_tables(viewer, check_in_id=str(check_in_id).strip()))
    return found[0] if found else None


def recent_check_ins(store: Store, viewer: Viewer, athletes: Iterable[str] | None = None, *,
                     days: int | None = RECENT_DAYS, today: dt.date | None = None) -> list[StoredCheckIn]:
    """Check-ins of the last `days` days (today included; None = all), newest first."""
    since = None
    if days is not None:
        today = today or dt.date.today()
        since = today - dt.timedelta(days=days - 1)
    return _assemble(*store.check_in_tables(viewer, athletes, since=since))


def last_exercises(store: Store, viewer: Viewer, athlete: str, *,
                   before: dt.date | None = None) -> tuple[ExerciseDone, ...]:
    """The exercises of the athlete's latest check-in that logged any (before `before` when given): "today's
    core session as usual"."""
    for stored in recent_check_ins(store, viewer, [athlete], days=None):
        if stored.check_in.exercises and (before is None or stored.check_in.date < before):
            return stored.check_in.exercises
    return ()


def runs_of_day(store: Store, viewer: Viewer, athlete: str, day: dt.date) -> pd.DataFrame:
    """The athlete's runs of one local date, by start: run_id, label, perceived_effort, feel, effort_source,
    watch_perceived_effort, watch_feel (what a check-in of that day can rate)."""
    runs = store.runs(viewer, [athlete])
    runs = runs[pd.to_datetime(runs["local_date"]).dt.date == day]
    out = runs[["run_id", "perceived_effort", "feel", "effort_source", "watch_perceived_effort", "watch_feel"]].copy()
    out.insert(1, "label", [run_label(r) for _, r in runs.iterrows()])
    return out.reset_index(drop=True)


# --- the exercise syntax the page's free text and the command line share -------------------------------------

_DOSE = r"(?:(?P<sets>\d+)\s*[x×]\s*)?(?:(?P<seconds>\d+(?:\.\d+)?)\s*s|(?P<reps>\d+))"
_WITH_SETS = re.compile(r"^(?P<name>.*?)[\s:]+(?P<only_sets>\d+)\s*sets?$", re.IGNORECASE)
_WITH_DOSE = re.compile(rf"^(?P<name>.*?)(?:\s*:\s*|\s+){_DOSE}$", re.IGNORECASE)


def parse_exercise(text: str) -> ExerciseDone:
    """An exercise as a runner types it: `NAME`, then optionally a dose after a space or a colon.

    The dose is `SETSxREPS` ("dead bug 3x10"), `REPS` (one set: "dead bug 10"), `SECONDSs` ("plank 45s"),
    `SETSxSECONDSs` ("side plank:3x30s") or `N sets` ("clamshell 3 sets"). Without one it is one set. A colon
    announces a dose: after it anything else is an `InputError` saying what is expected.
    """
    line = " ".join(str(text or "").split())
    match = _WITH_SETS.match(line)
    if match and match["name"].strip():
        return ExerciseDone(match["name"].strip(" :"), int(match["only_sets"]))
    match = _WITH_DOSE.match(line)
    if match and match["name"].strip():
        sets = int(match["sets"]) if match["sets"] else 1
        if match["seconds"]:
            return ExerciseDone(match["name"].strip(), sets, None, float(match["seconds"]))
        return ExerciseDone(match["name"].strip(), sets, int(match["reps"]))
    name, colon, dose = line.rpartition(":")
    if colon and name.strip():
        raise InputError(f"exercise {text!r}: {dose.strip()!r} is not a dose; expected SETSxREPS (3x10), SECONDSs "
                         "(45s), SETSxSECONDSs (3x30s) or N sets")
    return ExerciseDone(line)


def exercise_text(exercise: ExerciseDone) -> str:
    """The text that reads back as `exercise` (`parse_exercise(exercise_text(e)) == e`)."""
    if exercise.reps is not None:
        return f"{exercise.name} {exercise.sets}x{exercise.reps}"
    if exercise.seconds_per_set is not None:
        return f"{exercise.name} {exercise.sets}x{exercise.seconds_per_set:g}s"
    return exercise.name if exercise.sets == 1 else f"{exercise.name} {exercise.sets} sets"


__all__ = [
    "CHECK_IN_FORMAT",
    "PROGRAM_EXERCISES",
    "RECENT_DAYS",
    "CheckIn",
    "ExerciseDone",
    "QuickPick",
    "RunAnswer",
    "SavedCheckIn",
    "StoredCheckIn",
    "athlete_today",
    "check_check_in",
    "default_date",
    "delete_check_in",
    "exercise_text",
    "last_exercises",
    "latest_allowed_date",
    "parse_exercise",
    "recent_check_ins",
    "runs_of_day",
    "save_check_in",
    "stored_check_in",
]
