"""Offline validation of bearer access tokens for the app's own API (a resource server).

One JWT stack with the browser's: the compact JWS is parsed and its algorithm, ``crit``
and ``kid`` checked by ``core.jose`` (RFC 7515, RFC 8725 §3.1), the key chosen by
``core.jose.select_jwk``, the signature checked by the CPython port
``server.signature.verify`` that ``tests/contract`` holds to the browser's, and the
claims by ``core.access_token`` (RFC 9068 §2.2, §4). Every refusal is a
``core.errors.ValidationError`` whose ``check`` names the rule; ``requires_token``
answers it with 401 ``invalid_token`` (RFC 6750 §3.1).

The JWKS is cached; an unknown ``kid`` refetches it at most once per
``refetch_interval`` (key rotation, OpenID Connect Core §10.1.1), without holding up
tokens whose key is cached; the cached keys keep working while the endpoint is down.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import httpx

from brython_oidc.core.access_token import (
    ACCESS_TOKEN_TYP,
    REQUIRED_CLAIMS,
    check_access_token_typ,
    validate_access_token_claims,
)
from brython_oidc.core.discovery import discovery_url
from brython_oidc.core.dpop import check_binding, is_bound
from brython_oidc.core.errors import ValidationError
from brython_oidc.core.jose import ALLOWED_ALGS, KeyNotFound, parse_compact_jws, select_jwk

from . import strict_json
from .dpop import ProofVerifier
from .signature import b64url_decode, verify

#: RFC 8725 §3.1: asymmetric algorithms only; ``none`` and ``HS*`` are never accepted.
DEFAULT_ALGORITHMS = ALLOWED_ALGS

#: How long a request waits for a JWKS fetch another request started.
_FETCH_WAIT = 15.0


def _get_json(http_get: Callable[[str], Any], url: str) -> object:
    """GET ``url`` as strict JSON; ``ValueError`` or ``httpx.HTTPError`` on failure."""
    response = http_get(url)
    if response.status_code != 200:
        raise ValueError(f"HTTP {response.status_code}")
    return strict_json.loads(response.content)


class JWKSCache:
    """The provider's JWK Set: fetched lazily, refetched on an unknown kid, rate-limited.

    The lock guards only the cached fields and is never held during a fetch, so a
    token whose key is cached never waits for a refetch another token caused. Fetches
    are single-flight: concurrent callers wait for the one in progress.
    """

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
        self._jwks: dict[str, object] | None = None
        self._fetched_at: float | None = None
        self._inflight: threading.Event | None = None
        self.fetch_count = 0

    def current(self) -> dict[str, object]:
        """The cached JWK Set; fetched first when nothing is cached yet."""
        jwks = self._jwks
        return jwks if jwks is not None else self.refresh(None)

    def refresh(self, seen: dict[str, object] | None) -> dict[str, object]:
        """A JWK Set newer than ``seen`` if one can be had now, else the cached one.

        Fetches only when the last attempt is ``refetch_interval`` old (a flood of
        made-up ``kid``s is not a flood of requests to the provider).
        """
        with self._lock:
            if self._jwks is not None and self._jwks is not seen:
                return self._jwks  # another request already refetched
            event = self._inflight
            owner = event is None
            if event is None:
                due = self._fetched_at is None or (
                    self._clock() - self._fetched_at >= self.refetch_interval
                )
                if not due:
                    return self._cached()
                event = self._inflight = threading.Event()
                self._fetched_at = self._clock()
                self.fetch_count += 1
        if not owner:
            event.wait(_FETCH_WAIT)
            with self._lock:
                return self._cached()
        fetched: dict[str, object] | None = None
        try:
            fetched = self._fetch()
        finally:
            with self._lock:
                if fetched is not None:
                    self._jwks = fetched
                self._inflight = None
                event.set()
        with self._lock:
            return self._cached()

    def _cached(self) -> dict[str, object]:
        if self._jwks is None:
            raise ValidationError("jwks", "the JWKS has never been fetched successfully")
        return self._jwks

    def _fetch(self) -> dict[str, object] | None:
        try:
            document = _get_json(self._http_get, self.jwks_uri)
        except (httpx.HTTPError, ValueError):
            return None  # keep what is cached (provider outage); cold cache: the caller says
        # RFC 7517 §5: a JWK Set is an object with a "keys" array.
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            return None
        return document


class TokenValidator:
    """Validates an RFC 9068 access token; returns its claims or raises ``ValidationError``."""

    def __init__(
        self,
        issuer: str,
        audience: str,
        *,
        jwks_uri: str | None = None,
        algorithms: Iterable[str] = DEFAULT_ALGORITHMS,
        leeway: float = 60.0,
        required_typ: str | None = ACCESS_TOKEN_TYP,
        required_claims: Iterable[str] = REQUIRED_CLAIMS,
        clock: Callable[[], float] = time.time,
        http_client: httpx.Client | None = None,
        refetch_interval: float = 60.0,
        dpop: ProofVerifier | None = None,
        dpop_only: bool = False,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.algorithms = tuple(algorithms)
        unsafe = [a for a in self.algorithms if a.lower() == "none" or a.upper().startswith("HS")]
        if unsafe:
            raise ValueError(f"algorithms {sorted(unsafe)} are never safe for access tokens")
        unknown = [a for a in self.algorithms if a not in ALLOWED_ALGS]
        if unknown:
            raise ValueError(f"algorithms {unknown} are not supported; choose from {ALLOWED_ALGS}")
        self.leeway = leeway
        self.required_typ = required_typ
        self.required_claims = tuple(required_claims)
        self.clock = clock
        self._http = http_client or httpx.Client(timeout=10.0)
        self._jwks_uri = jwks_uri
        self._refetch_interval = refetch_interval
        self._jwks: JWKSCache | None = None
        self._discovery_lock = threading.Lock()
        self._discovery_failure: tuple[float, ValidationError] | None = None
        #: DPoP proofs (RFC 9449): its replay cache is in memory unless one is given.
        self.dpop = dpop or ProofVerifier(clock=clock)
        #: Refuse bearer tokens: only DPoP-bound tokens with their proof (RFC 9449 §7.1).
        self.dpop_only = dpop_only

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
        with self._discovery_lock:
            if self._jwks is not None:
                return self._jwks.jwks_uri
            failure = self._discovery_failure
            # A failed discovery is remembered for refetch_interval: while the provider
            # is down, requests are refused at once instead of each asking it again.
            if failure is not None and self.clock() - failure[0] < self._refetch_interval:
                raise failure[1]
            try:
                uri = self._read_discovery()
            except ValidationError as exc:
                self._discovery_failure = (self.clock(), exc)
                raise
            self._discovery_failure = None
            return uri

    def _read_discovery(self) -> str:
        url = discovery_url(self.issuer)
        try:
            doc = _get_json(self._http.get, url)
        except (httpx.HTTPError, ValueError) as exc:
            raise ValidationError("discovery", f"cannot read {url}: {type(exc).__name__}") from None
        if not isinstance(doc, dict):
            raise ValidationError("discovery", f"{url} is not a JSON object")
        # OpenID Connect Discovery §4.3: the document's issuer must be ours, exactly.
        if doc.get("issuer") != self.issuer:
            raise ValidationError(
                "discovery", "discovery issuer does not match",
                expected=self.issuer, actual=doc.get("issuer"),
            )  # fmt: skip
        # Discovery §3: jwks_uri is REQUIRED (and the only way to the keys).
        jwks_uri = doc.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
            raise ValidationError(
                "jwks_uri",
                f"the discovery document at {url} has no http(s) jwks_uri (Discovery §3): "
                "pass jwks_uri= to TokenValidator",
                actual=type(jwks_uri).__name__,
            )
        return jwks_uri

    def validate(self, token: str) -> dict[str, Any]:
        """A bearer token (RFC 6750 §2.1): its claims, or ``ValidationError``."""
        if self.dpop_only:
            raise ValidationError(
                "token_type", "this API accepts only DPoP-bound tokens (RFC 9449 §7.1)",
                expected="DPoP", actual="Bearer",
            )  # fmt: skip
        claims = self._validate_token(token)
        # RFC 9449 §7.2: a DPoP-bound token is not a bearer token; without its proof,
        # whoever copied it could use it.
        if is_bound(claims):
            raise ValidationError(
                "cnf", "this token is DPoP-bound: send it with 'Authorization: DPoP' and its proof",
                expected="DPoP", actual="Bearer",
            )  # fmt: skip
        return claims

    def validate_dpop(self, token: str, proof: str, *, method: str, url: str) -> dict[str, Any]:
        """A DPoP-bound token and its proof (RFC 9449 §7.1): the token's claims.

        The token is checked as ``validate`` checks it; then the proof (signature,
        ``typ``, ``htm``/``htu`` against this request, ``iat``, ``ath`` of this token,
        the nonce, ``jti`` replay: ``server.dpop.ProofVerifier``) and the binding:
        ``cnf.jkt`` is the thumbprint of the proof's key (§6.1). ``InvalidProof`` for the
        proof, ``NonceRequired`` to ask for a nonce, ``ValidationError`` for the token.
        """
        claims = self._validate_token(token)
        checked = self.dpop.verify(proof, method=method, url=url, access_token=token)
        check_binding(claims, checked)
        return claims

    def _validate_token(self, token: str) -> dict[str, Any]:
        # RFC 7515 §5.2 parsing, RFC 8725 §3.1 alg allow-list, §4.1.11 crit, string kid.
        jws = parse_compact_jws(token, parse_json=strict_json.loads, b64url_decode=b64url_decode)
        alg = str(jws.header["alg"])
        if alg not in self.algorithms:
            raise ValidationError(
                "alg", "algorithm not allowed", expected=self.algorithms, actual=alg
            )
        # RFC 9068 §4: typ is at+jwt, before any key is touched.
        check_access_token_typ(jws.header, self.required_typ)
        jwk = self._select_key(jws.header)
        # RFC 9068 §4 step 6 / RFC 7515 §5.2 step 8: the signature.
        if not verify(alg, jwk, jws.signing_input, jws.signature):
            raise ValidationError("signature", "signature does not verify")
        return validate_access_token_claims(
            jws.claims,
            issuer=self.issuer,
            audience=self.audience,
            now=self.clock(),
            leeway=self.leeway,
            required=self.required_claims,
        )

    def _select_key(self, header: Mapping[str, object]) -> dict[str, object]:
        cache = self.jwks
        jwks = cache.current()
        try:
            return select_jwk(jwks, header)
        except KeyNotFound:
            # OIDC Core §10.1.1: the provider may have rotated; one rate-limited refetch.
            return select_jwk(cache.refresh(jwks), header)
