"""Runtime behaviours beyond the happy path, in Chromium against the provider.

Restore by top-level redirect (and no loop), provider down during renewal, wake-up
re-checks, the election without Web Locks, cross-tab login, logout at the provider,
the router's protected route, popup login and userinfo. The autouse leak check in
conftest runs after each of them.
"""

from __future__ import annotations

import itertools
from typing import Any

from brython_oidc.testing.browser import wait_for_js
from tests.browser.runtime_fixtures import (
    SELECT,
    RunningIdp,
    answered_refreshes,
    login,
    open_tab,
    refreshes,
    secrets_in_page,
    sign_in,
    state,
    wait_state,
    wait_until,
)

NO_WEB_LOCKS = "delete Navigator.prototype.locks;"
SLEEP_SECONDS = 1800


def test_redirect_restore_then_no_loop_when_login_required(
    driver: Any, app: Any, idp: RunningIdp
) -> None:
    app.config = {**app.config, "session_restore": "redirect"}
    login(driver, app, "/page")
    driver.refresh()
    wait_state(driver, "logged-in")
    restores = [s for s in idp.app.requests("/authorize") if s.params.get("prompt") == "none"]
    assert len(restores) == 1
    assert driver.current_url == app.origin + "/page"
    # The provider session is gone: prompt=none answers login_required, once.
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.refresh()
    wait_state(driver, "logged-out")
    assert driver.current_url == app.origin + "/page"
    driver.refresh()
    wait_state(driver, "logged-out")
    restores = [s for s in idp.app.requests("/authorize") if s.params.get("prompt") == "none"]
    assert len(restores) == 2  # the hint was cleared: no third trip, no loop


BLIND_IFRAME = (
    "return Object.keys(localStorage).filter(k => k.endsWith(':blind-iframe'))"
    ".map(k => localStorage.getItem(k))"
)


def restore_requests(idp: RunningIdp) -> int:
    return len([s for s in idp.app.requests("/authorize") if s.params.get("prompt") == "none"])


def test_restore_skips_an_iframe_that_missed_the_session(
    driver: Any, app: Any, idp: RunningIdp
) -> None:
    """This Chromium withholds the provider's (cross-site) cookies from its iframe."""
    login(driver, app, "/page")
    before = restore_requests(idp)
    driver.refresh()
    wait_state(driver, "logged-in")
    assert restore_requests(idp) == before + 2  # the iframe (login_required), the redirect
    assert len(driver.execute_script(BLIND_IFRAME)) == 1
    driver.refresh()
    wait_state(driver, "logged-in")
    assert restore_requests(idp) == before + 3  # the redirect alone
    assert driver.current_url == app.origin + "/page"
    # A week on, the iframe is tried again (the browser's settings may have changed).
    driver.execute_script(
        "for (const k of Object.keys(localStorage)) if (k.endsWith(':blind-iframe'))"
        "  localStorage.setItem(k, String(Math.floor(Date.now() / 1000) - 8 * 86400));"
    )
    driver.refresh()
    wait_state(driver, "logged-in")
    assert restore_requests(idp) == before + 5
    # The session ended at the provider: the redirect finds none, so nothing was
    # learned about the iframe; the mark goes with the hint.
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.refresh()
    wait_state(driver, "logged-out")
    assert restore_requests(idp) == before + 6
    assert driver.execute_script(BLIND_IFRAME) == []


def test_restore_skips_an_iframe_the_provider_refuses_to_frame(
    driver: Any, app: Any, idp: RunningIdp
) -> None:
    """No answer in the iframe at all: only the first reload waits silent_timeout."""
    app.config = {**app.config, "silent_timeout": 1}
    login(driver, app)
    idp.app.deny_frames = True
    try:
        assert driver.execute_script(BLIND_IFRAME) == []
        before = restore_requests(idp)
        driver.refresh()
        wait_state(driver, "logged-in")
        assert restore_requests(idp) == before + 2  # the framed one never answered
        assert len(driver.execute_script(BLIND_IFRAME)) == 1
        before = restore_requests(idp)
        driver.refresh()
        wait_state(driver, "logged-in")
        assert restore_requests(idp) == before + 1
        assert driver.execute_script("return window.app_error()") == ""
    finally:
        idp.app.deny_frames = False


def test_restore_never_sends_the_page_to_a_provider_that_stopped_answering(
    driver: Any, app: Any, idp: RunningIdp
) -> None:
    """DESIGN "When things go wrong": the discovery document the sign-in stored is no
    answer. Restore asks the provider first; without an answer the page stays, signed
    out, with the error, and restores by itself once the provider is back."""
    app.config = {**app.config, "silent_timeout": 1, "request_timeout": 2}
    login(driver, app, "/page")
    idp.app.dead = True
    try:
        before = restore_requests(idp)
        driver.refresh()
        wait_state(driver, "logged-out", 15)
        wait_for_js(driver, "window.app_error().startsWith('TransportError')", 15)
        assert driver.execute_script("return window.app_error_endpoint()") == "discovery"
        assert driver.current_url == app.origin + "/page"  # never the provider's error page
        assert restore_requests(idp) <= before + 1  # the iframe's at most, never the top level
    finally:
        idp.app.dead = False
    # Retried with backoff: the provider answers again, the redirect restores the session.
    wait_state(driver, "logged-in", 30)
    assert driver.current_url == app.origin + "/page"


