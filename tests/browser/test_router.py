"""The router in Chromium: parameters, layouts, titles, back/forward, guards.

``router_page`` checks the first API (a dict of exact paths); ``router_app`` is an app
on the new one, in mock mode or against the development provider.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from brython_oidc.testing.browser import wait_for_js
from tests.browser.runtime_fixtures import RunningIdp, sign_in, wait_state

PAGE = "document.querySelector('[data-testid=page]')?.textContent"


def test_router(run_page: Any) -> None:
    out = run_page("router_page")
    assert out["after_click"] == "/a"
    assert out["seen"] == ["start", "a", "404:/nope", "404:/", "a"]
    assert out["logins"] == ["/secret?x=1"]
    # An off-site target is refused (no open redirect): it falls back to "/".
    assert out["final"] == "/"
    assert out["popstate_draws"] == 1
    assert out["draws_after_stop"] == 0


@pytest.fixture
def router_app(page_server: Any, driver: Any) -> Iterator[Any]:
    """The app shell serving ``router_app``; its configuration is the test's to set."""
    saved = page_server.app_module, page_server.config, page_server.boot_file
    page_server.app_module = "router_app"
    page_server.boot_file = False
    page_server.config = {"mock": {"user": {"sub": "alice", "groups": ["staff", "admin"]}}}
    yield page_server
    page_server.app_module, page_server.config, page_server.boot_file = saved


def open_app(driver: Any, server: Any, path: str, page: str) -> None:
    driver.get(server.origin + path)
    wait_page(driver, page)


def wait_page(driver: Any, text: str, timeout: float = 20) -> None:
    wait_for_js(driver, f"window.app_oidc_ready && {PAGE} === {text!r}", timeout)


def click(driver: Any, testid: str) -> None:
    driver.find_element("css selector", f"[data-testid={testid}]").click()


def text(driver: Any, testid: str) -> str:
    return str(driver.find_element("css selector", f"[data-testid={testid}]").text)


def log(driver: Any) -> list[str]:
    value: list[str] = driver.execute_script("return Array.from(window.router_log)")
    return value


def test_parameters_query_fragment_and_title(driver: Any, router_app: Any) -> None:
    open_app(driver, router_app, "/notes/42?tab=x&tag=a&tag=b+c#sec%20two", "note 42 int")
    assert text(driver, "query") == "tab=x tags=['a', 'b c']"
    assert text(driver, "hash") == "hash=sec two"
    assert driver.title == "Note 42"
    # Links built by url_for, followed inside the page (no reload: the log goes on).
    assert driver.find_element("css selector", "[data-testid=link-note]").get_attribute("href") == (
        router_app.origin + "/notes/7"
    )
    click(driver, "link-note")
    wait_page(driver, "note 7 int")
    assert driver.title == "Note 7"
    assert log(driver) == ["note", "note"]
    # The int converter refuses "abc": no route matches.
    driver.execute_script("window.app_navigate('/notes/abc')")
    wait_page(driver, "not found 404 /notes/abc")
    assert driver.title == "Not found"


def test_url_text_goes_in_as_text(driver: Any, router_app: Any) -> None:
    name = "<img src=x onerror=window.pwned=1>"
    driver.get(router_app.origin + "/")
    wait_page(driver, "home")
    driver.execute_script("window.app_navigate(arguments[0])", "/tags/" + name)
    wait_for_js(driver, "document.querySelector('[data-testid=tag-name]')", 10)
    assert text(driver, "tag-name") == name
    view = driver.find_element("id", "view")
    assert view.text == "tag: " + name + name
    assert not view.find_elements("css selector", "img")
    assert driver.title == "Tag " + name
    assert driver.execute_script("return window.pwned === undefined")
    click(driver, "link-tag")  # url_for percent-encodes the space
    wait_for_js(driver, "document.querySelector('[data-testid=tag-name]').textContent === 'a b'")
    assert driver.current_url == router_app.origin + "/tags/a%20b"


def test_layout_stays_around_its_children(driver: Any, router_app: Any) -> None:
    open_app(driver, router_app, "/settings", "settings index")
    assert driver.title == "Settings"  # the layout's title
    shell = driver.find_element("css selector", "[data-testid=settings-shell]")
    click(driver, "link-profile")
    wait_page(driver, "settings profile")
    assert driver.title == "Profile"  # the child's own title wins
    # The same shell element: the layout was not drawn again.
    assert driver.find_element("css selector", "[data-testid=settings-shell]") == shell
    assert log(driver) == ["settings-layout", "settings-index", "settings-profile"]
    click(driver, "link-home")
    wait_page(driver, "home")
    assert not driver.find_elements("css selector", "[data-testid=settings-shell]")


def test_back_and_forward_restore_the_scroll_position(driver: Any, router_app: Any) -> None:
    open_app(driver, router_app, "/long", "long")
    driver.execute_script("window.scrollTo(0, 1500)")
    wait_for_js(driver, "window.scrollY === 1500", 5)
    driver.execute_script("window.app_navigate('/notes/3')")
    wait_page(driver, "note 3 int")
    assert driver.execute_script("return window.scrollY") == 0
    driver.back()
    wait_page(driver, "long")
    wait_for_js(driver, "window.scrollY === 1500", 5)
    assert driver.title == "Long"
    driver.forward()
    wait_page(driver, "note 3 int")
    assert driver.execute_script("return window.scrollY") == 0
    assert driver.current_url == router_app.origin + "/notes/3"
    assert log(driver) == ["long", "note", "long", "note"]


