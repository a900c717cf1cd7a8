"""The demo's routes (``brython_oidc.browser.router``) in Chromium, against the dev provider.

``/notes/{id:int}`` shows one note, ``/admin`` is guarded by ``Claim("groups",
contains="admin")`` (alice is in ``admin`` at the development provider, bob is not),
and an unknown address gets the not-found page, with the path as text. Only the
development provider releases ``groups``, so these run against it alone.
"""

from __future__ import annotations

from typing import Any

from brython_oidc.testing import login, logout, wait_for_auth_state, wait_for_testid
from brython_oidc.testing.browser import wait_for_js
from tests.e2e.conftest import Stack


def shown(driver: Any, name: str) -> bool:
    found: bool = driver.execute_script(
        f"return document.querySelector('[data-testid=\"{name}\"]') !== null"
    )
    return found


def wait_for_title(driver: Any, title: str) -> None:
    wait_for_js(driver, f"document.title === {title!r}", 10)


def test_alice_opens_a_note_by_its_address_then_the_admin_page(
    browser: Any, dev_stack: Stack
) -> None:
    browser.get(dev_stack.url + "notes")
    login(browser, "alice", "alice")
    text = "route test note"
    browser.find_element("css selector", '[data-testid="note-input"]').send_keys(text)
    browser.find_element("css selector", '[data-testid="add-note-button"]').click()
    wait_for_testid(browser, "note-list", f"t.includes({text!r})")
    browser.execute_script("window.__sameDocument = true")

    browser.find_element("link text", text).click()  # an in-page navigation
    assert wait_for_testid(browser, "note-text") == text
    path = browser.current_url.removeprefix(dev_stack.url)
    assert path.startswith("notes/") and path.removeprefix("notes/").isdigit(), path
    wait_for_title(browser, "Note " + path.removeprefix("notes/") + " · Notes")
    assert browser.execute_script("return window.__sameDocument === true")

    browser.back()  # the list again, still the same document
    wait_for_testid(browser, "note-list", f"t.includes({text!r})")
    assert browser.current_url == dev_stack.url + "notes"
    assert not shown(browser, "note-text")

    browser.get(dev_stack.url + path)  # a new document at the note's address
    wait_for_auth_state(browser, "logged-in")
    assert wait_for_testid(browser, "note-text") == text

    browser.find_element("link text", "Admin").click()
    wait_for_testid(browser, "admin-page", "t.includes('admin')")
    assert browser.current_url == dev_stack.url + "admin"
    wait_for_title(browser, "Admin · Notes")
    assert not shown(browser, "forbidden")


def test_a_note_that_is_not_yours_is_said_so(browser: Any, dev_stack: Stack) -> None:
    browser.get(dev_stack.url + "notes/99999")
    login(browser, "bob", "bob")
    assert browser.current_url == dev_stack.url + "notes/99999"
    wait_for_testid(browser, "note-error", "t.includes('404')")
    assert not shown(browser, "note-text")


def test_bob_gets_the_forbidden_page_on_admin(browser: Any, dev_stack: Stack) -> None:
    browser.get(dev_stack.url)
    login(browser, "bob", "bob")
    browser.find_element("link text", "Admin").click()
    assert "Bob Example" in wait_for_testid(browser, "forbidden")
    assert browser.current_url == dev_stack.url + "admin"
    wait_for_title(browser, "Not allowed · Notes")
    assert not shown(browser, "admin-page")
    browser.get(dev_stack.url + "admin")  # a direct visit too
    wait_for_auth_state(browser, "logged-in")
    wait_for_testid(browser, "forbidden")
    assert not shown(browser, "admin-page")


def test_signed_out_visit_to_admin_signs_in_and_comes_back(browser: Any, dev_stack: Stack) -> None:
    browser.get(dev_stack.url + "admin")
    wait_for_testid(browser, "sign-in-required")
    assert not shown(browser, "admin-page")
    login(browser, "alice", "alice")  # the header's Sign in button, then the provider
    assert browser.current_url == dev_stack.url + "admin"
    wait_for_testid(browser, "admin-page")
    assert not shown(browser, "sign-in-required")

    # Signed out in another tab: the guarded page leaves this one at once.
    admin_tab = browser.current_window_handle
    browser.switch_to.new_window("tab")
    browser.get(dev_stack.url)
    wait_for_auth_state(browser, "logged-in")
    logout(browser)
    browser.switch_to.window(admin_tab)
    wait_for_testid(browser, "sign-in-required", timeout=10)
    assert not shown(browser, "admin-page")
    assert browser.current_url == dev_stack.url + "admin"


def test_unknown_addresses_get_the_not_found_page_as_text(browser: Any, dev_stack: Stack) -> None:
    browser.get(dev_stack.url + "notes/abc")  # {id:int} takes digits only
    wait_for_auth_state(browser, "logged-out")
    assert "/notes/abc" in wait_for_testid(browser, "not-found")
    wait_for_title(browser, "Page not found · Notes")
    assert not shown(browser, "note-text") and not shown(browser, "sign-in-required")

    # The path as the address bar holds it (percent-encoded), shown as text.
    browser.get(dev_stack.url + "x/%3Cb%3Ehi")
    wait_for_auth_state(browser, "logged-out")
    assert "/x/%3Cb%3Ehi" in wait_for_testid(browser, "not-found")
