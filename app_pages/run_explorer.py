"""Run explorer: one run of the sidebar's athlete, its fatigue metrics as cards, its panels over distance, its map.

Thin page: runs and the run's (Activity, RunMetrics, run_profile) come from app_pages._shared (cached on the
store's version); cards, panels and map from analysis.charts.run (pure, tested without a browser).
The run shown is session_state["run_id"] (other pages open a run with `_shared.open_page(..., run_id=...)`)
when it belongs to the athlete, else the athlete's newest run in the sidebar's dates.
"""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from analysis.access import Viewer
from analysis.charts.run import (
    BLANK,
    MAX_PLOT_POINTS,
    has_dynamics,
    how_it_felt,
    metric_cards,
    run_map,
    run_panels,
)
from analysis.charts.style import label, pace_text, setting_words
from analysis.export import csv_bytes, samples_table
from analysis.privacy import POSITIONS_DROPPED_WARNING, valid_positions
from app_pages import _shared
from app_pages._shared import md

TABLE_KEY = "run_explorer_runs_table"
CARD_WIDTH = "content"  # each card as wide as its label, so no label is cut off


def run_choice_label(row: pd.Series) -> str:
    """"2026-09-06 · Long one · 21.2 km": the runner's name for the run when it has one, else its file."""
    distance = f"{row['distance_km']:.1f} km" if pd.notna(row["distance_km"]) else "no distance"
    name = row.get("activity_name")
    if isinstance(name, str) and name:
        return f"{row['local_date']:%Y-%m-%d} · {name} · {distance}"
    return f"{row['local_date']:%Y-%m-%d} · {distance} · {row['file_name']}"


@st.cache_data(show_spinner=False, max_entries=16)
def figures(path: str, version: int, viewer: Viewer, run_id: str, colour: str, privacy_radius_m: float):
    """The run's panels and map (cached: rebuilding ~8 panels of a long run on every rerun is wasted work)."""
    activity, metrics, profile = _shared.run_detail(run_id)
    panels = run_panels(profile, metrics, activity.samples, colour=colour, utc_offset_s=activity.utc_offset_s)
    route = run_map(activity.samples, metrics, profile=profile, colour=colour, privacy_radius_m=privacy_radius_m)
    return panels, route


def no_map_reason(activity, privacy_radius_m: float) -> str:
    """Why a run has no map, in words: positions dropped at import, all within the privacy radius, or none recorded."""
    if POSITIONS_DROPPED_WARNING in activity.warnings:
        return ("GPS positions were dropped when this run was imported (privacy option), so there is no map. "
                "Every metric is the same as with them.")
    samples = activity.samples
    if valid_positions(samples["lat_deg"].to_numpy(), samples["lon_deg"].to_numpy()).any():
        return (f"Every GPS point of this run lies within {privacy_radius_m:g} m of its start or its end, so the "
                "privacy radius hides the whole route. Change the radius on Data & settings (0 m shows everything).")
    return "This file has no GPS positions, so there is no map (treadmill, indoor or a watch without GPS)."


def samples_csv(activity, run_id: str, athlete: str, include_positions: bool, privacy_radius_m: float) -> bytes:
    """The run's stored samples as CSV bytes (built when the download button is pressed, not on every rerun).

    Given the run this page run loaded for its viewer: the button's callable runs outside any script run, where
    there is no st.user to look the viewer up from.
    """
    table = samples_table(activity.samples, run_id=run_id, athlete=athlete, include_positions=include_positions,
                          privacy_radius_m=privacy_radius_m)
    return csv_bytes(table, include_positions=include_positions)


def open_run_from_table(run_ids: list[str], key: str) -> None:
    """Table row picked: show that run. A callback runs before the script, so the run selectbox may change."""
    rows = st.session_state[key].selection.rows
    if rows:
        st.session_state[_shared.RUN_KEY] = run_ids[rows[0]]


st.title("Run explorer")

if _shared.athletes().empty:
    _shared.no_athletes_yet()
athlete = _shared.selected_athlete()
colour = _shared.colours()[athlete]
every_run = _shared.all_runs()
athlete_runs = every_run[every_run["athlete"] == athlete].sort_values("start_time", ascending=False)

if athlete_runs.empty:
    _shared.point_to_import(f"**{md(athlete)}** has no runs yet. Import their watch files (FIT, GPX, a folder "
                            "or an account zip) on the Import page, choosing this athlete.")
    st.stop()

requested = st.session_state.get(_shared.RUN_KEY)
shown = _shared.in_dates(athlete_runs, "local_date")
if requested in set(athlete_runs["run_id"]) and requested not in set(shown["run_id"]):
    # Opened from another page: show it even when it lies outside the sidebar's dates.
    shown = athlete_runs[athlete_runs["run_id"].isin(set(shown["run_id"]) | {requested})]
