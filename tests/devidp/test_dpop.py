"""The development provider's DPoP (RFC 9449): proofs at /token and /userinfo, dpop_jkt,
bound access and refresh tokens, the nonce flag; and a stolen token or refresh token
replayed from Python without the key, refused by the provider and by TokenValidator."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from joserfc.jwk import ECKey
from joserfc.jws import JWSRegistry

from brython_oidc.core.dpop import build_proof
from brython_oidc.core.errors import ValidationError
from brython_oidc.devidp.testing import RunningProvider
from brython_oidc.server.dpop import InvalidProof
from brython_oidc.server.token_validator import TokenValidator

from .conftest import APP_ORIGIN, Clock, Flow, exchange, issuer_of, login, make_provider

KEY = ECKey.generate_key("P-256", private=True)
THIEF = ECKey.generate_key("P-256", private=True)
_REGISTRY = JWSRegistry(algorithms=["ES256"])


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def proof(
    http: httpx.Client,
    clock: Clock,
    *,
    key: ECKey = KEY,
    path: str = "/token",
    method: str = "POST",
    token: str | None = None,
    nonce: str | None = None,
    iat: float | None = None,
    jti: str | None = None,
) -> str:
    return build_proof(
        lambda data: _REGISTRY.get_alg("ES256").sign(data, key),
        alg="ES256", jwk=key.as_dict(private=False), method=method,
        url=issuer_of(http) + path, jti=jti or uuid.uuid4().hex,
        iat=int(clock.now if iat is None else iat), dump_json=json.dumps,
        access_token=token, nonce=nonce, sha256=sha256,
    )  # fmt: skip


def token_request(http: httpx.Client, data: dict[str, str], dpop: str | None) -> httpx.Response:
    headers = {"DPoP": dpop} if dpop is not None else {}
    return http.post("/token", data=data, headers=headers)


def code_data(flow: Flow, code: str) -> dict[str, str]:
    return {
        "grant_type": "authorization_code", "code": code, "client_id": "demo-spa",
        "redirect_uri": flow.params["redirect_uri"], "code_verifier": flow.verifier,
    }  # fmt: skip


def refresh_data(refresh_token: str) -> dict[str, str]:
    return {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": "demo-spa"}


def dpop_tokens(http: httpx.Client, clock: Clock, **extra: str) -> dict[str, Any]:
    flow = Flow(scope="openid profile offline_access", **extra)
    code = login(http, flow)
    response = token_request(http, code_data(flow, code), proof(http, clock))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def claims_of(token: str) -> dict[str, Any]:
    """The payload, unverified (what the test reads; the validator checks signatures)."""
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    return claims


@pytest.fixture
def validator(http: httpx.Client, clock: Clock) -> Iterator[TokenValidator]:
    issuer = issuer_of(http)
    with httpx.Client() as client:
        yield TokenValidator(
            issuer, "demo-api", jwks_uri=issuer + "/jwks", clock=clock, http_client=client
        )


def test_discovery_and_cors_say_dpop(http: httpx.Client) -> None:
    doc = http.get("/.well-known/openid-configuration").json()
    assert doc["dpop_signing_alg_values_supported"] == ["ES256", "PS256", "RS256"]
    preflight = http.options(
        "/token",
        headers={"Origin": APP_ORIGIN, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "dpop, content-type"},
    )  # fmt: skip
    assert preflight.status_code == 204
    assert "DPoP" in preflight.headers["access-control-allow-headers"].split(", ")
    answer = http.post("/token", data={}, headers={"Origin": APP_ORIGIN})
    assert "DPoP-Nonce" in answer.headers["access-control-expose-headers"]


def test_bound_tokens_and_a_thief_without_the_key(
    http: httpx.Client, clock: Clock, validator: TokenValidator
) -> None:
    body = dpop_tokens(http, clock)
    assert body["token_type"] == "DPoP"
    access = body["access_token"]
    assert claims_of(access)["cnf"] == {"jkt": KEY.thumbprint()}
    # The API: the token with a proof of its key passes ...
    api = "https://api.example.test/notes"
    good = build_proof(
        lambda data: _REGISTRY.get_alg("ES256").sign(data, KEY),
        alg="ES256", jwk=KEY.as_dict(private=False), method="GET", url=api,
        jti=uuid.uuid4().hex, iat=int(clock.now), dump_json=json.dumps,
        access_token=access, sha256=sha256,
    )  # fmt: skip
    assert validator.validate_dpop(access, good, method="GET", url=api)["sub"] == "alice"
    # ... replayed from Python without the key: as bearer, or with the thief's own proof.
    with pytest.raises(ValidationError, match=r"^cnf:"):
        validator.validate(access)
    stolen = build_proof(
        lambda data: _REGISTRY.get_alg("ES256").sign(data, THIEF),
        alg="ES256", jwk=THIEF.as_dict(private=False), method="GET", url=api,
        jti=uuid.uuid4().hex, iat=int(clock.now), dump_json=json.dumps,
        access_token=access, sha256=sha256,
    )  # fmt: skip
    with pytest.raises(ValidationError, match=r"^cnf:"):
        validator.validate_dpop(access, stolen, method="GET", url=api)
    with pytest.raises(InvalidProof, match=r"^jti:"):
        validator.validate_dpop(access, good, method="GET", url=api)
    # The provider's userinfo: bearer refused, the thief's proof refused, the key's accepted.
    assert http.get("/userinfo", headers={"Authorization": f"Bearer {access}"}).status_code == 401
    thief = http.get(
        "/userinfo",
        headers={"Authorization": f"DPoP {access}",
                 "DPoP": proof(http, clock, key=THIEF, path="/userinfo", method="GET",
                               token=access)},
    )  # fmt: skip
    assert thief.status_code == 401 and thief.json()["error"] == "invalid_dpop_proof"
    info = http.get(
        "/userinfo",
        headers={"Authorization": f"DPoP {access}",
                 "DPoP": proof(http, clock, path="/userinfo", method="GET", token=access)},
    )  # fmt: skip
    assert info.status_code == 200 and info.json()["sub"] == "alice"


def test_refresh_token_bound_to_the_key(http: httpx.Client, clock: Clock) -> None:
    refresh = dpop_tokens(http, clock)["refresh_token"]
    # Stolen: without a proof, or with another key's proof, refused (RFC 9449 §5).
    bare = token_request(http, refresh_data(refresh), None)
    assert bare.status_code == 400 and bare.json()["error"] == "invalid_grant"
    other = token_request(http, refresh_data(refresh), proof(http, clock, key=THIEF))
    assert other.status_code == 400 and other.json()["error"] == "invalid_grant"
    # The refusals spent nothing: the holder of the key still refreshes, and gets DPoP tokens.
    good = token_request(http, refresh_data(refresh), proof(http, clock))
    assert good.status_code == 200, good.text
    assert good.json()["token_type"] == "DPoP"
    assert claims_of(good.json()["access_token"])["cnf"]["jkt"] == KEY.thumbprint()


@pytest.mark.parametrize("jkt", ["short", "x" * 42 + "=", "é" * 43])
def test_malformed_dpop_jkt_is_invalid_request(http: httpx.Client, jkt: str) -> None:
    flow = Flow(dpop_jkt=jkt)
    page = http.get("/authorize", params=flow.params)
    assert page.status_code == 302
    assert "error=invalid_request" in page.headers["location"]


def test_dpop_jkt_binds_the_code(http: httpx.Client, clock: Clock) -> None:
    flow = Flow(dpop_jkt=KEY.thumbprint())
    code = login(http, flow)
    other = token_request(http, code_data(flow, code), proof(http, clock, key=THIEF))
    assert other.status_code == 400 and other.json()["error"] == "invalid_grant"
    http.cookies.clear()  # a new sign-in (with the session, /authorize answers at once)
    flow2 = Flow(dpop_jkt=KEY.thumbprint())
    code2 = login(http, flow2)
    assert token_request(http, code_data(flow2, code2), None).json()["error"] == "invalid_grant"
    http.cookies.clear()
    flow3 = Flow(dpop_jkt=KEY.thumbprint())
    code3 = login(http, flow3)
    good = token_request(http, code_data(flow3, code3), proof(http, clock))
    assert good.status_code == 200 and good.json()["token_type"] == "DPoP"


@pytest.mark.parametrize(
    "change",
    [
        {"path": "/userinfo"},  # htu of another endpoint
        {"method": "GET"},  # htm
        {"iat": 1_800_000_000 - 3600},  # an hour old
        {"iat": 1_800_000_000 + 3600},  # from the future
    ],
)
def test_bad_proofs_at_token(http: httpx.Client, clock: Clock, change: dict[str, Any]) -> None:
    flow = Flow()
    code = login(http, flow)
    answer = token_request(http, code_data(flow, code), proof(http, clock, **change))
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_dpop_proof"
    # The refusal happened before the code was looked at: it still works, with a good proof.
    assert token_request(http, code_data(flow, code), proof(http, clock)).status_code == 200


def test_proof_replay_and_garbage_at_token(http: httpx.Client, clock: Clock) -> None:
    flow = Flow(scope="openid offline_access")
    code = login(http, flow)
    once = proof(http, clock)
    first = token_request(http, code_data(flow, code), once)
    assert first.status_code == 200
    again = token_request(http, refresh_data(first.json()["refresh_token"]), once)
    assert again.status_code == 400 and again.json()["error"] == "invalid_dpop_proof"
    for junk in ("x", "a.b.c", "é"):
        answer = http.post("/token", data=refresh_data("r"), headers={"DPoP": junk.encode()})
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_dpop_proof"


def test_without_a_proof_bearer_as_before(http: httpx.Client) -> None:
    flow = Flow()
    body = exchange(http, flow, login(http, flow))
    assert body["token_type"] == "Bearer" and "cnf" not in claims_of(str(body["access_token"]))


@pytest.fixture
def nonce_http(clock: Clock) -> Iterator[httpx.Client]:
    with (
        RunningProvider(provider_factory=make_provider(clock, dpop_nonce=True)) as server,
        httpx.Client(base_url=server.base_url, follow_redirects=False) as client,
    ):
        yield client


def test_nonce_flag(nonce_http: httpx.Client, clock: Clock) -> None:
    http = nonce_http
    flow = Flow()
    code = login(http, flow)
    first = token_request(http, code_data(flow, code), proof(http, clock))
    assert first.status_code == 400 and first.json()["error"] == "use_dpop_nonce"
    nonce = first.headers["dpop-nonce"]
    retry = token_request(http, code_data(flow, code), proof(http, clock, nonce=nonce))
    assert retry.status_code == 200, retry.text
    assert retry.headers["dpop-nonce"]  # RFC 9449 §8: the next nonce comes with the answer


def test_cli_flag_turns_nonces_on(monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    import uvicorn

    from brython_oidc.devidp import cli

    served: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **_kw: served.append(app))
    for argv, expected in (([], False), (["--dpop-nonce"], True)):
        parser = argparse.ArgumentParser()
        cli.add_arguments(parser)
        assert cli.run(parser.parse_args(argv)) == 0
        assert (served[-1].state.provider.dpop.nonces is not None) is expected
