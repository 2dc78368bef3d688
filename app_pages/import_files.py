"""Import: upload watch files, folders, zips and strength logs for one athlete, then read the import report.

The page only gathers uploads and an athlete; `analysis.ingest.pipeline.ingest` does the work (content
sniffing, archives, worker processes with time and memory limits, one transaction into the store) and
returns the report shown here. The report is kept in session state so it survives the rerun that
refreshes the sidebar (a new athlete must appear in its picker).

Strength logs another choice would store (held because their dates overlap a stored log, or refused only
for bad rows) keep their bytes in session state (`HELD_KEY`, `pipeline.HeldFile`: strength files only,
bounded by `pipeline.MAX_HELD_BYTES`), so the buttons under the report import just those files again with
that choice; the buttons appear only when such files are held.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
import streamlit as st

from analysis.errors import InputError
from analysis.ingest import pipeline
from analysis.ingest.pipeline import PROJECT_DIR, size_text
from app_pages._shared import (
    ATHLETE_KEY,
    DATES_KEY,
    PENDING_KEY,
    RUN_KEY,
    all_runs,
    athletes,
    data_span,
    get_store,
    md,
    open_page,
    selected_athlete,
    selected_dates,
    viewer,
)

TEMPLATE = PROJECT_DIR / "sample_data" / "strength_log_template.csv"
UPLOADER_GENERATION_KEY = "import_uploader_generation"  # part of the uploaders' keys: a new value empties them
LAST_REPORT_KEY = "import_last_report"
HELD_KEY = "import_held_files"  # pipeline.HeldFile of the last import (replaced by every import)
SKIP_BAD_ROWS_LABEL = "Import the good rows of a strength log that has bad rows (the rows left out are listed)"
# Folder uploads take every file below the folder; an account export also holds JSON, photos and more, so the
# browser sends only the kinds that can hold runs or logs (content still decides what each file is).
FOLDER_TYPES = ["fit", "gpx", "tcx", "zip", "gz", "csv", "txt"]
STATUS_ORDER = ("imported", "duplicate", "overlaps", "skipped", "failed")
MAX_ALERTS = 20  # failure/skip boxes shown one by one; the rest are in the table

REPORT_COLUMNS = {
    "status": st.column_config.TextColumn(
        "Status", help="imported; duplicate (already stored: nothing changed); overlaps (a strength log whose "
        "dates overlap a stored log: not stored, choose under the report); skipped (not a run or a log); "
        "failed (could not be read: see Reason)."),
    "file": st.column_config.TextColumn("File", help="Inside a zip or folder: archive or folder name / path."),
    "kind": st.column_config.TextColumn("Kind", help="activity (a watch file), strength (a strength log), "
                                        "skipped or failed."),
    "athlete": st.column_config.TextColumn("Athlete"),
    "sport": st.column_config.TextColumn("Sport"),
    "start_local": st.column_config.TextColumn(
        "Start (local date and time)", help="The watch's local time when the file says it, else UTC (marked). "
        "Strength logs: the first date in the log."),
    "distance_km": st.column_config.NumberColumn("Distance (km)", format="%.2f"),
    "duration_min": st.column_config.NumberColumn("Duration (min)", format="%.1f",
                                                  help="From the first to the last sample, pauses included."),
    "cadence_unit": st.column_config.TextColumn(
        "Cadence unit detected", help="Watches store cadence per leg (strides/min) or both feet (steps/min); "
        "decided per file from the data. Every page shows steps/min (both feet)."),
    "sample_interval_s": st.column_config.NumberColumn(
        "Sample interval (s)", format="%.1f", help="Median time between samples (smart recording: 1-10 s)."),
    "pauses": st.column_config.NumberColumn("Pauses (count)", help="Timer stops and long gaps in the recording."),
    "fields": st.column_config.TextColumn("Channels / entries", help="Channels recorded (runs) or entries read "
                                          "(strength logs)."),
    "warnings": st.column_config.TextColumn(
        "Warnings", help="Separated by |. Rows of a strength log left out for bad values are also listed above "
        "the table."),
    "reason": st.column_config.TextColumn("Reason", help="Why a file failed, was skipped or was a duplicate."),
}



def summary_line(report: pd.DataFrame) -> str:
    """'3 imported, 1 duplicate, 1 failed': counts by status in a fixed order (zero counts left out)."""
    counts = Counter(report["status"])
    parts = [f"{counts[s]} {s}" for s in STATUS_ORDER if counts[s]]
    parts += [f"{n} {s}" for s, n in counts.items() if s not in STATUS_ORDER]
    return ", ".join(parts) if parts else "no files"


def max_upload_mb() -> int:
    return int(st.get_option("server.maxUploadSize"))


def explain_formats() -> None:
    with st.expander("What can I upload?", expanded=False):
        st.markdown(
            f"""
