"""``brython-oidc new NAME``: a runnable app with a public page, a protected page and a test."""

from __future__ import annotations

from pathlib import Path

#: The development provider's defaults (DESIGN.md: `brython-oidc dev-idp`).
DEV_ISSUER = "http://127.0.0.1:8001"
DEV_CLIENT_ID = "demo-spa"


class ScaffoldError(Exception):
    """The app folder cannot be created; the message says why."""


CONFIG_TOML = f"""\
# brython-oidc app configuration. [oidc] is the client configuration the page gets
# (issuer, client_id, scope, ...); [app] names the module the page imports first.
# The defaults point at the development provider: run `brython-oidc dev-idp`.

[oidc]
issuer = "{DEV_ISSUER}"
client_id = "{DEV_CLIENT_ID}"
scope = "openid profile"

[app]
main = "main"
"""

MAIN_PY = '''\
"""{name}: runs in the browser (Brython). One public page, one protected page.

The data-testid attributes are what brython_oidc's pytest fixtures and helpers
(login, logout, wait_for_auth_state) look for; keep them when you restyle.
"""

from browser import aio, document, html, window

from brython_oidc.browser import create_oidc


def hook(factory, testid, text=""):
    return factory(text, **{"data-testid": testid})


state = hook(html.SPAN, "auth-state")
user = hook(html.STRONG, "user-name")
error = hook(html.SPAN, "auth-error")
login_button = hook(html.BUTTON, "login-button", "Sign in")
logout_button = hook(html.BUTTON, "logout-button", "Sign out")
content = html.DIV()


def render(oidc):
    signed_in = oidc.is_user_logged_in
    claims = oidc.decoded_id_token or {}
    state.text = "logged-in" if signed_in else "logged-out"
    user.text = str(claims.get("name") or claims.get("sub") or "") if signed_in else ""
    err = oidc.last_error
    error.text = "" if err is None else f"{type(err).__name__}: {err.code}"
    login_button.style.display = "none" if signed_in else ""
    logout_button.style.display = "" if signed_in else "none"
    content.clear()
    if window.location.pathname == "/protected":
        if signed_in:
            content.appendChild(html.H1("Protected"))
            content.appendChild(html.P("Signed in as " + user.text))
        else:
            content.appendChild(html.P("Sign in to see this page."))
    else:
        content.appendChild(html.H1("{name}"))
        content.appendChild(html.P("This page is public."))


async def main():
    # create_oidc reads the [oidc] configuration the server put into index.html and
    # resolves once the session is known (restored, or not signed in).
    oidc = await create_oidc()
    login_button.bind("click", lambda _e: aio.run(oidc.login(redirect_to="/protected")))
    logout_button.bind("click", lambda _e: aio.run(oidc.logout(redirect_to="home")))
    oidc.subscribe_to_tokens_change(lambda _tokens: render(oidc))
    render(oidc)


app = document["app"]
nav = html.NAV([html.A("Public", href="/"), " | ", html.A("Protected", href="/protected")])
status = html.P([state, " ", user, " ", login_button, logout_button, " ", error])
for part in (nav, status, content):
    app.appendChild(part)
aio.run(main())
'''

TEST_PY = '''\
"""{name}'s server-level test: the page and its bundle are served."""

import re
import warnings
from pathlib import Path

with warnings.catch_warnings():  # starlette warns about httpx vs httpx2 on import
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from brython_oidc.server import create_app

APP_DIR = Path(__file__).resolve().parents[1]


def test_page_and_bundle_are_served():
    client = TestClient(create_app(APP_DIR))
    page = client.get("/protected")
    assert page.status_code == 200
    assert "import main" in page.text
    bundle_url = re.search(r'src="(/_brython_oidc/bundle\\.[0-9a-f]+\\.js)"', page.text).group(1)
    bundle = client.get(bundle_url)
    assert bundle.status_code == 200
    assert '"main":' in bundle.text
'''

LOGIN_TEST_PY = '''\
"""{name}'s first regression test: sign in through a real provider, in a real browser.

The fixtures come from brython_oidc's pytest plugin: the development provider and
this app on free ports, and one headless Chromium for the whole session.
"""

from brython_oidc.testing import login, logout, text_of, wait_for_auth_state


def test_sign_in_and_out(browser, app_server):
    browser.get(app_server.url + "protected")
    login(browser, "alice", "alice")
    assert browser.current_url == app_server.url + "protected"
    assert text_of(browser, "user-name") == "Alice Example"
    logout(browser)


def test_mock_mode_needs_no_provider(browser, mock_app_server):
    browser.get(mock_app_server.url)
    wait_for_auth_state(browser, "logged-in")
    assert text_of(browser, "user-name") == "Mock User"
'''

PYTEST_INI = """\
[pytest]
# brython-oidc's pytest plugin serves this folder (app_server / mock_app_server fixtures).
brython_oidc_app_dir = .
testpaths = tests
"""

GITIGNORE = "__pycache__/\n/dist/\n/artifacts/\n"


def scaffold_files(name: str) -> dict[str, str]:
    return {
        "brython-oidc.toml": CONFIG_TOML,
        "main.py": MAIN_PY.replace("{name}", name),
        "tests/test_app.py": TEST_PY.replace("{name}", name),
        "tests/test_login.py": LOGIN_TEST_PY.replace("{name}", name),
        "pytest.ini": PYTEST_INI,
        "static/.gitkeep": "",
        ".gitignore": GITIGNORE,
    }


def create_scaffold(target: Path) -> list[Path]:
    """Write a new app into ``target`` (which must not exist or be empty)."""
    name = target.name
    if not name or name in (".", "..") or any(c in name for c in "\\\x00"):
        raise ScaffoldError(f"not a usable folder name: {name!r}")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(f"{target} already exists and is not empty")
    written = []
    for relative, text in scaffold_files(name).items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
