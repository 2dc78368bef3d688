"""Users (administrators only): who may log in, with which role, seeing which athletes.

The same store calls as `python -m analysis users …`; a change takes effect on that user's next page run.
"""

from __future__ import annotations

import streamlit as st

from analysis.access import ROLE_HELP, ROLES
from analysis.errors import InputError
from app_pages._shared import athletes, club_admins, get_store, md, viewer

FLASH_KEY = "users_flash"
USER_COLUMNS = {
    "email": st.column_config.TextColumn("E-mail"),
    "role": st.column_config.TextColumn("Role"),
    "covers": st.column_config.TextColumn("Athletes", help="An athlete account's athlete, or a coach's squad."),
    "added_at": st.column_config.DatetimeColumn("Added (UTC)", format="YYYY-MM-DD HH:mm"),
    "added_by": st.column_config.TextColumn("Added by"),
}

st.title("Users")
me = viewer()
me.require_admin("manage users")  # not in a non-admin's navigation; this is the second lock
message = st.session_state.pop(FLASH_KEY, None)
if message:
    st.success(message)

st.markdown("\n".join(f"- **{role}**: {ROLE_HELP[role]}" for role in ROLES))
admins = club_admins()
if admins:
    st.caption("Administrators named in the server's secrets (`[core_cadence] admins`, changed only there): "
               + ", ".join(md(a) for a in admins) + ".")

users = get_store().users(me)
if users.empty:
    st.write("No accounts yet.")
else:
    table = users.assign(covers=users["athletes"].map(lambda names: ", ".join(names) or "every athlete"))
    st.dataframe(table[list(USER_COLUMNS)], column_config=USER_COLUMNS, hide_index=True, width="stretch")

st.subheader("Add a user, or change one")
names = list(athletes()["athlete"])
with st.form("add_user_form"):
    email = st.text_input("E-mail (as the login provider verifies it)", max_chars=254,
                          placeholder="ana@example.org")
    role = st.segmented_control("Role", ROLES, default="athlete", key="user_role")
    chosen = st.multiselect("Athletes (an athlete account: exactly one; a coach: the squad; an admin: none)",
                            names, key="user_athletes", accept_new_options=True,
                            help="Pick stored athletes, or type a name whose first import is still to come.")
    add = st.form_submit_button("Save user", type="primary", icon=":material/person_add:")
if add:
    try:
        saved = get_store().add_user(me, email, role or "", chosen)
    except InputError as exc:
        st.error(f"Not saved: {md(exc)}")
    else:
        covers = "every athlete" if saved.athletes is None else ", ".join(saved.athletes)
        st.session_state[FLASH_KEY] = f"Saved {md(saved.email)} as {saved.role} ({md(covers)})."
        st.rerun()

if not users.empty:
    st.subheader("Remove a user")
    gone = st.selectbox("User", list(users["email"]), index=None, placeholder="Choose a user", key="remove_user")
    if gone is not None:
        st.warning(f"{md(gone)} will no longer be able to log in; their athlete's data stays.")
        if st.button(f"Remove {md(gone)}", type="primary", key="remove_user_button"):
            get_store().remove_user(me, gone)
            st.session_state[FLASH_KEY] = f"Removed {md(gone)}."
            st.rerun()
