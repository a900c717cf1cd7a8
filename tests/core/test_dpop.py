"""core.dpop: proofs built by core, checked by joserfc (a second JOSE implementation),
and every refusal of check_proof (RFC 9449 §4.3)."""

from __future__ import annotations

import hashlib
import json

import pytest
from joserfc import jws as joserfc_jws
from joserfc.jwk import ECKey, RSAKey
from joserfc.jws import JWSRegistry

from brython_oidc.core.b64 import b64url_encode
from brython_oidc.core.dpop import (
    DPOP_TYP,
    DPoPProof,
    access_token_hash,
    build_proof,
    check_binding,
    check_proof,
    jwk_thumbprint,
    target_uri,
)
from brython_oidc.core.errors import ValidationError
from brython_oidc.core.jose import parse_compact_jws

NOW = 1_800_000_000
URL = "https://api.example.test/notes"
TOKEN = "tok-secret-9"
EC = ECKey.generate_key("P-256", private=True)
RSA = RSAKey.generate_key(2048, private=True)
_REGISTRY = JWSRegistry(algorithms=["ES256", "RS256", "PS256"])


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def signer(key: ECKey | RSAKey, alg: str):  # type: ignore[no-untyped-def]
    return lambda data: _REGISTRY.get_alg(alg).sign(data, key)


def proof(key: ECKey | RSAKey = EC, alg: str = "ES256", **changes: object) -> str:
    fields: dict[str, object] = {
        "alg": alg, "jwk": key.as_dict(private=False), "method": "GET", "url": URL,
        "jti": "jti-1", "iat": NOW, "dump_json": dumps, "sha256": sha256,
    }  # fmt: skip
    fields.update(changes)
    return build_proof(signer(key, alg), **fields)  # type: ignore[arg-type]


def check(token: str, **kwargs: object) -> DPoPProof:
    jws = parse_compact_jws(token, parse_json=json.loads)
    kwargs.setdefault("method", "GET")
    kwargs.setdefault("url", URL)
    kwargs.setdefault("now", NOW)
    return check_proof(jws, sha256=sha256, **kwargs)  # type: ignore[arg-type]


def forged(header: dict[str, object], claims: dict[str, object], key: ECKey = EC) -> str:
    """A proof with any header and claims, properly signed (to reach the later checks)."""
    signing_input = (
        b64url_encode(dumps(header).encode()) + "." + b64url_encode(dumps(claims).encode())
    ).encode()
    return signing_input.decode() + "." + b64url_encode(signer(key, "ES256")(signing_input))


def good_parts() -> tuple[dict[str, object], dict[str, object]]:
    header = {"typ": DPOP_TYP, "alg": "ES256", "jwk": EC.as_dict(private=False)}
    claims = {"jti": "j", "htm": "GET", "htu": URL, "iat": NOW}
    return header, claims


# --- building, checked by joserfc --------------------------------------------------------


@pytest.mark.parametrize(("key", "alg"), [(EC, "ES256"), (RSA, "RS256"), (RSA, "PS256")])
def test_joserfc_verifies_a_proof_core_built(key: ECKey | RSAKey, alg: str) -> None:
    token = proof(key, alg, url=URL + "?q=1#frag", method="post", access_token=TOKEN, nonce="n1")
    public = type(key).import_key(key.as_dict(private=False))
    registry = JWSRegistry(algorithms=[alg])
    registry.max_header_length = 4096  # an RSA jwk header is over joserfc's 512 B default
    obj = joserfc_jws.deserialize_compact(token, public, registry=registry)
    header = obj.headers()
    assert header["typ"] == "dpop+jwt"
    assert header["alg"] == alg
    assert "d" not in header["jwk"]  # §4.2: the public key only
    assert type(key).import_key(header["jwk"]).thumbprint() == key.thumbprint()
    claims = json.loads(obj.payload)
    # §4.2: htu without query and fragment, htm upper case, ath of the token.
    assert claims == {
        "jti": "jti-1", "htm": "POST", "htu": URL, "iat": NOW, "nonce": "n1",
        "ath": b64url_encode(hashlib.sha256(TOKEN.encode()).digest()),
    }  # fmt: skip


def test_thumbprint_matches_rfc7638_example_and_joserfc() -> None:
    # RFC 7638 §3.1's example key and its published thumbprint.
    rfc_key = {
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6t"
        "Soc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-6"
        "5YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLy"
        "rdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJz"
        "KnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29",
    }
    assert jwk_thumbprint(rfc_key, sha256) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    assert jwk_thumbprint(EC.as_dict(private=False), sha256) == EC.thumbprint()
    assert jwk_thumbprint(RSA.as_dict(private=True), sha256) == RSA.thumbprint()


