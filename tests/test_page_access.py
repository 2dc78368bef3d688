"""Club mode through app.py under AppTest: each role's pages, pickers, tables and charts show only its athletes.

The sample club (Ana, Ben, Chloe, Dev) with an athlete account for Ana and a coach of Ana and Ben. AppTest
seeds `st.user` as a logged-in provider would (tests/test_club_login.py does the real login in chromium);
everything else is real: the store on disk, the app's gate, every page of the role's navigation.
"""

from __future__ import annotations

import re

import pytest
from app_harness import APP, TIMEOUT_S, assert_no_exception, everything_shown
from conftest import ADMIN
from streamlit.testing.v1 import AppTest

from analysis.store import Store
from app_pages._shared import md

EVERYONE = ("Ana", "Ben", "Chloe", "Dev")
PAGES = ("app_pages/overview.py", "app_pages/import_files.py", "app_pages/check_in.py", "app_pages/run_explorer.py",
         "app_pages/consistency.py", "app_pages/squad.py", "app_pages/strength_log.py",
         "app_pages/data_settings.py", "app_pages/users.py")
AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "a-test-cookie-secret-0123456789",
        "client_id": "core-cadence", "client_secret": "not-used-here",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
ROLES = {  # email: (role, athletes seen, pages in the navigation)
    "boss@club.org": ("admin", EVERYONE, PAGES),
    "coach@club.org": ("coach", ("Ana", "Ben"), PAGES[:-1]),
    "ana@club.org": ("athlete", ("Ana",), tuple(p for p in PAGES[:-1] if p != "app_pages/squad.py")),
}


@pytest.fixture
def club_store(store_copy):
    with Store(store_copy) as store:
        store.add_user(ADMIN, "ana@club.org", "athlete", ["Ana"])
        store.add_user(ADMIN, "coach@club.org", "coach", ["Ana", "Ben"])
    return store_copy


def open_club(store_dir, monkeypatch, user: dict | None) -> AppTest:
    """app.py in club mode (an [auth] section and one admin in the secrets), as `user` (None: not logged in)."""
    monkeypatch.setenv("CORE_CADENCE_STORE", str(store_dir))
    monkeypatch.delenv("CORE_CADENCE_SAMPLE_DIR", raising=False)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    at.secrets["auth"] = AUTH
    at.secrets["core_cadence"] = {"admins": ["boss@club.org"]}
    at.user = {"is_logged_in": False} if user is None else {"is_logged_in": True, **user}
    at.run()
    assert_no_exception(at)
    return at


def named(names, text: str) -> list[str]:
    """The names that occur in `text` as words ("Dev" in "Dev's run", not in "Device")."""
    return [n for n in names if re.search(rf"\b{re.escape(n)}\b", text)]


def test_not_logged_in_sees_the_login_page_and_no_athlete(club_store, monkeypatch):
    at = open_club(club_store, monkeypatch, None)
    assert [b.label for b in at.button] == ["Log in"]
    shown = everything_shown(at)
    assert not named(EVERYONE, shown)
    for page in PAGES:  # no page is registered at all (a deep link in a browser: tests/test_club_login.py)
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


@pytest.mark.parametrize("claims", [{"email": "stranger@elsewhere.org", "email_verified": True},
                                    {"email": "ana@club.org", "email_verified": False}],
                         ids=["no account", "unverified e-mail"])
def test_a_login_without_an_account_sees_whom_to_ask_and_no_athlete(club_store, monkeypatch, claims):
    at = open_club(club_store, monkeypatch, claims)
    assert md("boss@club.org") in " ".join(w.value for w in at.warning)
    assert [b.label for b in at.button] == ["Log out"]
    assert not named(EVERYONE, everything_shown(at))


