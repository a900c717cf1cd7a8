from __future__ import annotations

import json

import pytest

from brython_oidc.core.b64 import b64url_encode
from brython_oidc.core.errors import ValidationError
from brython_oidc.core.jose import (
    ALLOWED_ALGS,
    CompactJWS,
    KeyNotFound,
    check_alg,
    jwk_public_fields,
    parse_compact_jws,
    select_jwk,
    webcrypto_params,
)


def seg(value: object) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return b64url_encode(raw)


def token(header: object, claims: object = None, signature: bytes = b"sig") -> str:
    claims = {"sub": "alice"} if claims is None else claims
    return f"{seg(header)}.{seg(claims)}.{b64url_encode(signature)}"


def parse(text: str, **kwargs: object) -> CompactJWS:
    return parse_compact_jws(text, parse_json=json.loads, **kwargs)  # type: ignore[arg-type]


def check_of(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return exc.value.check


# --- parse_compact_jws -----------------------------------------------------------------


@pytest.mark.parametrize("alg", ALLOWED_ALGS)
def test_parses_header_claims_signing_input_and_signature(alg: str) -> None:
    text = token({"alg": alg, "kid": "k1"}, {"sub": "alice", "n": 1}, b"\x00\xffsig")
    jws = parse(text)
    assert jws.header == {"alg": alg, "kid": "k1"}
    assert jws.claims == {"sub": "alice", "n": 1}
    assert jws.signing_input == text.rsplit(".", 1)[0].encode()
    assert jws.signature == b"\x00\xffsig"


def test_repr_hides_the_token() -> None:
    text = token({"alg": "RS256", "kid": "k1"}, {"sub": "secret-subject"})
    shown = repr(parse(text))
    assert "RS256" in shown and "k1" in shown and "redacted" in shown
    assert "secret-subject" not in shown and text.split(".")[1] not in shown


@pytest.mark.parametrize(
    "text",
    [
        "a.b",
        "a.b.c.d",
        "a.b.c.d.e",  # a JWE
        "",
        "onlyone",
    ],
)
def test_refuses_wrong_segment_counts(text: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse(text)
    assert exc.value.check == "jwt"
    assert "three segments" in exc.value.message


def test_refuses_a_non_string() -> None:
    with pytest.raises(ValidationError) as exc:
        parse(b"a.b.c")  # type: ignore[arg-type]
    assert exc.value.check == "jwt"
    assert exc.value.actual == "bytes"


def test_refuses_an_oversized_token_before_decoding() -> None:
    text = token({"alg": "RS256"}, {"pad": "x" * 20000})
    with pytest.raises(ValidationError) as exc:
        parse(text)
    assert exc.value.check == "jwt"
    assert exc.value.expected == 16 * 1024
    assert exc.value.actual == len(text)


def test_max_length_is_configurable() -> None:
    text = token({"alg": "RS256"})
    assert parse(text, max_length=len(text)).header["alg"] == "RS256"
    with pytest.raises(ValidationError, match="too long"):
        parse(text, max_length=len(text) - 1)


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("eyJ=.e30.c2ln", "header is not canonical base64url"),
        (f"{seg({'alg': 'RS256'})}.e3+.c2ln", "payload is not canonical base64url"),
        (f"{seg({'alg': 'RS256'})}.e30.c2l=", "signature is not canonical base64url"),
        (b64url_encode(bytes([255, 254])) + ".e30.c2ln", "header is not UTF-8"),
        (f"{seg(b'{not json')}.e30.c2ln", "header is not JSON"),
        (f"{seg([1, 2])}.e30.c2ln", "header is not a JSON object"),
        (f"{seg('RS256')}.e30.c2ln", "header is not a JSON object"),
        (f"{seg({'alg': 'RS256'})}.{seg([1])}.c2ln", "payload is not a JSON object"),
        (f"{seg({'alg': 'RS256'})}.{seg(b'nope')}.c2ln", "payload is not JSON"),
        (f"{seg({'alg': 'RS256'})}.e30.", "signature is empty"),
    ],
)
def test_refuses_malformed_segments(text: str, what: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse(text)
    assert exc.value.check == "jwt"
    assert what in exc.value.message


def test_a_parse_json_that_raises_anything_is_a_validation_error() -> None:
    def broken(text: str) -> object:
        raise RuntimeError("JS SyntaxError")

    with pytest.raises(ValidationError, match="header is not JSON"):
        parse_compact_jws(token({"alg": "RS256"}), parse_json=broken)


@pytest.mark.parametrize(
    ("alg", "words"),
    [
        ("none", "unsigned"),
        ("None", "unsigned"),
        ("NONE", "unsigned"),
        ("HS256", "HMAC"),
        ("HS384", "HMAC"),
        ("HS512", "HMAC"),
        ("hs256", "HMAC"),
        ("RS384", "not allowed"),
        ("ES512", "not allowed"),
        ("EdDSA", "not allowed"),
        ("", "not allowed"),
    ],
)
def test_refuses_none_hmac_and_unlisted_algs_loudly(alg: str, words: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse(token({"alg": alg}))
    assert exc.value.check == "alg"
    assert words in exc.value.message
    assert "REFUSED" in exc.value.message
    assert exc.value.actual == alg
    assert exc.value.expected == ALLOWED_ALGS


@pytest.mark.parametrize("header", [{}, {"alg": None}, {"alg": 256}, {"alg": ["RS256"]}])
def test_refuses_a_missing_or_non_string_alg(header: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as exc:
        parse(token(header))
    assert exc.value.check == "alg"


def test_check_alg_returns_an_allowed_alg() -> None:
    assert [check_alg(a) for a in ALLOWED_ALGS] == list(ALLOWED_ALGS)


@pytest.mark.parametrize("crit", [["exp"], ["b64"], ["b64", "x"]])
def test_refuses_critical_extensions_it_does_not_understand(crit: list[str]) -> None:
    header = {"alg": "RS256", "crit": crit, **{name: True for name in crit}}
    with pytest.raises(ValidationError) as exc:
        parse(token(header))
    assert exc.value.check == "crit"
    assert exc.value.actual == crit


@pytest.mark.parametrize("crit", ["b64", [1], None, {"b64": True}])
def test_refuses_a_malformed_crit(crit: object) -> None:
    with pytest.raises(ValidationError) as exc:
        parse(token({"alg": "RS256", "crit": crit}))
    assert exc.value.check == "crit"


def test_accepts_an_empty_crit_and_understood_extensions() -> None:
    assert parse(token({"alg": "RS256", "crit": []})).header["crit"] == []
    header = {"alg": "RS256", "crit": ["ext"], "ext": 1}
    assert parse(token(header), understood_crit=("ext",)).header["ext"] == 1


def test_refuses_crit_naming_an_absent_member() -> None:
    with pytest.raises(ValidationError, match="absent") as exc:
        parse(token({"alg": "RS256", "crit": ["ext"]}), understood_crit=("ext",))
    assert exc.value.actual == ["ext"]


@pytest.mark.parametrize("kid", [1, None, ["a"]])
def test_refuses_a_non_string_kid(kid: object) -> None:
    with pytest.raises(ValidationError) as exc:
        parse(token({"alg": "RS256", "kid": kid}))
    assert exc.value.check == "kid"


def test_error_messages_never_contain_the_token() -> None:
    text = token({"alg": "HS256"}, {"sub": "secret"})
    with pytest.raises(ValidationError) as exc:
        parse(text)
    for part in text.split("."):
        assert part not in str(exc.value)
        assert part not in repr(exc.value.expected) + repr(exc.value.actual)


# --- select_jwk -----------------------------------------------------------------------

RSA1 = {"kty": "RSA", "kid": "r1", "n": "n1", "e": "AQAB"}
RSA2 = {"kty": "RSA", "kid": "r2", "n": "n2", "e": "AQAB", "use": "sig", "alg": "RS256"}
EC1 = {"kty": "EC", "kid": "e1", "crv": "P-256", "x": "x", "y": "y"}


def test_selects_by_kid() -> None:
    jwks = {"keys": [RSA1, RSA2, EC1]}
    assert select_jwk(jwks, {"alg": "RS256", "kid": "r2"}) == RSA2
    assert select_jwk(jwks, {"alg": "PS256", "kid": "r1"}) == RSA1
    assert select_jwk(jwks, {"alg": "ES256", "kid": "e1"}) == EC1


def test_returns_a_copy() -> None:
    chosen = select_jwk({"keys": [RSA1]}, {"alg": "RS256"})
    chosen["n"] = "changed"
    assert RSA1["n"] == "n1"


def test_unknown_kid_is_key_not_found_so_the_caller_refetches() -> None:
    with pytest.raises(KeyNotFound) as exc:
        select_jwk({"keys": [RSA1, RSA2]}, {"alg": "RS256", "kid": "rotated"})
    assert isinstance(exc.value, ValidationError)
    assert exc.value.check == "kid"
    assert exc.value.expected == "rotated"
    assert exc.value.actual == ["r1", "r2"]


@pytest.mark.parametrize(
    ("key", "header"),
    [
        (RSA1, {"alg": "ES256", "kid": "r1"}),  # kty does not fit
        (EC1, {"alg": "RS256", "kid": "e1"}),
        ({**RSA1, "use": "enc"}, {"alg": "RS256", "kid": "r1"}),  # RFC 7517 §4.2
        ({**RSA1, "alg": "PS256"}, {"alg": "RS256", "kid": "r1"}),  # RFC 7517 §4.4
        ({**RSA1, "key_ops": ["encrypt"]}, {"alg": "RS256", "kid": "r1"}),  # §4.3
        ({**RSA1, "key_ops": "verify"}, {"alg": "RS256", "kid": "r1"}),
        ({**EC1, "crv": "P-384"}, {"alg": "ES256", "kid": "e1"}),  # RFC 7518 §3.4
        ({**EC1, "crv": None}, {"alg": "ES256", "kid": "e1"}),
    ],
)
def test_a_key_that_does_not_fit_the_alg_is_never_chosen(
    key: dict[str, object], header: dict[str, object]
) -> None:
    with pytest.raises(KeyNotFound):
        select_jwk({"keys": [key]}, header)
    with pytest.raises(KeyNotFound):
        select_jwk({"keys": [key]}, {"alg": header["alg"]})


def test_key_ops_with_verify_fits() -> None:
    key = {**RSA1, "key_ops": ["verify"]}
    assert select_jwk({"keys": [key]}, {"alg": "RS256", "kid": "r1"}) == key


def test_no_kid_and_one_fitting_key_uses_it() -> None:
    assert select_jwk({"keys": [RSA1, EC1]}, {"alg": "ES256"}) == EC1
    assert select_jwk({"keys": [{**RSA1, "use": "enc"}, RSA2]}, {"alg": "RS256"}) == RSA2


def test_no_kid_and_several_fitting_keys_is_ambiguous_not_key_not_found() -> None:
    with pytest.raises(ValidationError) as exc:
        select_jwk({"keys": [RSA1, RSA2]}, {"alg": "RS256"})
    assert not isinstance(exc.value, KeyNotFound)
    assert exc.value.check == "kid"
    assert "ambiguous" in exc.value.message
    assert exc.value.actual == 2


def test_no_kid_and_no_fitting_key_is_key_not_found() -> None:
    with pytest.raises(KeyNotFound) as exc:
        select_jwk({"keys": []}, {"alg": "RS256"})
    assert exc.value.check == "kid"


def test_a_duplicated_kid_is_refused() -> None:
    with pytest.raises(ValidationError, match="share") as exc:
        select_jwk({"keys": [RSA1, {**RSA1, "n": "other"}]}, {"alg": "RS256", "kid": "r1"})
    assert not isinstance(exc.value, KeyNotFound)


def test_non_object_keys_are_skipped() -> None:
    assert select_jwk({"keys": ["junk", 3, None, RSA1]}, {"alg": "RS256"}) == RSA1


@pytest.mark.parametrize("jwks", [{}, {"keys": "x"}, {"keys": {"a": 1}}, [RSA1], None])
def test_a_malformed_jwks_is_refused(jwks: object) -> None:
    with pytest.raises(ValidationError) as exc:
        select_jwk(jwks, {"alg": "RS256"})  # type: ignore[arg-type]
    assert exc.value.check == "jwks"
    assert not isinstance(exc.value, KeyNotFound)


@pytest.mark.parametrize("alg", ["none", "HS256", "RS512", None])
def test_select_jwk_applies_the_alg_policy_too(alg: object) -> None:
    with pytest.raises(ValidationError) as exc:
        select_jwk({"keys": [RSA1, {"kty": "oct", "k": "c2VjcmV0"}]}, {"alg": alg})
    assert exc.value.check == "alg"


# --- jwk_public_fields / webcrypto_params ---------------------------------------------

RSA_PRIVATE = {
    **RSA1,
    "d": "secret",
    "p": "p",
    "q": "q",
    "dp": "1",
    "dq": "2",
    "qi": "3",
    "alg": "RS256",
    "use": "sig",
    "key_ops": ["verify"],
    "ext": True,
}
EC_PRIVATE = {**EC1, "d": "secret"}


def test_public_fields_keep_only_public_key_material() -> None:
    assert jwk_public_fields(RSA_PRIVATE) == {"kty": "RSA", "n": "n1", "e": "AQAB"}
    assert jwk_public_fields(EC_PRIVATE) == {"kty": "EC", "crv": "P-256", "x": "x", "y": "y"}


@pytest.mark.parametrize("kty", ["oct", "OKP", None, 1])
def test_public_fields_refuse_other_key_types(kty: object) -> None:
    with pytest.raises(ValidationError) as exc:
        jwk_public_fields({"kty": kty, "k": "c2VjcmV0"})
    assert exc.value.check == "kty"
    assert "c2VjcmV0" not in str(exc.value)


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "RSA", "e": "AQAB"},
        {"kty": "RSA", "n": "", "e": "AQAB"},
        {"kty": "RSA", "n": 5, "e": "AQAB"},
        {"kty": "EC", "crv": "P-256", "x": "x"},
    ],
)
def test_public_fields_refuse_missing_members(jwk: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as exc:
        jwk_public_fields(jwk)
    assert exc.value.check == "jwk"


def test_webcrypto_params_per_alg() -> None:
    assert webcrypto_params("RS256", RSA1) == (
        {"name": "RSASSA-PKCS1-v1_5", "hash": "SHA-256"},
        {"name": "RSASSA-PKCS1-v1_5"},
    )
    assert webcrypto_params("PS256", RSA1) == (
        {"name": "RSA-PSS", "hash": "SHA-256"},
        {"name": "RSA-PSS", "saltLength": 32},
    )
    assert webcrypto_params("ES256", EC1) == (
        {"name": "ECDSA", "namedCurve": "P-256"},
        {"name": "ECDSA", "hash": "SHA-256"},
    )


@pytest.mark.parametrize(
    ("alg", "jwk"),
    [
        ("ES256", RSA1),
        ("RS256", EC1),
        ("ES256", {**EC1, "crv": "P-521"}),
        ("RS256", {**RSA1, "use": "enc"}),
    ],
)
def test_webcrypto_params_refuse_a_key_that_does_not_fit(alg: str, jwk: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as exc:
        webcrypto_params(alg, jwk)
    assert exc.value.check == "kty"


@pytest.mark.parametrize("alg", ["none", "HS256", "RS384"])
def test_webcrypto_params_refuse_algs(alg: str) -> None:
    with pytest.raises(ValidationError) as exc:
        webcrypto_params(alg, RSA1)
    assert exc.value.check == "alg"