def test_provider_down_during_renewal_keeps_tokens_and_recovers(
    driver: Any, app: Any, idp: RunningIdp
) -> None:
    app.config = {**app.config, "renew_before_expiry": 6, "renew_jitter": 0}
    login(driver, app)
    idp.app.down = True
    wait_for_js(driver, "window.app_error().startsWith('TransportError')", 15)
    assert driver.execute_script("return window.app_error_endpoint()") == "token_endpoint"
    assert state(driver) == "logged-in"  # tokens kept until they expire
    failed = len(refreshes(idp))
    idp.app.down = False
    wait_until(lambda: any(s.status == 200 for s in refreshes(idp)[failed:]), 15, "a retry")
    wait_for_js(driver, "window.app_error() === ''", 5)
    assert state(driver) == "logged-in"


def test_wake_up_with_a_jumped_clock_renews_at_once(driver: Any, app: Any, idp: RunningIdp) -> None:
    """A real sleep: both clocks move on by the same time while no timer runs.

    30 min (not longer): the provider's refresh tokens live an hour, and the page
    must renew at once on wake-up instead of waiting for its old schedule.
    """
    # Renewal would be due 7 s after login; the wake-up must not wait for it.
    app.config = {**app.config, "renew_before_expiry": 1, "renew_jitter": 0}
    login(driver, app)
    before = len(refreshes(idp))
    slept = SLEEP_SECONDS
    real_clock = idp.provider.clock
    idp.provider.clock = lambda: real_clock() + slept
    try:
        driver.execute_script(
            "const real = Date.now; Date.now = () => real() + arguments[0] * 1000;"
            "document.dispatchEvent(new Event('visibilitychange'));",
            slept,
        )
        wait_until(lambda: len(refreshes(idp)) > before, 4, "a refresh on wake-up")
        # The app got the new tokens (renewals counts changes after start-up) ...
        wait_for_js(driver, f"{SELECT.format('renewals')} === '1'", 5)
        # ... so the refresh has been answered (a request still in flight has status 0).
        answered = [s.status for s in refreshes(idp)[before:] if s.status]
        assert answered, refreshes(idp)
        assert all(status == 200 for status in answered), refreshes(idp)
        wait_for_js(driver, "window.app_error() === ''", 5)
        assert state(driver) == "logged-in"
    finally:
        idp.provider.clock = real_clock


def test_election_without_web_locks_one_refresh_per_round(
    driver: Any, app: Any, idp: RunningIdp
) -> None:
    script = driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": NO_WEB_LOCKS}
    )
    try:
        login(driver, app)
        assert driver.execute_script("return navigator.locks === undefined")
        first = driver.current_window_handle
        driver.switch_to.new_window("tab")
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": NO_WEB_LOCKS})
        driver.get(app.origin + "/")
        wait_state(driver, "logged-in", 10)  # from the sibling, found through the hint
        driver.switch_to.window(first)
        idp.app.seen.clear()
        wait_until(lambda: len(answered_refreshes(idp)) >= 3, 40, "three renewals")
        seen = refreshes(idp)  # in-flight ones too, for the gaps
        gaps = [b.at - a.at for a, b in itertools.pairwise(seen)]
        assert all(gap > 1.0 for gap in gaps), (gaps, seen)
        assert all(s.status == 200 for s in seen if s.status), seen
    finally:
        driver.switch_to.window(driver.window_handles[0])
        driver.execute_cdp_cmd(
            "Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]}
        )


def test_login_in_one_tab_signs_in_the_other(driver: Any, app: Any) -> None:
    driver.get(app.origin + "/")
    wait_state(driver, "logged-out")
    first = driver.current_window_handle
    open_tab(driver, app.origin + "/")
    wait_state(driver, "logged-out")
    driver.execute_script("window.app_login('/')")
    sign_in(driver)
    wait_state(driver, "logged-in")
    driver.switch_to.window(first)
    wait_state(driver, "logged-in", 5)


def test_logout_revokes_and_ends_the_provider_session(
    driver: Any, app: Any, idp: RunningIdp
) -> None:
    login(driver, app)
    access, refresh, id_token = secrets_in_page(driver)
    driver.execute_script("window.app_logout('home')")
    wait_until(lambda: idp.app.requests("/logout"), 15, "the end_session request")
    revoke = idp.app.requests("/revoke")
    assert len(revoke) == 1 and revoke[0].params.get("token") == refresh
    assert revoke[0].params.get("token_type_hint") == "refresh_token"
    end = idp.app.requests("/logout")[0].params
    assert end["id_token_hint"] == id_token
    assert end["client_id"] == app.config["client_id"]
    assert end["post_logout_redirect_uri"] == app.origin + "/"
    wait_state(driver, "logged-out")
    assert access not in driver.current_url


def test_protected_route_sends_to_login_and_back(driver: Any, app: Any) -> None:
    driver.get(app.origin + "/secret?x=1")
    sign_in(driver)
    wait_state(driver, "logged-in")
    assert driver.current_url == app.origin + "/secret?x=1"
    wait_for_js(driver, f"{SELECT.format('route')} === 'secret'", 5)


def test_popup_login_and_userinfo_name(driver: Any, app: Any, idp: RunningIdp) -> None:
    driver.get(app.origin + "/")
    wait_state(driver, "logged-out")
    main = driver.current_window_handle
    driver.find_element("css selector", "[data-testid=login-popup-button]").click()
    wait_until(lambda: len(driver.window_handles) == 2, 10, "the popup")
    driver.switch_to.window(next(h for h in driver.window_handles if h != main))
    sign_in(driver)
    wait_until(lambda: len(driver.window_handles) == 1, 15, "the popup to close")
    driver.switch_to.window(main)
    wait_state(driver, "logged-in")
    assert driver.current_url == app.origin + "/"
    # The name comes from userinfo (the ID token has no profile claims here).
    assert len([s for s in idp.app.requests("/userinfo") if s.method == "GET"]) == 1
    assert driver.execute_script("return window.app_user()") == "Alice Example"
