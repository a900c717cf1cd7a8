"""PKCE (RFC 7636) and the other per-request secrets: ``state`` and ``nonce``.

Randomness and SHA-256 are injected: ``crypto.getRandomValues`` / ``crypto.subtle``
in the browser, ``secrets`` / ``hashlib`` under CPython. Only S256 exists here; the
``plain`` method (RFC 7636 §4.2) offers no protection when the request is seen.
"""

from __future__ import annotations

from brython_oidc.core.b64 import b64url_encode

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

#: RFC 7636 §4.1: unreserved characters only.
_VERIFIER_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
#: RFC 7636 §4.1 recommends 32 octets, giving 43 characters; 96 give the 128 maximum.
MIN_VERIFIER_BYTES = 32
MAX_VERIFIER_BYTES = 96
#: DESIGN.md: state and nonce carry at least 128 bits (RFC 6749 §10.10 asks for
#: guessing odds of at most 2^-128 for values an attacker must not guess).
MIN_SECRET_BYTES = 16


def _random(random_bytes: bytes, minimum: int, what: str) -> bytes:
    if not isinstance(random_bytes, (bytes, bytearray)):
        raise TypeError(f"{what}: random_bytes must be bytes")
    if len(random_bytes) < minimum:
        raise ValueError(f"{what} needs at least {minimum} random bytes, got {len(random_bytes)}")
    return bytes(random_bytes)


def make_code_verifier(random_bytes: bytes) -> str:
    """A ``code_verifier`` (RFC 7636 §4.1) from 32 to 96 random bytes."""
    data = _random(random_bytes, MIN_VERIFIER_BYTES, "code_verifier")
    if len(data) > MAX_VERIFIER_BYTES:
        raise ValueError(f"code_verifier takes at most {MAX_VERIFIER_BYTES} bytes (128 chars)")
    return b64url_encode(data)


def is_valid_code_verifier(code_verifier: object) -> bool:
    """RFC 7636 §4.1: 43 to 128 characters from the unreserved set."""
    return (
        isinstance(code_verifier, str)
        and 43 <= len(code_verifier) <= 128
        # Every character is in the alphabet when strip() leaves nothing: one native
        # call in Brython, where a per-character generator costs ~300 µs here.
        and not code_verifier.strip(_VERIFIER_ALPHABET)
    )


def code_challenge_from_digest(digest: bytes) -> str:
    """RFC 7636 §4.2: ``BASE64URL(SHA256(ASCII(code_verifier)))`` from the digest."""
    if len(digest) != 32:
        raise ValueError(f"a SHA-256 digest is 32 bytes, got {len(digest)}")
    return b64url_encode(bytes(digest))


def s256_code_challenge(code_verifier: str, sha256: Callable[[bytes], bytes]) -> str:
    """The S256 ``code_challenge`` for ``code_verifier`` (RFC 7636 §4.2)."""
    if not is_valid_code_verifier(code_verifier):
        raise ValueError("code_verifier must be 43-128 unreserved characters (RFC 7636 §4.1)")
    return code_challenge_from_digest(sha256(code_verifier.encode("ascii")))


def make_state(random_bytes: bytes) -> str:
    """An unguessable ``state`` (RFC 6749 §10.12 CSRF protection)."""
    return b64url_encode(_random(random_bytes, MIN_SECRET_BYTES, "state"))


def make_nonce(random_bytes: bytes) -> str:
    """An unguessable ``nonce`` (OpenID Connect Core §3.1.2.1, §15.5.2 replay)."""
    return b64url_encode(_random(random_bytes, MIN_SECRET_BYTES, "nonce"))
