"""Data & settings: delete athletes, runs and strength files, remove the sample club, change the metric settings
and the strength plan and the privacy radius, and download the run, weekly, strength-log, association and
exercise-name tables as CSV.

Every change is one store write, which moves `Store.data_version()`; the cached loaders of every page key
on it, so the other pages show the change on their next run. Widget keys that hold a stored value (the
settings form, selections, confirmations) include that version too: after any write they start again
from the store, and a selection of table rows can never point at rows that moved.
"""

from __future__ import annotations

import datetime as dt
import zlib

import pandas as pd
import streamlit as st

from analysis.consistency import DEFAULT_PLAN, MAX_SESSIONS_PER_WEEK, validate_plan
from analysis.errors import InputError
from analysis.export import csv_bytes, store_tables
from analysis.io.exercise_taxonomy import SESSION_TYPES
from analysis.metrics.settings import METRIC_SETTINGS, MetricSettings
from analysis.privacy import PRIVACY_SETTINGS_BY_NAME
from analysis.settings import Setting, all_settings
from app_pages._shared import all_runs, athletes, get_store, md, point_to_import, viewer

FLASH_KEY = "data_settings_flash"  # a message that survives the rerun after a change
TAB_KEY = "data_settings_tab"
TABS = ("Athletes", "Runs", "Strength files", "Watched folders", "Metric settings", "Strength plan", "Privacy",
        "Downloads")

# On-screen names of the metric settings (the settings table in analysis.metrics.settings holds the unit,
# bounds and help; a setting missing here is still shown, under its code name).
SETTING_TITLES = {
    "moving_speed_min_mps": "Minimum moving speed",
    "pause_gap_min_s": "Shortest gap that is a pause",
    "pause_gap_factor": "Pause gap factor",
    "warmup_end_fraction": "Warm-up ends at",
    "baseline_end_fraction": "Baseline window ends at",
    "late_start_fraction": "Late window starts at",
    "min_moving_time_min": "Minimum moving time",
    "min_coverage": "Minimum channel coverage",
    "grade_smoothing_m": "Altitude smoothing distance",
    "flat_range_m": "Flat-run altitude range",
    "max_window_grade_pct": "Steepest window grade",
}

ATHLETE_COLUMNS = {
    "athlete": st.column_config.TextColumn("Athlete"),
    "runs": st.column_config.NumberColumn("Runs (count)"),
    "strength_entries": st.column_config.NumberColumn("Strength-log entries (count)"),
    "first_run": st.column_config.DateColumn("First run (local date)", format="YYYY-MM-DD"),
    "last_run": st.column_config.DateColumn("Last run (local date)", format="YYYY-MM-DD"),
    "is_sample": st.column_config.CheckboxColumn("Sample data", help="Part of the synthetic sample club."),
}
RUN_COLUMNS = {
    "local_date": st.column_config.DateColumn("Date (local)", format="YYYY-MM-DD"),
    "activity_name": st.column_config.TextColumn("Name", help="The name the runner gave the activity (from Strava's "
                                                 "activity list); blank when none."),
    "athlete": st.column_config.TextColumn("Athlete"),
    "distance_km": st.column_config.NumberColumn("Distance (km)", format="%.2f"),
    "moving_time_min": st.column_config.NumberColumn("Moving time (min)", format="%.0f"),
    "sport": st.column_config.TextColumn("Sport"),
    "file_name": st.column_config.TextColumn("File"),
    "device": st.column_config.TextColumn("Device"),
    "imported_on": st.column_config.DateColumn("Imported (date)", format="YYYY-MM-DD"),
}
STRENGTH_FILE_COLUMNS = {
    "file_name": st.column_config.TextColumn("File"),
    "athlete": st.column_config.TextColumn("Athlete", help="Whose entries the file holds (a coach's file may "
                                           "name several athletes)."),
    "layout": st.column_config.TextColumn("Layout", help="Our CSV, or the Strong or Hevy app's export."),
    "entries": st.column_config.NumberColumn("Entries (rows)", format="%d",
                                             help="Rows of the log stored: Strong and Hevy write one row per set."),
    "first_date": st.column_config.DateColumn("First entry (date)", format="YYYY-MM-DD"),
    "last_date": st.column_config.DateColumn("Last entry (date)", format="YYYY-MM-DD"),
    "imported_on": st.column_config.DateColumn("Imported (date)", format="YYYY-MM-DD"),
}
LAYOUT_NAMES = {"core_cadence": "our CSV", "strong": "Strong", "hevy": "Hevy"}
DOWNLOADS = (
    ("runs", "Runs", "One row per run: date, distance, moving time, every fatigue metric, the 28-day strength "
     "consistency before the run and soreness around it. No GPS positions."),
    ("weekly", "Weekly table", "One row per athlete and week (Monday first): sessions by type, plan adherence, "
     "4-week consistency, runs, km, median fatigue metrics and mean back soreness, with the current plan."),
    ("strength_log", "Strength log", "Every strength-log entry as imported (normalised: date, session type, "
     "exercise, sets, reps, load in kg, duration in min, RPE, back soreness, notes)."),
    ("associations", "Associations", "Every association the pages show: per athlete and for the squad, per week "
     "at each lag and per run, with r, the 95 % CI, p, the Holm-adjusted p, n and what the pairs are worth as "
     "independent ones (season trend out; docs/statistics.md)."),
    ("exercise_mappings", "Exercise names", "The session types you gave exercise names (on the Strength log "
     "page): athlete (blank = the whole club), exercise, session type."),
)



