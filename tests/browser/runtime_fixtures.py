"""The development provider for runtime tests: short lifetimes, a refresh counter.

Kept apart from conftest so the harness works before brython_oidc.devidp exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

from brython_oidc.devidp import Client, Lifetimes, Provider, create_app
from brython_oidc.testing.live_server import free_port, serve_in_thread

CLIENT_ID = "test-spa"
ACCESS_TOKEN_TTL = 8


class TestProvider(Provider):
    """Counts refresh grants; can tamper with the ID token signature."""

    tamper = False

    def mint_id_token(self, **kwargs: Any) -> str:
        token: str = super().mint_id_token(**kwargs)
        if self.tamper:
            head, payload, sig = token.split(".")
            flipped = "A" if sig[5] != "A" else "B"
            token = f"{head}.{payload}.{sig[:5]}{flipped}{sig[6:]}"
        return token


class CountingApp:
    """ASGI wrapper: counts token endpoint calls by grant_type (body replayed)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.grants: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/token" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        chunks = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        grant = parse_qs(body.decode()).get("grant_type", [""])[0]
        self.grants.append(grant)
        sent = False

        async def replay() -> Any:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

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