def test_thumbprint_refuses_members_needing_json_escapes() -> None:
    key = dict(EC.as_dict(private=False), x='a"b')
    with pytest.raises(ValidationError) as info:
        jwk_thumbprint(key, sha256)
    assert info.value.check == "jwk"


@pytest.mark.parametrize(
    ("url", "htu"),
    [
        ("HTTPS://API.Example.TEST:443/a?b#c", "https://api.example.test/a"),
        ("http://localhost:80", "http://localhost/"),
        ("http://127.0.0.1:8000/x?y", "http://127.0.0.1:8000/x"),
        ("https://[::1]:8443/p", "https://[::1]:8443/p"),
    ],
)
def test_target_uri_normalises(url: str, htu: str) -> None:
    assert target_uri(url) == htu


@pytest.mark.parametrize("url", ["/relative", "ftp://h/x", "https://u:p@h/x", "https://h:x/"])
def test_target_uri_refuses(url: str) -> None:
    with pytest.raises(ValidationError) as info:
        target_uri(url)
    assert info.value.check == "htu"


# --- checking ---------------------------------------------------------------------------


def test_a_good_proof_passes_and_gives_its_thumbprint() -> None:
    result = check(proof(access_token=TOKEN), access_token=TOKEN)
    assert result.jkt == EC.thumbprint()
    assert result.jti == "jti-1"
    assert "d" not in result.jwk
    # The query of the request does not matter (§4.3 step 9), the method's case neither.
    assert check(proof(), url=URL + "?page=2", method="get").jkt == EC.thumbprint()


def refused(token: str, check_name: str, **kwargs: object) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        check(token, **kwargs)
    assert info.value.check == check_name, info.value
    return info.value


def test_wrong_typ_alg_and_private_key() -> None:
    header, claims = good_parts()
    refused(forged(dict(header, typ="JWT"), claims), "typ")
    refused(forged({k: v for k, v in header.items() if k != "typ"}, claims), "typ")
    refused(forged(dict(header, jwk=EC.as_dict(private=True)), claims), "jwk")
    refused(forged({k: v for k, v in header.items() if k != "jwk"}, claims), "jwk")
    refused(forged(dict(header, jwk="not an object"), claims), "jwk")
    refused(proof(), "alg", algorithms=("RS256",))
    with pytest.raises(ValidationError) as info:  # parse_compact_jws's policy: no HMAC
        check(forged(dict(header, alg="HS256"), claims))
    assert info.value.check == "alg"


def test_htm_htu_mismatches() -> None:
    refused(proof(), "htm", method="POST")
    refused(proof(), "htu", url="https://api.example.test/other")
    refused(proof(), "htu", url="https://evil.example.test/notes")
    refused(proof(), "htu", url="http://api.example.test/notes")
    header, claims = good_parts()
    refused(forged(header, dict(claims, htu=None)), "htu")
    refused(forged(header, dict(claims, htm=3)), "htm")


def test_iat_window() -> None:
    refused(proof(iat=NOW - 301), "iat")
    refused(proof(iat=NOW + 6), "iat")
    assert check(proof(iat=NOW - 299)).iat == NOW - 299
    assert check(proof(iat=NOW - 20), max_age=30).iat == NOW - 20
    refused(proof(iat=NOW - 31), "iat", max_age=30)
    header, claims = good_parts()
    refused(forged(header, dict(claims, iat="now")), "iat")
    refused(forged(header, dict(claims, iat=True)), "iat")


def test_jti_required() -> None:
    header, claims = good_parts()
    refused(forged(header, {k: v for k, v in claims.items() if k != "jti"}), "jti")
    refused(forged(header, dict(claims, jti="x" * 257)), "jti")


def test_nonce() -> None:
    refused(proof(), "nonce", nonce="server-nonce")
    refused(proof(nonce="old"), "nonce", nonce="server-nonce")
    assert check(proof(nonce="server-nonce"), nonce="server-nonce").nonce == "server-nonce"


def test_ath() -> None:
    refused(proof(), "ath", access_token=TOKEN)
    error = refused(proof(access_token="other"), "ath", access_token=TOKEN)
    assert TOKEN not in str(error)  # never a token in a message
    assert access_token_hash(TOKEN, sha256) == b64url_encode(
        hashlib.sha256(TOKEN.encode()).digest()
    )


def test_binding() -> None:
    result = check(proof())
    check_binding({"cnf": {"jkt": EC.thumbprint()}}, result)
    with pytest.raises(ValidationError) as info:
        check_binding({"cnf": {"jkt": RSA.thumbprint()}}, result)
    assert info.value.check == "cnf"
    with pytest.raises(ValidationError):
        check_binding({}, result)