def flash(message: str) -> None:
    """Show `message` after the rerun that follows a change (the change's own run is thrown away)."""
    st.session_state[FLASH_KEY] = message
    st.rerun()


ADMIN_ONLY = "Only an administrator can {}; ask yours."


def admin_only(action: str) -> bool:
    """True for an administrator; otherwise a caption saying who may `action`, and False."""
    if viewer().is_admin:
        return True
    st.caption(ADMIN_ONLY.format(action))
    return False


def plural(count: int, word: str) -> str:
    """'1 run', '2 runs', '2 entries' (a consonant and y: ies)."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {word[:-1]}ies" if word.endswith("y") and word[-2:-1] not in "aeiou" else f"{count} {word}s"


# --- (a) athletes and (c) the sample club ----------------------------------------------------------------


def athletes_section(version: int) -> None:
    table = athletes()
    if table.empty:
        point_to_import("No athletes in the store yet. Go to **Import** to upload watch files and a strength log.")
        return
    st.dataframe(table[list(ATHLETE_COLUMNS)], column_config=ATHLETE_COLUMNS, hide_index=True, width="stretch")

    samples = table[table["is_sample"]]
    if not admin_only("delete athletes or the sample club"):
        return
    if not samples.empty:
        with st.container(border=True):
            st.markdown(f"**The synthetic sample club** ({plural(len(samples), 'made-up athlete')}: "
                        f"{', '.join(md(n) for n in samples['athlete'])}) is still loaded. Remove it before you "
                        "analyse your own athletes; it will not be loaded again.")
            if st.button("Remove the sample club", key="remove_sample_club"):
                removed = get_store().remove_sample_club(viewer())
                flash(f"Removed the sample club ({plural(removed, 'athlete')}).")

    st.subheader("Delete an athlete")
    name = st.selectbox("Athlete to delete", list(table["athlete"]), index=None, key=f"delete_athlete_{version}",
                        placeholder="Choose an athlete",
                        help="Deletes the athlete with every run, strength-log entry and import record of theirs.")
    if name is None:
        return
    row = table.set_index("athlete").loc[name]
    st.warning(f"Deleting **{md(name)}** removes {plural(int(row['runs']), 'run')}, "
               f"{plural(int(row['strength_entries']), 'strength-log entry')} and their import history. "
               "This cannot be undone (import the files again to get them back).")
    confirmed = st.checkbox(f"Yes, delete {md(name)} and all their data", key=f"confirm_athlete_{version}")
    if st.button(f"Delete {md(name)}", type="primary", disabled=not confirmed, key=f"delete_athlete_button_{version}",
                 help=None if confirmed else "Tick the box above to confirm first."):
        get_store().remove_athlete(viewer(), name)
        flash(f"Deleted {md(name)} and all their data.")


# --- (b) runs ---------------------------------------------------------------------------------------------


def runs_section(version: int) -> None:
    runs = all_runs()
    if runs.empty:
        point_to_import("No runs stored yet. Go to **Import** to upload watch files.")
        return
    st.caption("Every stored run (the sidebar's dates do not apply here)."
               + (" Tick rows to delete them." if viewer().is_admin else ""))
    names = sorted(runs["athlete"].unique(), key=str.casefold)
    only = st.multiselect("Athletes", names, key="runs_athletes", placeholder="All athletes",
                          help="Show only these athletes' runs (empty = everyone).")
    shown = runs[runs["athlete"].isin(only)] if only else runs
    table = shown.sort_values(["local_date", "start_time"], ascending=False).assign(
        moving_time_min=lambda f: f["moving_time_s"] / 60,
        imported_on=lambda f: pd.to_datetime(f["imported_at"], utc=True).dt.tz_localize(None).dt.normalize(),
    ).reset_index(drop=True)
    # Row positions are only meaningful for this exact table: the key changes with the data and the filter.
    table_key = f"runs_table_{version}_{zlib.crc32('|'.join(only).encode())}"
    if not viewer().is_admin:
        st.dataframe(table[list(RUN_COLUMNS)], column_config=RUN_COLUMNS, hide_index=True, width="stretch")
        admin_only("delete runs")
        return
    event = st.dataframe(table[list(RUN_COLUMNS)], column_config=RUN_COLUMNS, hide_index=True, width="stretch",
                         key=table_key, on_select="rerun", selection_mode="multi-row")
    chosen = table.iloc[list(event.selection.rows)]
    count = len(chosen)
    if not count:
        st.caption("Select runs in the table (the boxes at the left of each row) to delete them.")
        return
    st.warning(f"Deleting {plural(count, 'run')} of {plural(chosen['athlete'].nunique(), 'athlete')} removes "
               "their samples and metrics. This cannot be undone (import the files again to get them back).")
    confirmed = st.checkbox(f"Yes, delete the {plural(count, 'selected run')}", key=f"confirm_runs_{table_key}")
    if st.button(f"Delete {plural(count, 'selected run')}", type="primary", disabled=not confirmed,
                 key=f"delete_runs_{table_key}", help=None if confirmed else "Tick the box above to confirm first."):
        removed = get_store().remove_runs(viewer(), chosen["run_id"])
        flash(f"Deleted {plural(removed, 'run')}.")


# --- strength files ---------------------------------------------------------------------------------------


WATCHED_COLUMNS = {
    "folder": st.column_config.TextColumn("Folder"),
    "athlete": st.column_config.TextColumn("Athlete"),
    "files": st.column_config.NumberColumn("Files imported (count)", format="%d"),
    "last_import": st.column_config.DatetimeColumn("Last import (UTC)", format="YYYY-MM-DD HH:mm"),
}


def watched_section(version: int) -> None:
    from analysis.watch import SETTLE_S, WATCH_INTERVAL_S, allowed_roots, resolve_folder, scan_watched

    store = get_store()
    st.caption(f"A folder your watch syncs to (Garmin Express, a synced cloud folder, Syncthing): new files in it "
               f"import by themselves, checked every {WATCH_INTERVAL_S:.0f} s while the app runs, each file once "
               f"(one still being written waits until it has not changed for {SETTLE_S:.0f} s). Each import's "
               "report is in the history, and the Overview says what came in.")
    roots = allowed_roots()
    if roots:
        st.caption("This server may only watch folders inside: " + md(", ".join(str(r) for r in roots)) + ".")
    folders = store.watched_folders(viewer())
    if not folders.empty:
        st.dataframe(folders[list(WATCHED_COLUMNS)], column_config=WATCHED_COLUMNS, hide_index=True, width="stretch")
        left, right = st.columns(2)
        if left.button("Scan now", key="watch_scan_now", icon=":material/sync:", width="stretch"):
            with st.spinner("Scanning the watched folders…"):
                results = scan_watched(store, viewer())
            st.session_state[FLASH_KEY] = md("; ".join(r if isinstance(r, str) else r.summary() for r in results))
            st.rerun()
        gone = right.selectbox("Stop watching", list(folders["folder"]), index=None, key=f"unwatch_{version}",
                               placeholder="Choose a folder")
        if gone is not None and right.button("Stop watching this folder", key="watch_remove", width="stretch"):
            store.unwatch_folder(viewer(), gone)
            st.session_state[FLASH_KEY] = f"No longer watching {md(gone)}; its runs stay in the store."
            st.rerun()
    names = list(athletes()["athlete"])
    if not names:
        point_to_import("Import a first file (or check in) to create an athlete, then watch a folder for them.")
        return
    st.subheader("Watch a folder")
    athlete = st.selectbox("Athlete", names, key="watch_athlete", help="Whose runs the folder holds.")
    folder = st.text_input("Folder on this computer", key="watch_folder", placeholder="/home/ana/GarminSync")
    if st.button("Watch this folder", key="watch_add", type="primary", icon=":material/visibility:",
                 disabled=not folder.strip()):
        try:
            resolved = resolve_folder(folder.strip())
            store.watch_folder(viewer(), resolved, athlete)
        except InputError as exc:
            st.error(md(exc))
        else:
            st.session_state[FLASH_KEY] = (f"Watching {md(resolved)} for {md(athlete)}: its files import within "
                                           f"{WATCH_INTERVAL_S:.0f} s (or press Scan now).")
            st.rerun()


def strength_files_section(version: int) -> None:
    files = get_store().strength_files(viewer())
    if files.empty:
        point_to_import("No strength logs stored yet. Go to **Import** to upload one (our CSV, or a Strong or "
                        "Hevy export).")
        return
    st.caption("Every stored strength-log file (the sidebar's dates do not apply here). Select a file to delete "
               "it with its entries, for example before importing a corrected or newer export of the same log.")
    table = files.assign(
        layout=files["source_format"].map(lambda f: LAYOUT_NAMES.get(f, f)),
        imported_on=pd.to_datetime(files["imported_at"], utc=True).dt.tz_localize(None).dt.normalize(),
    ).reset_index(drop=True)
    if not viewer().is_admin:
        st.dataframe(table[list(STRENGTH_FILE_COLUMNS)], column_config=STRENGTH_FILE_COLUMNS, hide_index=True,
                     width="stretch")
        admin_only("delete strength files")
        return
    event = st.dataframe(table[list(STRENGTH_FILE_COLUMNS)], column_config=STRENGTH_FILE_COLUMNS, hide_index=True,
                         width="stretch", key=f"strength_files_table_{version}", on_select="rerun",
                         selection_mode="single-row")
    rows = list(event.selection.rows)
    if not rows:
        st.caption("Select a file in the table (the box at the left of its row) to delete it.")
        return
    chosen = table.iloc[rows[0]]
    name = md(chosen["file_name"])
    span = (f"{chosen['first_date']:%Y-%m-%d} to {chosen['last_date']:%Y-%m-%d}" if pd.notna(chosen["first_date"])
            else "no dates")
    st.warning(f"Deleting **{name}** removes its {plural(int(chosen['entries']), 'strength-log entry')} of "
               f"{md(chosen['athlete'])} ({span}) and its import record; runs and other files stay. This cannot be "
               "undone (import the file again to get them back).")
    key = f"{version}_{zlib.crc32(chosen['file_sha256'].encode())}"
    confirmed = st.checkbox(f"Yes, delete {name} and its entries", key=f"confirm_strength_file_{key}")
    if st.button(f"Delete {name}", type="primary", disabled=not confirmed, key=f"delete_strength_file_{key}",
                 help=None if confirmed else "Tick the box above to confirm first."):
        removed = get_store().remove_strength_file(viewer(), chosen["file_sha256"])
        flash(f"Deleted {name} ({plural(removed, 'strength-log entry')}).")


# --- (d) metric settings ----------------------------------------------------------------------------------


def setting_label(setting: Setting) -> str:
    title = SETTING_TITLES.get(setting.name, setting.name.replace("_", " ").capitalize())
    return f"{title} ({setting.unit})"


def setting_step(setting: Setting) -> float:
    """A step that suits the setting's range: hundredths for fractions, whole units for minutes and metres."""
    if setting.maximum <= 1:
        return 0.01
    if setting.maximum <= 10:
        return 0.1
    if setting.maximum <= 50:
        return 0.5
    return 1.0


