"""Strength log: the sidebar athlete's sessions on a calendar, plan adherence, back soreness, the exercise mix,
the exercises classed `other` (what the taxonomy did not put in the program), and the user's own names: a
session type for each name nothing recognised, for this athlete or the whole club, and the mappings stored.

Thin page: data from app_pages._shared (cached on the store's version, within the sidebar's dates), figures and
small tables from analysis.charts.strength (pure, tested without a browser). A mapping is one store write, which
moves `Store.data_version()`: every cached loader keys on it, so the weekly table and charts move at once.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd
import streamlit as st

from analysis.access import Viewer
from analysis.charts import strength as charts
from analysis.charts.style import label
from analysis.errors import InputError
from analysis.io.exercise_taxonomy import SESSION_TYPES
from app_pages import _shared
from app_pages._shared import md

MEASURE_KEY = "strength_mix_measure"
OTHER_COLUMNS = {
    "exercise": st.column_config.TextColumn("Exercise (as logged)"),
    "days": st.column_config.NumberColumn("Days logged (days)", format="%d"),
    "entries": st.column_config.NumberColumn("Entries (rows)", format="%d",
                                             help="Rows of the log: Strong and Hevy write one row per set."),
    "last_logged": st.column_config.DateColumn("Last logged (date)", format="YYYY-MM-DD"),
    "in_taxonomy": st.column_config.CheckboxColumn(
        "Known name (yes/no)",
        help="Ticked: the taxonomy knows this name but it is outside the program (e.g. upper body). "
             "Not ticked: a name the taxonomy does not recognise."),
}
FLASH_KEY = "strength_log_flash"  # a message that survives the rerun after saving or removing mappings
CLUB = "whole club"
ATHLETE_ONLY = "this athlete"
MAPPING_COLUMNS = {
    "applies_to": st.column_config.TextColumn("Applies to", help="One athlete, or the whole club (every athlete "
                                              "without a mapping of their own for the name)."),
    "exercise": st.column_config.TextColumn("Exercise (as typed)",
                                            help="Matched ignoring case, brackets and plurals."),
    "session_type": st.column_config.TextColumn("Session type"),
    "created_on": st.column_config.DateColumn("Saved (date)", format="YYYY-MM-DD"),
}


@st.cache_data(show_spinner=False, max_entries=16)
def _unrecognised(path: str, version: int, viewer: Viewer, athlete: str) -> pd.DataFrame:
    return _shared.get_store().unrecognised_exercises(viewer, [athlete])


@st.cache_data(show_spinner=False, max_entries=4)
def _mappings(path: str, version: int, viewer: Viewer) -> pd.DataFrame:
    return _shared.get_store().exercise_mappings(viewer)


def plural(count: int, word: str) -> str:
    if count == 1:
        return f"{count} {word}"
    return f"{count} {word[:-1]}ies" if word.endswith("y") and word[-2:-1] not in "aeiou" else f"{count} {word}s"


def name_key(text: str) -> int:
    """A widget-key part for a user's text (keys stay short and free of odd characters)."""
    return zlib.crc32(text.encode())


