"""core.access_token: RFC 9068 §2.2 / §4 claim checks, table-driven under CPython."""

from __future__ import annotations

import pytest

from brython_oidc.core.access_token import check_access_token_typ, validate_access_token_claims
from brython_oidc.core.errors import ValidationError

NOW = 1_800_000_000.0
GOOD: dict[str, object] = {
    "iss": "https://idp.test", "aud": "api", "sub": "alice", "client_id": "spa",
    "iat": NOW, "exp": NOW + 300, "jti": "j1",
}  # fmt: skip


def check(**changes: object) -> dict[str, object]:
    claims = {k: v for k, v in {**GOOD, **changes}.items() if v is not None}
    return validate_access_token_claims(
        claims, issuer="https://idp.test", audience="api", now=NOW, leeway=60
    )


def test_good_claims_come_back() -> None:
    assert check() == GOOD
    assert check(aud=["other", "api"])["sub"] == "alice"


@pytest.mark.parametrize(
    ("changes", "failed"),
    [
        ({"exp": float("nan")}, "exp"),
        ({"exp": float("inf")}, "exp"),
        ({"exp": float("-inf")}, "exp"),
        ({"exp": True}, "exp"),
        ({"exp": "2100-01-01"}, "exp"),
        ({"exp": NOW - 61}, "exp"),
        ({"nbf": "soon"}, "nbf"),
        ({"nbf": float("nan")}, "nbf"),
        ({"nbf": NOW + 61}, "nbf"),
        ({"iat": float("nan")}, "iat"),
        ({"iat": NOW + 61}, "iat"),
        ({"sub": None}, "sub"),
        ({"sub": ""}, "sub"),
        ({"sub": 7}, "sub"),
        ({"client_id": None}, "client_id"),
        ({"iat": None}, "iat"),
        ({"jti": None}, "jti"),
        ({"jti": {"a": 1}}, "jti"),
        ({"iss": "https://evil.test"}, "iss"),
        ({"iss": None}, "iss"),
        ({"aud": "other"}, "aud"),
        ({"aud": [1, "api"]}, "aud"),
        ({"aud": {"api": 1}}, "aud"),
        ({"aud": None}, "aud"),
        ({"scope": ["openid"]}, "scope"),
        ({"scope": 1}, "scope"),
    ],
)
def test_refusals_name_the_claim(changes: dict[str, object], failed: str) -> None:
    with pytest.raises(ValidationError) as info:
        check(**changes)
    assert info.value.check == failed


def test_not_an_object() -> None:
    with pytest.raises(ValidationError) as info:
        validate_access_token_claims(
            [],
            issuer="i",
            audience="a",
            now=NOW,
            leeway=0,  # type: ignore[arg-type]
        )
    assert info.value.check == "claims"


def test_required_list_relaxes_only_the_optional_ones() -> None:
    claims = {"iss": "https://idp.test", "aud": "api", "exp": NOW + 10}
    out = validate_access_token_claims(
        claims, issuer="https://idp.test", audience="api", now=NOW, leeway=0, required=()
    )
    assert out == claims


@pytest.mark.parametrize(
    ("typ", "ok"),
    [("at+jwt", True), ("AT+JWT", True), ("application/at+jwt", True), ("JWT", False),
     (None, False), (1, False), (["at+jwt"], False), ("application/JWT", False)],
)  # fmt: skip
def test_typ(typ: object, ok: bool) -> None:
    header = {"alg": "RS256"} if typ is None else {"alg": "RS256", "typ": typ}
    if ok:
        check_access_token_typ(header, "at+jwt")
    else:
        with pytest.raises(ValidationError) as info:
            check_access_token_typ(header, "at+jwt")
        assert info.value.check == "typ"
    check_access_token_typ(header, None)  # not required: anything goes
