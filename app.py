"""Core & Cadence: router and shared sidebar only. All computation lives in analysis/.

Pages live in app_pages/, not pages/: a folder named pages/ beside the main script puts Streamlit in its
legacy folder mode until st.navigation has run once, so the first deep link after a restart ran a page
without this script (no sidebar, wrong navigation).
"""

from __future__ import annotations

import streamlit as st

from analysis.ingest.pipeline import load_sample_club
from app_pages import _shared

st.set_page_config(page_title="Core & Cadence", layout="wide", page_icon="🏃")

PAGES = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/home:", default=True),
    st.Page("app_pages/import_files.py", title="Import", icon=":material/upload:"),
    st.Page("app_pages/check_in.py", title="Check-in", icon=":material/edit_note:", url_path="check_in"),
    st.Page("app_pages/run_explorer.py", title="Run explorer", icon=":material/show_chart:"),
    st.Page("app_pages/consistency.py", title="Consistency vs fatigue", icon=":material/link:"),
    st.Page("app_pages/squad.py", title="Squad", icon=":material/groups:"),
    st.Page("app_pages/strength_log.py", title="Strength log", icon=":material/fitness_center:"),
    st.Page("app_pages/data_settings.py", title="Data & settings", icon=":material/settings:"),
]
page = st.navigation(PAGES)

store = _shared.get_store()
status = store.status()
if status.athletes == 0 and status.sample_club == "never":
    # First start on an empty store: load the bundled synthetic club so there is something to explore.
    bar = st.progress(0.0, text="First start: loading the synthetic sample club…")
    load_sample_club(store, progress=lambda done, total, name: bar.progress(
        done / total, text=f"First start: loading the synthetic sample club ({done}/{total} files)"))
    bar.empty()
    status = store.status()

_shared.start_watcher()  # watched folders import by themselves while the app runs
_shared.apply_pending_choices()
with st.sidebar:
    names = list(_shared.athletes()["athlete"])
    if names:
        st.selectbox("Athlete", names, key=_shared.ATHLETE_KEY,
                     help="The athlete the Run explorer, Consistency and Strength log pages show.")
        span = _shared.data_span()
        if span is not None:
            # Follow the data when it grows (an import) unless the user has narrowed the dates themselves.
            followed = st.session_state.get(_shared.DATES_SPAN_KEY)
            if followed != span:
                chosen = st.session_state.get(_shared.DATES_KEY)
                if chosen is None or followed is None or tuple(chosen) == tuple(followed):
                    st.session_state[_shared.DATES_KEY] = span
                st.session_state[_shared.DATES_SPAN_KEY] = span
            st.date_input("Dates", key=_shared.DATES_KEY, format="YYYY-MM-DD",
                          help="Local dates (both included) every page shows; clear it to see everything.")
    st.caption(
        f"Store: `{status.path}` — {status.athletes} athletes, {status.runs} runs, "
        f"{status.strength_entries} strength-log entries."
    )
    if status.sample_club == "loaded" and store.athletes()["is_sample"].any():
        st.caption("Includes the **synthetic sample club**; remove it on the Overview or Data & settings page.")

page.run()
