"""A DPoP replay cache in Redis (RFC 9449 §11.1), for APIs that run as several instances.

Every instance behind the load balancer checks one shared set of proof identifiers, so
a proof replayed to another instance is refused too. ``SET key 1 NX PX ttl`` is one
atomic command: of two requests carrying one proof, exactly one stores it.
Needs the ``redis`` extra: ``pip install brython-oidc[redis]``.
"""

from __future__ import annotations

import hashlib
from typing import Any


class RedisReplayCache:
    """``ReplayCache`` on a ``redis.Redis`` client (or anything with its ``set``)."""

    def __init__(self, client: Any, *, prefix: str = "brython_oidc:dpop:jti:") -> None:
        self._client = client
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> RedisReplayCache:
        import redis  # the optional extra: only this constructor needs the package

        return cls(redis.Redis.from_url(url), **kwargs)

    def add(self, key: str, ttl: float) -> bool:
        # Hashed: the key holds a client-chosen jti; a fixed-length key whatever it is.
        name = self._prefix + hashlib.sha256(key.encode("utf-8")).hexdigest()
        return bool(self._client.set(name, b"1", nx=True, px=max(1, int(ttl * 1000))))
