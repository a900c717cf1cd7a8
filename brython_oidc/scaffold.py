"""``brython-oidc new NAME``: a runnable app with a public page, a protected page (routes of
``brython_oidc.browser.router``) and tests."""

from __future__ import annotations

from pathlib import Path

from brython_oidc.commands import UsageError

#: The development provider's defaults (DESIGN.md: `brython-oidc dev-idp`).
DEV_ISSUER = "http://127.0.0.1:8001"
DEV_CLIENT_ID = "demo-spa"
#: Characters a folder name may not hold (see ``create_scaffold``).
UNUSABLE = "\"'\\<>&\x00"


CONFIG_TOML = f"""\
# brython-oidc app configuration. [oidc] is the client configuration the page gets
# (issuer, client_id, scope, ...); [app] names the module the page imports first and
# the server-side routes (your API) served beside the page.
# The defaults point at the development provider: run `brython-oidc dev-idp`.

[oidc]
issuer = "{DEV_ISSUER}"
client_id = "{DEV_CLIENT_ID}"
scope = "openid profile"

[app]
main = "main"
routes = "server/api.py"
"""

INDEX_HTML = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/app.css">
<title>{name}</title>
{{ head }}
</head>
<body>
<div id="app"><p class="boot-status" role="status"></p></div>
{{ body }}
</body>
</html>
"""

APP_CSS = """\
/* {name}'s stylesheet: plain CSS, system fonts. Change anything. */
:root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --bg: #f5f7fa;
        --accent: #0b7285; --danger: #c92a2a; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: var(--bg); }
