"""Selenium helpers for apps built with brython_oidc: sign in, sign out, wait for a state.

They rely on DESIGN.md's contracts only: the app's ``data-testid`` hooks
(``auth-state``, ``login-button``, ``logout-button``) and the provider's login form
(``name="username"``, ``name="password"``, a ``type="submit"`` button), which both the
development provider and the node oidc-provider harness follow.
"""

from __future__ import annotations

from typing import Any

from .browser import wait_for_js

AUTH_STATES = ("logged-in", "logged-out")


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
    """
    wait_for_auth_state(driver, "logged-out", timeout)
    driver.find_element("css selector", testid("login-button")).click()
    submit_login_form(driver, user, password, timeout)
    wait_for_auth_state(driver, "logged-in", timeout)


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
