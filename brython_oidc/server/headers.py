"""Security headers on every response, errors and 404s included.

The Content-Security-Policy is as tight as Brython allows. Brython compiles Python
to JavaScript in the page and runs it with ``new Function``, so ``script-src`` needs
**'unsafe-eval'** — a real weakening (an injected string reaching eval would run);
DESIGN.md accepts it and the security docs say so. Nothing else is relaxed: no
'unsafe-inline' for scripts or styles (the shell has no inline script or style;
verified in headless Chromium with zero CSP violations), the provider is the only
other origin the page may connect to or frame (silent renew); forms post only to the
app itself (the runtime sends the user to the provider by navigation, never by a form).
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from brython_oidc.core.errors import ConfigurationError
from brython_oidc.core.urls import split_url, url_origin

#: Cross-Origin-Opener-Policy ``same-origin-allow-popups``: the app is cut off from any
#: cross-origin window that opened it, but keeps the popups it opens itself, which
#: popup login needs (the popup posts the callback back through ``window.opener``).
COOP = "same-origin-allow-popups"

#: Cross-Origin-Resource-Policy: no other site may embed the app's responses
#: (its scripts, its API's JSON) as no-cors resources (Fetch §3.7, Spectre reads).
CORP = "same-origin"

#: Permissions-Policy: powerful features the framework never uses, off for the page
#: and every frame in it (W3C Permissions Policy). An app that needs one serves its
#: own header from a proxy.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an http(s) URL (RFC 6454 §4, ``core.urls.url_origin``,
    as the page compares origins), for CSP sources."""
    try:
        origin = url_origin(url)
        userinfo = "@" in split_url(url)[1]
    except ValueError:
        origin, userinfo = "", False
    if not origin or userinfo:
        raise ConfigurationError("issuer", f"not an http(s) URL with a host: {url!r}")
    if any(c in origin for c in " ;,'\""):
        # A CSP source list is space-separated and ';' ends a directive.
        raise ConfigurationError("issuer", f"origin has characters CSP cannot carry: {url!r}")
    return origin


def content_security_policy(issuer: str, extra_origins: Iterable[str] = ()) -> str:
    """The policy for an app whose provider is ``issuer`` (CSP Level 3 directives)."""
    provider = origin_of(issuer)
    connect = ["'self'", provider, *(origin_of(o) for o in extra_origins)]
    connect = list(dict.fromkeys(connect))  # drop duplicates, keep order
    directives = [
        "default-src 'self'",
        # 'unsafe-eval': Brython runs the JavaScript it compiles from Python.
        "script-src 'self' 'unsafe-eval'",
        "connect-src " + " ".join(connect),
        # 'self': the silent-renew iframe is redirected back to the app's own redirect
        # URI, and CSP3 checks frame-src on every redirect of the frame's navigation.
        "frame-src 'self' " + provider,
        "frame-ancestors 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        # The runtime navigates to the provider; it never posts a form there.
        "form-action 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
    ]
    return "; ".join(directives)


def security_headers(csp: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp,
        # The redirect URI carries ?code=...; no Referer may carry it onwards.
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Opener-Policy": COOP,
        "Cross-Origin-Resource-Policy": CORP,
        "Permissions-Policy": PERMISSIONS_POLICY,
    }


class SecurityHeadersMiddleware:
    """Adds the headers to every HTTP response that passes through (pure ASGI)."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
