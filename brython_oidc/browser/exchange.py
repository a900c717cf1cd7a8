"""Grants to verified tokens: code exchange, refresh, ID token verification.

The ID token is checked per OIDC Core §3.1.3.7 (signature with WebCrypto in
``verify``); after a refresh, §12.2 applies (same iss/sub/aud; it may be absent).
Expiry checks (exp, iat, nbf) use the local clock with ``clock_leeway``: §3.1.3.7
says "current time", and an offset taken from the token under validation would let
an expired or far-future token shift "now" until it passes. The one widening: a
wall-clock jump the page measured itself since it loaded (``clock_jump``, from
timers.ClockWatch; core.schedule.plausible_times). The ``iat``-derived
offset (core.schedule.server_time_offset) only serves renewal scheduling and, when
a time check fails, the error message ("the local clock looks N s ahead ...").
"""

from __future__ import annotations

from browser import aio

from brython_oidc.core.errors import OIDCError, ValidationError
from brython_oidc.core.token import build_authorization_code_request, build_refresh_token_request

from . import http, timers
from .http import in_background

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from brython_oidc.core.authorization import Transaction
    from brython_oidc.core.token import TokenSet

    from .provider import Provider


class Verified:
    """Tokens whose ID token passed every check, its claims, and the clock offset."""

    __slots__ = ("claims", "clock_offset", "tokens")

    def __init__(self, tokens: TokenSet, claims: dict[str, object], clock_offset: float) -> None:
        self.tokens = tokens
        self.claims = claims
        self.clock_offset = clock_offset

    def __repr__(self) -> str:
        return f"Verified(sub={self.claims.get('sub')!r})"  # never the tokens


def no_clock_jump() -> float:
    return 0.0


class Sent:
    """A code on its way to the token endpoint, the JWKS fetched beside it."""

    __slots__ = ("jwks", "nonce", "provider", "tokens")

    def __init__(
        self, provider: Provider, nonce: str, tokens: aio.Future, jwks: aio.Future | None
    ) -> None:
        self.provider = provider
        self.nonce = nonce
        self.tokens = tokens
        self.jwks = jwks


async def send_code(provider: Provider, transaction: Transaction, code: str) -> Sent:
    """RFC 6749 §4.1.3 with the code_verifier (RFC 7636 §4.5), sent; not awaited."""
    metadata = await provider.discover()
    request = build_authorization_code_request(
        provider.config, metadata, code, transaction.code_verifier
    )
    tokens = in_background(provider.token(request))
    # The JWKS travels while the token request does (one round trip fewer on the
    # sign-in path), asked before verify (with jose and id_token) imports for
    # key_set; the verification still waits for it and checks everything. On a
    # callback page the boot file sent this GET already (server/assets.py).
    jwks = None
    if provider.keys is None or provider.keys.jwks is None:
        jwks = in_background(http.get_jwks(metadata.jwks_uri, provider.config.request_timeout))
    await provider.key_set()
    return Sent(provider, transaction.nonce, tokens, jwks)


async def finish_code(sent: Sent, *, clock_jump: Callable[[], float] = no_clock_jump) -> Verified:
    """The token response of ``send_code``, its ID token checked (OIDC Core §3.1.3.7)."""
    tokens, error = await sent.tokens
    if error is not None:
        raise error
    if sent.jwks is not None:
        await _adopt_jwks(sent.provider, sent.jwks)
    return await verify(
        sent.provider, tokens, nonce=sent.nonce, previous=None, offset=0.0, clock_jump=clock_jump
    )


async def _adopt_jwks(provider: Provider, jwks: aio.Future) -> None:
    """The JWKS fetched beside the token request, kept when usable; else the key set
    stays empty and verify fetches it again, reporting what went wrong."""
    response, failed = await jwks
    keys = await provider.key_set()
    if failed is not None or keys.jwks is not None:
        return
    try:
        keys.adopt(response)
    except OIDCError:
        return  # no contextlib in Brython; verify's own fetch reports it


