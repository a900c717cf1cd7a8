"""Every hostile-provider case through the real in-browser runtime, in headless Chromium.

The same ``CASES`` table as ``test_rp_negative_core.py``, driven through a page
(``browser_app/``) served by ``brython_oidc.server.create_app`` for the hostile
provider's issuer. Only public hooks are used: the page's ``data-testid`` elements
(``auth-state``, ``auth-error`` = "<ErrorClass>: <code>", ``login-button``), the
``brython-oidc:ready`` performance mark and the public ``login(redirect_to=...)``.
A refused case must end logged out with its typed error shown and no token in the
URL, either storage or the console. Then the browser-only cases (CSRF on the
callback, replay, off-site return path) and the faults the runtime handles now.

One Chromium (the session's ``chrome``), one provider and one app server per module;
the provider is reset and the browser wiped between tests.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from selenium.common.exceptions import JavascriptException
from selenium.webdriver.support.ui import WebDriverWait

from brython_oidc.devidp import Client, Lifetimes, Provider
from brython_oidc.devidp import create_app as create_provider_app
from brython_oidc.devidp.testing import BackgroundServer
from brython_oidc.server.names import keys
from brython_oidc.testing import submit_login_form, text_of, wait_for_auth_state
from brython_oidc.testing.browser import storage_snapshot, wait_for_js
from brython_oidc.testing.helpers import testid as by_testid
from brython_oidc.testing.live_server import free_ports
from brython_oidc.testing.plugin import reset_browser
from brython_oidc.testing.servers import KNOWN_ORIGINS, AppServer, TokenRequestCounter
from tests.security.cases import BROWSER_XFAIL, CASES, Case
from tests.security.hostile import HostileProvider, create_hostile_app

pytestmark = pytest.mark.browser

APP_DIR = Path(__file__).parent / "browser_app"
CLIENT_ID = "demo-spa"
TOKEN_TTL = 10
#: Short enough that the slow-provider case and the silent iframe give up quickly.
REQUEST_TIMEOUT = 3
SILENT_TIMEOUT = 3
READY = "performance.getEntriesByName('brython-oidc:ready').length > 0"
JWT = re.compile(r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}")
USER = "alice"


class ProviderRecorder:
    """ASGI wrapper: the authorization redirects sent (callback URLs) and token answers."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.callbacks: list[str] = []
        self.token_bodies: list[bytes] = []
        self._lock = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] not in ("/authorize", "/token"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def record(message: Any) -> None:
            if message["type"] == "http.response.start" and scope["path"] == "/authorize":
                for name, value in message.get("headers", []):
                    if name.lower() == b"location":
                        with self._lock:
                            self.callbacks.append(value.decode("latin-1"))
            if message["type"] == "http.response.body" and scope["path"] == "/token":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    with self._lock:
                        self.token_bodies.append(b"".join(chunks))
            await send(message)

        await self.app(scope, receive, record)

    def reuse_detected(self) -> int:
        with self._lock:
            return sum(b"reuse detected" in body for body in self.token_bodies)

    def clear(self) -> None:
        with self._lock:
            self.callbacks.clear()
            self.token_bodies.clear()


class Stack:
    """The hostile provider (wrapped to record what it sent) and the test page's server."""

    def __init__(self) -> None:
        port, dead_port = free_ports(2)
        self.dead_origin = f"http://127.0.0.1:{dead_port}"  # nothing listens there
        lifetimes = Lifetimes(access_token=TOKEN_TTL, id_token=TOKEN_TTL)
        self.provider = HostileProvider(f"http://127.0.0.1:{port}", lifetimes=lifetimes)
        self.tokens = TokenRequestCounter(create_hostile_app(self.provider))
        self.recorder = ProviderRecorder(self.tokens)
        self.provider_server = BackgroundServer(self.recorder, port=port)
        self.app = AppServer(
            APP_DIR,
            oidc={
                "issuer": self.provider.issuer,
                "client_id": CLIENT_ID,
                "request_timeout": REQUEST_TIMEOUT,
                "silent_timeout": SILENT_TIMEOUT,
                # Renew 4-5 s before expiry: a renewal every ~5 s with 10 s tokens.
                "renew_before_expiry": 4,
                "renew_jitter": 1,
                # The provider-down test points the page at an origin nothing serves.
                "allowed_fetch_origins": [self.dead_origin],
            },
        )
        self.provider.clients[CLIENT_ID].redirect_uris = [self.app.url]

    @property
    def url(self) -> str:
        return self.app.url

    def issued(self) -> list[str]:
        return list(self.tokens.issued_tokens)

    def reset(self) -> None:
        self.provider.reset()
        self.tokens.clear()
        self.recorder.clear()

    def configured(self, **oidc: object) -> AbstractContextManager[None]:
        """Serve the page with some ``[oidc]`` fields changed, for one test."""
        return self.app.configured(**oidc)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    value = Stack()
    value.provider_server.start()
    KNOWN_ORIGINS.append(value.provider.issuer)
    try:
        with value.app:
            yield value
    finally:
        value.provider.reset()  # releases a held-back slow answer
        value.provider_server.stop()


@pytest.fixture
def brython_oidc_chromium(chrome: Any) -> Any:
    """The plugin's ``browser`` fixture on the session's one Chromium."""
    return chrome


@pytest.fixture
def page(browser: Any, stack: Stack) -> Iterator[Any]:
    """The browser, with the provider honest and its records empty at the start."""
    stack.reset()
    yield browser
    stack.reset()


# --- steps --------------------------------------------------------------------------


def open_app(driver: Any, url: str) -> None:
    driver.get(url)
    wait_for_js(driver, READY, timeout=20)


def start_login(driver: Any) -> None:
    """Click sign-in; fill the provider's form if it shows one (not if start-up failed)."""
    driver.find_element("css selector", by_testid("login-button")).click()
    form = "document.querySelector('input[name=username]')"
    shown = f"(document.querySelector('{by_testid('auth-error')}') || {{}}).textContent"
    # This click's failure (browser_app sets it), or an error on the page we come back
    # to; not one start-up left on this page (it is re-rendered every 100 ms).
    error = f"(window.securityLoginError || (!window.__securityOldPage && ({READY}) && {shown}))"
    state = f"(document.querySelector('{by_testid('auth-state')}') || {{}}).textContent"
    # The provider's session may skip the form: straight back to a signed-in page.
    back = f"({READY}) && !window.__securityOldPage && {state} === 'logged-in'"
    driver.execute_script("window.__securityOldPage = true")
    found = wait_across_pages(
        driver, f"{form} ? 'form' : ({error} || ({back} ? 'in' : null))", timeout=20
    )
    if found == "form":
        submit_login_form(driver, USER, USER)


def wait_across_pages(driver: Any, expr: str, timeout: float) -> Any:
    """Wait until ``expr`` is truthy; a page being unloaded meanwhile is no error."""
    return WebDriverWait(
        driver, timeout, poll_frequency=0.05, ignored_exceptions=(JavascriptException,)
    ).until(
        lambda d: d.execute_script(f"return ({expr});"),
        message=f"timed out after {timeout:g} s waiting for JS: {expr}",
    )


def settle(driver: Any, timeout: float = 20) -> str:
    """Wait until the page is back and shows a state: logged in, or an error."""
    state = f"(document.querySelector('{by_testid('auth-state')}') || {{}}).textContent"
    error = f"(document.querySelector('{by_testid('auth-error')}') || {{}}).textContent"
    expr = f"({READY}) && ({error} ? 'error' : ({state} === 'logged-in' ? 'in' : null))"
    return str(wait_across_pages(driver, expr, timeout))


def settle_signed_in(driver: Any, timeout: float = 20) -> str:
    """Wait until the page shows a signed-in user and no error; return the user name."""
    state = f"(document.querySelector('{by_testid('auth-state')}') || {{}}).textContent"
    error = f"(document.querySelector('{by_testid('auth-error')}') || {{}}).textContent"
    user = f"(document.querySelector('{by_testid('user-name')}') || {{}}).textContent"
    expr = f"({READY}) && {state} === 'logged-in' && !{error} && {user}"
    return str(wait_across_pages(driver, expr, timeout))


def assert_no_token_leak(driver: Any, stack: Stack) -> None:
    """No issued token (nor anything JWT-shaped) in the URL, either storage, or console."""
    places = {**storage_snapshot(driver), "console": driver.console.text()}
    for where, text in places.items():
        assert not JWT.search(text or ""), f"a JWT-shaped value leaked into {where}"
        for token in stack.issued():
            assert token[-24:] not in (text or ""), f"a token leaked into {where}"


def sign_in(driver: Any, stack: Stack) -> None:
    open_app(driver, stack.url)
    start_login(driver)
    assert settle(driver) == "in", text_of(driver, "auth-error")


# --- the case table -----------------------------------------------------------------

#: Why a case's browser outcome differs from the table (the runtime bug or gap);
#: xfail(strict=True) until browser/ is fixed. docs/security.md shows BROWSER_XFAIL.
RUNTIME_BUGS: dict[str, str] = {}


def test_docs_list_the_same_browser_xfails() -> None:
    assert set(RUNTIME_BUGS) == set(BROWSER_XFAIL)


def _param(case: Case) -> Any:
    marks = []
    if case.id in RUNTIME_BUGS:
        marks.append(pytest.mark.xfail(strict=True, reason=RUNTIME_BUGS[case.id]))
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_case(page: Any, stack: Stack, case: Case) -> None:
    stack.provider.misbehave(case.misbehaviour)
    open_app(page, stack.url)
    if not text_of(page, "auth-error"):  # a bad discovery document fails at start-up
        start_login(page)
    outcome = settle(page)
    if case.misbehaviour is not None:
        assert stack.provider.fired >= 1, "the misbehaviour never fired: the case proves nothing"
    if case.error is None:
        assert outcome == "in", text_of(page, "auth-error")
        assert text_of(page, "user-name") == USER
        assert text_of(page, "auth-error") == ""
    else:
        assert text_of(page, "auth-error") == f"{case.error}: {case.code}"
        assert text_of(page, "auth-state") == "logged-out"
        assert text_of(page, "user-name") == ""
        if case.then_recovers:
            # The runtime retries on its own (backoff): signed in, the error cleared.
            assert settle_signed_in(page) == USER, text_of(page, "auth-error")
            assert stack.tokens.count("authorization_code") == 2  # the same code, once more
    assert_no_token_leak(page, stack)


# --- browser-only cases -------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["code=forged-code&state=forged-state", "code=forged-code"],
    ids=["state-mismatch", "state-missing"],
)
def test_forged_callback_is_never_redeemed(page: Any, stack: Stack, query: str) -> None:
    """CSRF (RFC 6749 §10.12): a callback the page did not start is never exchanged."""
    open_app(page, f"{stack.url}?{query}&iss={stack.provider.issuer}")
    wait_for_auth_state(page, "logged-out")
    assert stack.tokens.count("authorization_code") == 0, "a forged code was redeemed"
    assert_no_token_leak(page, stack)


