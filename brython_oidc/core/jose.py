"""Compact JWS parsing, the algorithm policy and JWK selection (RFC 7515, 7517, 7518).

Only parsing and policy live here; the signature itself is checked by a port:
``brython_oidc.server.signature.verify`` under CPython, WebCrypto in the browser
(``webcrypto_params`` says how to call it). This module runs in Brython: built-ins
and ``core`` only.
"""

from __future__ import annotations

from brython_oidc.core.b64 import b64url_decode as _b64url_decode
from brython_oidc.core.errors import ValidationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

#: The only algorithms accepted (OIDC Core §3.1.3.7 steps 7-8, RFC 7518 §3.1).
ALLOWED_ALGS = ("RS256", "PS256", "ES256")

#: A compact JWS longer than this is refused before any decoding: ID tokens are a few
#: KB, and a huge one is an attack on the parser.
DEFAULT_MAX_LENGTH = 16 * 1024

# The key type (RFC 7518 §6.1) each allowed alg needs.
_KTY = {"RS256": "RSA", "PS256": "RSA", "ES256": "EC"}

# RFC 7517 §4.2/§4.3: a key meant only for encryption must not verify signatures.
_SIG_USES = (None, "sig")


class KeyNotFound(ValidationError):
    """No JWK in the set fits the token: fetch the JWKS again once (key rotation)."""


class CompactJWS:
    """A parsed, not yet verified, compact JWS (RFC 7515 §7.1)."""

    __slots__ = ("claims", "header", "signature", "signing_input")

    def __init__(
        self,
        header: dict[str, object],
        claims: dict[str, object],
        signing_input: bytes,
        signature: bytes,
    ) -> None:
        self.header = header
        self.claims = claims
        self.signing_input = signing_input
        self.signature = signature

    def __repr__(self) -> str:
        # The signing input is the token itself: never shown.
        alg = self.header.get("alg")
        kid = self.header.get("kid")
        return f"CompactJWS(alg={alg!r}, kid={kid!r}, token=<redacted>)"


def check_alg(alg: object) -> str:
    """Apply the algorithm policy to a header's ``alg``; return it if allowed.

    ``none`` (RFC 7518 §3.6) and HMAC (a public client has no shared secret, and an
    HS* token checked against a public key is the classic alg-confusion attack) are
    refused, as is anything not in ``ALLOWED_ALGS`` (OIDC Core §3.1.3.7 steps 7-8).
    """
    if not isinstance(alg, str):
        raise ValidationError("alg", "the JOSE header has no string 'alg'", actual=repr(alg))
    if alg.lower() == "none":
        raise ValidationError(
            "alg",
            "REFUSED an unsigned token (alg 'none'): anyone could have written it",
            expected=ALLOWED_ALGS,
            actual=alg,
        )
    if alg.upper().startswith("HS"):
        raise ValidationError(
            "alg",
            f"REFUSED an HMAC-signed token ({alg}): a public client holds no shared "
            "secret, and accepting it would allow forging tokens with the public key",
            expected=ALLOWED_ALGS,
            actual=alg,
        )
    if alg not in ALLOWED_ALGS:
        raise ValidationError(
            "alg", f"REFUSED algorithm {alg!r}: not allowed", expected=ALLOWED_ALGS, actual=alg
        )
    return alg


def _decode_segment(segment: str, what: str, b64url_decode: Callable[[str], bytes]) -> bytes:
    try:
        return b64url_decode(segment)
    except ValueError:
        raise ValidationError("jwt", f"the {what} is not canonical base64url") from None


def _parse_object(raw: bytes, what: str, parse_json: Callable[[str], object]) -> dict[str, object]:
    try:
        text = raw.decode("utf-8")
    except ValueError:
        raise ValidationError("jwt", f"the {what} is not UTF-8") from None
    try:
        value = parse_json(text)
    except Exception:
        raise ValidationError("jwt", f"the {what} is not JSON") from None
    # RFC 7515 §5.2 steps 3 and 8 / RFC 7519 §7.2 step 10: both must be JSON objects.
    if not isinstance(value, dict):
        raise ValidationError("jwt", f"the {what} is not a JSON object")
    return value


