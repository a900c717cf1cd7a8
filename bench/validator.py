"""Validations per second: TokenValidator (warm JWKS cache) vs a bare joserfc decode+validate.

Run from the repository root: PYTHONPATH=. python bench/validator.py [N]
"""

from __future__ import annotations

import sys
import time

import httpx
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

from brython_oidc.server.token_validator import TokenValidator

ISSUER = "https://idp.example.test"


def measure(n: int) -> dict[str, dict[str, float]]:
    """Validations per second by algorithm: ``{"RS256": {"ours": .., "bare": ..}, ...}``."""
    out: dict[str, dict[str, float]] = {}
    rsa = RSAKey.generate_key(2048, parameters={"alg": "RS256"}, private=True, auto_kid=True)
    ec = ECKey.generate_key("P-256", parameters={"alg": "ES256"}, private=True, auto_kid=True)
    jwks = KeySet([rsa, ec]).as_dict(private=False)
    http = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, json=jwks)))
    now = int(time.time())
    claims = {
        "iss": ISSUER, "aud": "demo-api", "sub": "alice", "client_id": "demo-spa",
        "iat": now, "exp": now + 600, "jti": "j1",
    }  # fmt: skip
    for key, alg in ((rsa, "RS256"), (ec, "ES256")):
        token = jwt.encode({"alg": alg, "kid": key.kid, "typ": "at+jwt"}, claims, key, [alg])
        validator = TokenValidator(ISSUER, "demo-api", jwks_uri="https://x/jwks", http_client=http)
        validator.validate(token)  # warm the JWKS cache
        start = time.perf_counter()
        for _ in range(n):
            validator.validate(token)
        ours = n / (time.perf_counter() - start)

        keys = KeySet.import_key_set(jwks)
        registry = jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": ISSUER},
            aud={"essential": True, "value": "demo-api"},
        )
        start = time.perf_counter()
        for _ in range(n):
            registry.validate(jwt.decode(token, keys, algorithms=[alg]).claims)
        bare = n / (time.perf_counter() - start)
        out[alg] = {"ours": ours, "bare": bare}
    return out


def main(n: int) -> None:
    for alg, r in measure(n).items():
        print(
            f"{alg}: TokenValidator {r['ours']:,.0f}/s   "
            f"bare joserfc {r['bare']:,.0f}/s   ({n} tokens)"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
