"""The runtime against the development provider, in Chromium (issue 5, "Done when").

Tokens are read from the page only to prove they appear nowhere else: not in
localStorage, sessionStorage, the URL or the console.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import Any

import pytest

from brython_oidc.testing.browser import storage_snapshot, wait_for_js

if importlib.util.find_spec("brython_oidc.devidp.provider") is None or (
    importlib.util.find_spec("brython_oidc.core.authorization") is None
):
    pytest.skip("core/ and devidp/ have not landed in this tree", allow_module_level=True)

from tests.browser.runtime_fixtures import CLIENT_ID, RunningIdp, running_idp

SELECT = "document.querySelector('[data-testid={}]').textContent"


@pytest.fixture(scope="module")
def idp(page_server: Any) -> Iterator[RunningIdp]:
    yield from running_idp(page_server.origin)


@pytest.fixture
def app(page_server: Any, idp: RunningIdp, driver: Any) -> Iterator[Any]:
    """The test app configured for the provider; cookies and storage wiped after."""
    page_server.app_module = "app_page"
    page_server.config = {
        "issuer": idp.issuer,
        "client_id": CLIENT_ID,
        "redirect_uri": page_server.origin + "/",
        "renew_before_expiry": 5,
        "renew_jitter": 0.5,
        "scope": "openid profile offline_access",
    }
    idp.provider.tamper = False
    idp.app.grants.clear()
    yield page_server
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    for origin in (page_server.origin, idp.issuer):
        driver.execute_cdp_cmd(
            "Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"}
        )


def state(driver: Any) -> str:
    return str(driver.execute_script("return " + SELECT.format("auth-state")))


def wait_state(driver: Any, value: str, timeout: float = 20) -> None:
    wait_for_js(
        driver, f"window.app_oidc_ready && {SELECT.format('auth-state')} === '{value}'", timeout
    )


def sign_in(driver: Any, username: str = "alice") -> None:
    wait_for_js(driver, "document.querySelector('input[name=username]')", 20)
    driver.find_element("name", "username").send_keys(username)
    driver.find_element("name", "password").send_keys(username)
    driver.find_element("css selector", "button[type=submit]").click()


def secrets_in_page(driver: Any) -> list[str]:
    value: list[str] = driver.execute_script(
        "return window.app_secrets ? window.app_secrets() : []"
    )
    return value


def assert_no_token_leak(driver: Any, tokens: list[str]) -> None:
    assert tokens, "the page exposed no token to look for"
    snapshot = storage_snapshot(driver)
    console = driver.console.text()
    for token in tokens:
        tail = token[-24:]
        for where, text in snapshot.items():
            assert tail not in text, f"a token leaked into {where}"
        assert tail not in console, "a token leaked into the console"


def login(driver: Any, app: Any, path: str = "/") -> None:
    driver.get(app.origin + "/")
    wait_state(driver, "logged-out")
    driver.execute_script(f"window.app_login({path!r})")
    sign_in(driver)
    wait_state(driver, "logged-in")


def test_login_cleans_url_and_returns_to_route(driver: Any, app: Any) -> None:
    login(driver, app, "/profile?tab=2")
    url = driver.current_url
    assert url == app.origin + "/profile?tab=2"
    assert "code=" not in url and "state=" not in url and "iss=" not in url
    assert driver.execute_script(f"return {SELECT.format('user-name')}")
    assert (
        driver.execute_script("return performance.getEntriesByName('brython-oidc:ready').length")
        == 1
    )
    assert_no_token_leak(driver, secrets_in_page(driver))
