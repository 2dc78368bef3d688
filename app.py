"""Core & Cadence: router, login gate and shared sidebar only. All computation lives in analysis/.

Personal mode (no `[auth]` in the secrets) serves the one person at this computer, on loopback only. Club mode
(an `[auth]` section: Streamlit's OpenID Connect login) runs no page until someone has logged in with an
account (analysis.access), and each role gets only its pages.

Pages live in app_pages/, not pages/: a folder named pages/ beside the main script puts Streamlit in its
legacy folder mode until st.navigation has run once, so the first deep link after a restart ran a page
without this script (no sidebar, wrong navigation).
"""

from __future__ import annotations

import streamlit as st

from analysis.access import APP_VIEWER
from analysis.ingest.pipeline import load_sample_club
from app_pages import _shared, login

st.set_page_config(page_title="Core & Cadence", layout="wide", page_icon="🏃")

store = _shared.get_store()
state, viewer = _shared.login_state()
if viewer is None:
    # Club mode and nobody with an account: the login page (or what to do about the account), nothing else.
    st.navigation([st.Page(login.page(state), title="Log in", icon=":material/login:", url_path="login")],
                  position="hidden").run()
    st.stop()
if state == "personal" and not login.serves_loopback_only():
    login.personal_mode_exposed()
    st.stop()

# Pages a role does not get are not in its navigation at all: a deep link to one opens the default page.
ROLE_PAGES = {
    "overview": ("admin", "coach", "athlete"), "import": ("admin", "coach", "athlete"),
    "check_in": ("admin", "coach", "athlete"), "run_explorer": ("admin", "coach", "athlete"),
    "consistency": ("admin", "coach", "athlete"), "squad": ("admin", "coach"),
    "strength_log": ("admin", "coach", "athlete"), "data_settings": ("admin", "coach", "athlete"),
    "users": ("admin",),
}
PAGES = {
    "overview": st.Page("app_pages/overview.py", title="Overview", icon=":material/home:", default=True),
    "import": st.Page("app_pages/import_files.py", title="Import", icon=":material/upload:"),
    "check_in": st.Page("app_pages/check_in.py", title="Check-in", icon=":material/edit_note:", url_path="check_in"),
    "run_explorer": st.Page("app_pages/run_explorer.py", title="Run explorer", icon=":material/show_chart:"),
    "consistency": st.Page("app_pages/consistency.py", title="Consistency vs fatigue", icon=":material/link:"),
    "squad": st.Page("app_pages/squad.py", title="Squad", icon=":material/groups:"),
    "strength_log": st.Page("app_pages/strength_log.py", title="Strength log", icon=":material/fitness_center:"),
    "data_settings": st.Page("app_pages/data_settings.py", title="Data & settings", icon=":material/settings:"),
    "users": st.Page("app_pages/users.py", title="Users", icon=":material/manage_accounts:", url_path="users"),
}
# Personal mode has nobody to log in, so no Users page (accounts can still be set up beforehand with the CLI).
page = st.navigation([p for key, p in PAGES.items()
                      if viewer.role in ROLE_PAGES[key] and (key != "users" or state != "personal")])

whole_store = store.status(APP_VIEWER)  # the first-start check is about the store, not this viewer's share
if whole_store.athletes == 0 and whole_store.sample_club == "never":
    # First start on an empty store: load the bundled synthetic club so there is something to explore.
    bar = st.progress(0.0, text="First start: loading the synthetic sample club…")
    load_sample_club(store, viewer=APP_VIEWER, progress=lambda done, total, name: bar.progress(
        done / total, text=f"First start: loading the synthetic sample club ({done}/{total} files)"))
    bar.empty()
status = store.status(viewer)

_shared.start_watcher()  # watched folders import by themselves while the app runs
_shared.apply_pending_choices()
with st.sidebar:
    names = list(_shared.athletes()["athlete"])
    if st.session_state.get(_shared.ATHLETE_KEY) not in names:
        # Someone this viewer does not see (or no longer does): never a choice, whatever the session holds.
        st.session_state.pop(_shared.ATHLETE_KEY, None)
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
        (f"Store: `{status.path}` — " if viewer.is_admin else "")
        + f"{status.athletes} athletes, {status.runs} runs, {status.strength_entries} strength-log entries."
    )
    if status.sample_club == "loaded" and _shared.athletes()["is_sample"].any():
        st.caption("Includes the **synthetic sample club**"
                   + ("; remove it on the Overview or Data & settings page." if viewer.is_admin else "."))
    login.sidebar_account(state, viewer)

page.run()
