"""Every hostile-provider case through the CPython side of the client (core/ + signature port).

Modelled on the OpenID Foundation RP certification tests (Basic and Config profiles):
the client must refuse with the exact typed error, never put a secret into that
error, and never get as far as the claims or userinfo on a refused flow.
"""

from __future__ import annotations

import pytest

from tests.security.cases import CASES, Case
from tests.security.core_flow import CoreFlow, FlowResult
from tests.security.hostile import MISBEHAVIOURS, HostileProvider

#: The token-slow case: the client gives up after this; the provider holds longer.
SHORT_TIMEOUT = 0.5


def run_case(provider: HostileProvider, case: Case, *, retries: int = 0) -> FlowResult:
    provider.misbehave(case.misbehaviour)
    timeout = SHORT_TIMEOUT if case.misbehaviour == "token-slow" else 10.0
    flow = CoreFlow(provider.issuer, request_timeout=timeout)
    try:
        return flow.run(retries=retries)
    finally:
        flow.close()


def error_text(error: object) -> str:
    """Everything an error shows: message, repr and evidence."""
    parts = [str(error), repr(error), repr(getattr(error, "args", ()))]
    parts += [repr(getattr(error, name, None)) for name in ("expected", "actual")]
    parts += [repr(getattr(error, name, None)) for name in ("error_description", "url")]
    return "\n".join(parts)


def assert_no_secret_in(error: object, result: FlowResult) -> None:
    shown = error_text(error)
    for secret in result.secrets:
        if len(secret) >= 8:  # shorter strings ("{}", "Bearer") are not secrets
            assert secret not in shown, "a token, code or verifier leaked into the error"


def test_every_case_names_a_known_misbehaviour() -> None:
    assert len({case.id for case in CASES}) == len(CASES)
    for case in CASES:
        assert case.misbehaviour is None or case.misbehaviour in MISBEHAVIOURS, case.id
        assert (case.error is None) == (case.code is None), case.id
    # No misbehaviour without a case: each one is exercised.
    assert set(MISBEHAVIOURS) == {c.misbehaviour for c in CASES if c.misbehaviour}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(hostile: HostileProvider, case: Case) -> None:
    result = run_case(hostile, case)
    if case.misbehaviour is not None:
        assert hostile.fired >= 1, "the misbehaviour never fired: the case proves nothing"
    if case.error is None:
        assert result.error is None, f"expected success, got {result.error!r}"
        assert result.claims is not None and result.claims["sub"] == "alice"
        assert result.userinfo is not None and result.userinfo["sub"] == "alice"
        return
    error = result.error
    assert error is not None, "the client accepted what it must refuse"
    assert type(error).__name__ == case.error, repr(error)
    assert error.code == case.code, repr(error)
    assert result.claims is None and result.userinfo is None
    assert_no_secret_in(error, result)
    if case.then_recovers:
        hostile.misbehave(case.misbehaviour)
        retried = run_case(hostile, case, retries=1)
        assert retried.error is None, repr(retried.error)
        assert [type(e).__name__ for e in retried.recovered_from] == [case.error]
        assert retried.claims is not None


def test_key_rotation_refetches_the_jwks_exactly_once(hostile: HostileProvider) -> None:
    rotation = next(c for c in CASES if c.id == "rp-key-rotation-op-sign-key")
    assert run_case(hostile, rotation).jwks_fetches == 2
    hostile.reset()
    assert run_case(hostile, CASES[0]).jwks_fetches == 1  # no rotation, no refetch


def test_unknown_kid_refetches_once_then_gives_up(hostile: HostileProvider) -> None:
    case = next(c for c in CASES if c.misbehaviour == "id_token-kid-unknown")
    assert run_case(hostile, case).jwks_fetches == 2


def test_timeout_error_names_the_endpoint(hostile: HostileProvider) -> None:
    case = next(c for c in CASES if c.misbehaviour == "token-slow")
    error = run_case(hostile, case).error
    assert error is not None
    assert getattr(error, "endpoint", None) == "token_endpoint"
    assert getattr(error, "provider_looks_down", None) is True


def test_admin_endpoint_switches_misbehaviour(hostile: HostileProvider) -> None:
    import httpx

    url = hostile.issuer + "/admin/misbehave"
    answer = httpx.post(url, json={"name": "authz-wrong-state"})
    assert answer.status_code == 200 and hostile.misbehaviour == "authz-wrong-state"
    assert httpx.post(url, json={"name": "no-such-thing"}).status_code == 400
    assert httpx.post(url, json={"name": None}).json() == {"misbehaviour": None}


@pytest.mark.parametrize(
    ("case_id", "alg"),
    [
        ("rp-response_type-code", "RS256"),
        ("rp-id_token-sig-es256", "ES256"),
        ("rp-id_token-bad-sig-es256", "ES256"),
    ],
)
def test_signature_cases_use_the_algorithm_they_name(
    hostile: HostileProvider, case_id: str, alg: str
) -> None:
    case = next(c for c in CASES if c.id == case_id)
    assert run_case(hostile, case).id_token_alg == alg
    hostile.reset()
    assert run_case(hostile, CASES[0]).id_token_alg == "RS256"  # reset restores the client
