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


#: The floor page's own part: Brython, started after the peer's script, renders the
#: signed-in state in Python from what oidc-client-ts resolved (``window.peerSignIn``).
RENDER_IN_PYTHON = """<script defer src="/brython.js"></script>
<script type="text/python">
from browser import aio, document, window


async def render():
    user = await window.peerSignIn
    document.select_one("[data-testid=auth-state]").text = "logged-in" if user else "logged-out"
    # JavaScript's undefined (node oidc-provider's profile has no name) is an
    # AttributeError in Brython.
    name = getattr(user.profile, "name", "") if user else ""
    document.select_one("[data-testid=user-name]").text = str(name)
    window.performance.mark("bench:rendered")


aio.run(render())
</script>"""


def create_peer_app(config: dict[str, Any], brython_js: Path | None = None) -> Starlette:
    """The peer page with ``config`` (issuer, client_id, scope, store, restore) injected.

    With ``brython_js``, the sign-in floor of any Brython page: oidc-client-ts does the
    protocol as on the plain page, and Brython (the same brython.js as ours) renders the
    result, so the page pays Brython's start-up and nothing of brython_oidc.
    """
    if not LIBRARY.is_file():
        raise PeerNotInstalled(f"{LIBRARY} is missing; run `npm ci` in {HERE}")
    text = json.dumps({**config, "render_in_python": brython_js is not None})
    page = (HERE / "index.html").read_text(encoding="utf-8")
    page = page.replace("{{ config }}", text.replace("<", "\\u003c"))
    page = page.replace("{{ brython }}", RENDER_IN_PYTHON if brython_js else "")

    async def index(request: Request) -> Response:
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    def script(path: Path, headers: dict[str, str] | None = None) -> Any:
        async def endpoint(request: Request) -> Response:
            return FileResponse(path, media_type="text/javascript", headers=headers)

        return endpoint

    # As ours serves it (hashed URL, immutable): the floor pays no revalidation for it.
    immutable = {"Cache-Control": "public, max-age=31536000, immutable"}

    return Starlette(
        routes=[
            Route("/oidc-client-ts.min.js", script(LIBRARY)),
            Route("/app.js", script(HERE / "app.js")),
            *([Route("/brython.js", script(brython_js, immutable))] if brython_js else []),
            Route("/{path:path}", index),
        ],
        middleware=[Middleware(GZipMiddleware, minimum_size=500)],
    )
