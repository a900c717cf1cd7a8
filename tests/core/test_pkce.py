from __future__ import annotations

import hashlib
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brython_oidc.core.pkce import (
    code_challenge_from_digest,
    is_valid_code_verifier,
    make_code_verifier,
    make_nonce,
    make_state,
    s256_code_challenge,
)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


RFC7636_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC7636_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
# RFC 7636 Appendix B: the 32 octets the verifier above encodes.
RFC7636_OCTETS = bytes(
    [116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186,
     22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121]
)  # fmt: skip


def test_rfc7636_appendix_b_vector() -> None:
    assert make_code_verifier(RFC7636_OCTETS) == RFC7636_VERIFIER
    assert s256_code_challenge(RFC7636_VERIFIER, sha256) == RFC7636_CHALLENGE


def test_challenge_from_a_digest_computed_elsewhere() -> None:
    # The browser hashes with crypto.subtle and passes the digest in.
    digest = sha256(RFC7636_VERIFIER.encode())
    assert code_challenge_from_digest(digest) == RFC7636_CHALLENGE


@given(st.binary(min_size=32, max_size=96))
def test_verifiers_are_valid_and_challenges_are_43_chars(data: bytes) -> None:
    verifier = make_code_verifier(data)
    assert 43 <= len(verifier) <= 128
    assert is_valid_code_verifier(verifier)
    assert len(s256_code_challenge(verifier, sha256)) == 43


def test_verifier_length_limits() -> None:
    assert len(make_code_verifier(bytes(32))) == 43
    assert len(make_code_verifier(bytes(96))) == 128
    with pytest.raises(ValueError, match="at least 32"):
        make_code_verifier(bytes(31))
    with pytest.raises(ValueError, match="at most 96"):
        make_code_verifier(bytes(97))


def test_random_input_must_be_bytes() -> None:
    with pytest.raises(TypeError, match="must be bytes"):
        make_code_verifier("x" * 40)  # type: ignore[arg-type]
    assert make_state(bytearray(16)) == "AAAAAAAAAAAAAAAAAAAAAA"


@pytest.mark.parametrize(
    "verifier",
    ["a" * 42, "a" * 129, "a" * 42 + "=", "a" * 42 + " ", "a" * 42 + "é", None, 43],
)
def test_invalid_verifiers_are_refused(verifier: object) -> None:
    assert not is_valid_code_verifier(verifier)
    with pytest.raises(ValueError, match="RFC 7636"):
        s256_code_challenge(verifier, sha256)  # type: ignore[arg-type]


def test_unreserved_punctuation_is_a_valid_verifier() -> None:
    assert is_valid_code_verifier("-._~" * 11)


@pytest.mark.parametrize("size", [0, 31, 33, 64])
def test_digest_must_be_32_bytes(size: int) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        code_challenge_from_digest(bytes(size))


@pytest.mark.parametrize("make", [make_state, make_nonce])
def test_state_and_nonce_carry_at_least_128_bits(make: object) -> None:
    assert callable(make)
    value = make(os.urandom(16))
    assert len(value) == 22  # 128 bits of base64url
    assert make(os.urandom(16)) != value
    with pytest.raises(ValueError, match="at least 16"):
        make(bytes(15))