def own_names_section(athlete: str) -> None:
    """The names nothing recognised, each with a session-type choice, one Save; then the stored mappings."""
    store = _shared.get_store()
    path, version, viewer = _shared.cache_key()
    unknown = _unrecognised(path, version, viewer, athlete)
    st.subheader("Your own exercise names")
    if unknown.empty:
        st.success(f"Every exercise name in {md(athlete)}'s log (all dates) is recognised or has a session type "
                   "you gave it: nothing to map.")
    else:
        total, one = int(unknown["entries"].sum()), len(unknown) == 1
        match, count, add, each = ("matches", "it counts", "adds", "it") if one else ("match", "they count", "add",
                                                                                       "each")
        st.markdown(
            f"{plural(len(unknown), 'exercise name')} in {md(athlete)}'s log (all dates, {plural(total, 'entry')}) "
            f"{match} nothing in the exercise taxonomy, so {count} as `other` and {add} nothing to core or hip "
            f"adherence. Give {each} a session type: it applies at once to the entries already stored and to "
            "later imports (a session type written in the file is always kept).")
        chosen: dict[str, str] = {}
        for row in unknown.itertuples(index=False):
            last = pd.Timestamp(row.last_date).strftime("%Y-%m-%d")
            kind = st.selectbox(
                f"{md(row.exercise)} ({plural(int(row.entries), 'entry')}, last logged {last})", SESSION_TYPES,
                index=None, placeholder="Leave it as other (no mapping)",
                key=f"map_type_{version}_{name_key(athlete)}_{name_key(row.exercise)}")
            if kind is not None:
                chosen[row.exercise] = kind
        # A club-wide mapping changes every athlete's entries: an administrator's choice.
        scope = st.radio("Save the session types for", (ATHLETE_ONLY, CLUB) if viewer.is_admin else (ATHLETE_ONLY,),
                         horizontal=True,
                         key=f"map_scope_{version}_{name_key(athlete)}",
                         format_func=lambda s: f"this athlete ({athlete})" if s == ATHLETE_ONLY
                         else "the whole club (every athlete)")
        if chosen:
            if st.button(f"Save {plural(len(chosen), 'session type')}", type="primary",
                         key=f"map_save_{version}_{name_key(athlete)}"):
                try:
                    for name, kind in chosen.items():
                        store.map_exercise(viewer, name, kind, athlete=athlete if scope == ATHLETE_ONLY else None)
                except InputError as exc:
                    st.error(f"Not saved: {exc}")
                else:
                    whom = f"for {md(athlete)}" if scope == ATHLETE_ONLY else "for the whole club"
                    flash(f"Saved {plural(len(chosen), 'session type')} {whom}: "
                          + ", ".join(f"{md(n)} → {k}" for n, k in chosen.items())
                          + ". The calendar, adherence and weekly tables now count them.")
        else:
            st.caption("Choose a session type for a name above to save it.")

    mappings = _mappings(path, version, viewer)
    if mappings.empty:
        st.caption("No exercise names have a session type of yours yet.")
        return
    st.markdown(f"**Session types you gave exercise names** ({plural(len(mappings), 'mapping')}; an athlete's "
                "own mapping wins over the club's). Tick rows to remove them: their entries go back to the club's "
                "mapping or to the taxonomy.")
    table = mappings.assign(
        applies_to=mappings["athlete"].map(lambda a: "whole club" if pd.isna(a) else a),
        created_on=pd.to_datetime(mappings["created_at"], utc=True).dt.tz_localize(None).dt.normalize())
    event = st.dataframe(table[list(MAPPING_COLUMNS)], column_config=MAPPING_COLUMNS, hide_index=True,
                         width="stretch", key=f"mappings_table_{version}", on_select="rerun",
                         selection_mode="multi-row")
    picked = table.iloc[list(event.selection.rows)]
    if not viewer.is_admin and picked["athlete"].isna().any():
        st.caption("Only an administrator can remove the whole club's mappings: those rows stay.")
        picked = picked[picked["athlete"].notna()]
    if picked.empty:
        return
    if st.button(f"Remove {plural(len(picked), 'selected mapping')}", key=f"unmap_{version}"):
        removed = sum(store.unmap_exercise(viewer, r.exercise, athlete=None if pd.isna(r.athlete) else r.athlete)
                      for r in picked.itertuples(index=False))
        flash(f"Removed {plural(removed, 'mapping')}.")


def flash(message: str) -> None:
    """Show `message` after the rerun that follows a change (the change's own run is thrown away)."""
    st.session_state[FLASH_KEY] = message
    st.rerun()



st.title("Strength log")
message = st.session_state.pop(FLASH_KEY, None)
if message:
    st.success(message)
athletes = _shared.athletes()
if athletes.empty:
    _shared.no_athletes_yet()
athlete = _shared.selected_athlete()
colour = _shared.colours()[athlete]
st.caption(f"For **{md(athlete)}** (change the athlete in the sidebar).")

info = athletes.set_index("athlete").loc[athlete]
if int(info["strength_entries"]) == 0:
    _shared.point_to_import(
        f"{md(athlete)} has no strength log yet. Import one on the Import page: our CSV (see the README's "
        "strength CSV section, or start from `sample_data/strength_log_template.csv`), or a Strong or Hevy "
        "export. Back soreness (0-10) can be logged in the same CSV.", "Import a strength log")
    st.stop()

