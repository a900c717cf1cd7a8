"""``create_app``: the Starlette application that serves one Brython SPA.

Routes, in order:

- ``/_brython_oidc/<name>.<hash>.js``: brython.js, the bundle and the boot file,
  immutable, gzip, ETag / 304. Anything else under the prefix is a 404.
- ``/static/<path>``: the app's ``static/`` folder (revalidated with ETags).
- ``extra_routes`` and the app's own ``[app] routes`` (``server/app_routes.py``):
  e.g. the demo's protected API.
- every other GET / HEAD: index.html with the configuration injected and
  ``Cache-Control: no-store``. That includes the redirect URI (``/?code=..&state=..``)
  and deep links; other methods get 405 with ``Allow``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from brython_oidc.server.app_routes import load_app_routes
from brython_oidc.server.assets import ASSET_PREFIX, AssetSet
from brython_oidc.server.config_file import (
    AppConfig,
    AppConfigError,
    load_app_config,
    with_overrides,
)
from brython_oidc.server.headers import (
    SecurityHeadersMiddleware,
    content_security_policy,
    security_headers,
)
from brython_oidc.server.responses import IMMUTABLE, NO_STORE, REVALIDATE, body_response
from brython_oidc.server.shell import load_template, render_index
from brython_oidc.server.silent_callback import PAGE, SCRIPT_ASSET, is_silent_callback
from brython_oidc.server.source_check import check_app_sources, error_page, find_source_error
from brython_oidc.server.static_files import content_type_of, file_etag, resolve_static

#: Longer request targets get 414 (RFC 9110 §15.5.15) before any routing.
MAX_PATH_LENGTH = 2048
HTML_TYPE = "text/html; charset=utf-8"


class PathLengthLimit:
    """Refuses absurd paths early: nothing downstream has to cope with them."""

    def __init__(self, app: ASGIApp, limit: int = MAX_PATH_LENGTH) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
            if len(raw) + len(scope.get("query_string", b"")) > self.limit:
                response = PlainTextResponse("URI Too Long", status_code=414)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class SpaServer:
    """The request handlers of one app, sharing its config and assets."""

    def __init__(self, app_dir: Path, config: AppConfig, *, dev: bool) -> None:
        self.app_dir = app_dir
        self.config = config
        self.dev = dev
        self.assets = AssetSet(app_dir, oidc=config.oidc, dev=dev)
        self.template = load_template(app_dir)
        self.static_root = app_dir / "static"

    def index_html(self) -> str:
        if self.dev:
            # Dev mode: new code and a new shell on reload, at the cost of a stat per file.
            self.assets.refresh()
            self.template = load_template(self.app_dir)
        a = self.assets
        # The boot file first: it says what the page is doing before brython.js arrives.
        return render_index(
            self.template,
            config=self.config.oidc,
            script_urls=(a.boot.url, a.runtime.url, a.bundle.url),
            main=self.config.main,
            title=self.app_dir.name,
        )

    async def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        asset = SCRIPT_ASSET if name == SCRIPT_ASSET.filename else self.assets.get(name)
        if asset is None:
            return PlainTextResponse("Not Found", status_code=404)
        return body_response(
            request,
            asset.content,
            content_type=asset.content_type,
            cache_control=IMMUTABLE,
            etag=asset.etag(False),
            gzipped=asset.gzipped,
            gzip_etag=asset.etag(True),
        )

    async def static(self, request: Request) -> Response:
        path = resolve_static(self.static_root, request.path_params["path"])
        if path is None:
            return PlainTextResponse("Not Found", status_code=404)
        return body_response(
            request,
            path.read_bytes(),
            content_type=content_type_of(path),
            cache_control=REVALIDATE,
            etag=file_etag(path),
        )

    async def index(self, request: Request) -> Response:
        if is_silent_callback(request):
            # The hidden iframe's callback: post the URL to the parent, skip the app.
            return body_response(request, PAGE, content_type=HTML_TYPE, cache_control=NO_STORE)
        if self.dev:
            # A module broken since start: say where in the page, not "Internal Server Error".
            problem = find_source_error(self.app_dir)
            if problem is not None:
                page = error_page(problem, self.app_dir)
                headers = {"Cache-Control": NO_STORE}
                return Response(page, status_code=500, media_type=HTML_TYPE, headers=headers)
        return body_response(
            request, self.index_html().encode(), content_type=HTML_TYPE, cache_control=NO_STORE
        )


def create_app(
    app_dir: str | Path,
    *,
    dev: bool = False,
    oidc_overrides: Mapping[str, object] | None = None,
    extra_routes: Sequence[BaseRoute] | None = None,
) -> Starlette:
    """The app server for the app folder ``app_dir``.

    Raises ``AppConfigError`` (naming the file and field) for a missing folder or a
    bad ``brython-oidc.toml``; ``oidc_overrides`` replace ``[oidc]`` fields.
    """
    root = Path(app_dir).resolve()
    if not root.is_dir():
        raise AppConfigError(root, "(folder)", "is not a folder")
    config = with_overrides(load_app_config(root), oidc_overrides)
    check_app_sources(root)  # a syntax or import error: file:line and the line, not a trace
    server = SpaServer(root, config, dev=dev)
    headers = security_headers(content_security_policy(config.issuer, config.allowed_fetch_origins))

    async def server_error(request: Request, exc: Exception) -> Response:
        # Starlette sends this outside the middleware stack: add the headers here.
        return PlainTextResponse("Internal Server Error", status_code=500, headers=headers)

    routes: list[BaseRoute] = [
        Route(ASSET_PREFIX + "{name:path}", server.asset, methods=["GET"]),
        Route("/static/{path:path}", server.static, methods=["GET"]),
        *load_app_routes(config),
        *(extra_routes or ()),
        Route("/{path:path}", server.index, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeadersMiddleware, headers=headers),
            Middleware(PathLengthLimit),
        ],
        exception_handlers={Exception: server_error},
    )
    app.state.spa = server
    return app