def _check_crit(header: Mapping[str, object], understood: tuple[str, ...]) -> None:
    """RFC 7515 §4.1.11: refuse any critical extension this client does not implement."""
    if "crit" not in header:
        return
    crit = header["crit"]
    if not isinstance(crit, list) or not all(isinstance(name, str) for name in crit):
        raise ValidationError("crit", "'crit' must be a list of header names")
    unknown = [name for name in crit if name not in understood]
    if unknown:
        raise ValidationError(
            "crit",
            "the token needs header extensions this client does not implement",
            expected=understood,
            actual=unknown,
        )
    missing = [name for name in crit if name not in header]
    if missing:
        raise ValidationError("crit", "'crit' names header members that are absent", actual=missing)


def parse_compact_jws(
    token: str,
    *,
    parse_json: Callable[[str], object],
    max_length: int = DEFAULT_MAX_LENGTH,
    understood_crit: tuple[str, ...] = (),
    b64url_decode: Callable[[str], bytes] = _b64url_decode,
) -> CompactJWS:
    """Split and decode a compact JWS (RFC 7515 §5.2) and apply the alg policy.

    ``b64url_decode`` is injected like ``parse_json``: the browser passes one backed by
    ``atob`` (the pure-Python loop is ~50x slower in Brython). It must refuse what
    ``core.b64.b64url_decode`` refuses, with ``ValueError``.

    Raises ``ValidationError`` check ``"jwt"`` when malformed, ``"alg"`` for a refused
    algorithm, ``"crit"`` for an unknown critical extension, ``"kid"`` for a non-string
    ``kid``. The signature is NOT checked here.
    """
    if not isinstance(token, str):
        raise ValidationError("jwt", "the token is not a string", actual=type(token).__name__)
    if len(token) > max_length:
        raise ValidationError(
            "jwt", "the token is too long", expected=max_length, actual=len(token)
        )
    parts = token.split(".")
    if len(parts) != 3:
        # Five segments would be a JWE (RFC 7516 §7.1): encrypted ID tokens are not supported.
        raise ValidationError(
            "jwt", "a compact JWS has three segments", expected=3, actual=len(parts)
        )
    header = _parse_object(_decode_segment(parts[0], "header", b64url_decode), "header", parse_json)
    check_alg(header.get("alg"))
    _check_crit(header, understood_crit)
    if "kid" in header and not isinstance(header["kid"], str):
        raise ValidationError("kid", "'kid' must be a string", actual=repr(header["kid"]))
    # Keys named in the token itself (jku, jwk, x5u, x5c) are never used: the key
    # comes only from the provider's JWKS (OIDC Core §10.1.1).
    claims = _parse_object(
        _decode_segment(parts[1], "payload", b64url_decode), "payload", parse_json
    )
    signature = _decode_segment(parts[2], "signature", b64url_decode)
    if not signature:
        raise ValidationError("jwt", "the signature is empty")
    signing_input = (parts[0] + "." + parts[1]).encode("ascii")
    return CompactJWS(header, claims, signing_input, signature)


def _fits(jwk: object, alg: str) -> bool:
    """Whether a JWK may verify an ``alg`` signature (RFC 7517 §4.1-4.4)."""
    if not isinstance(jwk, dict):
        return False
    if jwk.get("kty") != _KTY[alg]:
        return False
    if jwk.get("use") not in _SIG_USES:
        return False
    if jwk.get("alg") not in (None, alg):
        return False
    key_ops = jwk.get("key_ops")
    if key_ops is not None and (not isinstance(key_ops, list) or "verify" not in key_ops):
        return False
    # RFC 7518 §3.4: ES256 is ECDSA with P-256 only.
    return alg != "ES256" or jwk.get("crv") == "P-256"


