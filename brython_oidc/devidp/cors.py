"""CORS for the endpoints a browser client calls with fetch, registered origins only.

Fetch standard §3.2 (CORS protocol). Only origins of registered redirect URIs (any
port on a loopback one, RFC 8252 §7.3) get an ``Access-Control-Allow-Origin``; the
authorization and logout endpoints are navigations and never need CORS.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .refusals import refused

ALLOW_METHODS = "GET, POST, OPTIONS"
# RFC 9449 §4.1: the page sends its proof in a DPoP header, and reads the server's
# nonce from DPoP-Nonce (§8); neither is CORS-safelisted.
ALLOW_HEADERS = "Authorization, Content-Type, DPoP"
EXPOSE_HEADERS = "WWW-Authenticate, DPoP-Nonce"


class RegisteredOriginsCORS:
    """ASGI middleware: CORS headers on ``paths`` for origins ``allowed(origin)`` accepts.

    ``registered()`` lists the registered origins for the refusal log line.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        paths: frozenset[str],
        allowed: Callable[[str], bool],
        registered: Callable[[], set[str]] = set,
    ) -> None:
        self.app = app
        self.paths = paths
        self.allowed = allowed
        self.registered = registered

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        allowed = origin is not None and self.allowed(origin)
        if origin is not None and not allowed:
            refused(
                f"CORS for {scope['path']} from origin {origin!r}",
                "the origin is not that of a registered redirect URI",
                registered=self.registered(),
            )
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(scope, receive, send, origin if allowed else None)
            return
        if not allowed or origin is None:
            await self.app(scope, receive, send)
            return
        allowed_origin: str = origin

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                raw.append((b"access-control-allow-origin", allowed_origin.encode("latin-1")))
                raw.append((b"access-control-expose-headers", EXPOSE_HEADERS.encode()))
                raw.append((b"vary", b"Origin"))
                message["headers"] = raw
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(
        self, scope: Scope, receive: Receive, send: Send, origin: str | None
    ) -> None:
        if origin is None:
            # No CORS headers: the browser blocks the request (Fetch §4.8).
            response = PlainTextResponse("origin not allowed", status_code=403)
        else:
            response = PlainTextResponse(
                "",
                status_code=204,
                headers={
                    "Access-Control-Allow-Origin": origin,
                    "Access-Control-Allow-Methods": ALLOW_METHODS,
                    "Access-Control-Allow-Headers": ALLOW_HEADERS,
                    "Access-Control-Max-Age": "600",
                    "Vary": "Origin",
                },
            )
        await response(scope, receive, send)
