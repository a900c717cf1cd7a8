"""The demo app in Chromium against the development provider and node oidc-provider.

Every runtime capability the provider supports, through the demo's DOM hooks only
(DESIGN.md), plus the demo's API calls. Waits are on conditions; tokens are looked
for in the URL, both storages and the console after each flow.
"""

from __future__ import annotations

from typing import Any

from brython_oidc.server.names import keys
from brython_oidc.testing import login, logout, text_of, wait_for_auth_state, wait_for_testid
from tests.e2e.conftest import TOKEN_TTL, Stack, assert_no_token_leak, demo_server

READY_MARKS = "performance.getEntriesByName('brython-oidc:ready').length"


def sign_in(driver: Any, stack: Stack, path: str = "", user: str = "alice") -> None:
    driver.get(stack.url + path)
    login(driver, user, stack.users[user])


def open_tab(driver: Any, url: str) -> str:
    driver.switch_to.new_window("tab")
    driver.get(url)
    handle: str = driver.current_window_handle
    return handle


def test_login_returns_to_the_page_with_a_clean_url(browser: Any, stack: Stack) -> None:
    sign_in(browser, stack, "profile")
    assert browser.current_url == stack.url + "profile"
    # node oidc-provider puts no profile claims in the ID token (docs/providers): sub.
    expected = "Alice Example" if stack.dev else "alice"
    assert text_of(browser, "user-name") == expected
    assert "alice" in text_of(browser, "claims")
    assert 0 < int(text_of(browser, "token-expires-in")) <= TOKEN_TTL
    assert text_of(browser, "auth-error") == ""
    assert browser.execute_script(f"return {READY_MARKS}") == 1
    assert_no_token_leak(browser, stack.issued_tokens())


def test_reload_restores_the_session(browser: Any, stack: Stack) -> None:
    sign_in(browser, stack, "notes")
    browser.refresh()
    wait_for_auth_state(browser, "logged-in")
    assert browser.current_url == stack.url + "notes"
    assert text_of(browser, "auth-error") == ""
    assert_no_token_leak(browser, stack.issued_tokens())


def test_reloading_the_callback_url_is_harmless(browser: Any, stack: Stack) -> None:
    sign_in(browser, stack)
    used = browser.execute_script(
        "for (let i = 0; i < sessionStorage.length; i++) {"
        "  const k = sessionStorage.key(i);"
        "  if (k.endsWith(':used-states')) return JSON.parse(sessionStorage.getItem(k))[0]; }"
    )
    assert used, "the runtime keeps the used state to recognise a replayed callback"
    # What a reload (or Back) on the callback URL loads: a spent code and state.
    browser.get(f"{stack.url}?code=spent-code&state={used}&iss={stack.issuer}")
    wait_for_auth_state(browser, "logged-in")
    assert browser.current_url == stack.url
    assert text_of(browser, "auth-error") == ""


def test_renewals_are_visible_and_keep_the_user_signed_in(browser: Any, stack: Stack) -> None:
    sign_in(browser, stack)
    # 10 s tokens renewed 4-5 s before expiry: two renewals within ~12 s.
    wait_for_testid(browser, "renewal-count", "Number(t) >= 2", timeout=30)
    assert text_of(browser, "auth-state") == "logged-in"
    assert text_of(browser, "auth-error") == ""
    if stack.dev:
        assert stack.dev.token_requests.count("refresh_token") >= 2
    assert_no_token_leak(browser, stack.issued_tokens())


def test_three_tabs_share_one_session_and_one_refresh_per_renewal(
    browser: Any, stack: Stack
) -> None:
    sign_in(browser, stack)
    first = browser.current_window_handle
    code_exchanges = stack.dev.token_requests.count("authorization_code") if stack.dev else 0
    tabs = [first]
    for path in ("notes", "profile"):
        tabs.append(open_tab(browser, stack.url + path))
        wait_for_auth_state(browser, "logged-in", 10)  # from a sibling tab
    if stack.dev:
        # Sibling restore: no new code exchange at the provider.
        assert stack.dev.token_requests.count("authorization_code") == code_exchanges
        stack.dev.token_requests.clear()
    browser.switch_to.window(first)
    start = int(text_of(browser, "renewal-count"))
    wait_for_testid(browser, "renewal-count", f"Number(t) >= {start + 2}", timeout=30)
    seen = int(text_of(browser, "renewal-count")) - start
    if stack.dev:
        refreshes = stack.dev.token_requests.count("refresh_token")
        # One refresh per renewal, whichever tab ran it (one may be in flight).
        assert refreshes in (seen, seen + 1), stack.dev.token_requests.grants
    # node oidc-provider revokes the grant when a refresh token is reused: had two
    # tabs refreshed with the same token, every tab would now be signed out.
    for handle in tabs:
        browser.switch_to.window(handle)
        assert text_of(browser, "auth-state") == "logged-in"
        assert text_of(browser, "auth-error") == ""


