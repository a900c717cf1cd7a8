"""core.renewal_policy: grant, timing and failure decisions, as tables (issue 22)."""

from __future__ import annotations

import pytest

from brython_oidc.core import errors as e
from brython_oidc.core.renewal_policy import (
    KEEP,
    MIN_RENEWAL_INTERVAL,
    REFRESH_TOKEN,
    RETRY,
    SIGN_OUT,
    SILENT,
    after_renewal_failure,
    next_renewal_at,
    renewal_due,
    renewal_grant,
)
from brython_oidc.core.schedule import backoff_delay

RT, SI = REFRESH_TOKEN, SILENT


@pytest.mark.parametrize(
    ("refresh_token", "allowed", "spent", "grant"),
    [
        ("rt", True, False, RT),
        ("rt", False, False, SI),
        (None, True, False, SI),
        ("", True, False, SI),
        # Abandoned once: never sent again (RFC 9700 §4.14.2).
        ("rt", True, True, SI),
    ],
)
def test_renewal_grant(refresh_token: str | None, allowed: bool, spent: bool, grant: str) -> None:
    assert (
        renewal_grant(
            refresh_token=refresh_token, use_refresh_tokens=allowed, refresh_token_spent=spent
        )
        == grant
    )


def err(code: str) -> e.ErrorResponse:
    return e.error_response_from({"error": code})


TIMEOUT = e.RequestTimeout("token_endpoint", 10)
DOWN = e.TransportError("token_endpoint", "network error", provider_looks_down=True)
BAD_TOKEN = e.ValidationError("signature", "does not verify")

# error, grant, after_timeout -> action, next grant, spend, reason, backs off
FAILURES = [
    (err("login_required"), RT, False, SIGN_OUT, None, False, "session_ended", False),
    (err("consent_required"), SI, False, SIGN_OUT, None, False, "session_ended", False),
    (err("interaction_required"), SI, True, SIGN_OUT, None, False, "session_ended", False),
    (err("invalid_grant"), RT, False, SIGN_OUT, None, False, "invalid_grant", False),
    # invalid_grant after a timeout: maybe our own rotation; silent first, at once.
    (err("invalid_grant"), RT, True, RETRY, SI, True, None, False),
    (err("invalid_grant"), SI, True, SIGN_OUT, None, False, "invalid_grant", False),
    # A refresh that timed out is never repeated with the same refresh token.
    (TIMEOUT, RT, False, RETRY, SI, True, None, True),
    (TIMEOUT, SI, False, RETRY, SI, False, None, True),
    (DOWN, RT, False, RETRY, RT, False, None, True),
    (err("temporarily_unavailable"), RT, False, RETRY, RT, False, None, True),
    (err("server_error"), SI, False, RETRY, SI, False, None, True),
    (BAD_TOKEN, RT, False, SIGN_OUT, None, False, "refused_tokens", False),
    (BAD_TOKEN, SI, False, RETRY, SI, False, None, True),
    (err("invalid_client"), RT, False, KEEP, None, False, None, False),
    (err("access_denied"), SI, False, KEEP, None, False, None, False),
]


@pytest.mark.parametrize(
    ("error", "grant", "after_timeout", "action", "next_grant", "spend", "reason", "backs_off"),
    FAILURES,
)
def test_after_renewal_failure(
    error: e.OIDCError,
    grant: str,
    after_timeout: bool,
    action: str,
    next_grant: str | None,
    spend: bool,
    reason: str | None,
    backs_off: bool,
) -> None:
    decision = after_renewal_failure(
        error, grant=grant, after_timeout=after_timeout, attempt=3, jitter=1.0
    )
    assert (decision.action, decision.grant, decision.spend_refresh_token, decision.reason) == (
        action,
        next_grant,
        spend,
        reason,
    ), repr(decision)
    expected_delay = backoff_delay(3, base=2.0, cap=60.0, jitter=1.0) if backs_off else 0.0
    assert decision.delay == expected_delay


def test_the_policy_reads_the_type_not_the_text() -> None:
    # An extension code that merely says "invalid_grant" in its description is no
    # InvalidGrant: the tokens are kept.
    odd = e.error_response_from({"error": "x_refused", "error_description": "invalid_grant"})
    decision = after_renewal_failure(odd, grant=RT, after_timeout=False, attempt=0, jitter=0)
    assert decision.action == KEEP


def test_backoff_grows_with_the_attempts() -> None:
    delays = [
        after_renewal_failure(DOWN, grant=RT, after_timeout=False, attempt=n, jitter=1.0).delay
        for n in range(8)
    ]
    assert delays == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]


# expires_at, renew_before, now, last_renewal -> at
SCHEDULE = [
    (1000.0, 60.0, 0.0, None, 940.0),
    (1000.0, 60.0, 0.0, -500.0, 940.0),
    # A 1 s token: halfway, but never sooner than the floor after the last renewal.
    (101.0, 60.0, 100.0, 100.0, 100.0 + MIN_RENEWAL_INTERVAL),
    (100.5, 60.0, 100.0, 95.0, 100.25),
    # Expired: now, or the floor.
    (90.0, 60.0, 100.0, 99.5, 99.5 + MIN_RENEWAL_INTERVAL),
    (90.0, 60.0, 100.0, None, 100.0),
]


@pytest.mark.parametrize(("expires_at", "before", "now", "last", "at"), SCHEDULE)
def test_next_renewal_at(
    expires_at: float, before: float, now: float, last: float | None, at: float
) -> None:
    assert (
        next_renewal_at(expires_at, renew_before=before, jitter=0.0, now=now, last_renewal=last)
        == at
    )


# expires_at, now, last_renewal -> due (renew_before 60)
DUE = [
    (None, 0.0, None, False),
    (1000.0, 0.0, None, False),
    (1000.0, 941.0, None, True),
    (1000.0, 941.0, 940.0, False),  # renewed a second ago: not again yet
    (1000.0, 941.0, 941.0 - MIN_RENEWAL_INTERVAL, True),
    (1000.0, 1000.0, 999.9, True),  # expired: always
]


@pytest.mark.parametrize(("expires_at", "now", "last", "due"), DUE)
def test_renewal_due(expires_at: float | None, now: float, last: float | None, due: bool) -> None:
    assert renewal_due(expires_at, renew_before=60.0, now=now, last_renewal=last) is due
