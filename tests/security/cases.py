"""The hostile-provider case table, shared by the CPython runner and the browser runner.

Each case: ``id`` (the OpenID Foundation RP certification test id where one exists,
else a descriptive id), the ``misbehaviour`` of ``hostile.HostileProvider`` to switch
on, the ``error`` class name the client must raise (``None``: the flow must succeed)
and its ``code`` (``ValidationError.check``, ``ErrorResponse.error``, or the
transport error's ``code``). ``then_recovers``: after the error, a retry succeeds.

docs/security.md has one row per case; tests/security/test_docs.py keeps it in sync.
"""

from __future__ import annotations

from typing import NamedTuple


class Case(NamedTuple):
    id: str
    misbehaviour: str | None
    error: str | None
    code: str | None
    then_recovers: bool = False


CASES: tuple[Case, ...] = (
    # Positive controls: the runner must be able to succeed, or the negatives prove nothing.
    Case("rp-response_type-code", None, None, None),
    Case("rp-id_token-kid-absent-single-jwks", "id_token-kid-absent-single-key", None, None),
    Case("rp-key-rotation-op-sign-key", "rotate-keys-before-token", None, None),
    Case("rp-id_token-sig-es256", "id_token-sig-es256", None, None),
    # OpenID Foundation RP certification, Basic and Config profiles: negative tests.
    Case("rp-id_token-bad-sig-rs256", "id_token-bad-sig-rs256", "ValidationError", "signature"),
    Case("rp-id_token-bad-sig-es256", "id_token-bad-sig-es256", "ValidationError", "signature"),
    Case("rp-id_token-sig-none", "id_token-sig-none", "ValidationError", "alg"),
    Case("rp-id_token-bad-sig-hs256", "id_token-hs256", "ValidationError", "alg"),
    Case("rp-nonce-invalid", "id_token-wrong-nonce", "ValidationError", "nonce"),
    Case("rp-id_token-aud", "id_token-wrong-aud", "ValidationError", "aud"),
    Case("rp-id_token-iss", "id_token-wrong-iss", "ValidationError", "iss"),
    Case("rp-id_token-iat", "id_token-missing-iat", "ValidationError", "iat"),
    Case("rp-id_token-sub", "id_token-missing-sub", "ValidationError", "sub"),
    Case(
        "rp-id_token-kid-absent-multiple-jwks",
        "id_token-kid-absent-multiple-keys",
        "ValidationError",
        "kid",
    ),
    Case("rp-userinfo-bad-sub-claim", "userinfo-wrong-sub", "ValidationError", "sub"),
    Case("rp-discovery-issuer-not-matching", "discovery-wrong-issuer", "ValidationError", "iss"),
    # Beyond the certification suite.
    Case("id_token-kid-unknown-after-refetch", "id_token-kid-unknown", "KeyNotFound", "kid"),
    Case("id_token-expired", "id_token-expired", "ValidationError", "exp"),
    Case("id_token-not-yet-valid", "id_token-not-yet-valid", "ValidationError", "nbf"),
    Case("id_token-iat-far-future", "id_token-iat-future", "ValidationError", "iat"),
    Case("id_token-huge-claims", "id_token-huge-claims", "ValidationError", "jwt"),
    Case("authz-state-mismatch", "authz-wrong-state", "ValidationError", "state"),
    Case("authz-state-missing", "authz-missing-state", "ValidationError", "state"),
    Case("authz-iss-mismatch-rfc9207", "authz-wrong-iss", "ValidationError", "iss"),
    Case("authz-iss-missing-rfc9207", "authz-missing-iss", "ValidationError", "iss"),
    Case("authz-access-denied", "authz-access-denied", "AccessDenied", "access_denied"),
    Case("token-response-not-json", "token-non-json", "ValidationError", "token_response"),
    Case("token-response-truncated", "token-truncated", "ValidationError", "token_response"),
    Case("token-response-html-error-page", "token-html-error", "ValidationError", "token_response"),
    Case("token-response-huge", "token-huge-body", "ValidationError", "token_response"),
    Case(
        "token-endpoint-500-then-recovery",
        "token-500-once",
        "TransportError",
        "transport_error",
        then_recovers=True,
    ),
    Case("token-endpoint-slow", "token-slow", "RequestTimeout", "timeout"),
)

#: Cases the browser runner (test_rp_negative_browser.py) marks xfail(strict=True):
#: id -> the runtime bug or gap, as shown in docs/security.md.
BROWSER_XFAIL: dict[str, str] = {}
#: Partly tested in the browser: id -> what is and is not.
BROWSER_PARTIAL: dict[str, str] = {}

#: Client-side cases of issue 8, run only in the browser: id -> outcome there.
BROWSER_ONLY_CASES: dict[str, str] = {
    "callback-forged-csrf": "logged out, the code never redeemed (tested)",
    "callback-replayed": "logged out, the code never redeemed (tested)",
    "return-to-off-site": "signed in on `/` of the app (tested)",
    "no-token-in-storage-or-console": "checked after every browser case (tested)",
}