def select_jwk(jwks: Mapping[str, object], header: Mapping[str, object]) -> dict[str, object]:
    """Choose the key that verifies a token with this header (OIDC Core §10.1.1).

    With a ``kid``: the one fitting key with that ``kid``. Without: the only fitting
    key, if there is exactly one. ``KeyNotFound`` (check ``"kid"``) means "fetch the
    JWKS once more, the provider may have rotated"; a plain ``ValidationError`` means
    the choice is ambiguous or the set is malformed.
    """
    alg = check_alg(header.get("alg"))
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list):
        raise ValidationError("jwks", "the JWK Set has no 'keys' list (RFC 7517 §5.1)")
    fitting = [key for key in keys if _fits(key, alg)]
    kid = header.get("kid")
    if kid is None:
        if len(fitting) == 1:
            return dict(fitting[0])
        if not fitting:
            raise KeyNotFound("kid", f"the JWK Set has no key for {alg}", expected=alg)
        raise ValidationError(
            "kid",
            "the token has no 'kid' and several keys fit: which one is ambiguous",
            actual=len(fitting),
        )
    matches = [key for key in fitting if key.get("kid") == kid]
    if not matches:
        raise KeyNotFound(
            "kid",
            f"no {alg} key with this 'kid' in the JWK Set",
            expected=kid,
            actual=[key.get("kid") for key in fitting],
        )
    if len(matches) > 1:
        # RFC 7517 §4.5: distinct keys of one type SHOULD have distinct kids.
        raise ValidationError("kid", "several keys share this 'kid'", actual=kid)
    return dict(matches[0])


# Public members per key type (RFC 7518 §6.2.1, §6.3.1): private ones ("d", "p", ...)
# must never reach importKey, and "alg"/"use"/"key_ops" would only make it stricter.
_PUBLIC_MEMBERS = {"RSA": ("kty", "n", "e"), "EC": ("kty", "crv", "x", "y")}


def jwk_public_fields(jwk: Mapping[str, object]) -> dict[str, str]:
    """The public key material of an RSA or EC JWK, and nothing else."""
    kty = jwk.get("kty")
    members = _PUBLIC_MEMBERS.get(kty) if isinstance(kty, str) else None
    if members is None:
        raise ValidationError("kty", "only RSA and EC keys are supported", actual=repr(kty))
    out: dict[str, str] = {}
    for name in members:
        value = jwk.get(name)
        if not isinstance(value, str) or not value:
            raise ValidationError("jwk", f"the {kty} key has no string {name!r}")
        out[name] = value
    return out


def webcrypto_params(
    alg: str, jwk: Mapping[str, object]
) -> tuple[dict[str, object], dict[str, object]]:
    """``(importKey algorithm, verify algorithm)`` for WebCrypto (W3C Web Crypto API).

    RS256 is RSASSA-PKCS1-v1_5 with SHA-256; PS256 is RSA-PSS with SHA-256 and a
    32-byte salt (RFC 7518 §3.5: salt = hash size); ES256 is ECDSA P-256 with
    SHA-256, whose raw r||s signature WebCrypto takes as is (RFC 7518 §3.4).
    """
    check_alg(alg)
    if not _fits(dict(jwk), alg):
        raise ValidationError(
            "kty", f"this key cannot verify {alg}", expected=_KTY[alg], actual=jwk.get("kty")
        )
    if alg == "RS256":
        return (
            {"name": "RSASSA-PKCS1-v1_5", "hash": "SHA-256"},
            {"name": "RSASSA-PKCS1-v1_5"},
        )
    if alg == "PS256":
        return ({"name": "RSA-PSS", "hash": "SHA-256"}, {"name": "RSA-PSS", "saltLength": 32})
    return ({"name": "ECDSA", "namedCurve": "P-256"}, {"name": "ECDSA", "hash": "SHA-256"})
