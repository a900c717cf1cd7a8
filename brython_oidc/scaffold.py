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
"""{name}: runs in the browser (Brython). One public page, one protected page."""

from browser import aio, document, html, window

# --- create_oidc: brython_oidc's sign-in API; it reads the [oidc] configuration
# --- that the server injects into index.html.
from brython_oidc.browser import create_oidc

oidc = create_oidc()


def show(*children):
    app = document["app"]
    app.clear()
    nav = html.NAV(html.A("Public", href="/") + " | " + html.A("Protected", href="/protected"))
    app <= nav
    for child in children:
        app <= child


async def main():
    await oidc.ready()  # <- create_oidc: session restored (or not) on page load
    if window.location.pathname == "/protected":
        if not oidc.is_logged_in:
            await oidc.login(return_to="/protected")  # <- create_oidc: redirect to sign in
            return
        show(html.H1("Protected"), html.P("Signed in as " + str(oidc.user.get("name"))))
    else:
        show(html.H1("{name}"), html.P("This page is public."))


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

GITIGNORE = "__pycache__/\n/dist/\n"


def scaffold_files(name: str) -> dict[str, str]:
    return {
        "brython-oidc.toml": CONFIG_TOML,
        "main.py": MAIN_PY.replace("{name}", name),
        "tests/test_app.py": TEST_PY.replace("{name}", name),
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
