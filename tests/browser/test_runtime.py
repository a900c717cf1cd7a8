"""The runtime against the development provider, in Chromium (issue 5, "Done when").

Tokens are read from the page only to prove they appear nowhere else: not in
localStorage, sessionStorage, the URL or the console.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
from typing import Any

import pytest

from brython_oidc.server.names import keys
from brython_oidc.server.precompiled import MODULES as PRECOMPILED
from brython_oidc.testing.browser import wait_for_js

_NEEDED = ("brython_oidc.devidp.provider", "brython_oidc.core.authorization")
_NEEDED += ("brython_oidc.core.jose", "brython_oidc.core.messages", "brython_oidc.core.schedule")
if any(importlib.util.find_spec(name) is None for name in _NEEDED):
    pytest.skip("core/ and devidp/ have not landed in this tree", allow_module_level=True)

from tests.browser.runtime_fixtures import (  # noqa: E402
    CLIENT_ID,
    SELECT,
    STORED_DISCOVERY,
    RunningIdp,
    answered_refreshes,
    assert_no_token_leak,
    login,
    open_logged_out_with_discovery,
    open_tab,
    refreshes,
    secrets_in_page,
    sign_in,
    state,
    wait_state,
    wait_until,
)


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


# Records which modules had run when the ready mark was set.
AT_READY = """(() => {
  const mark = performance.mark.bind(performance);
  performance.mark = (name, options) => {
    if (name === "brython-oidc:ready") {
      window.__imported_at_ready = Object.keys(__BRYTHON__.imported);
    }
    return mark(name, options);
  };
})();"""

# The modules Brython compiled in this page and cached (the precompiled ones it never compiles).
BRYTHON_CACHE = """
const done = arguments[arguments.length - 1];
const open = indexedDB.open("brython-cache");
open.onsuccess = () => {
  const db = open.result;
  if (!db.objectStoreNames.contains("modules")) { done([]); return; }
  const all = db.transaction("modules", "readonly").objectStore("modules").getAllKeys();
  all.onsuccess = () => done(all.result);
};
"""


def test_logged_out_start_runs_only_precompiled_framework_code(driver: Any, app: Any) -> None:
    """The fast path (browser/boot.py) imports exactly what the server ships compiled
    (server/precompiled.py): a first visit compiles no framework module before the
    ready mark; the engine is compiled (and cached) afterwards by ``warm_up``."""
    app.app_module = "minimal_page"
    script = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": AT_READY})
    try:
        driver.get(app.origin + "/")
        wait_state(driver, "logged-out")
        imported: list[str] = driver.execute_script("return window.__imported_at_ready")
    finally:
        driver.execute_cdp_cmd(
            "Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]}
        )
    assert sorted(m for m in imported if m.startswith("brython_oidc")) == sorted(PRECOMPILED)

    def cached() -> list[str]:
        keys: list[str] = driver.execute_async_script(BRYTHON_CACHE)
        return keys

    wait_until(lambda: "brython_oidc.browser.client" in cached(), 20, "the engine compiled")
    assert not set(PRECOMPILED) & set(cached())


def test_reload_restores_session(driver: Any, app: Any) -> None:
    login(driver, app, "/page")
    before = secrets_in_page(driver)
    driver.refresh()
    wait_state(driver, "logged-in")
    assert driver.current_url == app.origin + "/page"
    assert_no_token_leak(driver, before + secrets_in_page(driver))


USED_STATE = (
    "for (let i = 0; i < sessionStorage.length; i++) {"
    "  const k = sessionStorage.key(i);"
    "  if (k.endsWith(':used-states')) return JSON.parse(sessionStorage.getItem(k))[0]; }"
)


def test_callback_replayed_is_ignored_and_cleaned(driver: Any, app: Any) -> None:
    login(driver, app)
    used = driver.execute_script(USED_STATE)
    assert used
    # What Back or a reload on the callback URL would load: the old code and state.
    driver.get(f"{app.origin}/?code=stale-code&state={used}&iss=x")
    wait_state(driver, "logged-in")
    assert driver.current_url == app.origin + "/"
    assert driver.execute_script(f"return {SELECT.format('auth-error')}") == ""


def test_renewal_several_times_with_refresh_tokens(driver: Any, app: Any, idp: RunningIdp) -> None:
    login(driver, app)
    first = driver.execute_script("return window.app_expires_at()")
    # Tokens live 8 s and renew 5-5.5 s before expiry: three renewals in ~10 s.
    wait_for_js(driver, f"{SELECT.format('renewals')} >= '4'", 30)
    assert driver.execute_script("return window.app_expires_at()") > first
    assert idp.app.count("refresh_token") >= 3
    assert state(driver) == "logged-in"
    assert_no_token_leak(driver, secrets_in_page(driver))


def test_three_tabs_one_refresh_per_renewal_and_sibling_restore(
    driver: Any, app: Any, idp: RunningIdp
) -> None:
    login(driver, app)
    first = driver.current_window_handle
    tabs = [first]
    authorize_calls_before = idp.app.count("authorization_code")
    for _ in range(2):
        tabs.append(open_tab(driver, app.origin + "/"))
        wait_state(driver, "logged-in", 10)
    # Restored from a sibling: no new code exchange at the provider.
    assert idp.app.count("authorization_code") == authorize_calls_before
    idp.app.seen.clear()
    driver.switch_to.window(first)
    wait_until(lambda: len(answered_refreshes(idp)) >= 3, 40, "three renewals")
    seen = refreshes(idp)  # in-flight ones too, for the gaps
    # One request per renewal: renewals are ~2.5 s apart (8 s tokens renewed 5 s
    # early); a second tab refreshing in the same round would come within a second,
    # and reusing a rotated refresh token would be refused.
    gaps = [b.at - a.at for a, b in itertools.pairwise(seen)]
    assert all(gap > 1.0 for gap in gaps), (gaps, seen)
    assert all(s.status == 200 for s in seen if s.status), seen
    for handle in tabs:
        driver.switch_to.window(handle)
        assert state(driver) == "logged-in"


def test_logout_in_one_tab_logs_out_all(driver: Any, app: Any) -> None:
    login(driver, app)
    first = driver.current_window_handle
    second = open_tab(driver, app.origin + "/other")
    wait_state(driver, "logged-in", 10)
    driver.switch_to.window(first)
    driver.execute_script("window.app_logout('home')")
    driver.switch_to.window(second)
    wait_state(driver, "logged-out", 3)
    driver.switch_to.window(first)
    wait_state(driver, "logged-out", 20)
    assert driver.current_url == app.origin + "/"
    driver.refresh()
    wait_state(driver, "logged-out")


def test_idle_timeout_counts_down_and_logs_out(driver: Any, app: Any) -> None:
    app.config = {**app.config, "idle_timeout": 4, "idle_warning": 3}
    login(driver, app)
    wait_for_js(driver, f"{SELECT.format('auto-logout-countdown')} !== ''", 10)
    wait_state(driver, "logged-out", 20)


def test_provider_down_at_start(driver: Any, app: Any) -> None:
    app.config = {**app.config, "issuer": "http://127.0.0.1:9", "request_timeout": 2}
    driver.get(app.origin + "/test/blank")
    # A browser that was signed in: only then does start-up ask the provider.
    hint = keys.hint_key(keys.namespace("http://127.0.0.1:9", CLIENT_ID))
    driver.execute_script("localStorage.setItem(arguments[0], '1')", hint)
    driver.get(app.origin + "/")
    wait_state(driver, "logged-out", 15)
    assert driver.execute_script(f"return {SELECT.format('auth-error')}").startswith(
        "TransportError"
    )
    assert driver.execute_script("return window.app_error_endpoint()") == "discovery"
    assert driver.execute_script("return window.app_error_looks_down()") is True
    assert (
        driver.execute_script("return performance.getEntriesByName('brython-oidc:ready').length")
        == 1
    )


def test_tampered_id_token_signature_is_rejected(driver: Any, app: Any, idp: RunningIdp) -> None:
    driver.get(app.origin + "/")
    wait_state(driver, "logged-out")
    idp.provider.tamper = True
    driver.execute_script("window.app_login('/')")
    sign_in(driver)
    wait_for_js(driver, f"window.app_oidc_ready && {SELECT.format('auth-error')} !== ''", 20)
    assert driver.execute_script(f"return {SELECT.format('auth-error')}") == (
        "ValidationError:signature"
    )
    assert state(driver) == "logged-out"
    assert "code=" not in driver.current_url


def test_refused_refresh_response_ends_the_session_without_reusing_the_token(
    driver: Any, app: Any, idp: RunningIdp
) -> None:
    """A refresh answered with tokens we refuse (here a bad ID token signature): the
    provider has rotated the refresh token already, so a retry with it would be reuse
    (RFC 9700 §4.14.2) and revoke the family. The session ends instead, with the error."""
    login(driver, app)
    idp.provider.tamper = True
    wait_for_js(driver, f"window.app_oidc_ready && {SELECT.format('auth-error')} !== ''", 30)
    assert driver.execute_script(f"return {SELECT.format('auth-error')}") == (
        "ValidationError:signature"
    )
    wait_state(driver, "logged-out", 5)
    sent = [s.params.get("refresh_token") for s in refreshes(idp)]
    assert len(sent) == 1, refreshes(idp)  # one refresh, answered, and no retry with it
    assert len(set(sent)) == len(sent)
    wait_until(lambda: all(s.status for s in refreshes(idp)), 5, "the refresh answered")
    assert [s.status for s in refreshes(idp)] == [200]


# Logs each document this tab loads (its kind by the address as loaded, before the
# boot file cleans it) with its navigator.locks.query() calls (boot.sibling_signed_in).
# In sessionStorage: a restore may go through a top-level prompt=none redirect.
LOCK_QUERIES = """(() => {
  if (window.top !== window) return;  // the silent-renew iframe is not the app page
  const kind = location.search.includes("code=stale")
    ? "stale" : location.search.includes("code=") ? "callback" : "page";
  const read = () => JSON.parse(sessionStorage.getItem("test-lock-log") || "[]");
  const log = read(), entry = log.length;
  log.push([kind, 0]);
  sessionStorage.setItem("test-lock-log", JSON.stringify(log));
  const query = LockManager.prototype.query;
  LockManager.prototype.query = function () {
    const log = read();
    log[entry][1] += 1;
    sessionStorage.setItem("test-lock-log", JSON.stringify(log));
    return query.apply(this, arguments);
  };
})();"""


def test_web_locks_are_asked_only_when_no_callback_of_ours_is_handled(
    driver: Any, app: Any
) -> None:
    """The sibling-tab query (an IPC round trip) is off the sign-in callback's path;
    a used callback (reload, Back) and a reload with the hint set still ask, once."""
    script = driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": LOCK_QUERIES}
    )
    try:
        login(driver, app)
        driver.refresh()
        wait_state(driver, "logged-in")
        used = driver.execute_script(USED_STATE)
        driver.get(f"{app.origin}/?code=stale-code&state={used}&iss=x")
        wait_state(driver, "logged-in")
        log = driver.execute_script("return JSON.parse(sessionStorage.getItem('test-lock-log'))")
    finally:
        driver.execute_cdp_cmd(
            "Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]}
        )
    callbacks = [queries for kind, queries in log if kind == "callback"]
    assert callbacks and set(callbacks) == {0}, log  # each handled: never asked
    assert [queries for kind, queries in log if kind == "stale"] == [1], log
    # The first visit has no hint (nothing to ask); the reload has it.
    assert [queries for kind, queries in log if kind == "page"] == [0, 1], log
    assert "never awaited" not in driver.console.text()


def test_mock_mode_needs_no_provider(driver: Any, app: Any) -> None:
    app.config = {"mock": {"user": {"sub": "u1", "name": "Mock Alice"}}}
    driver.get(app.origin + "/")
    wait_state(driver, "logged-in")
    assert driver.execute_script(f"return {SELECT.format('user-name')}") == "Mock Alice"


def test_mock_mode_renews_and_signs_out_without_a_provider(driver: Any, app: Any) -> None:
    """MockOidc has Oidc's API (tests/browser/test_mock_api.py): renew() works there too."""
    app.config = {"mock": {"user": {"sub": "u1", "name": "Mock Alice"}}}
    driver.get(app.origin + "/")
    wait_state(driver, "logged-in")
    before = driver.execute_script("return window.app_expires_at()")
    driver.execute_script("window.app_renew()")
    wait_for_js(driver, f"{SELECT.format('renewals')} === '1'", 10)
    assert driver.execute_script("return window.app_error()") == ""
    assert driver.execute_script("return window.app_expires_at()") >= before
    assert driver.execute_script(f"return {SELECT.format('user-name')}") == "Mock Alice"
    driver.execute_script("window.app_logout()")
    wait_state(driver, "logged-out")


