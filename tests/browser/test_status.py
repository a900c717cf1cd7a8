"""The page says what it is doing (issue 25 "Visible progress"), before Brython runs.

The boot file sets ``<html data-oidc-status>`` from what it already knows (a callback
in the address, the "was signed in" hint, a return from the provider's logout); the
Python side (``Oidc.status``, ``subscribe_to_status``) keeps it current. A spy on
``setAttribute`` installed before any page script records each value and whether
Brython had imported the framework when it was set.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from typing import Any

import pytest

from brython_oidc.server.names import keys
from brython_oidc.testing.browser import wait_for_js

if importlib.util.find_spec("brython_oidc.devidp.provider") is None:
    pytest.skip("devidp/ has not landed in this tree", allow_module_level=True)

from tests.browser.runtime_fixtures import sign_in, wait_state

SPY = """(() => {
  if (window !== window.top) { return; }  // the silent-renew iframe is not the page
  const log = window.__status_log = [];
  const set = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this === document.documentElement && name === ATTRIBUTE) {
      const B = window.__BRYTHON__;
      log.push({
        value: String(value),
        at: performance.now(),
        python: !!(B && B.imported && B.imported["brython_oidc.browser.handle"]),
      });
    }
    return set.call(this, name, value);
  };
  // Pages this tab left (a restore may pass through the provider): their logs.
  window.addEventListener("pagehide", () => {
    if (!log.length) { return; }
    const pages = JSON.parse(sessionStorage.getItem("status-test:pages") || "[]");
    pages.push(log);
    sessionStorage.setItem("status-test:pages", JSON.stringify(pages));
  });
})();""".replace("ATTRIBUTE", json.dumps(keys.STATUS_ATTRIBUTE))


@pytest.fixture
def spied(driver: Any, app: Any) -> Iterator[Any]:
    """The app served as create_app serves it (the boot file), the spy on every page."""
    app.boot_file = True
    script = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SPY})
    yield app
    driver.execute_cdp_cmd(
        "Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]}
    )


def status_log(driver: Any) -> list[dict[str, Any]]:
    log: list[dict[str, Any]] = driver.execute_script("return window.__status_log")
    return log


def left_pages(driver: Any) -> list[list[dict[str, Any]]]:
    """The status logs of the app's pages this tab left since the last call."""
    pages: list[list[dict[str, Any]]] = driver.execute_script(
        "const v = JSON.parse(sessionStorage.getItem('status-test:pages') || '[]');"
        "sessionStorage.removeItem('status-test:pages'); return v;"
    )
    return pages


def attribute(driver: Any) -> str:
    value: str = driver.execute_script(
        "return document.documentElement.getAttribute(arguments[0])", keys.STATUS_ATTRIBUTE
    )
    return value


def wait_status(driver: Any, value: str) -> None:
    wait_for_js(
        driver,
        f"document.documentElement.getAttribute({json.dumps(keys.STATUS_ATTRIBUTE)})"
        f" === {json.dumps(value)}",
        20,
    )


def assert_first_set_by_boot_file(driver: Any, value: str, log: Any = None) -> None:
    log = status_log(driver) if log is None else log
    assert log, "nothing set the status"
    assert log[0]["value"] == value
    assert not log[0]["python"], "set only once Brython had imported the framework"


def test_statuses_are_the_documented_strings() -> None:
    assert keys.STATUSES == (
        "loading",
        "signing-in",
        "restoring",
        "signing-out",
        "signed-in",
        "signed-out",
        "renewing",
    )


def test_logged_out_page_says_loading_before_brython_then_signed_out(
    driver: Any, spied: Any
) -> None:
    driver.get(spied.origin + "/")
    wait_state(driver, "logged-out")
    assert_first_set_by_boot_file(driver, keys.LOADING)
    assert attribute(driver) == keys.SIGNED_OUT
    assert driver.execute_script("return window.app_status()") == keys.SIGNED_OUT
    assert [e["value"] for e in status_log(driver)] == [keys.LOADING, keys.SIGNED_OUT]


def wait_new_page(driver: Any, state: str) -> None:
    wait_for_js(driver, "!window.__old_page && window.app_oidc_ready", 20)
    wait_state(driver, state)


def test_status_follows_sign_in_restore_and_sign_out(driver: Any, spied: Any) -> None:
    driver.get(spied.origin + "/")
    wait_state(driver, "logged-out")
    left_pages(driver)
    driver.execute_script("window.__old_page = true; window.app_login('/')")
    sign_in(driver)
    wait_new_page(driver, "logged-in")
    # The page that left for the provider said so to the end.
    (before,) = left_pages(driver)
    assert before[-1]["value"] == keys.SIGNING_IN
    # The callback page: "signing in" before Brython, "signed in" once redeemed.
    assert_first_set_by_boot_file(driver, keys.SIGNING_IN)
    wait_status(driver, keys.SIGNED_IN)
    assert driver.execute_script("return window.app_status()") == keys.SIGNED_IN

    # A new visit (a reload replays the callback's URL: "signing in" again). The
    # provider's cookies do not reach an iframe here (another site), so the restore
    # is a top-level prompt=none: the first page says "restoring", then leaves.
    driver.execute_script("window.__status_log.length = 0")  # not a page to look at
    driver.get("about:blank")
    driver.get(spied.origin + "/")
    wait_state(driver, "logged-in")
    restoring = [*left_pages(driver), status_log(driver)]
    assert_first_set_by_boot_file(driver, keys.RESTORING, restoring[0])
    wait_status(driver, keys.SIGNED_IN)

    driver.execute_script("window.app_renew()")
    wait_for_js(driver, "window.app_status_events.includes('renewing')", 20)
    wait_status(driver, keys.SIGNED_IN)

    left_pages(driver)
    driver.execute_script("window.__old_page = true; window.app_logout('home')")
    wait_new_page(driver, "logged-out")
    (before,) = left_pages(driver)
    assert before[-1]["value"] == keys.SIGNING_OUT
    # Back from the provider's logout: "signing out" before Brython, then signed out.
    assert_first_set_by_boot_file(driver, keys.SIGNING_OUT)
    wait_status(driver, keys.SIGNED_OUT)
    assert driver.execute_script("return window.app_status()") == keys.SIGNED_OUT


def test_mock_mode_has_the_same_status(driver: Any, spied: Any) -> None:
    """MockOidc keeps the status too: signed in as the mock user, then out on logout."""
    spied.config = {"mock": {"user": {"sub": "m", "name": "Mock"}}}
    driver.get(spied.origin + "/")
    wait_state(driver, "logged-in")
    assert_first_set_by_boot_file(driver, keys.LOADING)
    wait_status(driver, keys.SIGNED_IN)
    driver.execute_script("window.app_logout('home')")
    wait_state(driver, "logged-out")
    wait_status(driver, keys.SIGNED_OUT)
    assert driver.execute_script("return window.app_status_events") == [keys.SIGNED_OUT]
