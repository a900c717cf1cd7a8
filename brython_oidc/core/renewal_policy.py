"""Renewal decisions: which grant, when, and what a failure leads to. No I/O.

``browser/renewal.py`` carries them out. The grants: ``refresh_token`` (RFC 6749 §6)
when the provider gave one and the config allows it, else a ``prompt=none``
authorization request in a hidden iframe (OpenID Connect Core §3.1.2.1). The policy
branches on the error's type (``isinstance``), never on its text. Runs in Brython:
built-ins only.
"""

from __future__ import annotations

from .errors import (
    ErrorResponse,
    InteractionRequired,
    InvalidGrant,
    OIDCError,
    RequestTimeout,
    ServerError,
    TemporarilyUnavailable,
    ValidationError,
)
from .schedule import backoff_delay, renew_at

#: The refresh_token grant (RFC 6749 §6).
REFRESH_TOKEN = "refresh_token"  # noqa: S105 - a grant type name
#: A prompt=none request in a hidden iframe (OpenID Connect Core §3.1.2.1).
SILENT = "silent"

# What follows a failed renewal (``RenewalDecision.action``).
#: Renew again after ``delay`` seconds with ``grant``; the tokens are kept until they expire.
RETRY = "retry"
#: End the session in every tab (``reason`` says why).
SIGN_OUT = "sign-out"
#: Keep the tokens until they expire and the error in ``last_error``; no retry (the
#: provider answered a definite no that asking again will not change).
KEEP = "keep"

#: Retries after a failure: 2 s, 4 s, ... up to 60 s (``schedule.backoff_delay``).
RETRY_BASE = 2.0
RETRY_CAP = 60.0
#: The least time between two renewals of one session, however short the token's
#: lifetime (a 1 s token must not make a request every half second).
MIN_RENEWAL_INTERVAL = 2.0


def renewal_grant(
    *, refresh_token: str | None, use_refresh_tokens: bool, refresh_token_spent: bool
) -> str:
    """The grant to renew with.

    ``refresh_token_spent``: a refresh request with this refresh token was abandoned
    (no answer in time). The provider may have rotated it on a request we never saw
    answered; sending it again would be reuse (RFC 9700 §4.14.2), which revokes the
    whole family, so the silent request takes over.
    """
    if refresh_token and use_refresh_tokens and not refresh_token_spent:
        return REFRESH_TOKEN
    return SILENT


def next_renewal_at(
    expires_at: float,
    *,
    renew_before: float,
    jitter: float,
    now: float,
    last_renewal: float | None,
    min_interval: float = MIN_RENEWAL_INTERVAL,
) -> float:
    """When to renew: ``schedule.renew_at``, never sooner than ``min_interval`` after
    the last renewal (``last_renewal``: its time, None before the first)."""
    at = renew_at(expires_at, renew_before=renew_before, jitter=jitter, now=now)
    if last_renewal is not None and at < last_renewal + min_interval:
        return last_renewal + min_interval
    return at


def renewal_due(
    expires_at: float | None,
    *,
    renew_before: float,
    now: float,
    last_renewal: float | None,
    min_interval: float = MIN_RENEWAL_INTERVAL,
) -> bool:
    """Whether ``get_tokens()`` renews first: less than ``renew_before`` left, and not
    within ``min_interval`` of the last renewal unless the token has expired."""
    if expires_at is None:
        return False
    left = expires_at - now
    if left >= renew_before:
        return False
    return left <= 0 or last_renewal is None or now - last_renewal >= min_interval


class RenewalDecision:
    """What a failed renewal leads to: ``action`` (``RETRY``, ``SIGN_OUT``, ``KEEP``),
    ``grant`` and ``delay`` for a retry, ``reason`` for a sign-out, and
    ``spend_refresh_token`` when the refresh token must never be sent again."""

    __slots__ = ("action", "delay", "grant", "reason", "spend_refresh_token")

    def __init__(
        self,
        action: str,
        *,
        grant: str | None = None,
        delay: float = 0.0,
        reason: str | None = None,
        spend_refresh_token: bool = False,
    ) -> None:
        self.action = action
        self.grant = grant
        self.delay = delay
        self.reason = reason
        self.spend_refresh_token = spend_refresh_token

    def __repr__(self) -> str:
        return (
            f"RenewalDecision({self.action!r}, grant={self.grant!r}, delay={self.delay!r},"
            f" reason={self.reason!r}, spend_refresh_token={self.spend_refresh_token!r})"
        )


def after_renewal_failure(
    error: OIDCError,
    *,
    grant: str,
    after_timeout: bool,
    attempt: int,
    jitter: float,
) -> RenewalDecision:
    """The decision after renewing with ``grant`` failed with ``error``.

    ``after_timeout``: a refresh of this session timed out (was abandoned) since its
    last successful renewal. ``attempt``: retries so far (0 = first failure);
    ``jitter``: a random fraction in [0, 1] for the backoff. In order:

    - ``InteractionRequired`` (``login_required`` ...; OpenID Connect Core §3.1.2.6):
      the provider's session is gone: sign out.
    - ``InvalidGrant`` (RFC 6749 §5.2): the refresh token is refused. After an
      abandoned refresh it may be our own rotation seen as reuse (RFC 9700 §4.14.2),
      while the provider's session lives on: a silent request first, at once.
      Otherwise sign out.
    - ``RequestTimeout`` during a refresh: the request may have reached the provider,
      which may have rotated the token; it is never sent again (spent), the retry is
      a silent request.
    - ``ServerError`` / ``TemporarilyUnavailable`` (RFC 6749 §4.1.2.1) and any other
      transport failure: the provider is in trouble; retry the same grant with backoff.
    - ``ValidationError`` on refreshed tokens: the provider answered, so it may have
      rotated the refresh token; sending it again would be reuse, so sign out. On a
      silent request, retry with backoff.
    - Any other ``ErrorResponse``: a definite no; keep the tokens until they expire.
    """
    delay = backoff_delay(attempt, base=RETRY_BASE, cap=RETRY_CAP, jitter=jitter)
    refreshing = grant == REFRESH_TOKEN
    if isinstance(error, InteractionRequired):
        return RenewalDecision(SIGN_OUT, reason="session_ended")
    if isinstance(error, InvalidGrant):
        if refreshing and after_timeout:
            return RenewalDecision(RETRY, grant=SILENT, spend_refresh_token=True)
        return RenewalDecision(SIGN_OUT, reason="invalid_grant")
    if isinstance(error, RequestTimeout) and refreshing:
        return RenewalDecision(RETRY, grant=SILENT, delay=delay, spend_refresh_token=True)
    if isinstance(error, (ServerError, TemporarilyUnavailable)):
        return RenewalDecision(RETRY, grant=grant, delay=delay)
    if isinstance(error, ValidationError):
        if refreshing:
            return RenewalDecision(SIGN_OUT, reason="refused_tokens")
        return RenewalDecision(RETRY, grant=grant, delay=delay)
    if isinstance(error, ErrorResponse):
        return RenewalDecision(KEEP)
    return RenewalDecision(RETRY, grant=grant, delay=delay)
