"""Overview: the bundled sample club, one row per activity file, read straight from sample_data/."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import streamlit as st

import analysis.io
from analysis.errors import InputError
from analysis.io.source import find_activity_files

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CORE_CADENCE_SAMPLE_DIR") or REPO_ROOT / "sample_data")
NO_ATHLETE = "(no athlete folder)"

# Table columns in display order (keys of Activity.summary() plus athlete), labelled with their units.
COLUMNS = {
    "athlete": st.column_config.TextColumn("Athlete"),
    "start_utc": st.column_config.DatetimeColumn("Start (UTC)", format="YYYY-MM-DD HH:mm"),
    "sport": st.column_config.TextColumn("Sport"),
    "distance_km": st.column_config.NumberColumn("Distance (km)", format="%.2f"),
    "duration_min": st.column_config.NumberColumn("Duration (min)", format="%.1f"),
    "median_cadence_spm": st.column_config.NumberColumn("Median cadence (steps/min)", format="%.0f"),
    "mean_heart_rate_bpm": st.column_config.NumberColumn("Mean heart rate (bpm)", format="%.0f"),
    "pauses": st.column_config.NumberColumn("Pauses (count)"),
    "sample_interval_s": st.column_config.NumberColumn("Sample interval (s)", format="%.1f"),
    "samples": st.column_config.NumberColumn("Samples (count)"),
    "utc_offset_h": st.column_config.NumberColumn("UTC offset (h)", format="%+.2f"),
    "device": st.column_config.TextColumn("Device"),
    "format": st.column_config.TextColumn("Format"),
    "file": st.column_config.TextColumn("File"),
    "cadence_unit": st.column_config.TextColumn("Cadence as recorded"),
    "fields": st.column_config.TextColumn("Channels recorded"),
    "reader": st.column_config.TextColumn("Read with"),
    "warnings": st.column_config.TextColumn("Warnings"),
}


@st.cache_data(show_spinner=False, max_entries=5000)
def read_summary(path: str, mtime_ns: int) -> tuple[dict[str, object] | None, str | None]:
    """(summary row, None) or (None, what went wrong). `mtime_ns` is only part of the cache key."""
    try:
        return analysis.io.read_activity(path).summary(), None
    except InputError as exc:
        return None, str(exc)


def athlete_of(path: Path, root: Path) -> str:
    """The athlete is the name of the folder the file sits in (files at the top level have none)."""
    return path.parent.name if path.parent != root else NO_ATHLETE


st.title("Core & Cadence")
shown_dir = "`sample_data/`" if DATA_DIR == REPO_ROOT / "sample_data" else f"`{DATA_DIR}`"
st.markdown(
    f"This is the bundled sample club, read from {shown_dir} (one folder per athlete). "
    "Uploading your own files comes with the Import page, which is not built yet."
)

files = find_activity_files(DATA_DIR)
if not files:
    st.info(f"There are no FIT or GPX files in {shown_dir} yet, so there is nothing to show.")
    st.stop()

rows: list[dict[str, object]] = []
failures: list[tuple[str, str]] = []
with st.spinner(f"Reading {len(files)} activity files…"):
    for path in files:
        summary, error = read_summary(str(path), path.stat().st_mtime_ns)
        if summary is None:
            failures.append((str(path.relative_to(DATA_DIR)), error or "could not be read"))
        else:
            rows.append({"athlete": athlete_of(path, DATA_DIR), **summary})

table = pd.DataFrame(rows)
total_km = float(pd.to_numeric(table["distance_km"], errors="coerce").sum()) if rows else 0.0
total_h = float(pd.to_numeric(table["duration_min"], errors="coerce").sum()) / 60 if rows else 0.0

c1, c2, c3, c4 = st.columns(4)
c1.metric("Athletes", table["athlete"].nunique() if rows else 0)
c2.metric("Runs", len(rows))
c3.metric("Total distance", f"{total_km:,.1f} km")
c4.metric("Total time", f"{total_h:,.1f} h", help="From first to last sample of each file, pauses included.")

if rows:
    table["start_utc"] = pd.to_datetime(table["start_utc"], utc=True, errors="coerce")
    table = table.sort_values(["athlete", "start_utc"], kind="stable").reset_index(drop=True)
    st.dataframe(table, hide_index=True, column_order=list(COLUMNS), column_config=COLUMNS)
else:
    st.warning("None of the activity files could be read; see below why.")

if failures:
    with st.expander(f"files that could not be read ({len(failures)})"):
        for rel_path, message in failures:
            st.text(f"{rel_path}\n  {message}")
