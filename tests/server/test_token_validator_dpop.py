"""TokenValidator and requires_token with DPoP (RFC 9449 §7): proofs built by core.dpop,
signed by joserfc; a stolen token replayed without the key is refused."""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import socket
import subprocess
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey
from joserfc.jws import JWSRegistry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from brython_oidc.core.dpop import build_proof
from brython_oidc.core.errors import ValidationError
from brython_oidc.server.bearer import requires_token
from brython_oidc.server.dpop import (
    DPoPNonces,
    InvalidProof,
    MemoryReplayCache,
    NonceRequired,
    ProofVerifier,
)
from brython_oidc.server.replay_redis import RedisReplayCache
from brython_oidc.server.token_validator import TokenValidator

ISSUER = "https://idp.example.test"
NOW = 1_800_000_000
API = "http://testserver/notes"
SIGNING = RSAKey.generate_key(2048, parameters={"alg": "RS256"}, private=True, auto_kid=True)
CLIENT_KEY = ECKey.generate_key("P-256", private=True)
THIEF_KEY = ECKey.generate_key("P-256", private=True)
_REGISTRY = JWSRegistry(algorithms=["ES256"])


class Clock:
    def __init__(self) -> None:
        self.now = float(NOW)

    def __call__(self) -> float:
        return self.now


def access_token(jkt: str | None = CLIENT_KEY.thumbprint(), **changes: object) -> str:
    claims: dict[str, object] = {
        "iss": ISSUER, "aud": "demo-api", "sub": "alice", "client_id": "demo-spa",
        "iat": NOW, "exp": NOW + 300, "jti": "at-1", "scope": "api:read",
    }  # fmt: skip
    if jkt is not None:
        claims["cnf"] = {"jkt": jkt}
    claims.update(changes)
    header = {"alg": "RS256", "kid": SIGNING.kid, "typ": "at+jwt"}
    return jwt.encode(header, claims, SIGNING, algorithms=["RS256"])


def proof(
    key: ECKey = CLIENT_KEY,
    *,
    method: str = "GET",
    url: str = API,
    token: str | None = None,
    iat: int = NOW,
    nonce: str | None = None,
) -> str:
    return build_proof(
        lambda data: _REGISTRY.get_alg("ES256").sign(data, key),
        alg="ES256", jwk=key.as_dict(private=False), method=method, url=url,
        jti=uuid.uuid4().hex, iat=iat, dump_json=json.dumps, access_token=token,
        nonce=nonce, sha256=lambda b: hashlib.sha256(b).digest(),
    )  # fmt: skip


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make(clock: Clock) -> Callable[..., TokenValidator]:
    def factory(**kwargs: Any) -> TokenValidator:
        jwks = {"keys": [SIGNING.as_dict(private=False)]}
        http = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, json=jwks)))
        kwargs.setdefault("dpop", ProofVerifier(clock=clock))
        return TokenValidator(
            ISSUER, "demo-api", jwks_uri=ISSUER + "/jwks", clock=clock, http_client=http, **kwargs
        )

    return factory


def refused(check: str, kind: type[ValidationError] = ValidationError) -> Any:
    return pytest.raises(kind, match=f"^{check}:")


# --- TokenValidator ---------------------------------------------------------------------


def test_dpop_token_with_its_proof(make: Callable[..., TokenValidator]) -> None:
    validator = make()
    token = access_token()
    claims = validator.validate_dpop(token, proof(token=token), method="GET", url=API + "?x=1")
    assert claims["sub"] == "alice" and claims["cnf"] == {"jkt": CLIENT_KEY.thumbprint()}


def test_stolen_token_is_refused_without_the_key(make: Callable[..., TokenValidator]) -> None:
    validator = make()
    token = access_token()
    # As a bearer token (RFC 9449 §7.2): the binding says it needs a proof.
    with refused("cnf"):
        validator.validate(token)
    # With a proof the thief made with their own key: cnf.jkt is not their key.
    with refused("cnf"):
        validator.validate_dpop(token, proof(THIEF_KEY, token=token), method="GET", url=API)
    # With the client's proof made for another token (no ath for this one).
    other = access_token(jti="at-2")
    with refused("ath", InvalidProof):
        validator.validate_dpop(token, proof(token=other), method="GET", url=API)


