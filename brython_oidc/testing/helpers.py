"""Selenium helpers for apps built with brython_oidc: sign in, sign out, wait for a state.

They rely on DESIGN.md's contracts only: the app's ``data-testid`` hooks
(``auth-state``, ``login-button``, ``logout-button``) and the provider's login form
(``name="username"``, ``name="password"``, a ``type="submit"`` button), which both the
development provider and the node oidc-provider harness follow.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from .browser import wait_for_js

AUTH_STATES = ("logged-in", "logged-out")
#: Where a page says what went wrong: the provider's login error (``role="alert"``,
#: both dev providers), its error page (``data-error``), the app's ``auth-error`` hook.
_SAID = (
    "[...document.querySelectorAll('[role=alert], [data-error], [data-testid=auth-error]')]"
    ".map((e) => e.textContent.trim()).filter((t) => t).join(' / ')"
)
#: Set by the plugin's ``browser`` fixture: where this test's screenshot goes.
SCREENSHOT_ATTRIBUTE = "brython_oidc_screenshot"


class SignInError(AssertionError):
    """``login`` did not end signed in: what the page said, where, and the screenshot."""


def testid(name: str) -> str:
    """A CSS selector for ``data-testid=name``."""
    return f'[data-testid="{name}"]'


def _js_testid_text(name: str) -> str:
    return f"(document.querySelector('{testid(name)}') || {{}}).textContent"


def text_of(driver: Any, name: str) -> str:
    """The text of the element ``data-testid=name`` ("" when it is absent)."""
    value = driver.execute_script(f"return {_js_testid_text(name)} || ''")
    return str(value)


def click(driver: Any, name: str, timeout: float = 20.0) -> None:
    """Click the element ``data-testid=name`` once it is on the page."""
    wait_for_js(driver, f"document.querySelector('{testid(name)}')", timeout)
    driver.find_element("css selector", testid(name)).click()


def wait_for_auth_state(driver: Any, state: str, timeout: float = 20.0) -> None:
    """Wait until the page's ``auth-state`` hook reads ``state`` (logged-in / logged-out)."""
    __tracebackhide__ = True
    if state not in AUTH_STATES:
        raise ValueError(f"state must be one of {AUTH_STATES}, not {state!r}")
    wait_for_js(driver, f"{_js_testid_text('auth-state')} === {state!r}", timeout)


def wait_for_testid(
    driver: Any, name: str, predicate: str = "t !== ''", timeout: float = 20.0
) -> str:
    """Wait until ``predicate`` (JS, over the hook's text ``t``) holds; return the text."""
    expr = f"((t) => ({predicate}) && t)({_js_testid_text(name)} || '')"
    return str(wait_for_js(driver, expr, timeout))


def submit_login_form(driver: Any, user: str, password: str, timeout: float = 20.0) -> None:
    """Fill and submit the provider's login form (DESIGN.md's provider DOM contract)."""
    wait_for_js(driver, "document.querySelector('input[name=username]')", timeout)
    driver.find_element("name", "username").send_keys(user)
    driver.find_element("name", "password").send_keys(password)
    driver.find_element("css selector", "[type=submit]").click()


def login(driver: Any, user: str, password: str, timeout: float = 20.0) -> None:
    """Sign in from the app page currently loaded: click ``login-button``, use the form.

    Returns once the app shows ``logged-in`` again (back on the app, tokens verified).
    Otherwise raises ``SignInError``, one line: what the provider or the app said,
    the address, and the path of a screenshot taken then.
    """
    __tracebackhide__ = True  # pytest: the message says it all, not Selenium's frames
    from selenium.common.exceptions import TimeoutException

    try:
        wait_for_auth_state(driver, "logged-out", timeout)
        driver.find_element("css selector", testid("login-button")).click()
        submit_login_form(driver, user, password, timeout)
        wait_for_auth_state(driver, "logged-in", timeout)
    except TimeoutException:
        raise SignInError(sign_in_failure(driver, user, timeout)) from None


def sign_in_failure(driver: Any, user: str, timeout: float) -> str:
    """One line on a failed sign-in: what the page says, where it is, the screenshot."""
    try:
        said = str(driver.execute_script(f"return {_SAID}") or "")
        where = str(driver.current_url).split("?", 1)[0]  # never a code or state
    except Exception:  # the page may be mid-navigation or gone
        said, where = "", "(unknown)"
    shot = screenshot(driver)
    text = f"sign-in as {user!r} did not finish within {timeout:g} s at {where}"
    text += f": the page says {said[:300]!r}" if said else " (the page shows no error)"
    return text + (f"; screenshot: {shot}" if shot else "")


def screenshot(driver: Any) -> str | None:
    """Save a screenshot (where the plugin's fixture says, else a temp file); its path."""
    configured = getattr(driver, SCREENSHOT_ATTRIBUTE, None)
    path = (
        Path(configured)
        if configured
        else Path(tempfile.gettempdir()) / f"brython-oidc-sign-in-{int(time.time())}.png"
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return str(path) if driver.save_screenshot(str(path)) else None
    except Exception:
        return None


def logout(driver: Any, timeout: float = 20.0) -> None:
    """Click ``logout-button``; confirm at the provider if it asks; wait for logged-out.

    Logout always ends in a new app document (the provider's redirect back, or the
    runtime's own navigation when there is no ``end_session_endpoint``); a marker on
    the old document tells the two apart. RP-initiated logout may show a confirmation
    page (node oidc-provider does, ``data-testid="op-logout-confirm"``): it is clicked.
    """
    driver.execute_script("window.__brythonOidcOldPage = true")
    driver.find_element("css selector", testid("logout-button")).click()
    confirm = testid("op-logout-confirm")
    state = _js_testid_text("auth-state")
    outcome = _wait(
        driver,
        f"document.querySelector('{confirm}') ? 'confirm' : "
        f"(!window.__brythonOidcOldPage && {state} === 'logged-out' ? 'done' : null)",
        timeout,
    )
    if outcome == "confirm":
        driver.find_element("css selector", confirm).click()
        _wait(driver, f"!window.__brythonOidcOldPage && {state} === 'logged-out'", timeout)


def _wait(driver: Any, expr: str, timeout: float) -> Any:
    """Like ``wait_for_js``, across navigations (a script may hit a page being unloaded)."""
    from selenium.common.exceptions import JavascriptException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(
        driver,
        timeout,
        poll_frequency=0.05,
        ignored_exceptions=(JavascriptException, StaleElementReferenceException),
    ).until(
        lambda d: d.execute_script(f"return ({expr});"),
        message=f"timed out after {timeout:g} s waiting for JS: {expr}",
    )