def test_jwks_travels_while_the_token_request_is_in_flight(
    driver: Any, app: Any, idp: RunningIdp
) -> None:
    """The sign-in path fetches the JWKS concurrently with the code exchange."""
    driver.get(app.origin + "/")
    wait_state(driver, "logged-out")
    before = len(idp.app.requests("/jwks"))
    tokens_before = len(idp.app.requests("/token"))
    idp.app.hold_token.set()
    try:
        driver.execute_script("window.app_login('/')")
        sign_in(driver)
        # Both requests leave at once; either may reach the provider first.
        wait_until(
            lambda: (
                len(idp.app.requests("/jwks")) > before
                and len(idp.app.requests("/token")) > tokens_before
            ),
            10,
            "the JWKS request while the token request is held",
        )
        held = idp.app.requests("/token")
        assert held and held[-1].status == 0, held  # no token response yet
    finally:
        idp.app.hold_token.clear()
    wait_state(driver, "logged-in")


# What the page has imported when its token request leaves (fetch is called).
IMPORTED_AT_TOKEN = """(() => {
  const fetch = window.fetch;
  window.fetch = function (url, init) {
    if (String(url).endsWith("/token") && window.__imported_at_token === undefined) {
      window.__imported_at_token = Object.keys(__BRYTHON__.imported);
    }
    return fetch.apply(this, arguments);
  };
})();"""


