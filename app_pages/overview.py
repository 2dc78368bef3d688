"""Overview: who is in the store, their runs with the headline fatigue metrics, and the latest imports."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from analysis.charts.style import pace_text
from analysis.consistency import strength_sessions
from app_pages import _shared

WATCH_NOTICE_DAYS = 7  # the Overview mentions what watched folders imported this recently
RUN_COLUMNS = {
    "athlete": st.column_config.TextColumn("Athlete"),
    "local_date": st.column_config.DateColumn("Date (local)", format="YYYY-MM-DD"),
    "activity_name": st.column_config.TextColumn("Name", help="The name the runner gave the activity (from Strava's "
                                                 "activity list); blank when none."),
    "distance_km": st.column_config.NumberColumn("Distance (km)", format="%.2f"),
    "moving_time_min": st.column_config.NumberColumn("Moving time (min)", format="%.0f"),
    "avg_pace": st.column_config.TextColumn("Avg pace (min/km)"),
    "avg_cadence_spm": st.column_config.NumberColumn("Avg cadence (steps/min)", format="%.0f"),
    "pace_decay_pct": st.column_config.NumberColumn(
        "Late pace decay (%)", format="%+.1f", help="Late window vs baseline, grade-adjusted; + = slowed late."),
    "cadence_drift_spm": st.column_config.NumberColumn(
        "Cadence drift (steps/min)", format="%+.1f", help="Late minus baseline cadence."),
    "decoupling_pct": st.column_config.NumberColumn(
        "Decoupling (%)", format="%+.1f", help="Friel's Pa:HR; + = heart rate rose for the pace."),
    "perceived_effort": st.column_config.NumberColumn(
        "Perceived effort (0-10)", format="%.1f",
        help="Borg CR10: 0 nothing at all, 10 maximal. From the watch's post-run self-evaluation or a check-in."),
    "feel": st.column_config.NumberColumn(
        "Feel (0-100)", format="%.0f", help="As Garmin asks it: 0 very weak, 50 normal, 100 very strong."),
    "effort_source": st.column_config.TextColumn("Effort from", help="watch or check-in; blank: not reported."),
    "ineligible_reason": st.column_config.TextColumn("Why no fatigue metrics"),
    "file_name": st.column_config.TextColumn("File"),
}
ATHLETE_COLUMNS = {
    "athlete": st.column_config.TextColumn("Athlete"),
    "runs": st.column_config.NumberColumn("Runs (count)"),
    "strength_entries": st.column_config.NumberColumn("Strength-log entries (count)"),
    "first_run": st.column_config.DateColumn("First run"),
    "last_run": st.column_config.DateColumn("Last run"),
    "is_sample": st.column_config.CheckboxColumn("Sample data"),
}


store = _shared.get_store()
viewer = _shared.viewer()
athletes = _shared.athletes()
runs = _shared.in_dates(_shared.all_runs(), "local_date")  # the sidebar's dates
log = _shared.strength_log()

st.title("Core & Cadence")

# What the watched folders brought in lately (analysis.watch): files import by themselves, so say so here.
watched = store.watch_imports(viewer, since=dt.datetime.now(dt.UTC) - dt.timedelta(days=WATCH_NOTICE_DAYS))
if not watched.empty:
    came = watched[watched["status"] == "imported"]
    latest = pd.to_datetime(watched["imported_at"], utc=True).max()
    failed = int((watched["status"] == "failed").sum())
    st.info(f"**Watched folders** brought in {len(came)} new file{'s' if len(came) != 1 else ''} in the last "
            f"{WATCH_NOTICE_DAYS} days (latest {latest:%Y-%m-%d %H:%M} UTC)"
            + (f"; {failed} could not be read (see Data & settings → Watched folders and the import history)"
               if failed else "") + ".", icon=":material/sync:")

if athletes["is_sample"].any():
    with st.container(border=True):
        st.markdown(
            "**This is the synthetic sample club**, bundled so there is something to explore: "
            f"{int(athletes['is_sample'].sum())} made-up athletes with generated watch files and strength logs "
            "(see `sample_data/README.md`)."
            + (" Remove it before you load your own athletes; it will not come back." if viewer.is_admin else "")
        )
        if viewer.is_admin and st.button("Remove the sample club", type="secondary"):
            removed = store.remove_sample_club(viewer)
            st.toast(f"Removed {removed} sample athletes.")
            st.rerun()

if athletes.empty:
    _shared.point_to_import(
        "No athletes in the store yet. Import watch files (FIT, GPX, or a whole account's zip) and a strength "
        "log on the **Import** page, or from the command line: `python -m analysis ingest PATH --athlete NAME`. "
        "`python -m analysis sample` loads the sample club again.")
    st.stop()

sessions = strength_sessions(log)
weeks = runs["local_date"].dt.to_period("W-SUN").nunique() if len(runs) else 0
c1, c2, c3, c4 = st.columns(4)
c1.metric("Athletes", len(athletes))
c2.metric("Runs", len(runs))
c3.metric("Weeks covered", weeks, help="Calendar weeks (Monday to Sunday) with at least one run.")
c4.metric("Strength sessions", len(sessions),
          help="Distinct (athlete, day, session type): two core exercises on one day are one core session.")

st.subheader("Athletes")
st.dataframe(athletes[list(ATHLETE_COLUMNS)], column_config=ATHLETE_COLUMNS, hide_index=True, width="stretch")

st.subheader("Runs")
if runs.empty:
    st.info("No runs stored yet.")
else:
    table = runs.assign(
        moving_time_min=runs["moving_time_s"] / 60,
        activity_name=runs["activity_name"].fillna(""),  # blank, not "None", for runs no list named
        avg_pace=runs["avg_pace_s_per_km"].map(pace_text),
    ).sort_values("local_date", ascending=False)
    st.dataframe(table[list(RUN_COLUMNS)], column_config=RUN_COLUMNS, hide_index=True, width="stretch")

with st.expander("Latest imports"):
    imports = store.imports(viewer, limit=50)
    if imports.empty:
        st.write("Nothing imported yet.")
    else:
        st.dataframe(imports[["imported_at", "athlete", "file", "status", "reason", "imported_by"]], hide_index=True,
                     width="stretch", column_config={"imported_by": st.column_config.TextColumn(
                         "Imported by", help="The e-mail of who imported it (club mode), else personal mode or "
                                             "the command line; blank for imports before accounts existed.")})
