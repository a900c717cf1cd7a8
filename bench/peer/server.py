"""A tiny Starlette app serving the oidc-client-ts peer page on loopback.

No bundler: the page loads oidc-client-ts's own browser build from node_modules
(``npm ci`` in bench/peer installs the pinned version). Responses are gzipped by
Starlette's GZipMiddleware; the scripts revalidate by ETag (StaticFiles), the page is
``no-store`` like ours — what a small deployment of the peer would do.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route

HERE = Path(__file__).resolve().parent
LIBRARY = HERE / "node_modules" / "oidc-client-ts" / "dist" / "browser" / "oidc-client-ts.min.js"


class PeerNotInstalled(RuntimeError):
    """oidc-client-ts is missing: run ``npm ci`` in bench/peer."""


def library_version() -> str:
    package = json.loads((LIBRARY.parents[2] / "package.json").read_text(encoding="utf-8"))
    return str(package["version"])


def create_peer_app(config: dict[str, Any]) -> Starlette:
    """The peer page with ``config`` (issuer, client_id, scope, store, restore) injected."""
    if not LIBRARY.is_file():
        raise PeerNotInstalled(f"{LIBRARY} is missing; run `npm ci` in {HERE}")
    text = json.dumps(config).replace("<", "\\u003c")
    page = (HERE / "index.html").read_text(encoding="utf-8").replace("{{ config }}", text)

    async def index(request: Request) -> Response:
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    def script(path: Path) -> Any:
        async def endpoint(request: Request) -> Response:
            return FileResponse(path, media_type="text/javascript")

        return endpoint

    return Starlette(
        routes=[
            Route("/oidc-client-ts.min.js", script(LIBRARY)),
            Route("/app.js", script(HERE / "app.js")),
            Route("/{path:path}", index),
        ],
        middleware=[Middleware(GZipMiddleware, minimum_size=500)],
    )
