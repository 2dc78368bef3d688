"""The OIDC login harness (tests/oidc_provider.py) end to end: a real provider, `streamlit run`, chromium."""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path

import pytest
from live_server import CHROMIUM_ARGS, PAGE_TIMEOUT_MS, chromium_path, free_port, streamlit_server
from oidc_provider import log_in, log_out, oidc_provider, write_secrets

pytestmark = pytest.mark.browser

APP = textwrap.dedent(
    """
    import json

    import streamlit as st

    if not st.user.is_logged_in:
        st.button("Log in", on_click=st.login)
    else:
        st.markdown(f"Signed in as **{st.user.email}**")
        st.code(json.dumps(st.user.to_dict(), sort_keys=True, default=str), language=None)
        st.write("admins:", ", ".join(st.secrets["core_cadence"]["admins"]))
        st.button("Log out", on_click=st.logout)
    """
)
EMAILS = ("ana@example.com", "ben@example.org")


def test_two_users_log_in_through_a_real_oidc_provider_and_log_out(tmp_path: Path):
    executable = chromium_path()
    if executable is None:
        pytest.skip("chromium not installed (/usr/bin/chromium or on PATH); scripts/test.sh installs it as root")
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    app = tmp_path / "auth_app.py"
    app.write_text(APP, encoding="utf-8")
    port = free_port()
    with oidc_provider(log_dir=tmp_path) as issuer:
        secrets_file = write_secrets(tmp_path / "secrets.toml", issuer, port,
                                     extra={"core_cadence": {"admins": [EMAILS[0]]}})
        with (streamlit_server(app, secrets_file, port=port, log=tmp_path / "streamlit.log") as url,
              sync_playwright() as pw):
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
            try:
                for email in EMAILS:
                    context = browser.new_context()  # fresh cookies: one user per context
                    page = context.new_page()
                    try:
                        log_in(page, url, email)
                        assert page.get_by_text(f"Signed in as {email}").count() == 1
                        claims = json.loads(page.locator('[data-testid="stCode"] code').inner_text())
                        print(f"st.user for {email}: {claims}")
                        assert claims["email"] == email
                        assert claims["sub"] == email
                        assert claims["email_verified"] is True
                        assert claims["is_logged_in"] is True
                        assert claims["iss"] == issuer
                        assert page.get_by_text(f"admins: {EMAILS[0]}").count() == 1
                        log_out(page, url)
                        page.get_by_role("button", name="Log in", exact=True).wait_for(timeout=PAGE_TIMEOUT_MS)
                        assert page.get_by_text("Signed in as").count() == 0
                        cookies = {c["name"] for c in context.cookies()}
                        assert not {"_streamlit_user", "_streamlit_user_tokens"} & cookies, cookies
                    finally:
                        context.close()
            finally:
                browser.close()
    print(f"harness test took {time.monotonic() - started:.1f} s")