def setting_format(step: float) -> str:
    return "%.2f" if step < 0.1 else "%.1f" if step < 1 else "%.0f"


def recompute_progress():
    # Leaving the page stops the script inside the progress callback; the store then keeps the old settings.
    bar = st.progress(0.0, text="Recomputing run metrics (stay on this page until it finishes)…")

    shown = [-1]

    def progress(done: int, total: int, _run_id: str) -> None:
        # Results come back a batch of runs at a time: redraw at each whole percent, not for every run.
        percent = int(100 * done / max(total, 1))
        if percent != shown[0] or done == total:
            shown[0] = percent
            bar.progress(done / max(total, 1), text=f"Recomputing run metrics: {done}/{total} runs")

    return bar, progress


def apply_settings(settings: MetricSettings | None, what: str, **values: float) -> None:
    bar, progress = recompute_progress()
    try:
        updated = get_store().set_metric_settings(viewer(), settings, progress=progress, **values)
    except ValueError as exc:  # InputError and the settings' own checks (bounds, window order)
        bar.empty()
        st.error(f"Settings not changed: {exc}")
        return
    flash(f"{what}; recomputed the metrics of {plural(updated, 'run')}.")


def settings_section(version: int) -> None:
    current = get_store().metric_settings(viewer())
    st.markdown("How runs are cut into windows and which runs get fatigue metrics (definitions: "
                "`docs/metrics.md`). Changing a setting recomputes every stored run from its samples, in "
                "parallel (about 8 s for 6,000 runs on two cores): stay on this page until it finishes (leaving "
                "stops it, and then nothing changes).")
    changed = current.changed()
    if changed:
        st.caption("Changed from the defaults: " + "; ".join(
            f"{setting_label(s)} {getattr(current, s.name):g} (default {s.default:g})"
            for s in METRIC_SETTINGS if s.name in changed))
    with st.form("metric_settings_form"):
        values: dict[str, float] = {}
        columns = st.columns(2)
        half = (len(METRIC_SETTINGS) + 1) // 2  # top to bottom, in the table's order: the windows stay together
        for i, setting in enumerate(METRIC_SETTINGS):
            step = setting_step(setting)
            values[setting.name] = columns[i // half].number_input(
                setting_label(setting), min_value=float(setting.minimum), max_value=float(setting.maximum),
                value=float(getattr(current, setting.name)), step=step, format=setting_format(step),
                key=f"setting_{setting.name}_{version}",
                help=f"{setting.help} Default {setting.default:g}; allowed {setting.minimum:g} to "
                     f"{setting.maximum:g} {setting.unit}.")
        apply = st.form_submit_button("Apply and recompute", type="primary", disabled=not viewer().is_admin)
    if not admin_only("change the metric settings"):
        return
    if apply:
        if values == current.as_dict():
            st.info("Nothing changed: the settings are already these.")
        else:
            apply_settings(None, "Settings applied", **values)
    if st.button("Restore defaults", disabled=not changed, key="restore_metric_defaults",
                 help="Every setting back to its default, then recompute." if changed
                 else "Every setting is at its default already."):
        apply_settings(MetricSettings(), "Default settings restored")


