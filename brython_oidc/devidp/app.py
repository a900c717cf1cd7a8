"""The provider's Starlette application."""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import logout, views
from .cors import RegisteredOriginsCORS
from .provider import ADMIN_ROTATE_PATH, DISCOVERY_PATH, PATHS, Provider

log = logging.getLogger(__name__)

#: Endpoints a browser client calls with fetch (CORS); the others are navigations.
CORS_PATHS = frozenset(
    [DISCOVERY_PATH]
    + [PATHS[k] for k in ("jwks_uri", "token_endpoint", "userinfo_endpoint", "revocation_endpoint")]
)


async def _server_error(request: Request, exc: Exception) -> Response:
    # Never a stack trace (or a token) in a response; the log has the type only.
    log.error("devidp: unhandled %s on %s", type(exc).__name__, request.url.path)
    return JSONResponse(
        {"error": "server_error", "error_description": "internal error"}, status_code=500
    )


def create_app(provider: Provider) -> Starlette:
    routes = [
        Route("/", views.home),
        Route(DISCOVERY_PATH, views.discovery),
        Route(PATHS["jwks_uri"], views.jwks),
        Route(PATHS["authorization_endpoint"], views.authorize, methods=["GET", "POST"]),
        Route(PATHS["token_endpoint"], views.token, methods=["POST"]),
        Route(PATHS["userinfo_endpoint"], views.userinfo, methods=["GET", "POST"]),
        Route(PATHS["revocation_endpoint"], views.revoke, methods=["POST"]),
        Route(PATHS["end_session_endpoint"], logout.end_session, methods=["GET", "POST"]),
        Route(ADMIN_ROTATE_PATH, views.rotate_keys, methods=["POST"]),
    ]

    def allowed_origin(origin: str) -> bool:
        return any(c.allows_origin(origin) for c in provider.clients.values())

    def registered_origins() -> set[str]:
        return set().union(*(c.origins() for c in provider.clients.values()))

    cors = Middleware(
        RegisteredOriginsCORS,
        paths=CORS_PATHS,
        allowed=allowed_origin,
        registered=registered_origins,
    )
    app = Starlette(
        routes=routes,
        middleware=[cors],
        exception_handlers={Exception: _server_error},
    )
    app.state.provider = provider
    return app