def test_replayed_callback_url_is_never_redeemed(page: Any, stack: Stack) -> None:
    """A callback URL loaded in another browser (here: this one, wiped) sends no code.

    The same-tab reload is tests/e2e's test_reloading_the_callback_url_is_harmless.
    """
    sign_in(page, stack)
    callback = next(u for u in reversed(stack.recorder.callbacks) if "code=" in u)
    assert stack.tokens.count("authorization_code") == 1
    reset_browser(page)
    open_app(page, callback)
    wait_for_auth_state(page, "logged-out")
    assert text_of(page, "user-name") == ""
    assert stack.tokens.count("authorization_code") == 1, "a replayed code was redeemed"
    assert_no_token_leak(page, stack)


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"],
)
def test_off_site_redirect_to_ends_on_a_same_origin_path(
    page: Any, stack: Stack, target: str
) -> None:
    open_app(page, stack.url)
    wait_for_auth_state(page, "logged-out")
    page.execute_script("window.securityLogin(arguments[0])", target)
    submit_login_form(page, USER, USER)
    assert settle(page) == "in", text_of(page, "auth-error")
    assert page.current_url == stack.url  # safe_return_path's default, "/"
    assert_no_token_leak(page, stack)


# --- faults -------------------------------------------------------------------------


def set_signed_in_hint(driver: Any, stack: Stack, issuer: str) -> None:
    """The runtime's "was signed in" hint (a timestamp): start-up must then restore."""
    key = keys.hint_key(keys.namespace(issuer, CLIENT_ID))
    driver.execute_script("localStorage.setItem(arguments[0], '1')", key)