def test_proof_replay_refused(make: Callable[..., TokenValidator]) -> None:
    validator = make()
    token = access_token()
    once = proof(token=token)
    validator.validate_dpop(token, once, method="GET", url=API)
    with refused("jti", InvalidProof):
        validator.validate_dpop(token, once, method="GET", url=API)


def test_proof_for_another_request_or_too_old(
    make: Callable[..., TokenValidator], clock: Clock
) -> None:
    validator = make()
    token = access_token()
    with refused("htm", InvalidProof):
        validator.validate_dpop(token, proof(token=token), method="POST", url=API)
    with refused("htu", InvalidProof):
        validator.validate_dpop(token, proof(token=token), method="GET", url=API + "/other")
    with refused("iat", InvalidProof):
        validator.validate_dpop(token, proof(token=token, iat=NOW - 400), method="GET", url=API)


def test_forged_proof_signature(make: Callable[..., TokenValidator]) -> None:
    token = access_token()
    head, body, sig = proof(token=token).split(".")
    bad = head + "." + body + "." + ("A" if sig[0] != "A" else "B") + sig[1:]
    with refused("signature", InvalidProof):
        make().validate_dpop(token, bad, method="GET", url=API)


def test_bearer_still_works_unless_dpop_only(make: Callable[..., TokenValidator]) -> None:
    plain = access_token(jkt=None)
    assert make().validate(plain)["sub"] == "alice"
    with refused("token_type"):
        make(dpop_only=True).validate(plain)


def test_nonce_required(make: Callable[..., TokenValidator], clock: Clock) -> None:
    nonces = DPoPNonces(b"k" * 32, clock=clock)
    validator = make(dpop=ProofVerifier(clock=clock, nonces=nonces))
    token = access_token()
    with pytest.raises(NonceRequired) as info:
        validator.validate_dpop(token, proof(token=token), method="GET", url=API)
    assert info.value.nonce == nonces.current()
    good = proof(token=token, nonce=info.value.nonce)
    assert validator.validate_dpop(token, good, method="GET", url=API)["sub"] == "alice"
    clock.now += 2 * nonces.period + 1  # a nonce lives at most two periods
    late = proof(token=token, nonce=info.value.nonce, iat=int(clock.now))
    with pytest.raises(NonceRequired):
        validator.validate_dpop(token, late, method="GET", url=API)


def test_memory_replay_cache_expires(clock: Clock) -> None:
    cache = MemoryReplayCache(clock)
    assert cache.add("a", 10) and not cache.add("a", 10)
    clock.now += 11
    assert cache.add("a", 10)


# --- requires_token ---------------------------------------------------------------------


def app_for(validator: TokenValidator) -> TestClient:
    @requires_token(validator, scopes=["api:read"])
    async def notes(request: Request) -> Response:
        return JSONResponse({"sub": request.state.token_claims["sub"]})

    return TestClient(Starlette(routes=[Route("/notes", notes, methods=["GET", "POST"])]))


def test_http_dpop_request(make: Callable[..., TokenValidator]) -> None:
    client = app_for(make())
    token = access_token()
    ok = client.get(
        "/notes", headers={"Authorization": f"DPoP {token}", "DPoP": proof(token=token)}
    )
    assert ok.status_code == 200 and ok.json() == {"sub": "alice"}
    # The same token as a bearer token: 401 invalid_token.
    stolen = client.get("/notes", headers={"Authorization": f"Bearer {token}"})
    assert stolen.status_code == 401
    assert 'Bearer realm="api", error="invalid_token"' in stolen.headers["www-authenticate"]
    assert token not in stolen.text and token not in stolen.headers["www-authenticate"]


