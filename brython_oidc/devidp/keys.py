"""Signing keys: one RS256 and one ES256 key, rotatable, old keys published for a grace period.

RFC 7517 (JWK), RFC 7518 §3.3/§3.4 (RS256/ES256), OpenID Connect Core §10.1.1
(rotation: the new key is published and used; the old one stays in the JWKS so
tokens already issued still verify until they expire).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from joserfc.jwk import ECKey, KeyParameters, RSAKey

SigningKey = RSAKey | ECKey


def generate_key(alg: str) -> SigningKey:
    """A fresh private key for ``alg`` with a thumbprint kid (RFC 7638)."""
    params: KeyParameters = {"alg": alg, "use": "sig"}
    if alg == "RS256":
        return RSAKey.generate_key(2048, parameters=params, private=True, auto_kid=True)
    if alg == "ES256":
        return ECKey.generate_key("P-256", parameters=params, private=True, auto_kid=True)
    raise ValueError(f"no key type for signing algorithm {alg!r}")


class _Retired:
    __slots__ = ("key", "until")

    def __init__(self, key: SigningKey, until: float) -> None:
        self.key = key
        self.until = until


class KeyRing:
    """Current signing key per algorithm plus retired keys still published.

    ``grace`` should be at least the longest token lifetime so that every token
    signed with a retired key can still be verified while it is valid.
    """

    def __init__(
        self,
        algs: tuple[str, ...] = ("RS256", "ES256"),
        *,
        grace: float = 3600.0,
        make_key: Callable[[str], SigningKey] = generate_key,
    ) -> None:
        self._lock = threading.Lock()
        self._make_key = make_key
        self.grace = grace
        self._current: dict[str, SigningKey] = {alg: make_key(alg) for alg in algs}
        self._retired: list[_Retired] = []

    @property
    def algorithms(self) -> tuple[str, ...]:
        return tuple(self._current)

    def signing_key(self, alg: str) -> SigningKey:
        with self._lock:
            try:
                return self._current[alg]
            except KeyError:
                raise ValueError(f"no signing key for {alg!r}") from None

    def rotate(self, now: float, algs: tuple[str, ...] | None = None) -> dict[str, str]:
        """Replace the signing key of each alg; returns {alg: new kid}."""
        new_kids: dict[str, str] = {}
        with self._lock:
            for alg in algs or tuple(self._current):
                old = self._current[alg]
                self._retired.append(_Retired(old, now + self.grace))
                new = self._make_key(alg)
                self._current[alg] = new
                new_kids[alg] = str(new.kid)
        return new_kids

    def public_jwks(self, now: float) -> dict[str, list[dict[str, object]]]:
        """The JWKS document (RFC 7517 §5): current keys first, then those in grace."""
        with self._lock:
            self._retired = [r for r in self._retired if r.until > now]
            keys = list(self._current.values()) + [r.key for r in self._retired]
        return {"keys": [dict(k.as_dict(private=False)) for k in keys]}

    def find_public(self, kid: str, now: float) -> SigningKey | None:
        """A published key by kid (for checking our own tokens, e.g. id_token_hint)."""
        with self._lock:
            for key in list(self._current.values()) + [
                r.key for r in self._retired if r.until > now
            ]:
                if key.kid == kid:
                    return key
        return None