log = _shared.strength_log()
log = log[log["athlete"] == athlete]
if log.empty:
    st.info(f"{md(athlete)} has no strength-log entries in the sidebar's dates: widen the date range.")
    st.stop()
weekly = _shared.weekly()
weekly = weekly[weekly["athlete"] == athlete]
plan = weekly.attrs.get("plan") or _shared.get_store().plan(_shared.viewer())
plan_text = " + ".join(f"{n} {t}" for t, n in plan.items())
logged_weeks = weekly[weekly["adherence"].notna()]
sessions = log.loc[log["session_type"].notna(), ["date", "session_type"]].drop_duplicates()

c1, c2, c3, c4 = st.columns(4)
c1.metric("Sessions (count)", len(sessions),
          help="Distinct (day, session type): two core exercises on one day are one core session.")
c2.metric("Mean plan adherence (% of plan)",
          f"{logged_weeks['adherence'].mean() * 100:.0f}" if len(logged_weeks) else "—",
          help=f"Mean over the weeks shown of the share of the plan ({plan_text} a week) done.")
c3.metric("Weeks at plan (weeks)", f"{int((logged_weeks['adherence'] >= 1).sum())} of {len(logged_weeks)}",
          help="Weeks with every planned session type done as often as planned.")
soreness = log["back_soreness"].dropna()
c4.metric("Mean back soreness (0-10)", f"{soreness.mean():.1f}" if len(soreness) else "—",
          help=f"Mean of {len(soreness)} reports in these dates (0 = none, 10 = worst).")

st.subheader("Calendar")
st.plotly_chart(charts.calendar_heatmap(log, athlete, plan), key="strength_calendar")
st.caption("One cell per day, weeks from Monday. Colour: the planned session types done that day; hover for "
           "the exercises and any soreness reported.")

left, right = st.columns(2)
with left:
    st.subheader("Adherence to the plan")
    st.plotly_chart(charts.adherence_figure(weekly, athlete, plan, colour), key="strength_adherence")
    st.caption(f"Plan: {plan_text} sessions a week (change it on the Data & settings page). Adherence = mean "
               "over the planned types of min(done, planned) / planned: extra core does not make up for "
               "missing hip.")
with right:
    st.subheader("Back soreness")
    st.plotly_chart(charts.soreness_figure(log, weekly, athlete, colour), key="strength_soreness")
    if soreness.empty:
        st.caption("No soreness reported: add a `back_soreness` column (0-10) to the strength CSV, or a "
                   "soreness-only CSV beside a Strong or Hevy export.")
    else:
        st.caption("Points: each day's report (several on one day are averaged); line: the weekly mean.")

st.subheader("Exercise mix")
measure = st.radio("Count", ("days", "sets"), key=MEASURE_KEY, horizontal=True,
                   format_func=lambda m: label("exercise_days" if m == "days" else "exercise_sets").axis_title)
st.plotly_chart(charts.exercise_mix_figure(log, athlete, measure), key="strength_mix")

st.subheader("Exercises classed `other`")
others = charts.other_exercises(log, athlete)
if others.empty:
    st.success("Every exercise logged in these dates has a session type in the program (core, hip, mobility or "
               "strength): nothing classed `other`.")
else:
    unknown = int((~others["in_taxonomy"].to_numpy(dtype=bool)).sum())
    st.markdown(
        f"{len(others)} exercise name(s) count as `other`, so they add nothing to core or hip adherence; "
        f"{unknown} of them the exercise taxonomy does not recognise."
    )
    st.dataframe(others, column_config=OTHER_COLUMNS, hide_index=True, width="stretch",
                 height=min(400, 38 + 35 * len(others)))
    st.markdown(
        "**How to fix it.** If a name the taxonomy does not recognise is core or hip work, give it a session "
        "type under *Your own exercise names* below: the entries already stored count as that type at once, and "
        "so do later imports. In our CSV you can also write the type in the `session_type` column (core, hip, "
        "mobility or strength); Strong and Hevy exports always take the type from the name. The README's "
        "*Strength log CSV* section lists the names the taxonomy knows (Exercise taxonomy)."
    )
    if np.any(others["in_taxonomy"]):
        st.caption("Known names outside the program (upper body, cardio) are `other` on purpose.")

own_names_section(athlete)
