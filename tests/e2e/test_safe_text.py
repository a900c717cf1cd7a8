"""Text from the provider (claims) and from the user (notes) stays text in the page.

In Brython ``html.TAG("a string")`` sets innerHTML; the demo goes through
``brython_oidc.browser.dom`` instead. A user whose claims and note hold markup signs
in: none of it may become an element, and the page must not move (a
``<meta http-equiv=refresh>`` that became an element would navigate it away).
And what one user wrote does not stay on screen after they sign out in another tab.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from brython_oidc import cli
from brython_oidc.devidp.config import User
from brython_oidc.testing import login, logout, text_of, wait_for_auth_state, wait_for_testid
from brython_oidc.testing.servers import AppServer
from tests.e2e.conftest import Stack

REFRESH = '<meta http-equiv="refresh" content="0;url=about:blank">'
NAME = f"<img src=x>{REFRESH}<b>Mallory</b>"
EMAIL = "<b>mallory</b>@example.test"
NOTE = f"<img src=x> {REFRESH} <b>bold</b>"
#: Elements that exist only if markup from a claim or a note was parsed.
INJECTED = "img, meta[http-equiv], b"


@pytest.fixture
def mallory(dev_stack: Stack) -> Iterator[str]:
    assert dev_stack.dev is not None
    users = dev_stack.dev.provider.users
    users["mallory"] = User("mallory", "mallory", NAME, EMAIL)
    dev_stack.users["mallory"] = "mallory"
    try:
        yield "mallory"
    finally:
        del users["mallory"], dev_stack.users["mallory"]


def injected(driver: Any) -> int:
    count: int = driver.execute_script(f"return document.querySelectorAll({INJECTED!r}).length")
    return count


def test_claims_and_notes_with_markup_stay_text(
    browser: Any, dev_stack: Stack, mallory: str
) -> None:
    browser.get(dev_stack.url + "profile")
    login(browser, mallory, dev_stack.users[mallory])
    browser.execute_script("window.__sameDocument = true")
    assert text_of(browser, "user-name") == NAME
    claims = text_of(browser, "claims")
    assert NAME in claims and EMAIL in claims
    assert injected(browser) == 0

    browser.find_element("link text", "Notes").click()  # in-page navigation
    browser.find_element("css selector", '[data-testid="note-input"]').send_keys(NOTE)
    browser.find_element("css selector", '[data-testid="add-note-button"]').click()
    wait_for_testid(browser, "api-result", "t.includes('1 note')")
    assert text_of(browser, "note-list") == NOTE
    assert injected(browser) == 0
    # Still the same document at the same address: nothing refreshed or navigated.
    assert browser.execute_script("return window.__sameDocument === true")
    assert browser.current_url == dev_stack.url + "notes"


def test_signing_out_in_another_tab_clears_the_notes_on_screen(
    browser: Any, dev_stack: Stack
) -> None:
    browser.get(dev_stack.url + "notes")
    login(browser, "bob", "bob")
    notes_tab = browser.current_window_handle
    browser.find_element("css selector", '[data-testid="note-input"]').send_keys("bob's secret")
    browser.find_element("css selector", '[data-testid="add-note-button"]').click()
    wait_for_testid(browser, "note-list", "t.includes('secret')")
    browser.switch_to.new_window("tab")
    browser.get(dev_stack.url)
    wait_for_auth_state(browser, "logged-in")
    logout(browser)
    browser.switch_to.window(notes_tab)
    wait_for_auth_state(browser, "logged-out", 10)
    assert text_of(browser, "note-list") == ""
    assert text_of(browser, "api-result") == ""
    assert text_of(browser, "user-name") == ""


def test_the_scaffold_shows_a_markup_name_as_text(
    browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    app = tmp_path_factory.mktemp("scaffold") / "safe_app"
    assert cli.main(["new", str(app)]) == 0
    user = {"sub": "mallory", "name": NAME}
    with AppServer(app, mock={"user": user}) as server:
        browser.get(server.url + "protected")
        wait_for_auth_state(browser, "logged-in")
        browser.execute_script("window.__sameDocument = true")
        assert text_of(browser, "user-name") == NAME
        assert NAME in browser.find_element("tag name", "main").text
        assert injected(browser) == 0
        assert browser.execute_script("return window.__sameDocument === true")
        assert browser.current_url == server.url + "protected"
