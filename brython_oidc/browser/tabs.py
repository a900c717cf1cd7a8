"""What tabs of one app hand each other over the channel: sessions and tokens.

Tokens cross only BroadcastChannel (same origin, in memory), never storage. A new
tab asks its signed-in siblings for the session (``session_request``) instead of
going to the provider; core.messages validates every payload's shape.
"""

from __future__ import annotations

from browser import aio

from brython_oidc.core.token import TokenSet

from . import timers, webcrypto

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .channel import Channel

# How long a new tab waits for a sibling to hand it the session: one known to be
# signed in (it holds the session lock), or a maybe-sibling without Web Locks.
SIBLING_WAIT_KNOWN = 2.0
SIBLING_WAIT = 0.3


def tokens_payload(
    tokens: TokenSet,
    claims: dict[str, object],
    userinfo: dict[str, object] | None,
    renewal: int,
) -> dict[str, object]:
    """A ``tokens`` message payload (core.messages schema).

    ``renewal`` is the renewal counter these tokens came with (renewal.Renewal).
    """
    payload: dict[str, object] = {
        "renewal": renewal,
        "access_token": tokens.access_token,
        "token_type": tokens.token_type,
        "expires_at": tokens.expires_at if tokens.expires_at is not None else timers.now() + 3600,
        "received_at": tokens.received_at,
        "claims": {**claims, "__userinfo__": userinfo} if userinfo else claims,
    }
    for name, value in (
        ("id_token", tokens.id_token),
        ("refresh_token", tokens.refresh_token),
        ("scope", tokens.scope),
    ):
        if value:
            payload[name] = value
    return payload


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def tokens_from_payload(
    payload: dict[str, object],
) -> tuple[TokenSet, dict[str, object], dict[str, object] | None] | None:
    """Tokens, claims and userinfo from another tab; None when already expired."""
    expires_at = payload.get("expires_at")
    received_at = payload.get("received_at")
    tokens = TokenSet(
        access_token=str(payload["access_token"]),
        token_type=str(payload["token_type"]),
        expires_at=float(expires_at) if isinstance(expires_at, (int, float)) else None,
        refresh_token=_str_or_none(payload.get("refresh_token")),
        id_token=_str_or_none(payload.get("id_token")),
        scope=_str_or_none(payload.get("scope")),
        received_at=float(received_at) if isinstance(received_at, (int, float)) else timers.now(),
    )
    if tokens.expires_at is not None and tokens.expires_at <= timers.now():
        return None
    raw = payload.get("claims")
    claims = dict(raw) if isinstance(raw, dict) else {}
    userinfo = claims.pop("__userinfo__", None)
    return tokens, claims, dict(userinfo) if isinstance(userinfo, dict) else None


class SiblingRequest:
    """One ``session_request`` and the first matching ``session_response``."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.request_id = webcrypto.random_bytes(8).hex()
        self.future = aio.Future()

    async def ask(self, known: bool) -> dict[str, object] | None:
        """The sibling's tokens payload, or None after the wait."""
        self.channel.post("session_request", {"request_id": self.request_id})
        wait = SIBLING_WAIT_KNOWN if known else SIBLING_WAIT
        timer = timers.Timer(wait, lambda: self.answer(self.request_id, None))
        payload = await self.future
        timer.cancel()
        return payload if isinstance(payload, dict) else None

    def answer(self, request_id: object, tokens: object) -> None:
        if request_id == self.request_id and not self.future.done():
            self.future.set_result(tokens)
