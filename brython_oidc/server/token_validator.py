"""Offline validation of bearer access tokens for the app's own API (a resource server).

RFC 9068 §4 (JWT access tokens), RFC 7519 §4.1 (registered claims), RFC 8725
(JWT best practices: algorithm allow-list, no ``none``, no HMAC with public keys).
Signatures are checked by joserfc against the provider's JWKS, cached; an unknown
``kid`` refetches the JWKS at most once per ``refetch_interval`` (key rotation,
OpenID Connect Core §10.1.1), and the cached keys keep working while the JWKS
endpoint is down.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import httpx
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from brython_oidc.core.errors import ValidationError

#: RFC 8725 §3.1: asymmetric algorithms only; ``none`` and ``HS*`` are never accepted.
DEFAULT_ALGORITHMS = ("RS256", "PS256", "ES256")
_FORBIDDEN = frozenset({"none", "HS256", "HS384", "HS512"})
_MAX_TOKEN_LENGTH = 16_384


class TokenValidationError(ValidationError):
    """The bearer token was refused; ``reason`` is safe to show (never the token)."""

    code = "invalid_token"

    def __init__(self, check: str, reason: str, *, expected: object = None, actual: object = None):
        super().__init__(check, reason, expected=expected, actual=actual)
        self.reason = reason


class MalformedToken(TokenValidationError):
    """Not a compact JWS / JSON claims (RFC 7515 §7.1)."""


class AlgorithmNotAllowed(TokenValidationError):
    """``alg`` outside the allow-list (RFC 8725 §3.1)."""


class InvalidSignature(TokenValidationError):
    """The signature does not verify with the key the header names."""


class UnknownKey(TokenValidationError):
    """No JWKS key has the token's ``kid``, even after a refetch."""


class JWKSUnavailable(TokenValidationError):
    """The JWKS could not be fetched and nothing is cached (cold cache)."""


class ClaimInvalid(TokenValidationError):
    """iss, aud, exp, nbf or typ is wrong (RFC 9068 §4)."""


class JWKSCache:
    """The provider's JWKS: fetched lazily, refetched on an unknown kid, rate-limited."""

    def __init__(
        self,
        jwks_uri: str,
        *,
        http_get: Callable[[str], Any],
        clock: Callable[[], float],
        refetch_interval: float = 60.0,
    ) -> None:
        self.jwks_uri = jwks_uri
        self._http_get = http_get
        self._clock = clock
        self.refetch_interval = refetch_interval
        self._lock = threading.Lock()
        self._keys: KeySet | None = None
        self._fetched_at: float | None = None
        self.fetch_count = 0

    def key_set(self, kid: str | None) -> KeySet:
        """Keys that may hold ``kid``; refetches (rate-limited) when it is missing."""
        with self._lock:
            if self._keys is not None and (kid is None or _has_kid(self._keys, kid)):
                return self._keys
            due = self._fetched_at is None or (
                self._clock() - self._fetched_at >= self.refetch_interval
            )
            if due:
                self._fetch()
            if self._keys is None:
                raise JWKSUnavailable("jwks", "the JWKS has never been fetched successfully")
            return self._keys

    def _fetch(self) -> None:
        self._fetched_at = self._clock()
        self.fetch_count += 1
        try:
            response = self._http_get(self.jwks_uri)
            if response.status_code != 200:
                return  # keep what is cached (provider outage)
            self._keys = KeySet.import_key_set(response.json())
        except (httpx.HTTPError, ValueError, JoseError):
            return  # keep what is cached; a cold cache is reported by the caller


def _has_kid(keys: KeySet, kid: str) -> bool:
    return any(key.kid == kid for key in keys.keys)