def test_provider_down_at_start_up(page: Any, stack: Stack) -> None:
    """No hint: logged out at once, the login click says why. Hint: start-up says why.

    Either way the page starts logged out with a typed TransportError, and signs in
    once the provider is up.
    """
    KNOWN_ORIGINS.append(stack.dead_origin)
    with stack.configured(issuer=stack.dead_origin):
        open_app(page, stack.url)
        wait_for_auth_state(page, "logged-out")
        assert text_of(page, "auth-error") == ""  # a first visit asks the provider nothing
        start_login(page)
        assert text_of(page, "auth-error") == "TransportError: transport_error"
        assert page.current_url == stack.url
        set_signed_in_hint(page, stack, stack.dead_origin)
        open_app(page, stack.url)
        wait_for_auth_state(page, "logged-out")
        assert text_of(page, "auth-error") == "TransportError: transport_error"
        port = int(stack.dead_origin.rsplit(":", 1)[1])
        late = Provider(stack.dead_origin, clients=[Client(CLIENT_ID, [stack.url])])
        with BackgroundServer(create_provider_app(late), port=port):
            start_login(page)
            assert settle(page) == "in", text_of(page, "auth-error")
            assert text_of(page, "auth-error") == ""


def test_discovery_issuer_mismatch_with_the_hint_fails_at_start_up(page: Any, stack: Stack) -> None:
    """OIDC Discovery §4.3 checked when start-up restores; the app still starts."""
    stack.provider.misbehave("discovery-wrong-issuer")
    open_app(page, stack.url)
    set_signed_in_hint(page, stack, stack.provider.issuer)
    fired = stack.provider.fired
    open_app(page, stack.url)
    wait_for_auth_state(page, "logged-out")
    assert stack.provider.fired > fired, "start-up did not fetch the discovery document"
    assert text_of(page, "auth-error") == "ValidationError: iss"
    assert text_of(page, "user-name") == ""
    assert_no_token_leak(page, stack)


