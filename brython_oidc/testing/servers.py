"""The servers an app's browser tests need: the development provider and the app itself.

Both run in background threads on free loopback ports. The provider starts with no
client; ``AppServer`` registers its own redirect URI (``http://localhost:PORT/``)
once it knows its port. The provider counts token requests by ``grant_type`` so a
test can assert "one refresh per renewal".
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from brython_oidc.devidp import Client, Lifetimes, Provider, create_app
from brython_oidc.devidp.testing import BackgroundServer
from brython_oidc.testing.live_server import free_port

#: Origins the servers of this process serve: the browser fixture wipes their storage.
KNOWN_ORIGINS: list[str] = []


class TokenRequestCounter:
    """ASGI wrapper: records each ``POST /token``'s ``grant_type`` (the body is replayed).

    ``grants`` lists the grant types in order; ``calls`` pairs each with the status the
    provider answered, so a test or benchmark can also count refused requests.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.grants: list[str] = []
        self.calls: list[tuple[str, int]] = []
        #: Every token the endpoint issued, so a test can prove none leaked anywhere.
        self.issued_tokens: list[str] = []
        self._lock = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/token" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        grant = parse_qs(body.decode("latin-1")).get("grant_type", [""])[0]
        with self._lock:
            self.grants.append(grant)
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        sent: list[bytes] = []

        async def record(message: Any) -> None:
            if message["type"] == "http.response.start":
                with self._lock:
                    self.calls.append((grant, int(message["status"])))
            if message["type"] == "http.response.body":
                sent.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._record_tokens(b"".join(sent))
            await send(message)

        await self.app(scope, replay, record)

    def _record_tokens(self, body: bytes) -> None:
        try:
            data = json.loads(body)
        except ValueError:
            return
        if isinstance(data, dict):
            names = ("access_token", "refresh_token", "id_token")
            found = [str(data[n]) for n in names if isinstance(data.get(n), str)]
            with self._lock:
                self.issued_tokens.extend(found)

    def count(self, grant_type: str) -> int:
        with self._lock:
            return self.grants.count(grant_type)

    def clear(self) -> None:
        with self._lock:
            self.grants.clear()
            self.calls.clear()
            self.issued_tokens.clear()


class DevProvider:
    """The development OpenID Provider on ``http://127.0.0.1:<free port>``."""

    def __init__(self, *, token_ttl: int = 10, session_ttl: int = 3600) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        lifetimes = Lifetimes(access_token=token_ttl, id_token=token_ttl, session=session_ttl)
        self.token_ttl = token_ttl
        self.provider = Provider(self.issuer, clients=[], lifetimes=lifetimes)
        self.token_requests = TokenRequestCounter(create_app(self.provider))
        self._server = BackgroundServer(self.token_requests, port=self.port)

    @property
    def users(self) -> list[tuple[str, str]]:
        """``(username, password)`` of every user (alice/alice and bob/bob by default)."""
        return [(u.username, u.password) for u in self.provider.users.values()]

    def register_client(self, client_id: str, redirect_uri: str) -> None:
        """Register a public client, or add ``redirect_uri`` to an existing one."""
        known = self.provider.clients.get(client_id)
        uris = [*(known.redirect_uris if known else ()), redirect_uri]
        self.provider.clients[client_id] = Client(client_id, list(dict.fromkeys(uris)))

    def expire_tokens(self) -> int:
        """End every session and revoke every grant, as if they had all expired.

        Tokens the browser holds stop working at the provider: the next renewal gets
        ``invalid_grant`` (RFC 6749 §5.2) and a restore gets ``login_required``, so the
        app signs out within one token lifetime (``token_ttl``). Returns how many
        sessions ended.
        """
        # The store has no public listing of sessions; this is a test-only provider.
        sids = list(self.provider.store._sessions)
        for sid in sids:
            self.provider.end_session(sid)
        return len(sids)

    def start(self) -> DevProvider:
        self._server.start()
        KNOWN_ORIGINS.append(self.issuer)
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> DevProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class AppServer:
    """An app folder served by ``brython_oidc.server.create_app`` on a free port.

    ``oidc`` replaces ``[oidc]`` fields of the app's ``brython-oidc.toml``; ``mock``
    serves the page in mock mode (``{"user": {claims}}`` or ``"logged-out"``): no
    provider is contacted at all.
    """

    def __init__(
        self,
        app_dir: str | Path,
        *,
        oidc: Mapping[str, object] | None = None,
        mock: object = None,
        extra_routes: Sequence[Any] | None = None,
        app: Any = None,
        port: int | None = None,
    ) -> None:
        from brython_oidc.server import create_app as create_spa

        self.app_dir = Path(app_dir)
        self.port = port or free_port()
        self.origin = f"http://localhost:{self.port}"
        self.url = self.origin + "/"
        self.app = app or create_spa(
            self.app_dir, oidc_overrides=dict(oidc or {}), extra_routes=extra_routes
        )
        if mock is not None:
            _serve_mock(self.app, mock)
        self.config: dict[str, object] = dict(self.app.state.spa.config.oidc)
        self._server = BackgroundServer(self.app, port=self.port)

    @property
    def client_id(self) -> str:
        return str(self.config["client_id"])

    def start(self) -> AppServer:
        self._server.start()
        KNOWN_ORIGINS.append(self.origin)
        return self

    @contextmanager
    def configured(self, **oidc: object) -> Iterator[None]:
        """Serve the page with some ``[oidc]`` fields changed, for one test."""
        from brython_oidc.server.config_file import AppConfig

        spa = self.app.state.spa
        before = spa.config
        spa.config = AppConfig(before.path, {**before.oidc, **oidc}, before.main, before.routes)
        try:
            yield
        finally:
            spa.config = before

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _serve_mock(app: Any, mock: object) -> None:
    """Inject ``"mock"`` into the page's configuration (see ``browser/mock.py``).

    ``brython-oidc.toml`` is checked by ``ClientConfig``, which has no ``mock`` field
    (mock mode is a runtime switch, not a client setting), so it is added here, after
    the check, for tests only.
    """
    from brython_oidc.server.config_file import AppConfig

    spa = app.state.spa
    old = spa.config
    spa.config = AppConfig(old.path, {**old.oidc, "mock": mock}, old.main, old.routes)


def app_server_for(
    app_dir: str | Path,
    provider: DevProvider,
    *,
    oidc: Mapping[str, object] | None = None,
    extra_routes: Sequence[Any] | None = None,
) -> AppServer:
    """An ``AppServer`` configured for ``provider``, its redirect URI registered there.

    Renewal starts a third of a token lifetime before expiry, so short lifetimes
    still renew (the default 60 s would exceed them).
    """
    ttl = provider.token_ttl
    overrides: dict[str, object] = {
        "issuer": provider.issuer,
        "renew_before_expiry": max(ttl / 3, 1),
        "renew_jitter": min(1, ttl / 10),
        **(oidc or {}),
    }
    server = AppServer(app_dir, oidc=overrides, extra_routes=extra_routes)
    provider.register_client(server.client_id, server.url)
    return server