@pytest.mark.parametrize("email", list(ROLES))
def test_each_role_sees_its_athletes_on_every_page_and_no_one_else(club_store, monkeypatch, email):
    role, seen, pages = ROLES[email]
    hidden = [name for name in EVERYONE if name not in seen]
    at = open_club(club_store, monkeypatch, {"email": email, "email_verified": True})
    assert at.sidebar.selectbox(key="athlete").options == list(seen)
    assert f"Logged in as **{md(email)}** ({role}" in " ".join(c.value for c in at.sidebar.caption)
    for page in PAGES:
        if page not in pages:  # not in this role's navigation: not registered at all
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(page)
            continue
        at.switch_page(page).run()
        assert_no_exception(at)
        shown = everything_shown(at)
        assert not named(hidden, shown), f"{page} shows {hidden} to the {role}"
        if page in ("app_pages/overview.py", "app_pages/squad.py"):
            for name in seen:
                assert named([name], shown), f"{page} does not show {name} to the {role}"
    for name in seen:  # each athlete the role sees opens on the one-athlete pages
        at.sidebar.selectbox(key="athlete").select(name).run()
        at.switch_page("app_pages/run_explorer.py").run()
        assert_no_exception(at)
        assert not named(hidden, everything_shown(at))


def test_session_state_cannot_widen_a_viewer(club_store, monkeypatch):
    with Store(club_store) as store:
        chloe_run = store.runs(ADMIN, ["Chloe"])["run_id"].iloc[0]
    at = open_club(club_store, monkeypatch, {"email": "ana@club.org", "email_verified": True})
    at.session_state["_pending_choices"] = {"athlete": "Chloe"}  # what another page's link would set
    at.session_state["run_id"] = chloe_run  # the run the Run explorer opens
    at.switch_page("app_pages/run_explorer.py").run()
    assert_no_exception(at)
    assert not named(["Chloe"], everything_shown(at))
    at.switch_page("app_pages/check_in.py").run()
    assert not named(["Chloe"], everything_shown(at))


def test_a_removed_user_is_out_on_the_next_run(club_store, monkeypatch):
    at = open_club(club_store, monkeypatch, {"email": "coach@club.org", "email_verified": True})
    assert at.sidebar.selectbox(key="athlete").options == ["Ana", "Ben"]
    with Store(club_store) as store:  # the CLI, between two page runs (the app's store is not open here)
        store.add_user(ADMIN, "coach@club.org", "coach", ["Ben"])
    at.run()
    assert at.sidebar.selectbox(key="athlete").options == ["Ben"]
    with Store(club_store) as store:
        store.remove_user(ADMIN, "coach@club.org")
    at.run()
    assert [b.label for b in at.button] == ["Log out"] and not named(["Ben"], everything_shown(at))


def test_the_admin_manages_users_on_the_users_page(club_store, monkeypatch):
    at = open_club(club_store, monkeypatch, {"email": "boss@club.org", "email_verified": True})
    at.switch_page("app_pages/users.py").run()
    assert_no_exception(at)
    assert set(at.dataframe[0].value["email"]) == {"ana@club.org", "coach@club.org"}
    at.text_input[0].input("Dev@Club.org")
    at.multiselect(key="user_athletes").select("Dev")
    next(b for b in at.button if b.label == "Save user").click().run()  # role: athlete, the default
    assert_no_exception(at)
    assert any(f"Saved {md('dev@club.org')} as athlete (Dev)." in s.value for s in at.success)
    with Store(club_store) as store:
        assert store.account("dev@club.org").athletes == ("Dev",)


def test_personal_mode_started_on_a_network_address_shows_no_data(store_copy, monkeypatch):
    from streamlit import config

    monkeypatch.setenv("CORE_CADENCE_STORE", str(store_copy))
    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")  # as `scripts/run.sh --server.address 0.0.0.0` would
    try:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
        at.run()
    finally:
        config.set_option("server.address", before)
    assert_no_exception(at)
    assert "personal mode" in at.error[0].value and md("0.0.0.0") in at.error[0].value
    assert not named(EVERYONE, everything_shown(at))
