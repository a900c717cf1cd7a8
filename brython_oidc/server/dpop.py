"""DPoP proof verification on the server (RFC 9449 §4.3, §8, §9, §11.1).

``ProofVerifier.verify`` parses a proof with ``core.jose``, checks its signature with
the key in its own header (``server.signature.verify``, §4.3 step 6), applies
``core.dpop.check_proof``'s pure rules, then records its ``jti`` in a replay cache
(§11.1). The replay cache is an interface: ``MemoryReplayCache`` for one process,
``server.replay_redis.RedisReplayCache`` for APIs that run as several instances.
``DPoPNonces`` makes server nonces (§8, §9) that every instance sharing a secret
accepts, without shared state.

Every refusal is an ``InvalidProof`` (a ``ValidationError``): the HTTP layer answers
``invalid_dpop_proof``, or ``use_dpop_nonce`` for ``NonceRequired`` (§7.1, §8).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from typing import Protocol

from brython_oidc.core.dpop import (
    DEFAULT_LEEWAY,
    DEFAULT_MAX_AGE,
    DPOP_ALGS,
    DPoPProof,
    check_proof,
    jwk_thumbprint,
)
from brython_oidc.core.errors import ValidationError
from brython_oidc.core.jose import parse_compact_jws

from . import strict_json
from .signature import b64url_decode, verify

#: A proof is a small JWS: a header with one public key and five claims. An RSA-4096
#: ``jwk`` is under 1 KB of base64url; anything far larger is refused before parsing.
MAX_PROOF_LENGTH = 4096


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def b64url_encode(data: bytes) -> str:
    """``core.b64.b64url_encode`` at C speed (the pure loop was a third of a check)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@functools.lru_cache(maxsize=4096)
def _cached_thumbprint(members: tuple[tuple[str, str], ...]) -> str:
    return jwk_thumbprint(dict(members), sha256, b64url_encode)


def thumbprint(jwk: Mapping[str, object]) -> str:
    """RFC 7638 thumbprint of a public JWK, cached: a client proves with one key for long."""
    return _cached_thumbprint(tuple(sorted((k, str(v)) for k, v in jwk.items())))


class InvalidProof(ValidationError):
    """The DPoP proof is missing, malformed or wrong: ``invalid_dpop_proof`` (§7.1)."""


class NonceRequired(InvalidProof):
    """The proof lacks the server's current nonce: answer ``use_dpop_nonce`` with it (§8, §9)."""

    def __init__(self, nonce: str) -> None:
        super().__init__("nonce", "the server requires a DPoP nonce (RFC 9449 §8)")
        self.nonce = nonce


class ReplayCache(Protocol):
    """Remembers proof identifiers for the time a proof is accepted (§11.1)."""

    def add(self, key: str, ttl: float) -> bool:
        """Store ``key`` for ``ttl`` seconds; ``False`` if it was already there (a replay).

        Must be atomic: two requests with one proof at once, one of them is refused.
        """
        ...


class MemoryReplayCache:
    """The in-process replay cache: enough for an API that runs as one process."""

    def __init__(self, clock: Callable[[], float] = time.time, max_entries: int = 1_000_000):
        self._clock = clock
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}
        self._max_entries = max_entries
        self._next_sweep = 0.0

    def add(self, key: str, ttl: float) -> bool:
        now = self._clock()
        with self._lock:
            if now >= self._next_sweep or len(self._expiry) >= self._max_entries:
                # Expired entries go in one pass at most every few seconds (dicts keep
                # insertion order, but ttl varies, so no early stop).
                self._expiry = {k: t for k, t in self._expiry.items() if t > now}
                self._next_sweep = now + 5.0
                if len(self._expiry) >= self._max_entries:
                    # Full of live entries: refuse rather than forget (a forgotten jti
                    # could be replayed).
                    return False
            expires = self._expiry.get(key)
            if expires is not None and expires > now:
                return False
            self._expiry[key] = now + ttl
            return True

    def __len__(self) -> int:
        return len(self._expiry)