# Groups of the settings registry that this version does not let anyone change: listed read-only, with their help.
FIXED_GROUPS = ("consistency", "statistics")


def fixed_settings_section() -> None:
    fixed = [s for s in all_settings() if s.group in FIXED_GROUPS]
    with st.expander("Statistics and consistency settings (fixed in this version)"):
        st.markdown("These settings are fixed in this version: every page uses the values below (definitions: "
                    "`docs/statistics.md`). They are listed so you can see what the numbers on the Consistency "
                    "and Squad pages rest on.")
        st.dataframe(
            pd.DataFrame({"group": [s.group for s in fixed], "setting": [s.name for s in fixed],
                          "value": [f"{s.default:g}" for s in fixed], "unit": [s.unit for s in fixed],
                          "help": [s.help for s in fixed]}),
            hide_index=True, key="fixed_settings_table",
            column_config={"help": st.column_config.TextColumn("help", width="large")})


# --- (e) strength plan ------------------------------------------------------------------------------------


def plan_text(plan: dict[str, int]) -> str:
    return " + ".join(f"{n} {kind}" for kind, n in plan.items()) + " sessions per week"


def plan_section(version: int) -> None:
    store = get_store()
    plan = store.plan(viewer())
    st.markdown(
        f"The plan is what each week's **adherence** is measured against: for every planned session type, "
        f"min(sessions done, planned) ÷ planned, averaged over the planned types (0-100 %); the **4-week "
        f"consistency** is the mean adherence of a week and the three before it. A session is a day with at "
        f"least one exercise of that type logged. Set a type to 0 to leave it out of the plan (its sessions "
        f"still show on the Strength log page). Now: **{plan_text(plan)}**.")
    with st.form("plan_form"):
        columns = st.columns(len(SESSION_TYPES))
        values = {
            kind: column.number_input(
                f"{kind.capitalize()} (sessions/week)", min_value=0, max_value=MAX_SESSIONS_PER_WEEK,
                value=int(plan.get(kind, 0)), step=1, key=f"plan_{kind}_{version}",
                help=f"Planned {kind} sessions per week, 0 to {MAX_SESSIONS_PER_WEEK} (0 = not planned).")
            for kind, column in zip(SESSION_TYPES, columns, strict=True)
        }
        save = st.form_submit_button("Save plan", type="primary", disabled=not viewer().is_admin)
    if not admin_only("change the strength plan"):
        return
    if save:
        wanted = {kind: int(n) for kind, n in values.items() if n}
        try:
            checked = validate_plan(wanted)
            if checked == plan:
                st.info("Nothing changed: the plan is already this.")
            else:
                store.set_plan(viewer(), checked)
                flash(f"Plan saved: {plan_text(checked)}.")
        except InputError as exc:
            st.error(f"Plan not changed: {exc}")
    default = dict(DEFAULT_PLAN)
    if st.button(f"Restore the default plan ({plan_text(default)})", disabled=plan == default, key="restore_plan"):
        store.set_plan(viewer(), None)
        flash(f"Plan restored: {plan_text(default)}.")