class TokenValidator:
    """Validates an RFC 9068 access token; returns its claims or raises TokenValidationError."""

    def __init__(
        self,
        issuer: str,
        audience: str,
        *,
        jwks_uri: str | None = None,
        algorithms: Iterable[str] = DEFAULT_ALGORITHMS,
        leeway: float = 60.0,
        required_typ: str | None = "at+jwt",
        clock: Callable[[], float] = time.time,
        http_client: httpx.Client | None = None,
        refetch_interval: float = 60.0,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.algorithms = tuple(algorithms)
        bad = _FORBIDDEN.intersection(self.algorithms)
        if bad:
            raise ValueError(f"algorithms {sorted(bad)} are never safe for access tokens")
        self.leeway = leeway
        self.required_typ = required_typ
        self.clock = clock
        self._http = http_client or httpx.Client(timeout=10.0)
        self._jwks_uri = jwks_uri
        self._refetch_interval = refetch_interval
        self._jwks: JWKSCache | None = None

    @property
    def jwks(self) -> JWKSCache:
        if self._jwks is None:
            uri = self._jwks_uri or self._discover_jwks_uri()
            self._jwks = JWKSCache(
                uri, http_get=self._http.get, clock=self.clock,
                refetch_interval=self._refetch_interval,
            )  # fmt: skip
        return self._jwks

    def _discover_jwks_uri(self) -> str:
        url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            doc = self._http.get(url).json()
        except (httpx.HTTPError, ValueError) as exc:
            raise JWKSUnavailable("discovery", f"cannot read {url}") from exc
        # OpenID Connect Discovery §4.3: the document's issuer must be ours.
        if not isinstance(doc, dict) or doc.get("issuer") != self.issuer:
            raise JWKSUnavailable("discovery", "discovery issuer does not match")
        return str(doc["jwks_uri"])

    def validate(self, token: str) -> dict[str, Any]:
        header = self._header(token)
        keys = self.jwks.key_set(header.get("kid"))
        if header.get("kid") is not None and not _has_kid(keys, str(header["kid"])):
            raise UnknownKey("kid", "no JWKS key has this kid", actual=header.get("kid"))
        try:
            obj = jws.deserialize_compact(token, keys, algorithms=[header["alg"]])
        except JoseError as exc:
            raise InvalidSignature("signature", "signature does not verify") from exc
        try:
            claims = json.loads(obj.payload)
        except ValueError as exc:
            raise MalformedToken("jwt", "claims are not JSON") from exc
        if not isinstance(claims, dict):
            raise MalformedToken("jwt", "claims are not a JSON object")
        self._check_claims(claims)
        return claims

    def _header(self, token: str) -> Mapping[str, Any]:
        if not isinstance(token, str) or len(token) > _MAX_TOKEN_LENGTH or token.count(".") != 2:
            raise MalformedToken("jwt", "not a compact JWS")
        try:
            header = jws.extract_compact(token.encode("ascii")).headers()
        except (JoseError, ValueError, UnicodeError) as exc:
            raise MalformedToken("jwt", "header is not valid base64url JSON") from exc
        alg = header.get("alg")
        # RFC 8725 §3.1 / §2.1: the allow-list, before any key is touched.
        if alg not in self.algorithms:
            raise AlgorithmNotAllowed(
                "alg", "algorithm not allowed", expected=self.algorithms, actual=alg
            )
        # RFC 9068 §4: typ must be at+jwt (or application/at+jwt) when required.
        if self.required_typ is not None:
            typ = str(header.get("typ", "")).lower().removeprefix("application/")
            if typ != self.required_typ:
                raise ClaimInvalid(
                    "typ", "wrong token type", expected=self.required_typ, actual=typ
                )
        return header

    def _check_claims(self, claims: Mapping[str, Any]) -> None:
        now = self.clock()
        if claims.get("iss") != self.issuer:  # RFC 9068 §4 step 3
            raise ClaimInvalid(
                "iss", "wrong issuer", expected=self.issuer, actual=claims.get("iss")
            )
        aud = claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if self.audience not in audiences:  # RFC 9068 §4 step 4
            raise ClaimInvalid("aud", "wrong audience", expected=self.audience, actual=aud)
        exp = claims.get("exp")
        if not isinstance(exp, int | float):  # RFC 9068 §2.2: exp is REQUIRED
            raise ClaimInvalid("exp", "missing exp")
        if now - self.leeway >= exp:  # RFC 7519 §4.1.4
            raise ClaimInvalid(
                "exp", "token expired", expected=f"> {now - self.leeway}", actual=exp
            )
        nbf = claims.get("nbf")
        if isinstance(nbf, int | float) and now + self.leeway < nbf:  # RFC 7519 §4.1.5
            raise ClaimInvalid("nbf", "token not yet valid", actual=nbf)
