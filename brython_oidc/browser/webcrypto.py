"""WebCrypto for core/: random bytes, SHA-256 and JWS signature verification.

Brython does not turn ``bytes`` into typed arrays, so every crossing into
``crypto`` goes through ``to_uint8`` / ``from_buffer`` explicitly.
"""

from __future__ import annotations

from browser import window

from .jsjson import to_js

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any


# Bytes cross as latin-1 text (one character per byte, both ways native loops in
# Brython): a Python list of ints per byte cost ~5 ms on the callback page.
# (from_buffer serves digests and random bytes: a few dozen bytes, far below the
# argument count String.fromCharCode.apply accepts.)
_js_latin1_to_uint8 = window.Function.new("s", "return Uint8Array.from(s, (c) => c.charCodeAt(0))")
_js_buffer_to_latin1 = window.Function.new(
    "b", "return String.fromCharCode.apply(null, new Uint8Array(b))"
)


def to_uint8(data: bytes) -> object:
    """A ``Uint8Array`` holding ``data``."""
    return _js_latin1_to_uint8(data.decode("latin-1"))


def from_buffer(buffer: object) -> bytes:
    """The bytes of an ``ArrayBuffer`` or typed array."""
    text: str = _js_buffer_to_latin1(buffer)
    return text.encode("latin-1")


# RFC 7515 §2 base64url (no padding), decoded by atob after the checks core.b64 makes:
# the alphabet, no 4n+1 length, zero trailing bits (atob itself would accept those).
# The pure-Python decoder costs about 90 µs a character in Brython.
_js_b64url_to_binary = window.Function.new(
    "s",
    'if (typeof s !== "string" || s.length % 4 === 1 || !/^[A-Za-z0-9_-]*$/.test(s)) return false;'
    "var rest = s.length % 4;"
    'if (rest && "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"'
    ".indexOf(s[s.length - 1]) & (rest === 2 ? 15 : 3)) return false;"
    'return atob(s.replace(/-/g, "+").replace(/_/g, "/"))',
)


def b64url_decode(text: str) -> bytes:
    """``core.b64.b64url_decode`` done by ``atob``: same results, same refusals.

    Injected into ``core.jose.parse_compact_jws``; tests/browser checks it against
    the core decoder on valid and invalid input.
    """
    binary = _js_b64url_to_binary(text)
    if not isinstance(binary, str):
        raise ValueError("base64url: not canonical unpadded base64url (RFC 7515 §2)")
    return binary.encode("latin-1")


def random_bytes(n: int) -> bytes:
    """``n`` bytes from ``crypto.getRandomValues`` (DESIGN: the only randomness source)."""
    array = window.Uint8Array.new(n)
    window.crypto.getRandomValues(array)
    return bytes(list(array))


def _subtle() -> Any:
    # crypto.subtle exists only in a secure context (https, or http://localhost).
    subtle = getattr(window.crypto, "subtle", None)
    if not subtle:
        raise RuntimeError("crypto.subtle is missing: serve the app over https or from localhost")
    return subtle


async def sha256(data: bytes) -> bytes:
    """SHA-256 of ``data`` (for the PKCE S256 code_challenge, RFC 7636 §4.2)."""
    digest = await _subtle().digest("SHA-256", to_uint8(data))
    return from_buffer(digest)


async def verify(
    alg: str, jwk: Mapping[str, object], signing_input: bytes, signature: bytes
) -> bool:
    """Verify a JWS signature (RFC 7515 §5.2) with the provider's public ``jwk``.

    ``alg`` must already have been checked against ``core.jose.ALLOWED_ALGS``;
    ``webcrypto_params`` refuses anything else. A key WebCrypto cannot import
    is a failed verification, never an exception that could be mistaken for success.
    """
    # Imported here: a logged-out page never pays for the JOSE module.
    from brython_oidc.core.jose import webcrypto_params

    import_params, verify_params = webcrypto_params(alg, jwk)
    subtle = _subtle()
    try:
        key = await subtle.importKey(
            "jwk", to_js(dict(jwk)), to_js(import_params), False, ["verify"]
        )
        ok = await subtle.verify(
            to_js(verify_params), key, to_uint8(signature), to_uint8(signing_input)
        )
    except Exception:
        return False
    else:
        # In else, not after the try: read after it, ``ok`` would be looked up in
        # whichever coroutine's frame is on top (tests/server/test_brython_frame_rule.py).
        return ok is True