async def exchange_code(
    provider: Provider,
    transaction: Transaction,
    code: str,
    *,
    clock_jump: Callable[[], float] = no_clock_jump,
) -> Verified:
    """RFC 6749 §4.1.3 with the code_verifier (RFC 7636 §4.5), then §3.1.3.7."""
    sent = await send_code(provider, transaction, code)
    return await finish_code(sent, clock_jump=clock_jump)


async def refresh(
    provider: Provider,
    current: TokenSet,
    previous: dict[str, object],
    offset: float,
    *,
    clock_jump: Callable[[], float] = no_clock_jump,
) -> Verified:
    """RFC 6749 §6; a response without a refresh_token keeps the current one."""
    refresh_token = current.refresh_token
    if not refresh_token:
        raise ValidationError("refresh_token", "there is no refresh token to use")
    metadata = await provider.discover()
    request = build_refresh_token_request(provider.config, metadata, refresh_token)
    tokens = await provider.token(request)
    if not tokens.refresh_token:
        tokens.refresh_token = refresh_token  # RFC 6749 §6: the old one stays valid
    return await verify(
        provider, tokens, nonce=None, previous=previous, offset=offset, clock_jump=clock_jump
    )


def iat_offset(claims: dict[str, object], received_at: float) -> float:
    """Server clock minus local clock, from the (not yet verified) ID token's ``iat``.

    An estimate for scheduling and error messages only; never used to move ``now``
    for the expiry checks of a token (that token would vouch for itself).
    """
    from brython_oidc.core.schedule import server_time_offset

    return server_time_offset(claims.get("iat"), received_at)


async def verify(
    provider: Provider,
    tokens: TokenSet,
    *,
    nonce: str | None,
    previous: dict[str, object] | None,
    offset: float,
    clock_jump: Callable[[], float] = no_clock_jump,
) -> Verified:
    """The ID token's claims, checked; without one only a refresh may go on (§12.2).

    ``clock_jump()`` is asked right before the time checks (the page's measured
    wall-clock jump, looked up afresh so a jump during the request counts).
    """
    if not tokens.id_token:
        if previous is not None:
            return Verified(tokens, previous, offset)
        raise ValidationError("id_token", "the token response has no id_token (OIDC Core §3.1.3.3)")
    # Imported on first use: not needed before a callback's token request leaves.
    from .verify import parse_id_token, verify_id_token

    jws = parse_id_token(tokens.id_token)  # parsed once: decoding costs in Brython
    offset = iat_offset(jws.claims, tokens.received_at)
    keys = await provider.key_set()
    try:
        claims = await verify_id_token(
            jws,
            config=provider.config,
            keys=keys,
            nonce=nonce,
            now=timers.now(),  # OIDC Core §3.1.3.7 steps 9-10: the current (local) time
            clock_jump=clock_jump(),
            access_token=tokens.access_token,
            previous_claims=previous,
        )
    except ValidationError as exc:
        raise explain_clock(exc, offset, provider.config.clock_leeway) from None
    else:  # not after the try: tests/server/test_brython_frame_rule.py
        return Verified(tokens, claims, offset)


TIME_CHECKS = ("exp", "iat", "nbf")


def explain_clock(exc: ValidationError, offset: float, leeway: float) -> ValidationError:
    """``exc``, reworded when the token's ``iat`` says the local clock is off.

    Only the offset in whole seconds goes into the message, never a token or claim.
    """
    if exc.check not in TIME_CHECKS or -leeway <= offset <= leeway:
        return exc
    seconds = int(abs(offset))
    direction = "ahead of" if offset < 0 else "behind"
    return ValidationError(
        exc.check,
        f"{exc.detail}; the local clock looks {seconds} s {direction} the provider"
        " (or the provider's clock is wrong)",
        expected=exc.expected,
        actual=exc.actual,
    )
