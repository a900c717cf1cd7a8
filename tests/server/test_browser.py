"""A page served by create_app runs Brython under the CSP, from the bundle alone."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from brython_oidc.server import create_app
from tests.server.helpers import make_app

pytestmark = pytest.mark.browser

APP_TEXT = "main imported ok validation_error"


def app_text(driver: Any) -> str:
    text: str = driver.execute_script("return document.getElementById('app').textContent")
    return text


def test_served_app_runs_under_the_csp_with_no_module_fetches(
    chrome: Any, app_dir: Path, live_server: Callable[[Any], AbstractContextManager[str]]
) -> None:
    with live_server(create_app(app_dir)) as base:
        chrome.get_log("browser")  # drop earlier entries
        chrome.get(f"{base}/deep/link?code=abc&state=xyz")
        WebDriverWait(chrome, 20).until(lambda d: app_text(d) == APP_TEXT)
        resources = chrome.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )
        logs = chrome.get_log("browser")
    # Only the hashed scripts: no brython_stdlib.js, no module fetched over XHR. The
    # address holds a callback, so the boot file loaded the engine too (same origin,
    # allowed by the CSP without 'unsafe-inline').
    paths = sorted(r.removeprefix(base).split(".")[0] for r in resources)
    assert paths == [
        "/_brython_oidc/boot",
        "/_brython_oidc/brython",
        "/_brython_oidc/bundle",
        "/_brython_oidc/engine",
    ]
    violations = [e for e in logs if "Content Security Policy" in e["message"]]
    assert not violations, violations
    errors = [e for e in logs if e["level"] == "SEVERE"]
    assert not errors, errors


def test_boot_file_moves_the_callback_out_of_the_address_before_brython_starts(
    chrome: Any, app_dir: Path, live_server: Callable[[Any], AbstractContextManager[str]]
) -> None:
    # Brython's tracebacks name __BRYTHON__.script_path: a code must not be in it.
    with live_server(create_app(app_dir)) as base:
        chrome.get(f"{base}/deep/link?keep=1&code=abc&state=xyz&iss=x#frag")
        WebDriverWait(chrome, 20).until(lambda d: app_text(d) == APP_TEXT)
        seen = chrome.execute_script(
            "return [location.href, __BRYTHON__.script_path, __BRYTHON__.curdir,"
            " window.__brython_oidc_callback_url]"
        )
    assert seen == [
        f"{base}/deep/link?keep=1#frag",
        f"{base}/deep/link?keep=1",
        f"{base}/deep",
        f"{base}/deep/link?keep=1&code=abc&state=xyz&iss=x#frag",
    ]


def test_boot_file_leaves_an_address_without_a_callback_alone(
    chrome: Any, app_dir: Path, live_server: Callable[[Any], AbstractContextManager[str]]
) -> None:
    with live_server(create_app(app_dir)) as base:
        chrome.get(f"{base}/deep/link?codex=1&keep=2#section")
        WebDriverWait(chrome, 20).until(lambda d: app_text(d) == APP_TEXT)
        seen = chrome.execute_script(
            "return [location.href, window.__brython_oidc_callback_url === undefined,"
            " performance.getEntriesByType('resource').map(e => e.name)"
            "   .filter(n => n.includes('/engine.')).length]"
        )
    # Nothing to restore and no create_oidc here: the engine asset is never fetched.
    assert seen == [f"{base}/deep/link?codex=1&keep=2#section", True, 0]


STALLED_IMAGE = "/stalled.svg"

#: An app template with an image the server holds back (the window load event waits)
#: and a Python block of its own, which a second ``brython()`` would run again.
STALL_TEMPLATE = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>stalled</title>{{{{ head }}}}</head>
<body><div id="app"></div><img src="{STALLED_IMAGE}" alt="">{{{{ body }}}}
<script type="text/python">
from browser import window
window.inline_runs = getattr(window, "inline_runs", 0) + 1
</script></body></html>
"""

STALL_MAIN = """\
from browser import document, window

window.app_runs = getattr(window, "app_runs", 0) + 1
document["app"].text = "ran while " + document.readyState
window.fetch("/release")  # the image comes once the page's Python has run
"""


class StalledImage:
    """``app``, with ``STALLED_IMAGE`` answered only once ``/release`` was asked."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.release = threading.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope["path"] if scope["type"] == "http" else None
        if path == "/release":
            self.release.set()
        if path != STALLED_IMAGE:
            await self.app(scope, receive, send)
            return
        # Held at most 10 s: a page whose Python waits for the load event gets it then.
        await asyncio.to_thread(self.release.wait, 10)
        headers = [(b"content-type", b"image/svg+xml")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send(
            {"type": "http.response.body", "body": b"<svg xmlns='http://www.w3.org/2000/svg'/>"}
        )


def test_boot_file_starts_python_before_the_window_load_event(
    chrome: Any, tmp_path: Path, live_server: Callable[[Any], AbstractContextManager[str]]
) -> None:
    app_dir = make_app(tmp_path / "stalled", main=STALL_MAIN)
    (app_dir / "index.html").write_text(STALL_TEMPLATE)
    app = StalledImage(create_app(app_dir))
    with live_server(app) as base:
        chrome.get(base + "/")  # returns after the load event
        # "interactive": the page's Python ran before the image let the load event fire.
        assert app_text(chrome) == "ran while interactive"
        # brython.js calls brython() at load unless something did: once, not twice.
        runs = "return [document.readyState, window.app_runs, window.inline_runs]"
        assert chrome.execute_script(runs) == ["complete", 1, 1]
