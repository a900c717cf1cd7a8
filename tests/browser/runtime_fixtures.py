"""The development provider for runtime tests: short lifetimes, a refresh counter.

Kept apart from conftest so the harness works before brython_oidc.devidp exists.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, parse_qsl

from brython_oidc.devidp import Client, Lifetimes, Provider, create_app
from brython_oidc.testing.browser import storage_snapshot, wait_for_js
from brython_oidc.testing.live_server import free_port, serve_in_thread

CLIENT_ID = "test-spa"
ACCESS_TOKEN_TTL = 8


class TestProvider(Provider):
    """Records every token it issues (for the leak checks); can tamper with signatures."""

    tamper = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.issued: list[str] = []

    def generate_token(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        token: dict[str, Any] = super().generate_token(*args, **kwargs)
        self.issued += [token["access_token"], *filter(None, [token.get("refresh_token")])]
        return token

    def mint_id_token(self, **kwargs: Any) -> str:
        token: str = super().mint_id_token(**kwargs)
        self.issued.append(token)
        if self.tamper:
            head, payload, sig = token.split(".")
            flipped = "A" if sig[5] != "A" else "B"
            token = f"{head}.{payload}.{sig[:5]}{flipped}{sig[6:]}"
        return token


class Seen:
    """One request the provider received: path, parameters (query + form), status, time."""

    def __init__(self, method: str, path: str, params: dict[str, str], at: float) -> None:
        self.method = method
        self.path = path
        self.params = params
        self.at = at
        self.status = 0

    def __repr__(self) -> str:
        return f"Seen({self.method} {self.path} {self.status} at {self.at:.2f})"


class CountingApp:
    """ASGI wrapper: records every request (body replayed) and can play dead.

    ``down`` makes the token endpoint answer 503 without an OAuth error body, which
    the runtime must treat as "provider unreachable" (TransportError); ``dead`` does
    that for every endpoint. ``hold``: the next refresh request waits for that event,
    then answers 503 unseen by the provider (a request cut off with its tab).
    ``deny_frames``: the authorization endpoint refuses to be framed (X-Frame-Options),
    so a silent iframe never answers.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.grants: list[str] = []
        self.seen: list[Seen] = []
        self.down = False
        self.dead = False
        self.deny_frames = False
        self.hold: threading.Event | None = None
        self.held = 0
        #: While set, token requests wait (set and cleared from the test's thread).
        self.hold_token = threading.Event()
        #: While set, discovery requests wait, likewise.
        self.hold_discovery = threading.Event()

    def requests(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode()))
        seen = Seen(scope["method"], scope["path"], query, time.monotonic())
        self.seen.append(seen)

        async def record(message: Any) -> None:
            if message["type"] == "http.response.start":
                seen.status = message["status"]
                if self.deny_frames and scope["path"] == "/authorize":
                    headers = [*message.get("headers", []), (b"x-frame-options", b"DENY")]
                    message = {**message, "headers": headers}
            await send(message)

        async def unavailable() -> None:
            await record({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b"down"})

        if self.dead:
            await unavailable()
            return
        if scope["method"] != "POST":
            if scope["path"].endswith("/openid-configuration"):
                while self.hold_discovery.is_set():  # another thread's Event: poll it
                    await asyncio.sleep(0.01)
            await self.app(scope, receive, record)
            return
        chunks = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        seen.params.update(parse_qsl(body.decode()))
        if scope["path"] == "/token":
            grant = parse_qs(body.decode()).get("grant_type", [""])[0]
            self.grants.append(grant)
            while self.hold_token.is_set():  # another thread's Event: poll it
                await asyncio.sleep(0.01)
            if self.down:
                await unavailable()
                return
            if self.hold is not None and grant == "refresh_token":
                hold, self.hold = self.hold, None
                self.held += 1
                await asyncio.get_running_loop().run_in_executor(None, hold.wait, 30)
                await unavailable()
                return
        sent = False

        async def replay() -> Any:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, record)

    def count(self, grant: str) -> int:
        return self.grants.count(grant)


class RunningIdp:
    def __init__(self, provider: TestProvider, app: CountingApp, port: int) -> None:
        self.provider = provider
        self.app = app
        self.port = port
        self.issuer = provider.issuer


def running_idp(app_origin: str) -> Iterator[RunningIdp]:
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    client = Client(CLIENT_ID, [app_origin + "/"])
    lifetimes = Lifetimes(access_token=ACCESS_TOKEN_TTL, id_token=ACCESS_TOKEN_TTL)
    provider = TestProvider(issuer, clients=[client], lifetimes=lifetimes)
    app = CountingApp(create_app(provider))
    with serve_in_thread(app, port=port):
        yield RunningIdp(provider, app, port)


# --- page helpers ---------------------------------------------------------------------

SELECT = "document.querySelector('[data-testid={}]').textContent"


def state(driver: Any) -> str:
    return str(driver.execute_script("return " + SELECT.format("auth-state")))


def wait_state(driver: Any, value: str, timeout: float = 20) -> None:
    wait_for_js(
        driver, f"window.app_oidc_ready && {SELECT.format('auth-state')} === '{value}'", timeout
    )


def sign_in(driver: Any, username: str = "alice") -> None:
    wait_for_js(driver, "document.querySelector('input[name=username]')", 20)
    driver.find_element("name", "username").send_keys(username)
    driver.find_element("name", "password").send_keys(username)
    driver.find_element("css selector", "button[type=submit]").click()


def secrets_in_page(driver: Any) -> list[str]:
    value: list[str] = driver.execute_script(
        "return window.app_secrets ? window.app_secrets() : []"
    )
    return value


def assert_no_token_leak(driver: Any, tokens: list[str]) -> None:
    assert tokens, "the page exposed no token to look for"
    snapshot = storage_snapshot(driver)
    console = driver.console.text()
    for token in tokens:
        tail = token[-24:]
        for where, text in snapshot.items():
            assert tail not in text, f"a token leaked into {where}"
        assert tail not in console, "a token leaked into the console"


def login(driver: Any, app: Any, path: str = "/") -> None:
    driver.get(app.origin + "/")
    wait_state(driver, "logged-out")
    driver.execute_script(f"window.app_login({path!r})")
    sign_in(driver)
    wait_state(driver, "logged-in")


def open_tab(driver: Any, url: str) -> str:
    driver.switch_to.new_window("tab")
    driver.get(url)
    handle: str = driver.current_window_handle
    return handle


def wait_until(condition: Any, timeout: float, what: str) -> None:
    """Poll a Python-side condition (e.g. requests seen by the provider)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.05)


def answered_refreshes(idp: RunningIdp) -> list[Seen]:
    """Refresh requests the provider has answered (one in flight still has status 0)."""
    return [s for s in refreshes(idp) if s.status]


def refreshes(idp: RunningIdp) -> list[Seen]:
    return [s for s in idp.app.requests("/token") if s.params.get("grant_type") == "refresh_token"]


STORED_DISCOVERY = (
    "Object.keys(sessionStorage).filter((k) => k.endsWith(':discovery'))"
    ".map((k) => sessionStorage.getItem(k))"
)


def open_logged_out_with_discovery(driver: Any, origin: str) -> None:
    """Open the app logged out; return once its discovery document is in sessionStorage
    (the engine took the boot file's request, or sent its own)."""
    driver.get(origin + "/")
    wait_state(driver, "logged-out")
    wait_until(
        lambda: len(driver.execute_script(f"return {STORED_DISCOVERY}")) == 1,
        10,
        "the discovery document prefetched",
    )
