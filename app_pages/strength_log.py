"""Strength log: the sidebar athlete's sessions on a calendar, plan adherence, back soreness, the exercise mix,
and the exercises classed `other` (what the taxonomy did not put in the program).

Thin page: data from app_pages._shared (cached on the store's version, within the sidebar's dates), figures and
small tables from analysis.charts.strength (pure, tested without a browser).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from analysis.charts import strength as charts
from analysis.charts.style import label
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



st.title("Strength log")
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
plan = weekly.attrs.get("plan") or _shared.get_store().plan()
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
        "**How to fix it.** If one of these is core or hip work, rename it in the CSV to a name the taxonomy "
        "knows (e.g. 'Dead bug', 'Glute bridge', 'Clamshell'), or write its type in the `session_type` column "
        "(core, hip, mobility or strength) of our CSV; Strong and Hevy exports always take the type from the "
        "name. The README's *Strength log CSV* section lists the accepted names and types (Exercise taxonomy)."
    )
    st.caption(
        "Entries already imported stay as they were: a corrected file is a new file and its entries are added "
        "beside the old ones. So fix the names in logs you import from now on, or, to correct the past, delete "
        "the athlete on the Data & settings page and import their files again."
    )
    if np.any(others["in_taxonomy"]):
        st.caption("Known names outside the program (upper body, cardio) are `other` on purpose.")