if shown.empty:
    first, last = _shared.selected_dates()
    st.info(f"**{md(athlete)}** has {len(athlete_runs)} runs, none between {first:%Y-%m-%d} and {last:%Y-%m-%d}. "
            "Widen the dates in the sidebar.")
    st.stop()

run_ids = list(shown["run_id"])
if requested not in run_ids:
    st.session_state[_shared.RUN_KEY] = run_ids[0]  # newest first
labels = {r["run_id"]: run_choice_label(r) for _, r in shown.iterrows()}
run_id = st.selectbox(f"Run of {md(athlete)} (newest first)", run_ids, key=_shared.RUN_KEY,
                      format_func=lambda rid: labels.get(rid, str(rid)),
                      help="Date (local), the run's name (from Strava's activity list) or its file, and distance. "
                           "Runs within the sidebar's dates.")

activity, metrics, profile = _shared.run_detail(run_id)
local = activity.local_start_time
start = f"{local:%Y-%m-%d %H:%M} local" if local is not None else f"{activity.start_time:%Y-%m-%d %H:%M} UTC"
named = shown.loc[shown["run_id"] == run_id, "activity_name"] if "activity_name" in shown else pd.Series(dtype=object)
if len(named) and isinstance(named.iloc[0], str) and named.iloc[0]:
    st.markdown(f"**{md(named.iloc[0])}**")
st.caption(f"{start} · {md(activity.device or 'unknown device')} · {md(activity.sport)}")

if activity.sport != "running":
    st.info(f"This is not a run (sport: {md(activity.sport or 'unknown')}), so it has no fatigue metrics. "
            "Its recorded channels are shown below.")
elif not metrics.eligible:
    st.info(f"No fatigue metrics for this run: {md(metrics.ineligible_reason)}. Distance, pace and the "
            "channels are shown below.")

# --- metric cards ------------------------------------------------------------------------------
dynamics = has_dynamics(activity.samples)
settings = _shared.get_store().metric_settings(_shared.viewer())  # quoted in the cards' and table's help
summary_cards, fatigue_cards = metric_cards(metrics, dynamics=dynamics, settings=settings)
for heading, cards in (("The run", summary_cards), ("Fatigue: the late window against the baseline", fatigue_cards)):
    st.caption(heading)
    # A wrapping row: cards flow onto the next line on a narrow screen instead of squeezing their labels.
    with st.container(horizontal=True, wrap=True):
        for card in cards:
            meaning = f"{card.help} Not computed for this run: {card.reason}." if card.reason else card.help
            st.metric(card.label, card.value, help=meaning, border=True, width=CARD_WIDTH)
blank = [c for c in fatigue_cards if c.value == BLANK]
if blank and metrics.eligible:
    st.caption("Not computed (" + BLANK + "): " + "; ".join(f"{c.label.rsplit(' (', 1)[0]}: {c.reason}"
                                                            for c in blank) + ".")
if not dynamics and activity.sport == "running":
    st.caption("No running dynamics in this file (ground contact, vertical oscillation, left/right balance need a "
               "running-dynamics sensor or watch), so their drift cards and panels are left out.")
felt = how_it_felt(shown.loc[shown["run_id"] == run_id].iloc[0])
if felt is not None:  # only when the store's runs carry perceived effort and feel
    st.caption("How it felt: the athlete's own report (Borg CR10 for effort; feel as Garmin's self-evaluation, "
               "0 very weak to 100 very strong), from the watch or a check-in")
    st.markdown(felt)

# --- panels and map ---------------------------------------------------------------------------
privacy_radius_m = _shared.get_store().privacy_radius_m(_shared.viewer())
panels_figure, route_figure = figures(*_shared.cache_key(), run_id, colour, privacy_radius_m)
st.subheader("Over the run")
words = setting_words(settings)
st.caption(f"Shaded: the baseline window ({words['baseline']}, after the warm-up) and the late window "
           f"({words['late']}) the fatigue metrics compare; dashed: their means. Windows are shares of moving "
           "distance (Data & settings). Pace, cadence and "
           "stride are left blank where you stood or paused; elevation is smoothed as the grade adjustment uses it. "
           "Drag to zoom into a stretch, double-click to zoom out.")
if len(profile) > MAX_PLOT_POINTS:
    st.caption(f"This run has {len(profile):,} samples: the chart draws about {MAX_PLOT_POINTS:,} of them, evenly "
               "spaced, so the browser stays quick. The metrics use every sample.")
st.plotly_chart(panels_figure, key="run_panels", width="stretch")

st.subheader("Route")
if route_figure is None:
    st.info(no_map_reason(activity, privacy_radius_m))