def test_refresh_token_reuse_is_never_triggered_by_three_tabs(page: Any, stack: Stack) -> None:
    """RFC 9700 §4.14.2: rotation + reuse detection at the provider never fires."""
    sign_in(page, stack)
    tabs = [page.current_window_handle]
    for _ in range(2):
        page.switch_to.new_window("tab")
        open_app(page, stack.url)
        wait_for_auth_state(page, "logged-in")
        tabs.append(page.current_window_handle)
    # 10 s tokens renewed 4-5 s before expiry: two renewals within ~12 s.
    WebDriverWait(page, 30, poll_frequency=0.2).until(
        lambda _d: stack.tokens.count("refresh_token") >= 2,
        message="fewer than two renewals in 30 s",
    )
    assert stack.recorder.reuse_detected() == 0, "the client presented a used refresh token"
    assert not any(b"invalid_grant" in body for body in stack.recorder.token_bodies)
    for handle in tabs:
        page.switch_to.window(handle)
        assert text_of(page, "auth-state") == "logged-in"
        assert text_of(page, "auth-error") == ""
    assert_no_token_leak(page, stack)


def test_token_endpoint_500_during_renewal_then_recovery(page: Any, stack: Stack) -> None:
    """A 500 (HTML) on a refresh: tokens kept, the typed error shown, then a retry
    (backoff) renews and clears it."""
    sign_in(page, stack)
    renewals = stack.tokens.count("refresh_token")
    stack.provider.misbehave("token-500-once")
    error = f"document.querySelector('{by_testid('auth-error')}').textContent"
    wait_for_js(page, f"{error} === 'TransportError: transport_error'", timeout=15)
    assert stack.provider.fired == 1
    assert text_of(page, "auth-state") == "logged-in"  # tokens kept until they expire
    assert settle_signed_in(page) == USER
    assert stack.tokens.count("refresh_token") >= renewals + 2  # the 500, then the retry
    assert not any(b"invalid_grant" in body for body in stack.recorder.token_bodies)
    assert_no_token_leak(page, stack)
