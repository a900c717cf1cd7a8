"""One signature vector set for every port of ``verify(alg, jwk, signing_input, signature)``.

Generated at test time with joserfc (RSA 2048, EC P-256): good RS256/PS256/ES256
signatures and the ways a signature can be wrong. The CPython port
(``brython_oidc.server.signature``) and the browser's WebCrypto port must give the
same answer for each. Self-contained: import ``make_vectors`` (or ``vectors_as_json``
to hand them to a page). Keys are made once per process, so one run sees one set.
"""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from typing import NamedTuple

from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from joserfc import jws
from joserfc.jwk import ECKey, RSAKey

Key = RSAKey | ECKey

ALGS = ("RS256", "PS256", "ES256")


class Vector(NamedTuple):
    name: str
    alg: str
    jwk: dict[str, object]  # public members only, plus kid/alg/use as a JWKS has them
    signing_input: bytes
    signature: bytes
    expected: bool


@lru_cache(maxsize=1)
def keys() -> dict[str, tuple[Key, Key]]:
    """Per alg: (signing key, another key of the same type)."""
    rsa = RSAKey.generate_key(2048, private=True)
    rsa_other = RSAKey.generate_key(2048, private=True)
    ec = ECKey.generate_key("P-256", private=True)
    ec_other = ECKey.generate_key("P-256", private=True)
    return {"RS256": (rsa, rsa_other), "PS256": (rsa, rsa_other), "ES256": (ec, ec_other)}


def public_jwk(key: Key, alg: str, kid: str) -> dict[str, object]:
    out: dict[str, object] = dict(key.as_dict(private=False))
    out.update({"kid": kid, "alg": alg, "use": "sig"})
    return out


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(alg: str, key: Key, claims: dict[str, object], kid: str = "k1") -> str:
    """A compact JWS of ``claims``, signed with joserfc."""
    header = {"alg": alg, "kid": kid, "typ": "JWT"}
    return jws.serialize_compact(header, json.dumps(claims).encode(), key, algorithms=[alg])


def split(token: str) -> tuple[bytes, bytes]:
    head, payload, sig = token.split(".")
    return f"{head}.{payload}".encode(), unb64url(sig)


def flip_byte(data: bytes, index: int) -> bytes:
    changed = bytearray(data)
    changed[index] ^= 0x01
    return bytes(changed)


def make_vectors() -> list[Vector]:
    """Every vector, named ``<case>-<alg>``; ``expected`` is what verify must return."""
    out: list[Vector] = []
    claims = {"iss": "https://op.example", "sub": "alice", "aud": "demo-spa"}
    sigs: dict[str, tuple[bytes, bytes]] = {}
    for alg in ALGS:
        key, other = keys()[alg]
        jwk = public_jwk(key, alg, "k1")
        signing_input, signature = split(sign(alg, key, claims))
        sigs[alg] = (signing_input, signature)
        head = signing_input.split(b".")[0]
        tampered_payload = head + b"." + b64url(b'{"sub":"mallory"}').encode()
        out += [
            Vector(f"good-{alg}", alg, jwk, signing_input, signature, True),
            Vector(f"tampered-payload-{alg}", alg, jwk, tampered_payload, signature, False),
            Vector(
                f"tampered-input-byte-{alg}",
                alg,
                jwk,
                flip_byte(signing_input, 5),
                signature,
                False,
            ),
            Vector(
                f"tampered-signature-{alg}",
                alg,
                jwk,
                signing_input,
                flip_byte(signature, len(signature) // 2),
                False,
            ),
            Vector(
                f"wrong-key-{alg}",
                alg,
                public_jwk(other, alg, "k2"),
                signing_input,
                signature,
                False,
            ),
            Vector(f"truncated-signature-{alg}", alg, jwk, signing_input, signature[:-1], False),
            Vector(f"empty-signature-{alg}", alg, jwk, signing_input, b"", False),
        ]
    # A signature made with the other RSA padding must not pass as this one.
    for alg, made_by in (("RS256", "PS256"), ("PS256", "RS256")):
        key, _ = keys()[alg]
        jwk = public_jwk(key, alg, "k1")
        signing_input, signature = sigs[made_by]
        out.append(
            Vector(f"signature-from-{made_by}-as-{alg}", alg, jwk, signing_input, signature, False)
        )
    # JWS ES256 signatures are raw r||s (RFC 7518 §3.4); the DER form must be refused.
    signing_input, raw = sigs["ES256"]
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    ec_jwk = public_jwk(keys()["ES256"][0], "ES256", "k1")
    out.append(Vector("der-signature-ES256", "ES256", ec_jwk, signing_input, der, False))
    return out


def vector_to_json(vector: Vector) -> dict[str, object]:
    """A JSON-safe form (bytes as base64url) for running the vector in a page."""
    return {
        "name": vector.name,
        "alg": vector.alg,
        "jwk": vector.jwk,
        "signing_input": b64url(vector.signing_input),
        "signature": b64url(vector.signature),
        "expected": vector.expected,
    }


def vectors_as_json(vectors: list[Vector] | None = None) -> str:
    """The vectors as JSON text (``make_vectors()`` when none are given)."""
    chosen = make_vectors() if vectors is None else vectors
    return json.dumps([vector_to_json(v) for v in chosen])