def test_http_bad_proof_challenge(make: Callable[..., TokenValidator]) -> None:
    client = app_for(make())
    token = access_token()
    missing = client.get("/notes", headers={"Authorization": f"DPoP {token}"})
    assert missing.status_code == 401
    # RFC 9449 §7.1: the DPoP challenge carries the error and algs.
    challenge = missing.headers["www-authenticate"]
    assert 'DPoP realm="api", error="invalid_dpop_proof"' in challenge
    assert 'algs="ES256 PS256 RS256"' in challenge
    two = client.get(
        "/notes",
        headers=[("Authorization", f"DPoP {token}"), ("DPoP", proof(token=token)),
                 ("DPoP", proof(token=token))],
    )  # fmt: skip
    assert two.status_code == 401 and "invalid_dpop_proof" in two.headers["www-authenticate"]
    wrong_method = client.post(
        "/notes", headers={"Authorization": f"DPoP {token}", "DPoP": proof(token=token)}
    )
    assert wrong_method.status_code == 401
    assert 'error_description="htm:' in wrong_method.headers["www-authenticate"]
    garbage = client.get("/notes", headers={"Authorization": f"DPoP {token}", "DPoP": "x.y.z"})
    assert garbage.status_code == 401


def test_http_use_dpop_nonce(make: Callable[..., TokenValidator], clock: Clock) -> None:
    nonces = DPoPNonces(clock=clock)
    client = app_for(make(dpop=ProofVerifier(clock=clock, nonces=nonces)))
    token = access_token()
    first = client.get(
        "/notes", headers={"Authorization": f"DPoP {token}", "DPoP": proof(token=token)}
    )
    assert first.status_code == 401
    assert 'error="use_dpop_nonce"' in first.headers["www-authenticate"]
    nonce = first.headers["dpop-nonce"]
    retry = client.get(
        "/notes",
        headers={"Authorization": f"DPoP {token}", "DPoP": proof(token=token, nonce=nonce)},
    )
    assert retry.status_code == 200


def test_http_dpop_only_refuses_bearer(make: Callable[..., TokenValidator]) -> None:
    client = app_for(make(dpop_only=True))
    plain = access_token(jkt=None)
    response = client.get("/notes", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith(
        'DPoP realm="api", error="invalid_token"'
    )
    assert "Bearer" not in response.headers["www-authenticate"]


# --- Redis, a real redis-server ---------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (scripts/test.sh installs it)")
    redis = pytest.importorskip("redis")
    port = _free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    # Wait on the condition (the server answers PING), bounded to 5 s.
    for _ in range(200):
        try:
            if client.ping():
                break
        except redis.ConnectionError:
            if process.poll() is not None:
                pytest.fail("redis-server exited at start")
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(0.025)
    else:
        process.terminate()
        pytest.fail("redis-server did not answer")
    yield url
    process.terminate()
    process.wait(10)


def test_redis_replay_cache_is_shared_between_instances(
    redis_url: str, make: Callable[..., TokenValidator], clock: Clock
) -> None:
    # Two API instances, two validators, one Redis: a proof used at one is refused at the other.
    first = make(dpop=ProofVerifier(clock=clock, replay_cache=RedisReplayCache.from_url(redis_url)))
    second = make(
        dpop=ProofVerifier(clock=clock, replay_cache=RedisReplayCache.from_url(redis_url))
    )
    token = access_token()
    once = proof(token=token)
    assert first.validate_dpop(token, once, method="GET", url=API)["sub"] == "alice"
    with refused("jti", InvalidProof):
        second.validate_dpop(token, once, method="GET", url=API)
    assert second.validate_dpop(token, proof(token=token), method="GET", url=API)


def test_redis_entries_expire(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    cache = RedisReplayCache(client, prefix="test-expiry:")
    assert cache.add("k", 0.05) and not cache.add("k", 0.05)
    keys = client.keys("test-expiry:*")
    assert len(keys) == 1 and 0 < client.pttl(keys[0]) <= 50