def test_the_callback_page_sends_the_code_before_the_rest_of_the_engine_imports(
    driver: Any, app: Any
) -> None:
    """Only what checks the response and sends the code runs first (browser/boot.py,
    callback.py): the session machinery, ID token verification and the request side
    of the flow (PKCE, random values) import while the token request travels."""
    script = driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": IMPORTED_AT_TOKEN}
    )
    try:
        login(driver, app)
        imported = set(driver.execute_script("return window.__imported_at_token"))
    finally:
        driver.execute_cdp_cmd(
            "Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]}
        )
    assert {"brython_oidc.browser.callback", "brython_oidc.browser.exchange"} <= imported
    later = {
        "brython_oidc.browser." + name
        for name in ("client", "renewal", "tabs", "verify", "authorize", "webcrypto")
    } | {"brython_oidc.core." + name for name in ("jose", "id_token", "pkce")}
    assert not imported & later, sorted(imported & later)


DISCOVERY = "/.well-known/openid-configuration"


def test_logged_out_page_prefetches_discovery_for_the_login_click(
    driver: Any, app: Any, idp: RunningIdp
) -> None:
    open_logged_out_with_discovery(driver, app.origin)  # before any click
    before = len(idp.app.requests(DISCOVERY))
    driver.execute_script("window.app_login('/')")
    sign_in(driver)
    wait_state(driver, "logged-in")
    # The click used the prefetched document; the callback page read it back.
    assert len(idp.app.requests(DISCOVERY)) == before
    stored = driver.execute_script(f"return {STORED_DISCOVERY}")
    # Only the public document (no_token_leak checks storage for tokens after each test).
    assert len(stored) == 1
    assert set(json.loads(stored[0])) == {"fetched_at", "document"}
    assert json.loads(stored[0])["document"]["issuer"] == idp.issuer