class DPoPNonces:
    """Server nonces (§8, §9) derived from a secret and the time: stateless, shareable.

    The nonce of period ``n`` is HMAC-SHA256(secret, n); the current and the previous
    period's are accepted, so a nonce lives between ``period`` and twice that. Instances
    that share ``secret`` accept each other's nonces.
    """

    def __init__(
        self,
        secret: bytes | None = None,
        *,
        period: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret if secret is not None else secrets.token_bytes(32)
        self.period = period
        self._clock = clock

    def _nonce(self, step: int) -> str:
        mac = hmac.new(self._secret, str(step).encode("ascii"), hashlib.sha256).digest()
        return b64url_encode(mac[:18])

    def current(self) -> str:
        return self._nonce(int(self._clock() // self.period))

    def accepts(self, nonce: object) -> bool:
        if not isinstance(nonce, str):
            return False
        step = int(self._clock() // self.period)
        return hmac.compare_digest(nonce, self._nonce(step)) or hmac.compare_digest(
            nonce, self._nonce(step - 1)
        )


class ProofVerifier:
    """Checks DPoP proofs: signature, §4.3's rules, the nonce and ``jti`` replay."""

    def __init__(
        self,
        *,
        algorithms: tuple[str, ...] = DPOP_ALGS,
        max_age: float = DEFAULT_MAX_AGE,
        leeway: float = DEFAULT_LEEWAY,
        replay_cache: ReplayCache | None = None,
        nonces: DPoPNonces | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        unknown = [a for a in algorithms if a not in DPOP_ALGS]
        if unknown:
            raise ValueError(
                f"DPoP algorithms {unknown} are not supported; choose from {DPOP_ALGS}"
            )
        self.algorithms = tuple(algorithms)
        self.max_age = max_age
        self.leeway = leeway
        self.clock = clock
        self.replay_cache: ReplayCache = replay_cache or MemoryReplayCache(clock)
        self.nonces = nonces

    def verify(
        self, proof: str, *, method: str, url: str, access_token: str | None = None
    ) -> DPoPProof:
        """The checked proof, or ``InvalidProof`` / ``NonceRequired``; ``jti`` is then spent."""
        try:
            # §4.3 step 2: a well-formed JWS, with core.jose's alg policy (no none, no HS*).
            jws = parse_compact_jws(
                proof,
                parse_json=strict_json.loads,
                max_length=MAX_PROOF_LENGTH,
                b64url_decode=b64url_decode,
            )
            checked = check_proof(
                jws,
                method=method,
                url=url,
                now=self.clock(),
                sha256=sha256,
                algorithms=self.algorithms,
                max_age=self.max_age,
                leeway=self.leeway,
                access_token=access_token,
                thumbprint=thumbprint,
                b64url_encode=b64url_encode,
            )
            # §4.3 step 6: the signature, with the key the proof carries.
            if not verify(str(jws.header["alg"]), checked.jwk, jws.signing_input, jws.signature):
                raise ValidationError("signature", "the DPoP proof's signature does not verify")
        except InvalidProof:
            raise
        except ValidationError as exc:
            raise InvalidProof(
                exc.check, exc.message, expected=exc.expected, actual=exc.actual
            ) from None
        # §4.3 step 10, §8, §9: the server's nonce, when it requires one. After the
        # signature, so that only a genuine proof learns a fresh nonce.
        if self.nonces is not None and not self.nonces.accepts(checked.nonce):
            raise NonceRequired(self.nonces.current())
        # §11.1: a proof is used once. Keyed by the key's thumbprint too, so that one
        # client's jti cannot block another's. Kept as long as iat would be accepted.
        if not self.replay_cache.add(
            checked.jkt + ":" + checked.jti, self.max_age + 2 * self.leeway
        ):
            raise InvalidProof("jti", "this DPoP proof was already used (RFC 9449 §11.1)")
        return checked
