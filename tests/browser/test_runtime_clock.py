"""The user's wall clock jumps ±1 hour while signed in; the provider's clock does not.

Unlike a sleep (test_runtime_sync), only the page's ``Date.now`` moves. The page
measures the jump against ``performance.now`` (timers.ClockWatch), renews at once,
accepts the new ID token with the check window widened by exactly what it measured
(core.schedule.plausible_times), and keeps renewing on schedule afterwards.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from brython_oidc.testing.browser import wait_for_js
from tests.browser.runtime_fixtures import (
    ACCESS_TOKEN_TTL,
    SELECT,
    RunningIdp,
    answered_refreshes,
    login,
    open_tab,
    refreshes,
    state,
    wait_state,
)
from tests.browser.runtime_fixtures import (
    wait_until as wait_for,
)

HOUR = 3600
# Tokens from the sign-in live this long, so their scheduled renewal (LOGIN_TTL -
# renew_before_expiry after sign-in) comes well after a renewal caused by the jump
# (ClockWatch polls every 5 s).
LOGIN_TTL = 40
RENEW_BEFORE = 5
JUMP_RENEWAL_WITHIN = 15.0


@contextmanager
def token_lifetime(idp: RunningIdp, seconds: int) -> Iterator[None]:
    lifetimes = idp.provider.lifetimes
    saved = (lifetimes.access_token, lifetimes.id_token)
    lifetimes.access_token = lifetimes.id_token = seconds
    try:
        yield
    finally:
        lifetimes.access_token, lifetimes.id_token = saved


def set_page_clock(driver: Any, seconds: float) -> None:
    """Move this page's wall clock only (the provider keeps the real time)."""
    driver.execute_script(
        "const real = Date.now; Date.now = () => real() + arguments[0] * 1000;", seconds
    )


def renewal_count(driver: Any) -> int:
    return int(driver.execute_script("return " + SELECT.format("renewals")) or 0)


@pytest.mark.parametrize("jump", [HOUR, -HOUR], ids=["plus-1h", "minus-1h"])
def test_wall_clock_jump_renews_at_once_and_keeps_renewing(
    driver: Any, app: Any, idp: RunningIdp, jump: int
) -> None:
    app.config = {**app.config, "renew_before_expiry": RENEW_BEFORE, "renew_jitter": 0}
    with token_lifetime(idp, LOGIN_TTL):
        login(driver, app)
    assert not refreshes(idp)
    jumped_at = time.monotonic()
    set_page_clock(driver, jump)  # tokens issued from now on live ACCESS_TOKEN_TTL again

    # At once: well before the sign-in tokens' own renewal time (LOGIN_TTL - 5 s).
    wait_for(lambda: answered_refreshes(idp), JUMP_RENEWAL_WITHIN, "a renewal after the jump")
    first = answered_refreshes(idp)[0]
    assert first.status == 200, refreshes(idp)
    assert first.at - jumped_at < LOGIN_TTL - RENEW_BEFORE - 5
    # The new ID token was accepted: the app got the tokens and shows no error.
    wait_for_js(driver, f"{SELECT.format('renewals')} >= '1'", 10)
    wait_for_js(driver, "window.app_error() === ''", 5)
    assert state(driver) == "logged-in"

    # Then on schedule (every ~ACCESS_TOKEN_TTL - 5 s), not an hour late, never stalled.
    wait_for(lambda: len(answered_refreshes(idp)) >= 3, 4 * ACCESS_TOKEN_TTL, "two more renewals")
    seen = answered_refreshes(idp)
    assert all(s.status == 200 for s in seen), seen
    gaps = [b.at - a.at for a, b in itertools.pairwise(seen)]
    assert all(gap < ACCESS_TOKEN_TTL for gap in gaps), gaps
    wait_for(lambda: renewal_count(driver) >= 3, 10, "the app to get the third tokens")
    assert driver.execute_script("return window.app_error()") == ""
    assert state(driver) == "logged-in"


def test_wall_clock_jump_with_two_tabs_one_refresh_per_round(
    driver: Any, app: Any, idp: RunningIdp
) -> None:
    """Both tabs see the jump; one renews for both and the rounds stay single."""
    app.config = {**app.config, "renew_before_expiry": RENEW_BEFORE, "renew_jitter": 0}
    with token_lifetime(idp, LOGIN_TTL):
        login(driver, app)
        first = driver.current_window_handle
        second = open_tab(driver, app.origin + "/")
        wait_state(driver, "logged-in", 10)  # from the sibling
    assert not refreshes(idp)
    for handle in (first, second):
        driver.switch_to.window(handle)
        set_page_clock(driver, -HOUR)
    wait_for(lambda: len(answered_refreshes(idp)) >= 3, 40, "three renewals")
    seen = refreshes(idp)  # in-flight ones too, for the gaps
    assert all(s.status == 200 for s in seen if s.status), seen
    gaps = [b.at - a.at for a, b in itertools.pairwise(seen)]
    assert all(gap > 1.0 for gap in gaps), (gaps, seen)
    for handle in (first, second):
        driver.switch_to.window(handle)
        wait_for_js(driver, "window.app_error() === ''", 5)
        assert state(driver) == "logged-in"


def test_idle_timeout_still_ends_after_the_clock_is_set_back(
    driver: Any, app: Any, idp: RunningIdp
) -> None:
    """Set back, "idle since" would be negative for an hour: the stamp moves with it."""
    idle_timeout = 12
    app.config = {**app.config, "idle_timeout": idle_timeout, "idle_warning": 3}
    login(driver, app)
    signed_in_at = time.monotonic()
    set_page_clock(driver, -HOUR)
    wait_for_js(driver, f"{SELECT.format('auto-logout-countdown')} !== ''", 2 * idle_timeout)
    wait_state(driver, "logged-out", 20)
    assert time.monotonic() - signed_in_at < 3 * idle_timeout
