from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brython_oidc.core.b64 import b64url_decode, b64url_encode


def reference(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@given(st.binary(max_size=200))
def test_encode_matches_the_standard_library(data: bytes) -> None:
    assert b64url_encode(data) == reference(data)


@given(st.binary(max_size=200))
def test_round_trip(data: bytes) -> None:
    assert b64url_decode(b64url_encode(data)) == data


@pytest.mark.parametrize(
    "text",
    ["QQ==", "Q", "QQ=", "a+b/", "ab c", "QR", "QUF", "AAAAB"],
    ids=[
        "padding",
        "length-4n+1",
        "partial-padding",
        "std-alphabet",
        "space",
        "trailing-bits-2",
        "trailing-bits-3",
        "length-5",
    ],
)
def test_decode_refuses_non_canonical_input(text: str) -> None:
    with pytest.raises(ValueError, match="base64url"):
        b64url_decode(text)


def test_rfc7515_appendix_a1_header() -> None:
    # RFC 7515 Appendix A.1: the JOSE header's encoding.
    encoded = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    assert b64url_decode(encoded) == b'{"typ":"JWT",\r\n "alg":"HS256"}'
    assert b64url_encode(b'{"typ":"JWT",\r\n "alg":"HS256"}') == encoded