else:
    st.plotly_chart(route_figure, key="run_map", width="stretch")
    if privacy_radius_m > 0:
        st.caption(f"Start and end within {privacy_radius_m:g} m are hidden (privacy radius, Data & settings): "
                   "the line begins where the run first left that circle and stops where it last entered the "
                   "end circle.")

# --- this run's samples ------------------------------------------------------------------------
with_positions = st.checkbox(
    "include GPS positions", value=False, key="run_samples_positions",
    help=f"Off: the file has no latitude or longitude columns. On: positions are included, but those within "
         f"the privacy radius ({privacy_radius_m:g} m, Data & settings) of the run's start and end are left blank.")
# Deferred (a callable): the CSV is built when the button is pressed, from the samples as stored.
st.download_button(
    "Download this run's samples (CSV)", data=partial(samples_csv, activity, run_id, athlete, with_positions,
                                                      privacy_radius_m),
    file_name=f"core_cadence_samples_{run_id[:12]}.csv", mime="text/csv", on_click="ignore",
    key="download_run_samples", icon=":material/download:",
    help="Every stored sample of this run, one row each (time in UTC, units in the column names; cadence in "
         "steps/min). Cells a spreadsheet would run as a formula get a leading apostrophe.")

with st.expander("About this file"):
    about = pd.DataFrame([
        ("File", activity.file_name),
        ("Device", activity.device or "unknown"),
        ("Source format", activity.source_format.upper()),
        ("Decoded by", activity.reader),
        ("Sport", activity.sport if activity.sub_sport in ("", "generic") else
         f"{activity.sport} ({activity.sub_sport})"),
        ("Start (UTC)", f"{activity.start_time:%Y-%m-%d %H:%M:%S}"),
        ("UTC offset (h)", "not in the file" if activity.utc_offset_s is None else
         f"{activity.utc_offset_s / 3600:+g}"),
        ("Cadence unit detected", activity.cadence_unit),
        ("Sample interval, median (s)", f"{activity.sample_interval_s:.1f}"),
        ("Samples", f"{len(activity.samples):,}"),
        ("Pauses (timer stops)", str(activity.pauses)),
        ("Channels recorded", ", ".join(c for c in activity.fields_present if c not in ("time", "elapsed_s"))),
        ("Grade adjustment", {"gap": "yes (Minetti 2002 cost of running)", "pace": "no: raw pace (flat or no "
                              "altitude)"}.get(metrics.pace_decay_basis, "not computed")),
        *(("Warning", w) for w in activity.warnings),
    ], columns=["property", "value"])
    st.dataframe(about, hide_index=True, width="stretch", column_config={
        "property": st.column_config.TextColumn("Property"), "value": st.column_config.TextColumn("Value")})
    if not activity.warnings:
        st.caption("The reader had no warnings for this file.")

# --- the athlete's runs ----------------------------------------------------------------------
st.subheader(f"Runs of {md(athlete)}")
st.caption("Pick a row to open that run.")
table = shown.assign(
    moving_time_min=shown["moving_time_s"] / 60,
    avg_pace=shown["avg_pace_s_per_km"].map(pace_text),
    ineligible_reason=shown["ineligible_reason"].fillna(""),
)
TABLE_COLUMNS = {
    "local_date": st.column_config.DateColumn("Date (local)", format="YYYY-MM-DD"),
    "activity_name": st.column_config.TextColumn("Name", help="The name the runner gave the activity (from Strava's "
                                                 "activity list); blank when none."),
    "distance_km": st.column_config.NumberColumn(label("distance_km").axis_title, format="%.2f"),
    "moving_time_min": st.column_config.NumberColumn("Moving time (min)", format="%.0f"),
    "avg_pace": st.column_config.TextColumn(label("avg_pace_s_per_km").axis_title),
    **{metric: st.column_config.NumberColumn(label(metric).axis_title, format="%+.1f",
                                             help=label(metric, settings).meaning)
       for metric in ("pace_decay_pct", "cadence_drift_spm", "stride_length_drift_pct", "decoupling_pct")},
    "ineligible_reason": st.column_config.TextColumn("Why no fatigue metrics"),
    "file_name": st.column_config.TextColumn("File"),
}
# The key follows the run shown: the table starts with that run's row selected, and a stale selection
# never fights the selectbox.
table_key = f"{TABLE_KEY}_{run_id}"
st.dataframe(table[list(TABLE_COLUMNS)], column_config=TABLE_COLUMNS, hide_index=True, width="stretch",
             placeholder=BLANK, key=table_key, selection_mode="single-row",
             on_select=partial(open_run_from_table, list(table["run_id"]), table_key),
             selection_default={"selection": {"rows": [run_ids.index(run_id)]}})