- **Watch files**: FIT (Garmin, Coros, Suunto, Wahoo, Polar…), GPX (Strava, most apps) and TCX (Garmin
  Connect, older watches, treadmills), also gzipped (`.fit.gz`, `.tcx.gz`, as in a Strava export). Only
  running sessions become runs; rides, swims and other sports are listed as *skipped*.
- **Zip archives**: a whole Garmin or Strava account export works as it is (zips inside zips are read); in a
  Strava export, `activities.csv` gives each run its name and Perceived Exertion.
- **A folder**: every FIT, GPX, TCX, zip, gz, CSV and TXT file below it. To have a folder imported by itself as
  your watch syncs to it, use Data & settings → Watched folders.
- **Strength logs (CSV)**: our template (`sample_data/strength_log_template.csv`, download it below), or the
  CSV export of **Strong** or **Hevy**. One row per exercise or set; a row may carry only a back-soreness
  score (0-10). When the CSV has an *athlete* column, each row goes to the athlete it names; otherwise to
  the athlete chosen here.

What a file is is decided from its content, not its name. Re-uploading a file already stored changes
nothing (it is reported as a *duplicate*). Up to **{max_upload_mb()} MB** per uploaded file
(`server.maxUploadSize` in `.streamlit/config.toml`) and **{size_text(pipeline.MAX_UPLOAD_BYTES)}** per import
in total (import more in parts); files inside an archive have their own limits, and one that is refused is
listed with the reason.

**Strength logs with bad rows** are refused, every bad row named. Tick *Import the good rows of a strength
log that has bad rows* to import the other rows; the rows left out are listed in the report. Problems of the
whole file (no date column, dates that could be day/month or month/day) still refuse it.

**A strength log whose dates overlap one already stored** (same athlete and app, e.g. a newer export of the
same Strong account) is held, not stored: under the report, *Replace the old file* or *Keep both*.

