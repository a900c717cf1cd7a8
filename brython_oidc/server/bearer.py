"""Starlette integration of TokenValidator: ``requires_token(validator, scopes=...)``.

RFC 6750 §2.1 (Authorization: Bearer), §3 (WWW-Authenticate challenges) and §3.1
(invalid_token → 401, insufficient_scope → 403). The token is never echoed.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from brython_oidc.core.errors import ValidationError

from .token_validator import TokenValidator

Endpoint = Callable[[Request], Awaitable[Response]]


def _quote(text: str) -> str:
    # RFC 6750 §3: error_description is quoted-string of %x20-21 / %x23-5B / %x5D-7E.
    return "".join(c for c in text if 0x20 <= ord(c) <= 0x7E and c not in '"\\')


def challenge(status: int, error: str | None, description: str | None, scope: str = "") -> Response:
    parts = ['Bearer realm="api"']
    if error:
        parts.append(f'error="{error}"')
    if description:
        parts.append(f'error_description="{_quote(description)}"')
    if scope:
        parts.append(f'scope="{_quote(scope)}"')
    body = {"error": error} if error else {"error": "unauthorized"}
    return JSONResponse(body, status_code=status, headers={"WWW-Authenticate": ", ".join(parts)})


def requires_token(
    validator: TokenValidator, scopes: Iterable[str] = ()
) -> Callable[[Endpoint], Endpoint]:
    """Decorate a Starlette endpoint; claims go to ``request.state.token_claims``."""
    needed = frozenset(scopes)

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def wrapper(request: Request) -> Response:
            scheme, _, value = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not value.strip():
                return challenge(401, None, None)  # RFC 6750 §3.1: no error code
            try:
                # JWKS fetches block; keep them off the event loop.
                claims = await run_in_threadpool(validator.validate, value.strip())
            except ValidationError as exc:
                # RFC 6750 §3.1: any token this server cannot accept is invalid_token.
                return challenge(401, "invalid_token", str(exc))
            granted = set(str(claims.get("scope", "")).split())
            if not needed <= granted:
                return challenge(
                    403, "insufficient_scope", "the token lacks a required scope",
                    " ".join(sorted(needed)),
                )  # fmt: skip
            request.state.token_claims = claims
            return await endpoint(request)

        return wrapper

    return decorate