def test_a_login_click_during_the_prefetch_waits_for_it_instead_of_asking_again(
    driver: Any, app: Any, idp: RunningIdp
) -> None:
    before = len(idp.app.requests(DISCOVERY))
    idp.app.hold_discovery.set()
    try:
        driver.get(app.origin + "/")
        wait_state(driver, "logged-out")
        wait_until(
            lambda: len(idp.app.requests(DISCOVERY)) == before + 1,
            10,
            "the idle-time discovery prefetch, held at the provider",
        )
        driver.execute_script("window.app_login('/')")
        # A second script runs after the click's microtasks: login() has asked
        # provider.discover() by now (the engine is loaded; no timer on that path).
        assert driver.execute_script("return document.readyState") == "complete"
    finally:
        idp.app.hold_discovery.clear()
    sign_in(driver)
    wait_state(driver, "logged-in")
    # One request served the prefetch and the click (and the callback page's copy).
    assert len(idp.app.requests(DISCOVERY)) == before + 1


def test_load_userinfo_false_signs_in_on_the_id_token_alone(
    driver: Any, app: Any, idp: RunningIdp
) -> None:
    from brython_oidc.devidp.app import PATHS

    userinfo = PATHS["userinfo_endpoint"]
    app.config = {**app.config, "load_userinfo": False}
    before = len(idp.app.requests(userinfo))
    login(driver, app, "/")
    assert driver.execute_script(f"return {SELECT.format('user-name')}")  # from the ID token
    # The default asks it (the rp-userinfo-bad-sub-claim case in tests/security needs that).
    assert len(idp.app.requests(userinfo)) == before


def test_a_stored_discovery_document_is_checked_again_when_read_back(
    driver: Any, app: Any, idp: RunningIdp
) -> None:
    open_logged_out_with_discovery(driver, app.origin)
    # A document for another issuer (OIDC Discovery §4.3) must not be used.
    driver.execute_script(
        "for (const k of Object.keys(sessionStorage)) if (k.endsWith(':discovery'))"
        " sessionStorage.removeItem(k);"
        "sessionStorage.setItem(arguments[0], JSON.stringify({fetched_at: Date.now() / 1000,"
        " document: {issuer: 'https://evil.example', authorization_endpoint:"
        " 'https://evil.example/authorize', token_endpoint: 'https://evil.example/token',"
        " jwks_uri: 'https://evil.example/jwks', response_types_supported: ['code']}}))",
        keys.discovery_key(keys.namespace(idp.issuer, CLIENT_ID)),
    )
    before = len(idp.app.requests(DISCOVERY))
    driver.execute_script("window.app_login('/')")
    sign_in(driver)
    wait_state(driver, "logged-in")
    assert len(idp.app.requests(DISCOVERY)) == before + 1  # fetched again, then reused
    assert "evil.example" not in "".join(driver.execute_script(f"return {STORED_DISCOVERY}"))
