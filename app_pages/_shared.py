"""What every page shares: the store of this server process, cached derived tables, the sidebar's choices.

Derived tables are cached with `st.cache_data` keyed on the store's path, `Store.data_version()`, which
moves with every write, and the viewer: a page never recomputes what did not change, never shows stale data
after an import, a delete or a settings change, and one viewer's cached frame never reaches another.

Who is looking (`viewer`): in personal mode (no `[auth]` in the secrets) the one person at this computer,
who sees everything; in club mode the logged-in user's account (analysis.access), looked up on every run.
"""

from __future__ import annotations

import datetime as dt
import string

import pandas as pd
import streamlit as st

from analysis.access import PERSONAL_VIEWER, Viewer, verified_email
from analysis.charts.style import athlete_colours
from analysis.consistency import run_table, weekly_table
from analysis.metrics.run import run_metrics, run_profile
from analysis.store import Store, default_store_dir
from analysis.watch import Watcher

ATHLETE_KEY = "athlete"  # sidebar selectbox: the athlete the one-athlete pages show
DATES_KEY = "date_range"  # sidebar date_input: (first, last) local dates every page filters on
DATES_SPAN_KEY = "_date_range_span"  # the data's span the sidebar's dates last followed
RUN_KEY = "run_id"  # the run the run explorer shows (set by other pages to open a run)


@st.cache_resource(show_spinner=False)
def _open_store(path: str) -> Store:
    return Store(path)


def get_store() -> Store:
    """The store at env CORE_CADENCE_STORE or data/ (DuckDB: one writer process, many reader threads)."""
    return _open_store(str(default_store_dir()))


@st.cache_resource(show_spinner=False)
def _watcher(path: str) -> Watcher:
    return Watcher(_open_store(path)).start()


def start_watcher() -> Watcher:
    """The thread that imports new files of the store's watched folders (one per store and server process, so
    the store never has a second writer)."""
    return _watcher(str(default_store_dir()))


# --- who is looking --------------------------------------------------------------------------------

def club_mode() -> bool:
    """Club mode: the secrets have an `[auth]` section (Streamlit's OpenID Connect login, `st.login`)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all (Streamlit raises when one is read): personal mode
        return False


def club_admins() -> tuple[str, ...]:
    """The secrets' `[core_cadence] admins`: e-mail addresses that are administrators without a users row."""
    try:
        listed = st.secrets.get("core_cadence", {}).get("admins", ())
    except Exception:
        return ()
    return tuple(str(a) for a in ([listed] if isinstance(listed, str) else listed))


def login_state() -> tuple[str, Viewer | None]:
    """("personal", viewer), ("anonymous", None), ("unverified", None), ("no account", None) or ("account", viewer).

    Looked up on every run from `st.user` and the store, never kept in session state, so removing or changing a
    user takes effect on their next page run and nothing a browser sends can widen it.
    """
    if not club_mode():
        return "personal", PERSONAL_VIEWER
    if not st.user.is_logged_in:
        return "anonymous", None
    email = verified_email(st.user.to_dict())
    if email is None:
        return "unverified", None
    found = get_store().account(email, admins=club_admins())
    return ("account", found) if found is not None else ("no account", None)


def viewer() -> Viewer:
    """The viewer of this run. app.py lets a page run only with one; should a page run without (a bug), it stops."""
    _, found = login_state()
    if found is None:
        st.stop()
    return found


def cache_key() -> tuple[str, int, Viewer]:
    """(store path, data version, viewer): the key of every cached table (a Viewer hashes by its fields)."""
    store = get_store()
    return str(store.path), store.data_version(), viewer()


@st.cache_data(show_spinner=False, max_entries=16)
def _athletes(path: str, version: int, viewer: Viewer) -> pd.DataFrame:
    return get_store().athletes(viewer)


@st.cache_data(show_spinner=False, max_entries=16)
def _runs(path: str, version: int, viewer: Viewer) -> pd.DataFrame:
    return get_store().runs(viewer)


@st.cache_data(show_spinner=False, max_entries=16)
def _strength_log(path: str, version: int, viewer: Viewer) -> pd.DataFrame:
    return get_store().strength_log(viewer)


@st.cache_data(show_spinner=False, max_entries=16)
def _weekly(path: str, version: int, viewer: Viewer) -> pd.DataFrame:
    store = get_store()
    return weekly_table(_runs(path, version, viewer), _strength_log(path, version, viewer), plan=store.plan(viewer))


@st.cache_data(show_spinner=False, max_entries=16)
def _run_table(path: str, version: int, viewer: Viewer) -> pd.DataFrame:
    store = get_store()
    return run_table(_runs(path, version, viewer), _strength_log(path, version, viewer), plan=store.plan(viewer))