**Privacy**: tick *Drop GPS positions* to store the runs without positions (no maps for them; the metrics are
the same). Otherwise maps hide each run's start and end within the privacy radius (Data & settings).
"""
        )
        if TEMPLATE.is_file():
            st.download_button("Download the strength-log template (CSV)", TEMPLATE.read_bytes(),
                               file_name=TEMPLATE.name, mime="text/csv", on_click="ignore")


def choose_athlete(names: list[str]) -> tuple[str | None, str]:
    """(athlete name or None, what is missing) from an existing athlete or a new name."""
    who = viewer()
    if who.role == "athlete":  # an athlete account imports for its own athlete only
        (own,) = who.athletes
        stored = next((n for n in names if n.casefold() == own.casefold()), own)
        st.markdown(f"Importing for **{md(stored)}**.")
        return stored, ""
    modes = ["An existing athlete", "A new athlete"] if names else ["A new athlete"]
    mode = st.radio("Import for", modes, horizontal=True, key="import_athlete_mode",
                    help="Every file of this upload goes to this athlete (a strength log naming athletes "
                         "in an athlete column goes to them instead).")
    if mode == "An existing athlete":
        current = selected_athlete()
        index = names.index(current) if current in names else 0
        return st.selectbox("Athlete", names, index=index, key="import_existing_athlete"), ""
    typed = st.text_input("New athlete's name", max_chars=80, key="import_new_athlete",
                          placeholder="e.g. Ana", help="As it should appear on every page (up to 80 characters).")
    name = " ".join(typed.split())
    if not name:
        return None, "type the new athlete's name"
    twin = next((n for n in names if n.casefold() == name.casefold()), None)
    if twin is not None:
        st.info(f"{md(twin)} already exists: the files will be added to {md(twin)}.")
        return twin, ""
    if not who.sees(name):
        return None, f"choose someone your account covers ({', '.join(who.athletes or ())})"
    return name, ""


def sidebar_choices_after_import(athlete: str, new_dates: pd.Series, old_span) -> dict:
    """What the sidebar should show after an import: the athlete imported for and, when the sidebar showed
    every date or a new run falls outside its dates, every date again (the new span), so the new runs are on
    every page. A range the user narrowed on purpose, still holding the new runs, is kept."""
    choices: dict = {ATHLETE_KEY: athlete}
    chosen = selected_dates()
    if chosen is None:
        return choices
    dates = pd.to_datetime(new_dates).dt.date
    outside = bool(((dates < chosen[0]) | (dates > chosen[1])).any())
    new_span = data_span()
    if new_span is not None and (outside or tuple(chosen) == tuple(old_span or ())):
        choices[DATES_KEY] = new_span
    return choices


def upload_problem(uploads: list) -> str:
    """Why these uploads cannot be imported as one batch (their total is over the per-import cap), or ""."""
    try:
        pipeline.check_upload_total(sum(int(f.size) for f in uploads))
    except InputError as exc:
        return str(exc)
    return ""


def run_import(sources: list, athlete: str, *, drop_positions: bool = False, skip_bad_rows: bool = False,
               on_strength_overlap: str = "hold") -> None:
    """Ingest `(name, bytes)` sources with a progress bar; keep the report and the held strength files in
    session state, then rerun."""
    before = set(all_runs()["run_id"])
    old_span = data_span()
    note = st.caption("Stay on this page until the import finishes: leaving it stops the import, and then "
                      "nothing is stored.")
    bar = st.progress(0.0, text=f"Reading {len(sources)} file{'s' if len(sources) != 1 else ''}…")

    def progress(done: int, total: int, name: str) -> None:
        bar.progress(done / max(total, 1), text=f"{done}/{total} files — {md(name)}")

    held: list[pipeline.HeldFile] = []
    try:
        report = pipeline.ingest(sources, athlete=athlete, store=get_store(), viewer=viewer(), progress=progress,
                                 drop_positions=drop_positions, skip_bad_rows=skip_bad_rows,
                                 on_strength_overlap=on_strength_overlap, held=held)
    except InputError as exc:  # the batch as a whole (e.g. the athlete's name): nothing was stored
        bar.empty()
        note.empty()
        st.error(f"Nothing was imported: {md(exc)}")
        return
    bar.empty()
    note.empty()
    stored_as = str(report["athlete"].iloc[0]) if len(report) else athlete  # the store's spelling of the name
    after = all_runs()  # the cache key moved with the import: this is the store as it is now
    new_runs = after[~after["run_id"].isin(before)].sort_values("start_time")
    st.session_state[LAST_REPORT_KEY] = {
        "athlete": stored_as,
        "report": report,
        "new_run_ids": list(new_runs["run_id"]),
    }
    st.session_state[HELD_KEY] = held
    # New keys empty the uploaders, so a second click cannot import the same files again by accident.
    st.session_state[UPLOADER_GENERATION_KEY] = st.session_state.get(UPLOADER_GENERATION_KEY, 0) + 1
    # The sidebar was drawn before the import: rerun, with its choices set before it is drawn again.
    st.session_state[PENDING_KEY] = sidebar_choices_after_import(stored_as, new_runs["local_date"], old_span)
    st.rerun()


def show_report(last: dict) -> None:
    report: pd.DataFrame = last["report"]
    st.subheader("Last import")
    if report.empty:
        st.info("The upload held no files to read.")
        return
    line = summary_line(report)
    counts = Counter(report["status"])
    headline = f"{line} — for {md(last['athlete'])}."
    if counts["imported"] and not counts["failed"] and not counts["overlaps"]:
        st.success(headline)
    else:
        st.info(headline)
    problems = report[report["status"].isin(["failed", "skipped"])]
    for row in problems.head(MAX_ALERTS).itertuples(index=False):
        alert = st.error if row.status == "failed" else st.warning
        alert(f"**{md(row.file)}** {row.status}: {md(row.reason)}")
    if len(problems) > MAX_ALERTS:
        st.caption(f"…and {len(problems) - MAX_ALERTS} more failed or skipped files in the table below.")
    show_rows_left_out(report)
    st.dataframe(report[list(REPORT_COLUMNS)], column_config=REPORT_COLUMNS, hide_index=True, width="stretch")
    held = st.session_state.get(HELD_KEY) or []
    offer_good_rows(report, last["athlete"], held)
    offer_overlap_choice(report, last["athlete"], held)

    new_ids = last.get("new_run_ids") or []
    if new_ids:
        st.markdown(f"**{len(new_ids)} new run{'s' if len(new_ids) != 1 else ''}** stored. See "
                    "them in the Run explorer, and how they fit the trends on the Consistency page.")
        if st.button("Open the newest imported run in the Run explorer", type="primary", icon=":material/show_chart:"):
            open_page("app_pages/run_explorer.py", **{ATHLETE_KEY: last["athlete"], RUN_KEY: new_ids[-1]})
    st.page_link("app_pages/run_explorer.py", label="Go to the Run explorer", icon=":material/show_chart:")


def show_rows_left_out(report: pd.DataFrame) -> None:
    """One box per strength log imported without some rows, naming the rows (the table's cell is too narrow)."""
    notes = [(row.file, sentence) for row in report.itertuples(index=False) if row.status == "imported"
             for sentence in pipeline.rows_left_out(row.warnings)]
    for file, sentence in notes[:MAX_ALERTS]:
        st.warning(f"**{md(file)}** was imported without some rows. {md(sentence)}")
    if len(notes) > MAX_ALERTS:
        st.caption(f"…and {len(notes) - MAX_ALERTS} more strength logs with rows left out (Warnings, below).")


def offer_good_rows(report: pd.DataFrame, athlete: str, held: list) -> None:
    """Under the report, when strength logs were refused only for bad rows: how to import their other rows,
    and a button that does it for the files kept from this import."""
    refused = report[(report["status"] == "failed") & report["reason"].map(pipeline.refused_for_rows_only)]
    if refused.empty:
        return
    files = [h for h in held if h.status == "failed"]
    n = len(refused)
    st.info(f"{n} strength log{'s were' if n != 1 else ' was'} refused only for bad rows. Tick "
            f"*{SKIP_BAD_ROWS_LABEL}* above and import {'them' if n != 1 else 'it'} again to import the other "
            "rows" + (", or use the button below." if files else "."))
    if files and st.button(f"Import the good rows of {_files_text(files)}", key="import_good_rows",
                           icon=":material/playlist_add_check:",
                           help="Reads the same files again, leaving the bad rows out; the report lists them."):
        run_import([h.upload for h in files], athlete, skip_bad_rows=True)


def offer_overlap_choice(report: pd.DataFrame, athlete: str, held: list) -> None:
    """Under the report, when strength logs were held for overlapping a stored log: replace it or keep both."""
    overlapping = report[report["status"] == "overlaps"]
    if overlapping.empty:
        return
    st.markdown("**Strength logs not stored: their dates overlap a stored log**")
    for row in overlapping.head(MAX_ALERTS).itertuples(index=False):
        st.warning(f"**{md(row.file)}**: {md(row.reason)}")
    files = [h for h in held if h.status == "overlaps"]
    if not files:  # too large to keep for a choice here (over pipeline.MAX_HELD_BYTES)
        st.caption("These files were too large to keep for a choice here: import them with the command line, "
                   "`ingest --on-overlap replace` or `--on-overlap keep`.")
        return
    st.caption(f"For {_files_text(files)}: *Replace the old file* deletes the stored log's entries and stores "
               "the new file instead (a newer export of the same log); *Keep both* stores the new file beside it "
               "(entries on the same days are then counted twice).")
    skip_bad_rows = any(h.skip_bad_rows for h in files)
    replace, keep = st.columns(2)
    if replace.button("Replace the old file", key="import_replace_overlap", icon=":material/swap_horiz:"):
        run_import([h.upload for h in files], athlete, skip_bad_rows=skip_bad_rows, on_strength_overlap="replace")
    if keep.button("Keep both", key="import_keep_overlap", icon=":material/library_add:"):
        run_import([h.upload for h in files], athlete, skip_bad_rows=skip_bad_rows, on_strength_overlap="keep")


def _files_text(files: list) -> str:
    return md(files[0].name) if len(files) == 1 else f"these {len(files)} files"


st.title("Import")
st.markdown("Upload watch files (FIT, GPX, TCX), whole account exports (zip) and strength logs (CSV: our template, "
            "Strong or Hevy). Each file is checked and read in a separate process; a file that cannot be read is "
            "reported with the reason, and the others still import.")
explain_formats()

generation = st.session_state.get(UPLOADER_GENERATION_KEY, 0)
left, right = st.columns(2)
files = left.file_uploader(
    "Files: FIT, GPX, TCX, zip or CSV", accept_multiple_files=True, key=f"import_files_{generation}",
    help="Select several files at once (Ctrl/Cmd-click), or drop them here.")
folder = right.file_uploader(
    "Or a whole folder", accept_multiple_files="directory", type=FOLDER_TYPES, key=f"import_folder_{generation}",
    help="Every FIT, GPX, TCX, zip, gz, CSV and TXT file in the folder and its sub-folders.")
uploads = [*(files or []), *(folder or [])]

athlete, athlete_missing = choose_athlete(list(athletes()["athlete"]))
drop_positions = st.checkbox(
    "Drop GPS positions (no maps for these runs)", value=False, key="import_drop_positions",
    help="The runs are stored without latitude and longitude, so no map, download or export can ever show "
         "where they were run (or where the runner lives). Distance, pace and every metric are the same. "
         "Runs already stored keep their positions: delete them and import again. To hide only the start and "
         "end of every route instead, set the privacy radius on Data & settings.")
skip_bad_rows = st.checkbox(
    SKIP_BAD_ROWS_LABEL, value=False, key="import_skip_bad_rows",
    help="Off: a strength log with a bad value in any row is refused, and every bad row is named so you can "
         "fix the file. On: the good rows are imported and the report lists each row left out and why. A "
         "problem of the whole file (no date column, dates that could be day/month or month/day) still refuses "
         "it. Watch files are not affected.")

too_big = upload_problem(uploads)
missing = [m for m in ("choose files or a folder" if not uploads else "", athlete_missing) if m]
if st.button("Import", type="primary", disabled=bool(missing or too_big),
             help=too_big or ("To import, " + " and ".join(missing) + "." if missing else None)):
    # getbuffer(): the bytes Streamlit already holds, not a second copy of a 200 MB upload.
    run_import([(f.name, f.getbuffer()) for f in uploads], athlete, drop_positions=drop_positions,
               skip_bad_rows=skip_bad_rows)
if too_big:
    st.caption(f"Cannot import: {too_big}.")  # our own sentence (sizes and words), not user text
elif missing:
    st.caption("To import, " + " and ".join(missing) + ".")
elif uploads:
    st.caption(f"{len(uploads)} file{'s' if len(uploads) != 1 else ''} ready for {md(athlete)}"
               + (", without GPS positions." if drop_positions else "."))

last_report = st.session_state.get(LAST_REPORT_KEY)
if last_report is not None:
    show_report(last_report)
