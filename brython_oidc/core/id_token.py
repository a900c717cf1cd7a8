"""ID token claims validation (OpenID Connect Core §3.1.3.7, §12.2) and userinfo ``sub``.

The signature (step 6-8) is checked before this, by ``core.jose`` and a signature port;
this module checks what the verified claims say. Every failure is a
``ValidationError`` naming the claim; token values never go into it. Runs in Brython.
"""

from __future__ import annotations

from brython_oidc.core.b64 import b64url_encode
from brython_oidc.core.errors import ValidationError
from brython_oidc.core.schedule import plausible_times

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

# OIDC Core §2: sub "MUST NOT exceed 255 ASCII characters in length".
_MAX_SUB = 255


def _is_number(value: object) -> bool:
    # RFC 7519 §2 NumericDate; a JSON true/false is not a number.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _string(claims: Mapping[str, object], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str):
        raise ValidationError(
            name, f"the '{name}' claim is missing or not a string", actual=type(value).__name__
        )
    return value


def _number(claims: Mapping[str, object], name: str) -> float:
    value = claims.get(name)
    if not _is_number(value):
        raise ValidationError(
            name, f"the '{name}' claim is missing or not a number", actual=type(value).__name__
        )
    return float(value)  # type: ignore[arg-type]


def _audiences(claims: Mapping[str, object]) -> list[str]:
    """RFC 7519 §4.1.3: ``aud`` is a string or a non-empty list of strings."""
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list) and aud and all(isinstance(a, str) for a in aud):
        return list(aud)
    raise ValidationError("aud", "'aud' must be a string or a list of strings", actual=repr(aud))


