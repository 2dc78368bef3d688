"""What club mode shows before anyone with an account is logged in, and the sidebar's account line.

Not a page of the navigation: app.py shows one of these in place of every page when `_shared.login_state()`
has no viewer, so nobody without an account reaches a page, a picker or a download.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

import streamlit as st

from analysis.access import ROLE_HELP, Viewer
from app_pages import _shared

CLUB_HOWTO = ("To open it to a club, give the server an `[auth]` section in its secrets (any OpenID Connect "
              "provider: Google, Microsoft, Auth0, Keycloak, authentik …) and `[core_cadence] admins`; see "
              "docs/security.md.")


def _admins_text() -> str:
    admins = _shared.club_admins()
    return ", ".join(f"**{_shared.md(a)}**" for a in admins) if admins else "the club's administrator"


def _anonymous() -> None:
    st.title("Core & Cadence")
    st.write("This club's training data is private: log in to see yours (or your squad's).")
    st.button("Log in", type="primary", icon=":material/login:", on_click=st.login, width="stretch")


def _no_account() -> None:
    st.title("Core & Cadence")
    email = _shared.md(st.user.get("email") or "this address")
    st.warning(f"You are logged in as **{email}**, but no account is set up for it here. Ask {_admins_text()} "
               "to add you (as an athlete, or as a coach with a squad).", icon=":material/person_off:")
    st.button("Log out", icon=":material/logout:", on_click=st.logout)


def _unverified() -> None:
    st.title("Core & Cadence")
    st.warning("Your login provider did not confirm your e-mail address, so it cannot identify you here. Confirm "
               f"the address with the provider, then log in again; or ask {_admins_text()}.",
               icon=":material/mark_email_unread:")
    st.button("Log out", icon=":material/logout:", on_click=st.logout)


def page(state: str) -> Callable[[], None]:
    """The page function for a login state without a viewer: "anonymous", "no account" or "unverified"."""
    return {"anonymous": _anonymous, "no account": _no_account, "unverified": _unverified}[state]


def serves_loopback_only() -> bool:
    """Whether this server listens on loopback only (`server.address` 127.0.0.1, ::1 or localhost)."""
    address = str(st.get_option("server.address") or "").strip()
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:  # unset (every interface) or a host name
        return False


def personal_mode_exposed() -> None:
    """Personal mode on a server reachable from the network: say so and show nothing."""
    address = st.get_option("server.address") or "every network interface"
    st.title("Core & Cadence")
    st.error(f"This is **personal mode** (no login), and the server listens on {_shared.md(address)}: anyone who "
             "can reach it would see every athlete. Start it on this computer only (`server.address = "
             f"\"127.0.0.1\"`, as `.streamlit/config.toml` sets), or open it to a club with logins. {CLUB_HOWTO}",
             icon=":material/lock_open:")


def sidebar_account(state: str, viewer: Viewer) -> None:
    """Who is logged in and with what role (club mode), or that this is personal mode and how to open it up."""
    if state == "personal":
        st.caption("**Personal mode**: no login, on this computer only (127.0.0.1). " + CLUB_HOWTO)
        return
    covers = "every athlete" if viewer.athletes is None else ", ".join(viewer.athletes) or "nobody yet"
    st.caption(f"Logged in as **{_shared.md(viewer.email)}** ({viewer.role}: {_shared.md(covers)}). "
               f"{ROLE_HELP[viewer.role].capitalize()}.")
    st.button("Log out", icon=":material/logout:", on_click=st.logout, key="sidebar_logout")
