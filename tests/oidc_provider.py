"""Test harness: log into a Streamlit app through `st.login` against a real OpenID Connect provider on loopback.

The provider is the PyPI package `oidc-provider-mock` (0.3.4), run as its own server process. Its
behaviour, read from its source and checked by tests/test_oidc_provider_harness.py:

- Clients: with the default settings (no `--require-registration`) ANY client_id / client_secret is accepted
  at the authorization and token endpoints, and any redirect_uri; no registration is needed. (With
  `require_registration=True` a client must first POST `{"redirect_uris": [...]}` to `/oauth2/clients`,
  the dynamic registration endpoint, and use the client_id / client_secret it returns.)
- Login form (GET `/oauth2/authorize`): ONE text input `name="sub"` (placeholder "sub"), submitted by the
  button "Authorize" (a separate form has a "Deny" button, `name="action" value="deny"`). Whatever subject is
  typed is accepted. A subject never seen before gets the claims `{"email": <sub>}` only.
- Claims: the user's claims are set beforehand with `PUT /users/<sub>` and a JSON object body (the mock's own
  API, answered 204); they replace that user's claims. Standard claims reach the ID token only for the
  scope that carries them (`email`, `email_verified` need scope `email`, which Streamlit asks for by
  default: "openid email profile"); non-standard claims always do. `sub` is the form's subject.
- Logout: Streamlit's st.logout sends the browser to the provider's `end_session_endpoint`, where the mock
  shows a page "End session" with one button of that name; pressing it redirects to the app's
  /oauth2callback, which (with no login state) redirects to the app's root.
- The issuer is taken from the Host header of each request (`http://127.0.0.1:PORT` when reached by that
  address), so the harness uses 127.0.0.1 everywhere.

The server and browser plumbing it shares with the other live tests (chromium, ports, health polling,
`streamlit run`) is tests/live_server.py.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from live_server import HOST, PAGE_TIMEOUT_MS, free_port, stop_process, wait_for_script, wait_http_ok

FORM_SUBJECT = 'input[name="sub"]'  # the provider's login form: its one text field
FORM_SUBMIT = "Authorize"  # ... and its submit button
END_SESSION_BUTTON = "End session"  # the provider's logout confirmation button


@contextmanager
def oidc_provider(*, log_dir: Path | None = None, require_registration: bool = False,
                  attempts: int = 3) -> Iterator[str]:
    """Run oidc-provider-mock on 127.0.0.1 on a free port, in a subprocess; yield its issuer URL.

    The server is `python -m oidc_provider_mock --host 127.0.0.1 --port PORT` (uvicorn serving the
    package's Flask app), a real separate process rather than the package's `run_server_in_thread`
    (a werkzeug server on a thread of the test process, bound to "localhost"): nothing is shared with
    the test, and its issuer is http://127.0.0.1:PORT. Yields once `/.well-known/openid-configuration`
    answers with the issuer; if the port was taken in the meantime (the process exits early), it tries a
    new port, up to `attempts` times. Its log (stdout and stderr) goes to `log_dir/oidc-provider.log`
    (a temporary folder if none). Always stopped (SIGTERM, then SIGKILL) when the block ends.
    """
    tmp = None
    if log_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="oidc-provider-")
        log_dir = Path(tmp.name)
    log = log_dir / "oidc-provider.log"
    try:
        for attempt in range(1, attempts + 1):
            port = free_port()
            issuer = f"http://{HOST}:{port}"
            cmd = [sys.executable, "-m", "oidc_provider_mock", "--host", HOST, "--port", str(port)]
            if require_registration:
                cmd += ["--require-registration", "true"]
            env = dict(os.environ, NO_COLOR="1", PYTHONUNBUFFERED="1")
            with log.open("ab") as out:
                proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
            try:
                try:
                    wait_http_ok(f"{issuer}/.well-known/openid-configuration", proc, log,
                                 expect=f'"issuer": "{issuer}"')
                except RuntimeError:
                    if proc.poll() is not None and attempt < attempts:
                        continue  # most likely the port was taken between free_port() and the bind
                    raise
                yield issuer
                return
            finally:
                stop_process(proc)
    finally:
        if tmp is not None:
            tmp.cleanup()


def set_user_claims(issuer: str, sub: str, claims: Mapping[str, Any]) -> None:
    """Give the provider's user `sub` exactly these ID-token claims (`PUT {issuer}/users/<sub>`, JSON body).

    Replaces any claims the user had. `sub` itself is not a claim to pass: it is the form's subject.
    """
    url = f"{issuer}/users/{urllib.parse.quote(sub, safe='')}"
    body = json.dumps(dict(claims)).encode()
    req = urllib.request.Request(url, data=body, method="PUT", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        if resp.status != 204:
            raise RuntimeError(f"PUT {url} answered {resp.status}: {resp.read()!r}")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} ({type(value).__name__}) to TOML")


def _toml_table(name: str, table: Mapping[str, Any], lines: list[str]) -> None:
    lines.append(f"[{name}]")
    subtables = []
    for key, value in table.items():
        if isinstance(value, Mapping):
            subtables.append((key, value))
        else:
            lines.append(f"{json.dumps(key)} = {_toml_value(value)}")
    lines.append("")
    for key, value in subtables:
        _toml_table(f"{name}.{json.dumps(key)}", value, lines)


def auth_section(issuer: str, app_port: int, *, client_id: str = "core-cadence-test",
                 client_secret: str = "test-client-secret", cookie_secret: str | None = None) -> dict[str, str]:
    """Streamlit's `[auth]` keys for the default provider pointing at `issuer`, for an app on 127.0.0.1:app_port.

    `redirect_uri` is http://127.0.0.1:PORT/oauth2callback: its host must be the one the browser opens the app
    on, because Authlib keeps the login state in Streamlit's session cookie, which is per host. The mock takes
    any client_id / client_secret (see the module docstring).
    """
    return {
        "redirect_uri": f"http://{HOST}:{app_port}/oauth2callback",
        "cookie_secret": cookie_secret or secrets.token_urlsafe(32),
        "client_id": client_id,
        "client_secret": client_secret,
        "server_metadata_url": f"{issuer}/.well-known/openid-configuration",
    }


def write_secrets(path: Path, issuer: str, app_port: int, extra: Mapping[str, Mapping[str, Any]] | None = None,
                  **auth_kwargs: Any) -> Path:
    """Write a Streamlit secrets.toml at `path`: `[auth]` (see `auth_section`) plus each `extra` section.

    `extra` maps section names to tables, e.g. `{"core_cadence": {"admins": ["a@example.com"]}}`; values may be
    str, bool, int, float, lists of those, or nested tables. `auth_kwargs` go to `auth_section` (client_id,
    client_secret, cookie_secret). The file is read back with tomllib to check it says what was meant.
    Pass it to Streamlit with `streamlit run APP --secrets.files PATH` (see `streamlit_server`).
    """
    sections: dict[str, Mapping[str, Any]] = {"auth": auth_section(issuer, app_port, **auth_kwargs)}
    for name, table in (extra or {}).items():
        if name == "auth":
            raise ValueError("pass [auth] settings as keyword arguments, not in extra")
        sections[name] = table
    lines: list[str] = []
    for name, table in sections.items():
        _toml_table(json.dumps(name), table, lines)
    text = "\n".join(lines)
    expected = json.loads(json.dumps(sections))  # tuples to lists, as TOML reads them back
    if tomllib.loads(text) != expected:
        raise AssertionError(f"secrets.toml does not read back as written:\n{text}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _on_app(app_url: str):
    app = urllib.parse.urlsplit(app_url)

    def check(url: str) -> bool:
        here = urllib.parse.urlsplit(url)
        return here.netloc == app.netloc and not here.path.rstrip("/").endswith(("oauth2callback", "auth/login",
                                                                                  "auth/logout"))
    return check


def log_in(page, app_url: str, email: str, *, button: str = "Log in", claims: Mapping[str, Any] | None = None,
           timeout_ms: int = PAGE_TIMEOUT_MS) -> None:
    """Log `page` (Playwright, sync API) into the Streamlit app at `app_url` as `email`, through the provider.

    Opens `app_url`, waits for the script, clicks the button labelled `button` (the app calls `st.login()` on
    it), and waits for the provider's form at /oauth2/authorize. Before submitting it sets the user's claims
    with `set_user_claims` on the provider the browser was sent to: `{"email": email, "email_verified": True}`
    updated with `claims`. Then it fills the form's one field, `input[name="sub"]`, with `email` (so the ID
    token's `sub` is the address too) and clicks "Authorize". Returns when the browser is back on the app (past
    /oauth2callback) with `[data-testid="stApp"]` present, its script finished and no stStatusWidget.
    """
    page.goto(app_url, timeout=timeout_ms)
    wait_for_script(page, timeout_ms)
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_url("**/oauth2/authorize?**", timeout=timeout_ms)
    here = urllib.parse.urlsplit(page.url)
    set_user_claims(f"{here.scheme}://{here.netloc}", email, {"email": email, "email_verified": True, **(claims or {})})
    page.locator(FORM_SUBJECT).fill(email)
    page.get_by_role("button", name=FORM_SUBMIT, exact=True).click()
    page.wait_for_url(_on_app(app_url), timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    wait_for_script(page, timeout_ms)


def log_out(page, app_url: str, *, button: str = "Log out", timeout_ms: int = PAGE_TIMEOUT_MS) -> None:
    """Click the app's `button` (the app calls `st.logout()` on it) and end the session at the provider.

    st.logout clears Streamlit's auth cookies and sends the browser to the mock's end_session_endpoint; this
    presses its "End session" button, which redirects to /oauth2callback and on to the app's root. Returns
    when the app has been loaded again and its script has finished.
    """
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_url("**/oauth2/end_session?**", timeout=timeout_ms)
    page.get_by_role("button", name=END_SESSION_BUTTON, exact=True).click()
    page.wait_for_url(_on_app(app_url), timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    wait_for_script(page, timeout_ms)