def test_logout_in_one_tab_signs_out_every_tab(browser: Any, stack: Stack) -> None:
    sign_in(browser, stack)
    first = browser.current_window_handle
    second = open_tab(browser, stack.url + "profile")
    wait_for_auth_state(browser, "logged-in", 10)
    browser.switch_to.window(first)
    logout(browser)
    assert browser.current_url == stack.url
    browser.switch_to.window(second)
    wait_for_auth_state(browser, "logged-out", 5)
    assert "Sign in required" in browser.find_element("id", "content").text  # on /profile
    browser.switch_to.window(first)
    browser.refresh()  # the provider session is gone too: no silent restore
    wait_for_auth_state(browser, "logged-out")


def test_idle_logout_counts_down_then_signs_out(browser: Any, dev_stack: Stack) -> None:
    # Idle logout is the runtime's own timer: one provider is enough.
    with dev_stack.configured(idle_timeout=5, idle_warning=3):
        sign_in(browser, dev_stack)
        seconds = int(wait_for_testid(browser, "auto-logout-countdown", timeout=10))
        assert 0 <= seconds <= 3
        wait_for_auth_state(browser, "logged-out", 15)


DOWN_ISSUER = "http://127.0.0.1:9"  # nothing listens on port 9


def test_provider_down_at_start_is_shown_and_login_says_why(browser: Any) -> None:
    """No "was signed in" hint: logged out at once, the error comes with the login click.

    With the hint, start-up tries to restore, so the error shows before any click.
    """
    with demo_server(DOWN_ISSUER, "demo-spa") as server:
        with_timeout = server.app.state.spa.config
        server.app.state.spa.config = type(with_timeout)(
            with_timeout.path, {**with_timeout.oidc, "request_timeout": 2}, with_timeout.main
        )
        # A first visit (no hint) does not contact the provider at all.
        browser.get(server.url)
        wait_for_auth_state(browser, "logged-out", 15)
        assert text_of(browser, "auth-error") == ""
        assert browser.execute_script(f"return {READY_MARKS}") == 1
        browser.find_element("css selector", '[data-testid="login-button"]').click()
        assert wait_for_testid(browser, "auth-error", timeout=15).startswith("TransportError: ")
        assert browser.current_url == server.url  # stayed on the app
        # A browser that was signed in: start-up asks the provider and says why it failed.
        hint = keys.hint_key(keys.namespace(DOWN_ISSUER, "demo-spa"))
        browser.execute_script("localStorage.setItem(arguments[0], '1')", hint)
        browser.get(server.url)
        assert wait_for_testid(browser, "auth-error", timeout=15).startswith("TransportError: ")
        wait_for_auth_state(browser, "logged-out", 15)
        assert browser.execute_script(f"return {READY_MARKS}") == 1
        browser.find_element("css selector", '[data-testid="login-button"]').click()
        assert text_of(browser, "auth-error").startswith("TransportError: ")
        assert browser.current_url == server.url


def test_api_calls_carry_the_access_token(browser: Any, dev_stack: Stack) -> None:
    # node oidc-provider issues opaque access tokens (no resource indicator set up),
    # which TokenValidator cannot check offline: this capability is devidp's.
    browser.get(dev_stack.url + "notes")
    wait_for_auth_state(browser, "logged-out")
    browser.find_element("css selector", '[data-testid="call-api-button"]').click()
    assert wait_for_testid(browser, "api-result") == "HTTP 401: unauthorized"
    login(browser, "bob", "bob")
    click = browser.find_element
    click("css selector", '[data-testid="call-api-button"]').click()
    assert wait_for_testid(browser, "api-result", "t.startsWith('bob')") == "bob: 0 note(s)"
    click("css selector", '[data-testid="note-input"]').send_keys("water the plants")
    click("css selector", '[data-testid="add-note-button"]').click()
    assert wait_for_testid(browser, "api-result", "t.includes('1 note')") == "bob: 1 note(s)"
    assert text_of(browser, "note-list") == "water the plants"
    assert_no_token_leak(browser, dev_stack.issued_tokens())


def test_expired_session_signs_the_app_out(browser: Any, dev_stack: Stack) -> None:
    sign_in(browser, dev_stack)
    assert dev_stack.dev is not None
    assert dev_stack.dev.expire_tokens() >= 1
    # The next renewal (within one token lifetime) is refused: signed out, and said why.
    wait_for_auth_state(browser, "logged-out", TOKEN_TTL + 5)
    assert text_of(browser, "auth-error") == "InvalidGrant: invalid_grant"
