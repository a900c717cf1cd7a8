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
    # OpenID Foundation RP certification, Basic and Config profiles: negative tests.
    Case("rp-id_token-bad-sig-rs256", "id_token-bad-sig-rs256", "ValidationError", "signature"),
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

#: Cases of issue 8 that need the in-browser runtime; listed in docs/security.md as pending.
BROWSER_ONLY_CASES = (
    "callback-replayed",
    "return-to-off-site",
    "no-token-in-storage-or-console",
)