# --- (f) privacy ------------------------------------------------------------------------------------------


def privacy_section(version: int) -> None:
    store = get_store()
    radius = store.privacy_radius_m(viewer())
    setting = PRIVACY_SETTINGS_BY_NAME["privacy_radius_m"]
    st.markdown(
        f"Runs usually start and end at home. The **privacy radius** hides the start and end of every route on "
        f"the maps, and in a run's samples downloaded with positions. Now: **{radius:g} m**"
        f"{' (nothing hidden)' if radius == 0 else ''}. To keep no positions at all, tick *Drop GPS positions* "
        f"on the Import page: such runs are stored without them.")
    with st.form("privacy_form"):
        value = st.number_input(
            f"Privacy radius ({setting.unit})", min_value=float(setting.minimum), max_value=float(setting.maximum),
            value=float(radius), step=50.0, format="%.0f", key=f"privacy_radius_{version}",
            help=f"{setting.help} Default {setting.default:g} {setting.unit}; allowed {setting.minimum:g} to "
                 f"{setting.maximum:g} {setting.unit}.")
        save = st.form_submit_button("Save privacy radius", type="primary", disabled=not viewer().is_admin)
    if not admin_only("change the privacy radius"):
        return
    if save:
        try:
            if float(value) == radius:
                st.info(f"Nothing changed: the privacy radius is already {radius:g} m.")
            else:
                saved = store.set_privacy_radius_m(viewer(), value)
                flash(f"Privacy radius saved: {saved:g} m" + (" (nothing hidden)." if saved == 0 else "."))
        except InputError as exc:
            st.error(f"Privacy radius not changed: {exc}")
    if st.button(f"Restore the default ({setting.default:g} {setting.unit})", disabled=radius == setting.default,
                 key="restore_privacy_radius"):
        store.set_privacy_radius_m(viewer(), None)
        flash(f"Privacy radius restored: {setting.default:g} {setting.unit}.")