def test_async_page_draws_when_done_and_only_if_still_there(driver: Any, router_app: Any) -> None:
    open_app(driver, router_app, "/", "home")
    driver.execute_script("window.app_navigate('/slow/1'); window.app_navigate('/notes/2')")
    wait_page(driver, "note 2 int")
    wait_for_js(driver, "window.router_log.includes('slow-end')", 10)
    assert "slow" not in driver.find_element("id", "view").text  # the late page kept out
    # Back to an async page: its scroll position comes back once it has drawn.
    driver.execute_script("window.app_navigate('/slow/4')")
    wait_page(driver, "slow 4")
    driver.execute_script("window.scrollTo(0, 1200)")
    wait_for_js(driver, "window.scrollY === 1200", 5)
    driver.execute_script("window.app_navigate('/notes/5')")
    wait_page(driver, "note 5 int")
    driver.back()
    wait_page(driver, "slow 4")
    wait_for_js(driver, "window.scrollY === 1200", 5)


GUARDED = [
    # path, user claims, what the page shows
    ("/me", {"sub": "alice"}, "me"),
    ("/admin", {"sub": "alice", "groups": ["staff", "admin"]}, "admin"),
    ("/admin", {"sub": "alice", "groups": ["staff"]}, "forbidden 403"),
    ("/alice", {"sub": "alice"}, "alice"),
    ("/bob", {"sub": "alice"}, "forbidden 403"),
    ("/read", {"sub": "alice"}, "read"),  # mock mode grants "openid"
    ("/write", {"sub": "alice"}, "forbidden 403"),
    ("/own/alice", {"sub": "alice"}, "own"),
    ("/own/bob", {"sub": "alice"}, "forbidden 403"),
]


@pytest.mark.parametrize(("path", "claims", "shown"), GUARDED)
def test_guards_for_a_signed_in_user(
    driver: Any, router_app: Any, path: str, claims: dict[str, object], shown: str
) -> None:
    router_app.config = {"mock": {"user": claims}}
    open_app(driver, router_app, path, shown)
    assert driver.current_url == router_app.origin + path
    assert "settings" not in driver.find_element("id", "view").text


def test_guard_signs_a_signed_out_user_in_and_comes_back(driver: Any, router_app: Any) -> None:
    # Mock mode's login() signs in as mock-user on the spot and keeps the address.
    router_app.config = {"mock": "logged-out"}
    open_app(driver, router_app, "/me?x=1#top", "me")
    assert driver.current_url == router_app.origin + "/me?x=1#top"
    assert log(driver) == ["me"]  # nothing guarded was drawn before the sign-in


def test_signed_out_page_instead_of_signing_in_at_once(driver: Any, router_app: Any) -> None:
    router_app.config = {"mock": "logged-out", "test_signed_out": True}
    open_app(driver, router_app, "/me?x=1", "signed out 401")
    assert driver.current_url == router_app.origin + "/me?x=1"
    # The app's sign-in button; the token change draws the page.
    driver.execute_script("window.app_login('/me?x=1')")
    wait_page(driver, "me")
    assert log(driver) == ["signed-out", "me"]


# --- against the development provider ---------------------------------------------------


def test_provider_sign_in_then_claim_and_scope_guards(
    driver: Any, app: Any, idp: RunningIdp
) -> None:
    app.app_module = "router_app"
    driver.get(app.origin + "/alice?x=1")
    sign_in(driver)  # the guard sent the signed-out user to the provider
    wait_page(driver, "alice")
    assert driver.current_url == app.origin + "/alice?x=1"
    wait_state(driver, "logged-in")
    for path, shown in (
        ("/bob", "forbidden 403"),  # a claim of another user
        ("/read", "read"),  # a scope the token response granted
        ("/write", "forbidden 403"),  # a scope never asked for
        ("/me", "me"),
    ):
        driver.execute_script("window.app_navigate(arguments[0])", path)
        wait_page(driver, shown)


def test_sign_out_in_another_tab_leaves_a_guarded_page(
    driver: Any, app: Any, idp: RunningIdp
) -> None:
    app.app_module = "router_app"
    driver.get(app.origin + "/me")
    sign_in(driver)
    wait_page(driver, "me")
    first = driver.current_window_handle
    driver.switch_to.new_window("tab")
    driver.get(app.origin + "/me")  # signed in from the first tab
    wait_page(driver, "me")
    second = driver.current_window_handle
    driver.switch_to.window(first)
    driver.execute_script("window.app_logout()")
    driver.switch_to.window(second)
    # The guard is checked again on the token change: off the page, to sign in again
    # with the way back (the provider's session ended: it asks for the password).
    wait_for_js(driver, "location.origin !== " + repr(app.origin), 15)
    assert driver.current_url.startswith(idp.issuer + "/authorize")
    sign_in(driver)
    wait_page(driver, "me")
    assert driver.current_url == app.origin + "/me"


def test_no_sign_in_loop_when_the_provider_is_down(driver: Any, app: Any, idp: RunningIdp) -> None:
    app.app_module = "router_app"
    idp.app.dead = True
    driver.get(app.origin + "/me")
    # login() refuses to leave for a provider that did not answer: the router shows
    # its forbidden page with 401 and the error, instead of trying again and again.
    wait_page(driver, "forbidden 401 TransportError")
    assert driver.current_url == app.origin + "/me"
    # Another guarded page while the failure is the last word: no new attempt (each
    # attempt says "sign-in failed" in the console).
    driver.execute_script("window.app_navigate('/alice')")
    wait_page(driver, "forbidden 401 TransportError")
    assert driver.console.text().count("sign-in failed") == 1
    assert not idp.app.requests("/authorize")
    assert log(driver) == ["forbidden", "forbidden"]
