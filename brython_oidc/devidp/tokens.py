"""Minting the provider's JWTs: RFC 9068 access tokens and OpenID Connect ID tokens."""

from __future__ import annotations

import hashlib
import secrets

from joserfc import jwt

from brython_oidc.core.b64 import b64url_encode

from .config import Client, User
from .keys import KeyRing


def half_hash(value: str, alg: str) -> str:
    """OpenID Connect Core §3.1.3.6 at_hash: left half of the SHA-256 digest, base64url.

    Both RS256 and ES256 use SHA-256.
    """
    if alg not in ("RS256", "ES256"):
        raise ValueError(f"no hash for {alg!r}")
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return b64url_encode(digest[: len(digest) // 2])


class TokenMinter:
    """Signs tokens with the client's algorithm and the key ring's current key."""

    def __init__(self, issuer: str, keys: KeyRing) -> None:
        self.issuer = issuer
        self.keys = keys

    def sign(self, claims: dict[str, object], alg: str, typ: str) -> str:
        key = self.keys.signing_key(alg)
        header = {"alg": alg, "kid": str(key.kid), "typ": typ}
        return jwt.encode(header, claims, key, algorithms=[alg])

    def access_token(
        self,
        *,
        client: Client,
        username: str,
        scope: str,
        now: float,
        ttl: int,
        dpop_jkt: str | None = None,
    ) -> str:
        """RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti (+ scope); typ at+jwt.

        With ``dpop_jkt``, the token is bound to that key: ``cnf.jkt`` (RFC 9449 §6.1).

        ``aud`` is the client's ``api_audience`` (default ``"demo-api"``): the API the
        SPA calls, not the SPA itself — a resource server checks it (RFC 9068 §4).
        """
        iat = int(now)
        claims: dict[str, object] = {
            "iss": self.issuer,
            "sub": username,
            "aud": client.api_audience,
            "client_id": client.client_id,
            "iat": iat,
            "nbf": iat,
            "exp": iat + ttl,
            "jti": secrets.token_urlsafe(16),
            "scope": scope,
        }
        if dpop_jkt is not None:
            claims["cnf"] = {"jkt": dpop_jkt}
        return self.sign(claims, client.id_token_signed_response_alg, "at+jwt")

    def id_token(
        self,
        *,
        client: Client,
        user: User,
        scope: str,
        now: float,
        ttl: int,
        auth_time: int,
        nonce: str | None,
        access_token: str | None,
        sid: str | None,
    ) -> str:
        """OpenID Connect Core §2 / §3.1.3.6: the ID token for ``client``."""
        alg = client.id_token_signed_response_alg
        iat = int(now)
        claims: dict[str, object] = {
            "iss": self.issuer,
            "aud": client.client_id,
            "azp": client.client_id,
            "iat": iat,
            "exp": iat + ttl,
            "auth_time": auth_time,
            "amr": ["pwd"],
        }
        claims.update(user.claims(scope))
        if nonce:
            claims["nonce"] = nonce
        if access_token:
            claims["at_hash"] = half_hash(access_token, alg)
        if sid:
            claims["sid"] = sid
        return self.sign(claims, alg, "JWT")
