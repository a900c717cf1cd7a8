"""Starlette integration of TokenValidator: ``requires_token(validator, scopes=...)``.

RFC 6750 §2.1 (Authorization: Bearer), §3 (WWW-Authenticate challenges) and §3.1
(invalid_token → 401, insufficient_scope → 403); RFC 9449 §7.1 (Authorization: DPoP
with a ``DPoP`` proof header, ``DPoP`` challenges with ``algs``,
``invalid_dpop_proof``) and §9 (``use_dpop_nonce`` with a ``DPoP-Nonce`` header).
The token is never echoed.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from brython_oidc.core.errors import ValidationError

from .dpop import InvalidProof, NonceRequired
from .token_validator import TokenValidator

Endpoint = Callable[[Request], Awaitable[Response]]


def _quote(text: str) -> str:
    # RFC 6750 §3: error_description is quoted-string of %x20-21 / %x23-5B / %x5D-7E.
    return "".join(c for c in text if 0x20 <= ord(c) <= 0x7E and c not in '"\\')


def _params(error: str | None, description: str | None, scope: str) -> str:
    parts = ['realm="api"']
    if error:
        parts.append(f'error="{error}"')
    if description:
        parts.append(f'error_description="{_quote(description)}"')
    if scope:
        parts.append(f'scope="{_quote(scope)}"')
    return ", ".join(parts)


def challenge(
    status: int,
    error: str | None,
    description: str | None,
    scope: str = "",
    *,
    validator: TokenValidator | None = None,
    scheme: str = "Bearer",
    nonce: str | None = None,
) -> Response:
    """The 401/403 answer and its ``WWW-Authenticate`` challenges.

    The error goes with the scheme the client used; the other accepted scheme gets a
    bare challenge (RFC 9449 §7.1: a server accepting both sends both). The ``DPoP``
    challenge lists ``algs`` (§7.1). With ``nonce``: ``DPoP-Nonce`` (§9).
    """
    challenges = []
    bearer_ok = validator is None or not validator.dpop_only
    if not bearer_ok:
        scheme = "DPoP"  # a DPoP-only API says why on the one scheme it accepts
    if bearer_ok:
        mine = scheme == "Bearer"
        challenges.append(
            "Bearer " + _params(*((error, description, scope) if mine else (None, None, "")))
        )
    if validator is not None:
        mine = scheme == "DPoP"
        params = _params(*((error, description, scope) if mine else (None, None, "")))
        algs = " ".join(validator.dpop.algorithms)
        challenges.append(f'DPoP {params}, algs="{algs}"')
    headers = {"WWW-Authenticate": ", ".join(challenges)}
    if nonce is not None:
        headers["DPoP-Nonce"] = nonce
    body = {"error": error} if error else {"error": "unauthorized"}
    return JSONResponse(body, status_code=status, headers=headers)


def requires_token(
    validator: TokenValidator, scopes: Iterable[str] = ()
) -> Callable[[Endpoint], Endpoint]:
    """Decorate a Starlette endpoint; claims go to ``request.state.token_claims``."""
    needed = frozenset(scopes)

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def wrapper(request: Request) -> Response:
            scheme, _, value = request.headers.get("authorization", "").partition(" ")
            scheme = scheme.lower()
            token = value.strip()
            if scheme not in ("bearer", "dpop") or not token:
                # RFC 6750 §3.1 / RFC 9449 §7.1: no credentials, no error code.
                return challenge(401, None, None, validator=validator)
            used = "DPoP" if scheme == "dpop" else "Bearer"
            try:
                if used == "DPoP":
                    proofs = request.headers.getlist("dpop")
                    # RFC 9449 §4.3 step 1: exactly one DPoP header.
                    if len(proofs) != 1:
                        raise InvalidProof("dpop", "send exactly one DPoP proof header",
                                           expected=1, actual=len(proofs))  # fmt: skip
                    # JWKS fetches block; keep them off the event loop.
                    claims = await run_in_threadpool(
                        validator.validate_dpop, token, proofs[0],
                        method=request.method, url=str(request.url),
                    )  # fmt: skip
                else:
                    claims = await run_in_threadpool(validator.validate, token)
            except NonceRequired as exc:
                return challenge(401, "use_dpop_nonce", str(exc), validator=validator,
                                 scheme=used, nonce=exc.nonce)  # fmt: skip
            except InvalidProof as exc:
                return challenge(401, "invalid_dpop_proof", str(exc), validator=validator,
                                 scheme=used)  # fmt: skip
            except ValidationError as exc:
                # RFC 6750 §3.1: any token this server cannot accept is invalid_token.
                return challenge(401, "invalid_token", str(exc), validator=validator, scheme=used)
            granted = set(str(claims.get("scope", "")).split())
            if not needed <= granted:
                return challenge(
                    403, "insufficient_scope", "the token lacks a required scope",
                    " ".join(sorted(needed)), validator=validator, scheme=used,
                )  # fmt: skip
            request.state.token_claims = claims
            return await endpoint(request)

        return wrapper

    return decorate