#: Fault cases of issue 8: id -> browser status.
FAULT_CASES: dict[str, str] = {
    "provider-down-at-start-up": (
        "tested: no hint, logged out at once and `TransportError` on the login click; "
        "hint, `TransportError` at start-up; page starts, sign-in works later"
    ),
    "token-endpoint-500-then-recovery": (
        "tested: on the code exchange, `TransportError` shown, then the same code is "
        "presented again (backoff) and the page signs in; on a refresh, tokens kept, "
        "`TransportError` shown, the retry renews and clears it "
        "(`test_token_endpoint_500_during_renewal_then_recovery`)"
    ),
    "provider-slow-beyond-request_timeout": "tested (`token-endpoint-slow`, 3 s timeout)",
    "refresh-token-reuse-never-triggered": (
        "tested: three tabs, two renewals, no reuse; a refresh answered with tokens the "
        "client refuses (bad ID token signature) ends the session with "
        "`ValidationError` (`signature`) instead of a retry with the rotated refresh token "
        "(`test_refused_refresh_response_ends_the_session_without_reusing_the_token`); "
        "before, the retry was reuse and the provider revoked the family (`InvalidGrant`)"
    ),
    "provider-down-during-renewal": (
        "tested: tokens kept, `TransportError`, a retry renews and clears it "
        "(`test_provider_down_during_renewal_keeps_tokens_and_recovers`)"
    ),
    "provider-down-during-logout": (
        "tested: signed out here and in the other tab, hint cleared, `TransportError` "
        "shown on the app's page (no trip to the dead provider, no sign-in retry); the "
        "provider session remains (`test_logout_with_the_provider_down_signs_out_every_tab`)"
    ),
    "network-offline-and-back": (
        "tested (CDP offline): tokens kept, `TransportError`, no request sent; back "
        "online, renewed and the error cleared "
        "(`test_network_offline_then_back_keeps_tokens_and_renews`)"
    ),
    "sleep-30-min": (
        "tested: page and provider clocks both +30 min, renewed at once on wake-up "
        "(`test_wake_up_with_a_jumped_clock_renews_at_once`)"
    ),
    "wall-clock-plus-1h": (
        "tested: only the page's clock +1 h; the jump is measured, renewed at once, the "
        "new ID token accepted (`exp` checked against now - 1 h), signed in, no error, "
        "renewals on schedule after; two tabs: one refresh per round "
        "(`test_wall_clock_jump_renews_at_once_and_keeps_renewing[plus-1h]`). Before: "
        "`ValidationError` (`exp`), then the retry reused the rotated refresh token: "
        "`InvalidGrant`, signed out"
    ),
    "wall-clock-minus-1h": (
        "tested: only the page's clock -1 h; renewed at once, the new ID token accepted "
        "(`iat` checked against now + 1 h), renewals every few seconds after, not an hour "
        "late; two tabs: one refresh per round "
        "(`test_wall_clock_jump_renews_at_once_and_keeps_renewing[minus-1h]`, "
        "`test_wall_clock_jump_with_two_tabs_one_refresh_per_round`); the idle timeout "
        "still ends on time (`test_idle_timeout_still_ends_after_the_clock_is_set_back`). "
        "Before: renewal rescheduled an hour late, the access token left to expire, and "
        "the idle countdown frozen for the hour"
    ),
    "id_token-clock-skew-named": (
        "tested: provider clock ±30 min, `ValidationError` (`iat` / `exp`) saying "
        '"the local clock looks 1800 s behind / ahead of the provider" '
        "(`test_clock_skew_is_named_in_the_id_token_error`)"
    ),
    "tab-closed-during-renewal": (
        "tested: tab A's refresh held, A closed, its Web Lock released, tab B renews: "
        "one successful refresh, no `invalid_grant` "
        "(`test_tab_closed_during_renewal_another_tab_takes_over`)"
    ),
}


# --- the table in docs/security.md --------------------------------------------------

TABLE_BEGIN = (
    "<!-- case table: generated by `python -m tests.security.cases`, checked by a test -->"
)
TABLE_END = "<!-- end of case table -->"


def outcome(case: Case) -> str:
    if case.error is None:
        return "signed in (positive control)"
    text = f"`{case.error}` (`{case.code}`)"
    return text + ", then a retry succeeds" if case.then_recovers else text


def render_table() -> str:
    """The Markdown table of every case, between its markers."""
    from tests.security.hostile import MISBEHAVIOURS

    rows = [
        TABLE_BEGIN,
        "",
        "| case | the provider does | client outcome | CPython core | browser |",
        "|---|---|---|---|---|",
    ]
    for case in CASES:
        does = MISBEHAVIOURS[case.misbehaviour] if case.misbehaviour else "behaves"
        browser = BROWSER_XFAIL.get(case.id) or BROWSER_PARTIAL.get(case.id, "tested")
        rows.append(f"| `{case.id}` | {does} | {outcome(case)} | tested | {browser} |")
    for case_id, result in BROWSER_ONLY_CASES.items():
        rows.append(f"| `{case_id}` | — (client side) | {result} | n/a | tested |")
    rows += ["", "| fault | browser |", "|---|---|"]
    rows += [f"| `{fault}` | {status} |" for fault, status in FAULT_CASES.items()]
    rows += ["", TABLE_END]
    return "\n".join(rows)


if __name__ == "__main__":
    print(render_table())