header { background: #fff; border-bottom: 1px solid var(--line); }
.bar { max-width: 50rem; margin: 0 auto; padding: .75rem 1.25rem; display: flex;
       align-items: center; gap: 1.25rem; flex-wrap: wrap; }
.brand { font-weight: 700; color: var(--ink); text-decoration: none; }
nav { display: flex; gap: .75rem; flex: 1; }
nav a { color: var(--muted); text-decoration: none; }
nav a:hover { color: var(--accent); }
.session { display: flex; align-items: center; gap: .75rem; }
.status { color: var(--muted); }
button { font: inherit; padding: .4rem .9rem; border-radius: 8px; cursor: pointer;
         border: 1px solid var(--line); background: #fff; color: var(--ink); }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
main { max-width: 50rem; margin: 1.5rem auto; padding: 0 1.25rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 1.5rem; }
.error { color: var(--danger); background: #fff5f5; border: 1px solid #ffc9c9;
         border-radius: 10px; padding: .6rem 1rem; margin-bottom: 1rem; }
.error:empty, .hidden { display: none; }
/* Before Python runs, the boot file has set <html data-oidc-status>: say it here
   (main.py's STATUS_TEXT says the same once the app runs). */
.boot-status { color: var(--muted); padding: 3rem 1rem; text-align: center; }
.boot-status::after { content: "Loading…"; }
html[data-oidc-status="signing-in"] .boot-status::after { content: "Signing you in…"; }
html[data-oidc-status="restoring"] .boot-status::after { content: "Restoring your session…"; }
html[data-oidc-status="signing-out"] .boot-status::after { content: "Signing out…"; }
output { font-weight: 600; }
"""

API_PY = '''\
"""{name}'s API: server-side routes served beside the page (``[app] routes``).

This file runs in the server (CPython), not in the browser: it lives in ``server/``
(a folder without ``__init__.py``) so the page's bundle leaves it out.
``requires_token`` answers 401 unless the request carries a valid access token for
this API (RFC 6750, RFC 9068), checked offline against the provider's keys.
"""

from starlette.responses import JSONResponse
from starlette.routing import Route

from brython_oidc.server.bearer import requires_token
from brython_oidc.server.token_validator import TokenValidator

#: The ``aud`` your provider puts in access tokens for this API ("demo-api" at the
#: development provider).
API_AUDIENCE = "demo-api"


def routes(oidc):
    """Called once at start with the [oidc] table; returns the API's routes."""
    protect = requires_token(TokenValidator(oidc["issuer"], API_AUDIENCE))

    @protect
    async def hello(request):
        claims = request.state.token_claims
        return JSONResponse({"message": "Hello, " + str(claims["sub"]) + "!"})

    return [Route("/api/hello", hello, methods=["GET"])]
'''

MAIN_PY = '''\
"""{name}: runs in the browser (Brython). A public page and a protected page, as routes.

``Router`` draws the page for the address into ``content``: ``/`` for everyone,
``/protected`` only for a signed-in user (``SignedIn()``; a signed-out visitor gets
``sign_in_first``, and the Sign in button comes back to the same address), any other
address the not-found page. Add routes with parameters (``/items/{id:int}``), guards
on claims (``Claim("groups", contains="admin")``) and titles: docs/guides/routing.md.

Text from the provider or the user goes into the page with ``el``/``set_text``
(text nodes): in Brython ``html.P("...")`` would set innerHTML, and a name like
``<img src=x>`` would become an element. The data-testid attributes are what
brython_oidc's pytest fixtures and helpers (login, logout, wait_for_auth_state)
look for; keep them when you restyle.
"""

from browser import aio, document, window

from brython_oidc.browser import create_oidc
from brython_oidc.browser import keys as status
from brython_oidc.browser.dom import el, replace_children, set_text
from brython_oidc.browser.router import Route, Router, SignedIn

#: What the header says while something happens (oidc.status).
STATUS_TEXT = {
    status.LOADING: "Loading…",
    status.SIGNING_IN: "Signing you in…",
    status.RESTORING: "Restoring your session…",
    status.SIGNING_OUT: "Signing out…",
}

state = el("span", data_testid="auth-state", Class="hidden")
progress = el("span", data_testid="auth-status", Class="status", aria_live="polite")
user = el("strong", data_testid="user-name")
error = el("p", data_testid="auth-error", Class="error", role="alert")
login_button = el("button", "Sign in", data_testid="login-button", Class="primary hidden")
logout_button = el("button", "Sign out", data_testid="logout-button", Class="hidden")
api_button = el("button", "Call the API", data_testid="call-api-button")
api_result = el("output", data_testid="api-result")
content = el("section", Class="card")


# --- pages: called with the router's view, they return what to draw ---------------------


def home(view):
    return [el("h1", "{name}"), el("p", "This page is public.")]


def protected(view):
    claims = view.router.oidc.decoded_id_token or {}
    set_text(api_result, "")
    return [
        el("h1", "Protected"),
        el("p", "Signed in as ", el("strong", claims.get("name") or claims.get("sub")), "."),
        el("p", api_button, " ", api_result),
    ]


def sign_in_first(view):
    document.title = "Sign in · {name}"
    return [el("h1", "Protected"), el("p", "Sign in to see this page.")]


def not_found(view):
    document.title = "Not found · {name}"
    # view.path comes from the address bar: text, never markup.
    return [el("h1", "Not found"), el("p", "Nothing lives at ", el("code", view.path), ".")]


ROUTES = [
    Route("/", home, name="home", title="{name}"),
    Route(
        "/protected",
        protected,
        name="protected",
        title="Protected · {name}",
        guards=[SignedIn()],
    ),
]


# --- the session in the header ----------------------------------------------------------


def render(oidc):
    signed_in = oidc.is_user_logged_in
    claims = oidc.decoded_id_token or {}
    set_text(state, "logged-in" if signed_in else "logged-out")
    set_text(user, (claims.get("name") or claims.get("sub") or "") if signed_in else "")
    err = oidc.last_error  # shown until the next success: say what went wrong
    set_text(error, "" if err is None else type(err).__name__ + ": " + str(err.code))
    show_status(oidc.status, signed_in)


def show_status(value, signed_in):
    # At most one button: Sign in when signed out and idle, Sign out when signed in.
    set_text(progress, STATUS_TEXT.get(value, ""))
    login_button.classList.toggle("hidden", signed_in or value != status.SIGNED_OUT)
    logout_button.classList.toggle("hidden", not signed_in or value == status.SIGNING_OUT)


async def call_api(oidc):
    # oidc.fetch adds the access token for this origin only (server/api.py checks it).
    response = await oidc.fetch("/api/hello")
    if int(response.status) == 200:
        set_text(api_result, (await response.json())["message"])
    else:
        set_text(api_result, "HTTP " + str(response.status))


def here():
    return str(window.location.pathname) + str(window.location.search)


async def main():
    # create_oidc reads the [oidc] configuration the server put into index.html and
    # resolves once the session is known (restored, or not signed in).
    oidc = await create_oidc()
    # Back to the page the user was on once signed in (a same-origin path only).
    login_button.bind("click", lambda _e: aio.run(oidc.login(redirect_to=here())))
    logout_button.bind("click", lambda _e: aio.run(oidc.logout(redirect_to="home")))
    api_button.bind("click", lambda _e: aio.run(call_api(oidc)))
    oidc.subscribe_to_tokens_change(lambda _tokens: render(oidc))
    oidc.subscribe_to_status(lambda value: show_status(value, oidc.is_user_logged_in))
    render(oidc)
    # The router redraws a guarded page when the session changes (a sign-out in
    # another tab takes /protected away at once).
    router = Router(ROUTES, not_found=not_found, signed_out=sign_in_first, oidc=oidc, root=content)
    router.start()


header = el(
    "header",
    el(
        "div",
        el("a", "{name}", href="/", Class="brand"),
        el("nav", el("a", "Public", href="/"), el("a", "Protected", href="/protected")),
        el("div", state, progress, user, login_button, logout_button, Class="session"),
        Class="bar",
    ),
)
replace_children(document["app"], header, el("main", error, content))
show_status(document.documentElement.getAttribute(status.STATUS_ATTRIBUTE), False)
aio.run(main())
'''

TEST_PY = '''\
"""{name}'s server-level tests: the page, its bundle and the API are served."""

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


def test_the_api_wants_an_access_token():
    client = TestClient(create_app(APP_DIR))
    assert client.get("/api/hello").status_code == 401
'''

LOGIN_TEST_PY = '''\
"""{name}'s first regression test: sign in through a real provider, in a real browser.

The fixtures come from brython_oidc's pytest plugin: the development provider and
this app on free ports, and one headless Chromium for the whole session.
"""

from brython_oidc.testing import click, login, logout, text_of, wait_for_auth_state, wait_for_testid


def test_sign_in_call_the_api_and_sign_out(browser, app_server):
    browser.get(app_server.url + "protected")
    login(browser, "alice", "alice")
    assert browser.current_url == app_server.url + "protected"
    assert text_of(browser, "user-name") == "Alice Example"
    click(browser, "call-api-button")
    assert wait_for_testid(browser, "api-result") == "Hello, alice!"
    logout(browser)


def test_mock_mode_needs_no_provider(browser, mock_app_server):
    browser.get(mock_app_server.url)
    wait_for_auth_state(browser, "logged-in")
    assert text_of(browser, "user-name") == "Mock User"


def test_signed_out_the_protected_page_asks_to_sign_in(browser, app_server):
    browser.get(app_server.url + "protected")
    wait_for_auth_state(browser, "logged-out")
    assert "Sign in to see this page." in browser.find_element("tag name", "main").text
    assert text_of(browser, "call-api-button") == ""  # the protected part is not drawn
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
        "index.html": INDEX_HTML.replace("{name}", name),
        "main.py": MAIN_PY.replace("{name}", name),
        "server/api.py": API_PY.replace("{name}", name),
        "static/app.css": APP_CSS.replace("{name}", name),
        "tests/test_app.py": TEST_PY.replace("{name}", name),
        "tests/test_login.py": LOGIN_TEST_PY.replace("{name}", name),
        "pytest.ini": PYTEST_INI,
        ".gitignore": GITIGNORE,
    }


def create_scaffold(target: Path) -> list[Path]:
    """Write a new app into ``target`` (which must not exist or be empty).

    Raises ``UsageError`` for a folder name the templates cannot carry or a folder
    already in use."""
    name = target.name
    # The name goes into Python strings, HTML and TOML comments as typed: refuse the
    # few characters that would need escaping there rather than escape them three ways.
    unusable = any(c in name for c in UNUSABLE) or not name.isprintable()
    if not name or name in (".", "..") or unusable:
        raise UsageError(f"not a usable folder name: {name!r} (no quotes, \\, <, > or &)")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target} already exists and is not empty")
    written = []
    for relative, text in scaffold_files(name).items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