# --- (g) downloads ----------------------------------------------------------------------------------------


def downloads_section() -> None:
    names = list(athletes()["athlete"])
    if not names:
        st.info("Nothing to download yet: the store has no athletes. Go to **Import** first.")
        return
    only = st.multiselect("Athletes", names, key="download_athletes", placeholder="All athletes",
                          help="Download only these athletes' rows (empty = everyone).")
    st.caption("CSV files (UTF-8) for a spreadsheet. Each column's name ends in its unit (`distance_km`, "
               "`moving_time_s`, `pace_decay_pct`, `cadence_drift_spm`…); dates are the athlete's local dates; "
               "adherence and consistency are 0-1. Cells a spreadsheet would run as a formula (starting with "
               "= + - @) get a leading apostrophe. No GPS positions are included (a run's samples, with positions on "
               "request, can be downloaded on the Run explorer).")
    store = get_store()
    # The viewer of this run: the deferred callables below run when a button is pressed, outside any script run,
    # where there is no st.user to look it up from.
    who = viewer()
    chosen = list(only) or None
    stamp = dt.date.today().isoformat()
    for name, title, help_text in DOWNLOADS:
        # Deferred (a callable): the table is built when the button is pressed, from the store as it is then,
        # so drawing this page costs nothing.
        st.download_button(f"Download {title.lower()} (CSV)", data=lambda name=name: csv_bytes(
            store_tables(store, who, chosen, only=name)[name]), file_name=f"core_cadence_{name}_{stamp}.csv",
            mime="text/csv",
            on_click="ignore", key=f"download_{name}", help=help_text, icon=":material/download:")


