"""Validations per second: TokenValidator (warm JWKS cache) vs a bare joserfc decode+validate,
and DPoP (a bound token with its ES256 proof, ``validate_dpop``) vs bearer, in one run.

Run from the repository root: PYTHONPATH=. python bench/validator.py [N]
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
import uuid

import httpx
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey
from joserfc.jws import JWSRegistry

from brython_oidc.core.dpop import build_proof
from brython_oidc.server.token_validator import TokenValidator

ISSUER = "https://idp.example.test"


API = "https://api.example.test/notes"


def _proofs(key: ECKey, token: str, n: int) -> list[str]:
    """``n`` distinct proofs (each jti is spent once), made before the clock starts."""
    es256 = JWSRegistry(algorithms=["ES256"]).get_alg("ES256")
    return [
        build_proof(
            lambda data: es256.sign(data, key),
            alg="ES256",
            jwk=key.as_dict(private=False),
            method="GET",
            url=API,
            jti=uuid.uuid4().hex,
            iat=int(time.time()),
            dump_json=json.dumps,
            access_token=token,
            sha256=lambda b: hashlib.sha256(b).digest(),
        )
        for _ in range(n)
    ]


def measure(n: int) -> dict[str, dict[str, float]]:
    """Validations per second by algorithm: ``{"RS256": {"ours", "bare", "dpop", "bearer"}}``.

    ``dpop``: the same token with ``cnf.jkt`` and an ES256 proof (RFC 9449 §7.1), all of
    TokenValidator.validate_dpop: the token, the proof's signature and claims, ``ath``,
    the binding and the in-memory replay cache.
    """
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

        client_key = ECKey.generate_key("P-256", private=True)
        bound = dict(claims, cnf={"jkt": client_key.thumbprint()})
        bound_token = jwt.encode({"alg": alg, "kid": key.kid, "typ": "at+jwt"}, bound, key, [alg])
        proofs = _proofs(client_key, bound_token, n + 1)
        validator.validate_dpop(bound_token, proofs[-1], method="GET", url=API)  # warm
        # Interleaved rounds, best of each: the machine is shared, and a burst of other
        # work should not land on one side only.
        rounds = 5
        chunk = max(1, n // rounds)
        best_bearer = best_dpop = 0.0
        for r in range(rounds):
            start = time.perf_counter()
            for _ in range(chunk):
                validator.validate(token)
            best_bearer = max(best_bearer, chunk / (time.perf_counter() - start))
            start = time.perf_counter()
            for proof in proofs[r * chunk : (r + 1) * chunk]:
                validator.validate_dpop(bound_token, proof, method="GET", url=API)
            best_dpop = max(best_dpop, chunk / (time.perf_counter() - start))
        out[alg] = {"ours": ours, "bare": bare, "dpop": best_dpop, "bearer": best_bearer}
    return out


def main(n: int) -> None:
    for alg, r in measure(n).items():
        print(
            f"{alg}: TokenValidator {r['ours']:,.0f}/s   "
            f"bare joserfc {r['bare']:,.0f}/s   ({n} tokens)"
        )
        print(
            f"{alg}: DPoP (token + ES256 proof) {r['dpop']:,.0f}/s   "
            f"bearer {r['bearer']:,.0f}/s   DPoP/bearer {r['dpop'] / r['bearer']:.2f}x "
            "(interleaved rounds, best of 5 each)"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