def at_hash_from_digest(digest: bytes) -> str:
    """OIDC Core §3.1.3.8: base64url of the left half of the access token's hash.

    For RS256/PS256/ES256 the hash is SHA-256 (the caller computes it).
    """
    return b64url_encode(digest[: len(digest) // 2])


def validate_id_token_claims(
    claims: Mapping[str, object],
    *,
    issuer: str,
    client_id: str,
    nonce: str | None,
    now: float,
    leeway: float,
    clock_jump: float = 0.0,
    max_age: float | None = None,
    previous_claims: Mapping[str, object] | None = None,
    trusted_audiences: tuple[str, ...] = (),
    access_token_hash: str | None = None,
) -> dict[str, object]:
    """Check verified ID token claims; return them as a plain dict.

    ``nonce`` is the transaction's (``None`` on refresh). ``previous_claims`` marks a
    refresh (§12.2). ``trusted_audiences`` lists audiences besides ``client_id`` the
    client accepts (step 3). ``access_token_hash`` is ``at_hash_from_digest(sha256(
    access_token))`` when the caller wants ``at_hash`` checked (§3.1.3.8).

    ``clock_jump`` WIDENS THE TIME CHECKS (steps 9, 10 and 13, and ``nbf``): it is
    the net number of seconds the local wall clock jumped since the page loaded,
    as the page measured against its own monotonic clock (never a value from the
    provider or from a token). The true time then lies in ``plausible_times(now,
    clock_jump)``: ``exp`` and ``auth_time`` are checked against the earliest
    plausible time, ``iat`` and ``nbf`` against the latest, each with ``leeway``.
    ``0.0`` (the default) is the plain §3.1.3.7 check against ``now``.
    """
    if not isinstance(claims, dict):
        raise ValidationError("claims", "the ID token payload is not a JSON object")

    # Step 2: the issuer must match exactly (no normalisation, no trailing-slash games).
    iss = _string(claims, "iss")
    if iss != issuer:
        raise ValidationError(
            "iss", "the ID token's issuer is not ours", expected=issuer, actual=iss
        )

    # Step 3: we must be an audience, and every other audience must be trusted.
    audiences = _audiences(claims)
    if client_id not in audiences:
        raise ValidationError(
            "aud", "the ID token is not for this client", expected=client_id, actual=audiences
        )
    untrusted = [a for a in audiences if a != client_id and a not in trusted_audiences]
    if untrusted:
        raise ValidationError(
            "aud",
            "the ID token has audiences this client does not trust",
            expected=(client_id, *trusted_audiences),
            actual=untrusted,
        )

    # Steps 4-5: azp required with several audiences, and must be us when present.
    if "azp" in claims or len(audiences) > 1:
        azp = _string(claims, "azp")
        if azp != client_id:
            raise ValidationError(
                "azp", "the ID token was issued to another party", expected=client_id, actual=azp
            )

    # §2: sub is required, a string of at most 255 ASCII characters.
    sub = _string(claims, "sub")
    if not sub or len(sub) > _MAX_SUB:
        raise ValidationError("sub", "'sub' must be 1 to 255 characters", actual=len(sub))

    # The "current time" of steps 9-10: now, or a window the page measured itself
    # when its wall clock jumped (see the docstring). Each check takes the lenient end.
    earliest, latest = plausible_times(now, clock_jump)

    # Step 9: the current time must be before exp (with the clock leeway).
    exp = _number(claims, "exp")
    if earliest - leeway >= exp:
        raise ValidationError(
            "exp", "the ID token has expired", expected=f"> {earliest - leeway}", actual=exp
        )

    # Step 10: iat must be present and not in the future.
    iat = _number(claims, "iat")
    if iat > latest + leeway:
        raise ValidationError(
            "iat",
            "the ID token was issued in the future",
            expected=f"<= {latest + leeway}",
            actual=iat,
        )

    # RFC 7519 §4.1.5: not before nbf.
    if "nbf" in claims and _number(claims, "nbf") > latest + leeway:
        raise ValidationError(
            "nbf",
            "the ID token is not valid yet",
            expected=f"<= {latest + leeway}",
            actual=claims["nbf"],
        )

    # Step 11: the nonce sent must come back (values kept out of the error).
    if nonce is not None:
        if "nonce" not in claims:
            raise ValidationError("nonce", "the ID token has no nonce but one was sent")
        if _string(claims, "nonce") != nonce:
            raise ValidationError("nonce", "the ID token's nonce is not the one sent")
    elif "nonce" in claims:
        _string(claims, "nonce")

    # Step 13: with max_age, auth_time is required and must be recent enough.
    if "auth_time" in claims or max_age is not None:
        auth_time = _number(claims, "auth_time")
        if max_age is not None and auth_time + max_age < earliest - leeway:
            raise ValidationError(
                "auth_time",
                "the authentication is older than max_age",
                expected=f">= {earliest - leeway - max_age}",
                actual=auth_time,
            )

    # §3.1.3.8: at_hash, when present and the caller gave the access token's hash.
    if (
        access_token_hash is not None
        and "at_hash" in claims
        and _string(claims, "at_hash") != access_token_hash
    ):
        raise ValidationError("at_hash", "the ID token does not match the access token")

    if previous_claims is not None:
        _check_refresh(claims, previous_claims, iat)
    return dict(claims)


def _check_refresh(
    claims: Mapping[str, object], previous: Mapping[str, object], iat: float
) -> None:
    """OIDC Core §12.2: a refreshed ID token describes the same authentication."""
    for name in ("iss", "sub", "azp"):
        if claims.get(name) != previous.get(name):
            raise ValidationError(
                name,
                f"'{name}' changed on refresh",
                expected=previous.get(name),
                actual=claims.get(name),
            )
    if sorted(_audiences(claims)) != sorted(_audiences(previous)):
        raise ValidationError(
            "aud",
            "'aud' changed on refresh",
            expected=previous.get("aud"),
            actual=claims.get("aud"),
        )
    # auth_time is the original authentication's time, not the refresh's.
    if (
        "auth_time" in claims
        and "auth_time" in previous
        and claims["auth_time"] != previous["auth_time"]
    ):
        raise ValidationError(
            "auth_time",
            "'auth_time' changed on refresh",
            expected=previous["auth_time"],
            actual=claims["auth_time"],
        )
    # A nonce SHOULD be absent; if present it MUST be the original one.
    if "nonce" in claims and claims["nonce"] != previous.get("nonce"):
        raise ValidationError("nonce", "'nonce' changed on refresh")
    # iat is the new token's issue time: an older one is a replayed token.
    previous_iat = previous.get("iat")
    if _is_number(previous_iat) and iat < float(previous_iat):  # type: ignore[arg-type]
        raise ValidationError(
            "iat",
            "the refreshed ID token is older than the previous one",
            expected=f">= {previous_iat}",
            actual=iat,
        )


def validate_userinfo_sub(
    userinfo: Mapping[str, object], id_token_claims: Mapping[str, object]
) -> dict[str, object]:
    """OIDC Core §5.3.4: the userinfo ``sub`` must equal the ID token's, else discard it."""
    if not isinstance(userinfo, dict):
        raise ValidationError("userinfo", "the userinfo response is not a JSON object")
    sub = _string(userinfo, "sub")
    if sub != id_token_claims.get("sub"):
        raise ValidationError(
            "sub",
            "the userinfo 'sub' is not the ID token's",
            expected=id_token_claims.get("sub"),
            actual=sub,
        )
    return dict(userinfo)
