"""End-to-end fixtures: the demo app against each provider, one Chromium for the session.

``stack`` is parametrized by provider. Each provider and its demo server start once
per session; the plugin's ``browser`` fixture wipes cookies and storage after each
test and saves a screenshot and the console log to artifacts/ on failure. The
plugin's Chromium fixture is pointed at the root conftest's ``chrome``, so this
suite and tests/server share one browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from brython_oidc.demo.server import create_demo_app, demo_app_dir
from brython_oidc.testing.browser import storage_snapshot
from brython_oidc.testing.node_provider import NodeProvider, start_or_skip
from brython_oidc.testing.servers import KNOWN_ORIGINS, AppServer, DevProvider, free_port

TOKEN_TTL = 10
#: Renew 4-5 s before expiry: a renewal every ~5 s with 10 s tokens.
FAST_RENEWAL = {"renew_before_expiry": 4, "renew_jitter": 1}
JWT = re.compile(r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}")


class Stack:
    """One provider and the demo app configured for it."""

    def __init__(self, name: str, issuer: str, app: AppServer, *, dev: DevProvider | None) -> None:
        self.name = name
        self.issuer = issuer
        self.app = app
        self.dev = dev  # the development provider (counts token requests), else None
        self.users = {"alice": "alice", "bob": "bob"}

    @property
    def url(self) -> str:
        return self.app.url

    def issued_tokens(self) -> list[str]:
        return list(self.dev.token_requests.issued_tokens) if self.dev else []

    def configured(self, **oidc: object) -> AbstractContextManager[None]:
        """Serve the page with some ``[oidc]`` fields changed, for one test."""
        return self.app.configured(**oidc)


@pytest.fixture(scope="session")
def brython_oidc_chromium(chrome: Any) -> Any:
    return chrome


@pytest.fixture(scope="session")
def brython_oidc_artifacts() -> Path:
    return Path(__file__).resolve().parents[2] / "artifacts"


def demo_server(issuer: str, client_id: str, port: int | None = None) -> AppServer:
    app = create_demo_app(issuer=issuer, client_id=client_id, oidc_overrides=FAST_RENEWAL)
    return AppServer(demo_app_dir(), app=app, port=port)


@pytest.fixture(scope="session")
def dev_stack() -> Iterator[Stack]:
    with DevProvider(token_ttl=TOKEN_TTL) as provider:
        server = demo_server(provider.issuer, "demo-spa")
        provider.register_client("demo-spa", server.url)
        with server:
            yield Stack("devidp", provider.issuer, server, dev=provider)


@pytest.fixture(scope="session")
def node_stack() -> Iterator[Stack]:
    port = free_port()
    url = f"http://localhost:{port}/"
    ttl = {"access_token": TOKEN_TTL, "id_token": TOKEN_TTL}
    provider = start_or_skip(NodeProvider(redirect_uris=[url], ttl=ttl))
    KNOWN_ORIGINS.append(provider.issuer)
    try:
        with demo_server(provider.issuer, provider.client_id, port=port) as server:
            yield Stack("node-oidc-provider", provider.issuer, server, dev=None)
    finally:
        provider.stop()


@pytest.fixture(params=["dev", "node"], ids=["devidp", "node-oidc-provider"])
def stack(request: pytest.FixtureRequest) -> Stack:
    """The demo against each provider in turn."""
    value: Stack = request.getfixturevalue(f"{request.param}_stack")
    if value.dev is not None:
        value.dev.token_requests.clear()
    return value


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def assert_no_token_leak(driver: Any, tokens: list[str]) -> None:
    """No token (nor anything JWT-shaped) in the URL, either storage, or the console."""
    snapshot = storage_snapshot(driver)
    console = driver.console.text()
    places = {**snapshot, "console": console}
    for where, text in places.items():
        assert not JWT.search(text or ""), f"a JWT-shaped value leaked into {where}"
        for token in tokens:
            assert token[-24:] not in (text or ""), f"a token leaked into {where}"
