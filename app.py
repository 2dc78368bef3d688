"""Core & Cadence: router and shared sidebar only. Pages live in pages/; all computation lives in analysis/."""

from __future__ import annotations

import streamlit as st

from analysis.ingest.pipeline import load_sample_club
from pages._shared import get_store

st.set_page_config(page_title="Core & Cadence", layout="wide")

page = st.navigation([st.Page("pages/overview.py", title="Overview", icon="🏃", default=True)])

store = get_store()
status = store.status()
if status.athletes == 0 and status.sample_club == "never":
    # First start on an empty store: load the bundled synthetic club so there is something to explore.
    bar = st.progress(0.0, text="First start: loading the synthetic sample club…")
    load_sample_club(store, progress=lambda done, total, name: bar.progress(
        done / total, text=f"First start: loading the synthetic sample club ({done}/{total} files)"))
    bar.empty()
    status = store.status()

with st.sidebar:
    st.subheader("Data")
    st.caption(
        f"Store: `{status.path}` — {status.athletes} athletes, {status.runs} runs, "
        f"{status.strength_entries} strength-log entries."
    )
    if status.sample_club == "loaded" and store.athletes()["is_sample"].any():
        st.caption("Includes the **synthetic sample club**; remove it on the Overview page.")

page.run()
