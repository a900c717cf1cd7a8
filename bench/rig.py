"""The benchmark's servers: one provider at a time, our pages and the peer's, on loopback.

Origins are fixed for the whole run (ports picked once), so both providers know every
redirect URI up front. Token requests are counted AT the provider: an ASGI wrapper
for the development provider, the request log (``OIDC_DEBUG=1``) for node oidc-provider.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import brython
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from bench.peer.server import create_peer_app
from brython_oidc.devidp import Client, Lifetimes, Provider
from brython_oidc.devidp import create_app as create_idp_app
from brython_oidc.server import create_app
from brython_oidc.server.bundle import build_bundle, iter_app_modules
from brython_oidc.testing.live_server import free_port, free_ports, serve_in_thread
from brython_oidc.testing.node_provider import NodeProvider
from brython_oidc.testing.servers import TokenRequestCounter

HERE = Path(__file__).resolve().parent
OURS_APP = HERE / "ours_app"
#: The same page without the framework (bench/bare_app/bench_page.py).
BARE_APP = HERE / "bare_app"
CLIENT_ID = "bench"
SCOPE = "openid profile offline_access"
#: Short lifetimes so the renewal cycles fit in a benchmark: renew 6 s before expiry.
TOKEN_TTL = 12
RENEW_BEFORE = 6
BRYTHON_JS = Path(brython.__file__).parent / "data" / "brython.js"

#: The pages: "ours"/"peer" restore on load; "*-login" do not (login is measured there);
#: "peer-memory" keeps tokens in memory like ours (restore = a silent request);
#: "floor-login" is "peer-login" rendered by Brython: any Brython page's sign-in floor.
PAGES = ("ours", "ours-login", "peer", "peer-login", "peer-memory", "floor-login")
BARE_PAGE = """<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script src="{runtime}"></script></head><body><script type="text/python">
from browser import window
window.performance.mark("brython-oidc:ready")
window.performance.mark("bench:rendered")
</script></body></html>"""


BARE_APP_PAGE = """<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script defer src="{runtime}"></script><script defer src="/bare-app.js"></script>
<script defer src="{boot}"></script></head><body><main id="app"></main>
<script type="text/python">
import bench_page
</script></body></html>"""


class RunningIdp:
    """Either provider, with the same two questions the benchmark asks of it."""

    def __init__(
        self, name: str, issuer: str, counter: TokenRequestCounter | None, node: Any
    ) -> None:
        self.name = name
        self.issuer = issuer
        self._counter = counter
        self._node = node

    def token_requests(self) -> int:
        if self._counter is not None:
            return len(self._counter.calls)
        text: str = self._node.stderr_text()
        return sum(1 for line in text.splitlines() if line.strip() == "POST /token")

    def failed_token_requests(self) -> int | None:
        if self._counter is None:
            return None  # the node log has no status; tabs' end state tells instead
        return sum(1 for _, status in self._counter.calls if status >= 400)


class Origins:
    """A fixed loopback port per page, for the whole run."""

    def __init__(self) -> None:
        self.ports = dict(zip(PAGES, free_ports(len(PAGES)), strict=True))

    def url(self, page: str) -> str:
        return f"http://localhost:{self.ports[page]}"

    def redirect_uris(self) -> list[str]:
        return [self.url(page) + "/" for page in PAGES]


@contextlib.contextmanager
def dev_provider(origins: Origins) -> Iterator[RunningIdp]:
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    client = Client(CLIENT_ID, origins.redirect_uris(), scope=SCOPE)
    lifetimes = Lifetimes(access_token=TOKEN_TTL, id_token=TOKEN_TTL)
    counter = TokenRequestCounter(
        create_idp_app(Provider(issuer, clients=[client], lifetimes=lifetimes))
    )
    with serve_in_thread(counter, port=port):
        yield RunningIdp("development provider", issuer, counter, None)


@contextlib.contextmanager
def node_provider(origins: Origins) -> Iterator[RunningIdp]:
    os.environ["OIDC_DEBUG"] = "1"  # one "METHOD /path" line per request on stderr
    ttl = {"access_token": TOKEN_TTL, "id_token": TOKEN_TTL}
    with NodeProvider(client_id=CLIENT_ID, redirect_uris=origins.redirect_uris(), ttl=ttl) as op:
        yield RunningIdp("node oidc-provider", op.issuer, None, op)


#: The providers a benchmark can run against, by the name its ``--provider`` takes.
PROVIDERS = {"dev": dev_provider, "node": node_provider}


def ours_app(idp: RunningIdp, origin: str, *, restore: str) -> Any:
    holder: dict[str, Any] = {}

    async def bare(request: Request) -> Response:
        # Bare Brython: the same brython.js, no framework, the same marks.
        return HTMLResponse(BARE_PAGE.format(runtime=holder["spa"].assets.runtime.url))

    bare_bundle = build_bundle(iter_app_modules(BARE_APP)).content

    async def bare_app(request: Request) -> Response:
        assets = holder["spa"].assets
        return HTMLResponse(BARE_APP_PAGE.format(runtime=assets.runtime.url, boot=assets.boot.url))

    async def bare_app_js(request: Request) -> Response:
        return Response(bare_bundle, media_type="text/javascript")

    overrides = {
        "issuer": idp.issuer,
        "client_id": CLIENT_ID,
        "redirect_uri": origin + "/",
        "session_restore": restore,
        "renew_before_expiry": RENEW_BEFORE,
        "renew_jitter": 1,
    }
    routes = [
        Route("/bare", bare),
        Route("/bare-app", bare_app),
        Route("/bare-app.js", bare_app_js),
    ]
    app = create_app(OURS_APP, oidc_overrides=overrides, extra_routes=routes)
    holder["spa"] = app.state.spa
    return app


def peer_app(idp: RunningIdp, *, restore: str, store: str, brython_js: Path | None = None) -> Any:
    config = {
        "issuer": idp.issuer,
        "client_id": CLIENT_ID,
        "scope": SCOPE,
        "renew_before_expiry": RENEW_BEFORE,
        "restore": restore,
        "store": store,
    }
    return create_peer_app(config, brython_js)


@contextlib.contextmanager
def pages(idp: RunningIdp, origins: Origins) -> Iterator[None]:
    apps = {
        "ours": ours_app(idp, origins.url("ours"), restore="auto"),
        "ours-login": ours_app(idp, origins.url("ours-login"), restore="none"),
        "peer": peer_app(idp, restore="silent", store="session"),
        "peer-login": peer_app(idp, restore="none", store="session"),
        "peer-memory": peer_app(idp, restore="silent", store="memory"),
        "floor-login": peer_app(idp, restore="none", store="session", brython_js=BRYTHON_JS),
    }
    with contextlib.ExitStack() as stack:
        for name, app in apps.items():
            stack.enter_context(serve_in_thread(app, port=origins.ports[name]))
        yield


def ours_app_assets() -> Any:
    """The served assets of the benchmark page (brython.js, bundle, boot)."""
    return create_app(OURS_APP).state.spa.assets
