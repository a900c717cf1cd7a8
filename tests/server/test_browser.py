"""A page served by create_app runs Brython under the CSP, from the bundle alone."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from brython_oidc.server import create_app

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
