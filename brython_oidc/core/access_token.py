"""JWT access token checks for a resource server (RFC 9068 §2.1, §2.2, §4).

The signature is checked before this, by ``core.jose`` and a signature port (the
CPython one is ``server.signature``); this module checks the header's ``typ`` and
what the verified claims say. Every failure is a ``ValidationError`` naming the
check; token values never go into it. Pure and Brython-safe, like ``core.id_token``.
"""

from __future__ import annotations

from brython_oidc.core.errors import ValidationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

#: RFC 9068 §2.1 / §4: the media type of a JWT access token (``application/`` optional).
ACCESS_TOKEN_TYP = "at+jwt"  # noqa: S105 - a media type, not a secret

#: RFC 9068 §2.2: the claims a JWT access token MUST carry.
REQUIRED_CLAIMS = ("iss", "exp", "aud", "sub", "client_id", "iat", "jti")


def _numeric_date(claims: Mapping[str, object], name: str) -> float:
    """RFC 7519 §2 NumericDate: a finite JSON number (not a bool, NaN or Infinity)."""
    value = claims.get(name)
    # x - x is 0 for finite numbers, NaN for NaN and +-Infinity: one cheap test.
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value - value != 0:
        raise ValidationError(
            name, f"'{name}' must be a finite number", actual=type(value).__name__
        )
    return float(value)


def _string(claims: Mapping[str, object], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not value:
        raise ValidationError(
            name, f"'{name}' must be a non-empty string", actual=type(value).__name__
        )
    return value


def check_access_token_typ(header: Mapping[str, object], required: str | None) -> None:
    """RFC 9068 §4: the header ``typ`` is ``at+jwt`` or ``application/at+jwt``.

    The comparison is case-insensitive (RFC 7515 §4.1.9 media types). ``required``
    ``None`` skips the check, for providers whose access tokens are plain JWTs.
    """
    if required is None:
        return
    typ = header.get("typ")
    if not isinstance(typ, str):
        raise ValidationError(
            "typ", "the header has no string 'typ'", expected=required, actual=repr(typ)
        )
    lowered = typ.lower()
    if lowered.startswith("application/"):
        lowered = lowered[len("application/") :]
    if lowered != required:
        raise ValidationError("typ", "wrong token type", expected=required, actual=typ)


def validate_access_token_claims(
    claims: Mapping[str, object],
    *,
    issuer: str,
    audience: str,
    now: float,
    leeway: float,
    required: tuple[str, ...] = REQUIRED_CLAIMS,
) -> dict[str, object]:
    """Check verified access token claims (RFC 9068 §2.2, §4); return them as a dict.

    ``required`` lists the claims that must be present: RFC 9068 §2.2's by default.
    A provider whose access tokens are not RFC 9068 tokens (Entra ID has no
    ``client_id`` or ``jti``) may need fewer; ``iss``, ``aud`` and ``exp`` are always
    required, since nothing else says whom and until when the token is for.
    """
    if not isinstance(claims, dict):
        raise ValidationError("claims", "the access token payload is not a JSON object")
    for name in required:
        if name not in claims:
            raise ValidationError(name, f"the '{name}' claim is missing (RFC 9068 §2.2)")
    # RFC 9068 §4 step 3: iss must be exactly the expected issuer.
    iss = _string(claims, "iss")
    if iss != issuer:
        raise ValidationError("iss", "wrong issuer", expected=issuer, actual=iss)
    # RFC 9068 §4 step 4 / RFC 7519 §4.1.3: aud is a string or a list of strings and
    # must name this resource server.
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud
    if not isinstance(audiences, list):
        raise ValidationError("aud", "'aud' must be a string or a list", actual=repr(aud))
    found = False
    for item in audiences:
        if not isinstance(item, str):
            raise ValidationError("aud", "'aud' must hold only strings", actual=repr(item))
        if item == audience:
            found = True
    if not found:
        raise ValidationError("aud", "wrong audience", expected=audience, actual=audiences)
    # RFC 9068 §2.2: sub, client_id and jti are strings (REQUIRED unless ``required`` says not).
    for name in ("sub", "client_id", "jti"):
        if name in claims:
            _string(claims, name)
    # RFC 9068 §2.2.3 / RFC 8693 §4.2: scope, when present, is a space-separated string.
    if "scope" in claims and not isinstance(claims["scope"], str):
        raise ValidationError(
            "scope", "'scope' must be a string", actual=type(claims["scope"]).__name__
        )
    # RFC 9068 §4 step 5 / RFC 7519 §4.1.4: the current time is before exp.
    exp = _numeric_date(claims, "exp")
    if now - leeway >= exp:
        raise ValidationError("exp", "token expired", expected=f"> {now - leeway}", actual=exp)
    # RFC 9068 §2.2: iat is a NumericDate; one from the future is not yet issued.
    if "iat" in claims:
        iat = _numeric_date(claims, "iat")
        if iat > now + leeway:
            raise ValidationError(
                "iat", "token issued in the future", expected=f"<= {now + leeway}", actual=iat
            )
    # RFC 7519 §4.1.5: nbf is optional, and a NumericDate when present.
    if "nbf" in claims:
        nbf = _numeric_date(claims, "nbf")
        if now + leeway < nbf:
            raise ValidationError(
                "nbf", "token not yet valid", expected=f"<= {now + leeway}", actual=nbf
            )
    return dict(claims)