# --- the page ---------------------------------------------------------------------------------------------

st.title("Data & settings")
message = st.session_state.pop(FLASH_KEY, None)
if message:
    st.success(message)

data_version = get_store().data_version()
# Watched folders are folders of the server's disk: an administrator's to set up.
shown_tabs = [t for t in TABS if t != "Watched folders" or viewer().is_admin]
tabs = dict(zip(shown_tabs, st.tabs(shown_tabs, key=TAB_KEY, on_change="rerun"), strict=True))
# Only the open tab runs (on_change="rerun" makes the tabs lazy), so the page costs what that tab costs.
with tabs["Athletes"]:
    if tabs["Athletes"].open:
        athletes_section(data_version)
with tabs["Runs"]:
    if tabs["Runs"].open:
        runs_section(data_version)
with tabs["Strength files"]:
    if tabs["Strength files"].open:
        strength_files_section(data_version)
if "Watched folders" in tabs:
    with tabs["Watched folders"]:
        if tabs["Watched folders"].open:
            watched_section(data_version)
with tabs["Metric settings"]:
    if tabs["Metric settings"].open:
        settings_section(data_version)
        fixed_settings_section()
with tabs["Strength plan"]:
    if tabs["Strength plan"].open:
        plan_section(data_version)
with tabs["Privacy"]:
    if tabs["Privacy"].open:
        privacy_section(data_version)
with tabs["Downloads"]:
    if tabs["Downloads"].open:
        downloads_section()
