"""The contract vectors against the CPython port, and the whole ID token path end to end."""

from __future__ import annotations

import json

import pytest

from brython_oidc.core.errors import ValidationError
from brython_oidc.core.id_token import validate_id_token_claims
from brython_oidc.core.jose import KeyNotFound, parse_compact_jws, select_jwk
from brython_oidc.server.signature import verify
from tests.contract.vectors import (
    Vector,
    keys,
    make_vectors,
    public_jwk,
    sign,
    unb64url,
    vectors_as_json,
)

VECTORS = make_vectors()


@pytest.mark.parametrize("vector", VECTORS, ids=[v.name for v in VECTORS])
def test_vector(vector: Vector) -> None:
    assert verify(vector.alg, vector.jwk, vector.signing_input, vector.signature) is vector.expected


def test_the_vector_set_covers_every_alg_and_both_outcomes() -> None:
    for alg in ("RS256", "PS256", "ES256"):
        outcomes = {v.expected for v in VECTORS if v.alg == alg}
        assert outcomes == {True, False}, alg
    assert len({v.name for v in VECTORS}) == len(VECTORS)


def test_vectors_round_trip_through_json_for_the_browser() -> None:
    loaded = json.loads(vectors_as_json(VECTORS))
    assert len(json.loads(vectors_as_json())) == len(VECTORS)
    assert [item["name"] for item in loaded] == [v.name for v in VECTORS]
    for item, vector in zip(loaded, VECTORS, strict=True):
        assert unb64url(item["signing_input"]) == vector.signing_input
        assert unb64url(item["signature"]) == vector.signature
        assert item["expected"] is vector.expected


@pytest.mark.parametrize("alg", ["none", "HS256", "RS384", "ES384", "EdDSA"])
def test_refuses_algs_outside_the_allowed_list(alg: str) -> None:
    good = VECTORS[0]
    with pytest.raises(ValidationError) as exc:
        verify(alg, good.jwk, good.signing_input, good.signature)
    assert exc.value.check == "alg"


def test_a_key_of_the_wrong_type_is_an_error_not_false() -> None:
    ec = next(v for v in VECTORS if v.name == "good-ES256")
    rsa = next(v for v in VECTORS if v.name == "good-RS256")
    with pytest.raises(ValidationError) as exc:
        verify("RS256", ec.jwk, rsa.signing_input, rsa.signature)
    assert exc.value.check == "kty"


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "RSA", "n": "!!", "e": "AQAB"},
        {"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"},
    ],
)
def test_a_key_that_does_not_import_is_an_error(jwk: dict[str, object]) -> None:
    alg = "RS256" if jwk["kty"] == "RSA" else "ES256"
    with pytest.raises(ValidationError) as exc:
        verify(alg, jwk, b"a.b", b"x" * 64)
    assert exc.value.check == "jwk"


def test_private_members_are_ignored() -> None:
    key, _ = keys()["ES256"]
    private = dict(key.as_dict(private=True))
    assert "d" in private
    signing_input, signature = sign("ES256", key, {"sub": "a"}).encode(), b""
    token = sign("ES256", key, {"sub": "a"})
    head, payload, sig = token.split(".")
    assert verify("ES256", private, f"{head}.{payload}".encode(), unb64url(sig)) is True
    assert verify("ES256", private, signing_input, signature) is False


# --- end to end: sign with joserfc, parse, select, verify, validate ------------------

NOW = 1_800_000_000.0
ISSUER = "https://op.example"


def id_token_claims(**changes: object) -> dict[str, object]:
    claims: dict[str, object] = {
        "iss": ISSUER,
        "sub": "alice",
        "aud": "demo-spa",
        "exp": NOW + 300,
        "iat": NOW,
        "nonce": "n-0S6_WzA2Mj",
    }
    claims.update(changes)
    return claims


def jwks_for(*algs: str) -> dict[str, object]:
    return {"keys": [public_jwk(keys()[alg][0], alg, f"{alg}-1") for alg in algs]}


def accept(token: str, jwks: dict[str, object]) -> dict[str, object]:
    jws = parse_compact_jws(token, parse_json=json.loads)
    jwk = select_jwk(jwks, jws.header)
    if not verify(jws.header["alg"], jwk, jws.signing_input, jws.signature):  # type: ignore[arg-type]
        raise ValidationError("signature", "bad signature")
    return validate_id_token_claims(
        jws.claims, issuer=ISSUER, client_id="demo-spa", nonce="n-0S6_WzA2Mj", now=NOW, leeway=60
    )


@pytest.mark.parametrize("alg", ["RS256", "PS256", "ES256"])
def test_end_to_end_a_signed_id_token_is_accepted(alg: str) -> None:
    token = sign(alg, keys()[alg][0], id_token_claims(), kid=f"{alg}-1")
    claims = accept(token, jwks_for("RS256", "PS256", "ES256"))
    assert claims["sub"] == "alice"


def test_end_to_end_a_token_signed_by_another_key_is_refused() -> None:
    _, other = keys()["RS256"]
    token = sign("RS256", other, id_token_claims(), kid="RS256-1")
    with pytest.raises(ValidationError) as exc:
        accept(token, jwks_for("RS256"))
    assert exc.value.check == "signature"


def test_end_to_end_a_tampered_payload_is_refused() -> None:
    token = sign("ES256", keys()["ES256"][0], id_token_claims(), kid="ES256-1")
    head, _, sig = token.split(".")
    forged = sign("ES256", keys()["ES256"][1], id_token_claims(sub="mallory"), kid="ES256-1")
    with pytest.raises(ValidationError) as exc:
        accept(f"{head}.{forged.split('.')[1]}.{sig}", jwks_for("ES256"))
    assert exc.value.check == "signature"


def test_end_to_end_a_rotated_key_asks_for_a_refetch() -> None:
    token = sign("RS256", keys()["RS256"][0], id_token_claims(), kid="next-key")
    with pytest.raises(KeyNotFound):
        accept(token, jwks_for("RS256"))


def test_end_to_end_an_expired_token_fails_after_the_signature_passes() -> None:
    token = sign("RS256", keys()["RS256"][0], id_token_claims(exp=NOW - 61), kid="RS256-1")
    with pytest.raises(ValidationError) as exc:
        accept(token, jwks_for("RS256"))
    assert exc.value.check == "exp"


def test_a_signature_the_library_rejects_by_raising_is_false(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from brython_oidc.server import signature

    class Raising:
        def verify(self, msg: bytes, sig: bytes, key: object) -> bool:
            raise ValueError("malformed signature")

    monkeypatch.setattr(signature._REGISTRY, "get_alg", lambda name: Raising())
    good = VECTORS[0]
    assert verify(good.alg, good.jwk, good.signing_input, good.signature) is False
