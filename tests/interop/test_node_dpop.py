"""DPoP against node oidc-provider (features.dPoP): proofs built by our core.dpop, signed
in Python, accepted by a certified provider; a stolen refresh token or access token used
without the key is refused by it."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from conftest import CLIENT_ORIGIN, REDIRECT_URI, TTL, OidcHttpFlow
from joserfc.jwk import ECKey
from joserfc.jws import JWSRegistry

from brython_oidc.core.dpop import build_proof
from brython_oidc.testing.node_provider import NodeProvider, start_or_skip

KEY = ECKey.generate_key("P-256", private=True)
THIEF = ECKey.generate_key("P-256", private=True)
_ES256 = JWSRegistry(algorithms=["ES256"]).get_alg("ES256")


def proof(
    url: str, method: str = "POST", *, key: ECKey = KEY, token: str | None = None,
    nonce: str | None = None,
) -> str:  # fmt: skip
    return build_proof(
        lambda data: _ES256.sign(data, key),
        alg="ES256", jwk=key.as_dict(private=False), method=method, url=url,
        jti=uuid.uuid4().hex, iat=int(time.time()), dump_json=json.dumps,
        access_token=token, nonce=nonce, sha256=lambda b: hashlib.sha256(b).digest(),
    )  # fmt: skip


@pytest.fixture(scope="module")
def dpop_provider() -> Iterator[NodeProvider]:
    provider = start_or_skip(NodeProvider(redirect_uris=[REDIRECT_URI], ttl=TTL, dpop=True))
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture
def flow(dpop_provider: NodeProvider) -> Iterator[OidcHttpFlow]:
    discovery = httpx.get(dpop_provider.discovery_url, timeout=10).json()
    with OidcHttpFlow(dpop_provider, discovery) as agent:
        yield agent


def with_proof(
    flow: OidcHttpFlow, data: dict[str, str], key: ECKey = KEY, send_proof: bool = True
) -> httpx.Response:
    """A token request with a proof; once more with the nonce if asked (RFC 9449 §8)."""
    url = flow.discovery["token_endpoint"]
    form = {"client_id": flow.provider.client_id, **data}
    nonce = None
    for _ in range(2):
        headers = {"Origin": CLIENT_ORIGIN}
        if send_proof:
            headers["DPoP"] = proof(url, key=key, nonce=nonce)
        response = flow.http.post(url, data=form, headers=headers)
        if response.status_code == 400 and response.json().get("error") == "use_dpop_nonce":
            nonce = response.headers["dpop-nonce"]
            continue
        return response
    return response


def dpop_login(flow: OidcHttpFlow) -> dict[str, Any]:
    transaction = flow.new_transaction()
    callback = flow.authorize(
        transaction, username="alice", password="alice", dpop_jkt=KEY.thumbprint()
    )
    response = with_proof(
        flow,
        {"grant_type": "authorization_code", "code": callback["code"],
         "redirect_uri": flow.redirect_uri, "code_verifier": transaction["code_verifier"]},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_discovery_advertises_dpop(flow: OidcHttpFlow) -> None:
    assert "ES256" in flow.discovery["dpop_signing_alg_values_supported"]


def test_core_proofs_get_dpop_tokens_and_userinfo(flow: OidcHttpFlow) -> None:
    tokens = dpop_login(flow)
    assert tokens["token_type"] == "DPoP"
    access = tokens["access_token"]
    userinfo = flow.discovery["userinfo_endpoint"]
    # The bound token as a bearer token (a thief without the key): refused.
    stolen = flow.http.get(userinfo, headers={"Authorization": f"Bearer {access}"})
    assert stolen.status_code in (400, 401), stolen.text
    # With another key's proof: refused.
    thief = flow.http.get(
        userinfo,
        headers={"Authorization": f"DPoP {access}",
                 "DPoP": proof(userinfo, "GET", key=THIEF, token=access)},
    )  # fmt: skip
    assert thief.status_code in (400, 401), thief.text
    # With a proof of the key, ath of the token: accepted.
    good = flow.http.get(
        userinfo,
        headers={"Authorization": f"DPoP {access}", "DPoP": proof(userinfo, "GET", token=access)},
    )
    if good.status_code == 401 and "use_dpop_nonce" in good.headers.get("www-authenticate", ""):
        nonce = good.headers["dpop-nonce"]
        good = flow.http.get(
            userinfo,
            headers={"Authorization": f"DPoP {access}",
                     "DPoP": proof(userinfo, "GET", token=access, nonce=nonce)},
        )  # fmt: skip
    assert good.status_code == 200, good.text
    assert good.json()["sub"] == "alice"


def test_refresh_token_is_bound_to_the_key(flow: OidcHttpFlow) -> None:
    refresh = dpop_login(flow)["refresh_token"]
    grant = {"grant_type": "refresh_token", "refresh_token": refresh}
    bare = with_proof(flow, grant, send_proof=False)
    assert bare.status_code == 400, bare.text
    other = with_proof(flow, grant, key=THIEF)
    assert other.status_code == 400, other.text
    good = with_proof(flow, grant)
    assert good.status_code == 200, good.text
    assert good.json()["token_type"] == "DPoP"


def test_code_bound_by_dpop_jkt_refuses_another_key(flow: OidcHttpFlow) -> None:
    transaction = flow.new_transaction()
    callback = flow.authorize(
        transaction, username="alice", password="alice", dpop_jkt=KEY.thumbprint()
    )
    response = with_proof(
        flow,
        {"grant_type": "authorization_code", "code": callback["code"],
         "redirect_uri": flow.redirect_uri, "code_verifier": transaction["code_verifier"]},
        key=THIEF,
    )  # fmt: skip
    assert response.status_code == 400, response.text