@st.cache_data(show_spinner=False, max_entries=32)
def _run_detail(path: str, version: int, viewer: Viewer, run_id: str):
    store = get_store()
    activity = store.activity(viewer, run_id)
    settings = store.metric_settings(viewer)
    return activity, run_metrics(activity, settings), run_profile(activity, settings)


def athletes() -> pd.DataFrame:
    """Every athlete (cached): athlete, is_sample, runs, strength_entries, first_run, last_run."""
    return _athletes(*cache_key())


def all_runs() -> pd.DataFrame:
    """Every stored run with its metrics (cached), regardless of the sidebar."""
    return _runs(*cache_key())


def runs() -> pd.DataFrame:
    """Stored runs with their metrics and 28-day strength consistency, within the sidebar's dates."""
    return in_dates(_run_table(*cache_key()), "local_date")


def strength_log() -> pd.DataFrame:
    """The normalised strength log of every athlete, within the sidebar's dates."""
    return in_dates(_strength_log(*cache_key()), "date")


def weekly() -> pd.DataFrame:
    """`analysis.consistency.weekly_table` over the store with its plan, weeks within the sidebar's dates.

    Computed over all dates first, so a 4-week consistency at the range's start still sees the weeks before.
    """
    return in_dates(_weekly(*cache_key()), "week_start", week=True)


def run_detail(run_id: str):
    """(Activity, RunMetrics, run_profile frame) of one stored run with the store's settings (cached)."""
    return _run_detail(*cache_key(), run_id)


def colours() -> dict[str, str]:
    """One colour per athlete, the same on every page."""
    return athlete_colours(athletes()["athlete"])  # only the names this viewer sees: no one else's is counted


def selected_athlete() -> str | None:
    """The athlete chosen in the sidebar (None when the store has no athletes)."""
    names = list(athletes()["athlete"])
    chosen = st.session_state.get(ATHLETE_KEY)
    return chosen if chosen in names else (names[0] if names else None)


def selected_dates() -> tuple[dt.date, dt.date] | None:
    """The sidebar's (first, last) local dates, both included; None = everything."""
    value = st.session_state.get(DATES_KEY)
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(value):
        return value[0], value[1]
    return None  # no choice yet, or half-chosen (one date picked): show everything


def data_span() -> tuple[dt.date, dt.date] | None:
    """First and last local date with a run or a strength-log entry."""
    dates = pd.concat([all_runs()["local_date"], _strength_log(*cache_key())["date"]]).dropna()
    if dates.empty:
        return None
    return dates.min().date(), dates.max().date()


def in_dates(frame: pd.DataFrame, column: str, *, week: bool = False) -> pd.DataFrame:
    """Rows of `frame` whose `column` date lies in the sidebar's range (weeks: that overlap it)."""
    chosen = selected_dates()
    if chosen is None or frame.empty:
        return frame
    first, last = pd.Timestamp(chosen[0]), pd.Timestamp(chosen[1])
    values = frame[column]
    if week:
        return frame[(values + pd.Timedelta(days=6) >= first) & (values <= last)]
    return frame[(values >= first) & (values <= last)]


PENDING_KEY = "_pending_choices"


def md(text: object) -> str:
    """User text (athlete, file and device names, reasons) made literal in Streamlit markdown.

    Every ASCII punctuation character is backslash-escaped (CommonMark allows escaping any of them), so a
    file named `[x](http://…)` or an athlete called `**Ana**` is shown as written, never as a link or bold.
    """
    return "".join("\\" + c if c in string.punctuation else c for c in str(text))


def open_page(page: str, **state: str) -> None:
    """Switch to another page with some sidebar choices set (e.g. the squad table opening an athlete).

    The sidebar's widgets already exist in this run, and Streamlit forbids changing a drawn widget's
    value, so the choices wait under PENDING_KEY and `apply_pending_choices` sets them before the
    sidebar is drawn on the next run.
    """
    st.session_state[PENDING_KEY] = dict(state)
    st.switch_page(page)


def apply_pending_choices() -> None:
    """Called by app.py before it draws the sidebar."""
    for key, value in st.session_state.pop(PENDING_KEY, {}).items():
        st.session_state[key] = value


IMPORT_PAGE = "app_pages/import_files.py"


def point_to_import(message: str, label: str = "Import files") -> None:
    """An empty state: say what is missing and what to do (`message`, markdown), with a link to the Import page."""
    st.info(message)
    st.page_link(IMPORT_PAGE, label=label, icon=":material/upload:")


def no_athletes_yet() -> None:
    """The empty state of every analysis page: say what to do, then stop the page."""
    point_to_import("No athletes in the store yet. Go to **Import** to upload watch files and a strength log.")
    st.stop()


def weekly_all_dates() -> pd.DataFrame:
    """The weekly table over every date (cached), ignoring the sidebar: a lag reaches back before its first date."""
    return _weekly(*cache_key())
