"""The whole code + PKCE flow over HTTP, ID token verified against the JWKS."""

from __future__ import annotations

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from brython_oidc.devidp import Client
from brython_oidc.devidp.testing import RunningProvider

from .conftest import (
    REDIRECT_URI,
    Clock,
    Flow,
    callback_params,
    exchange,
    issuer_of,
    login,
    make_provider,
)


def verify(http: httpx.Client, token: str, alg: str = "RS256") -> dict[str, object]:
    keys = KeySet.import_key_set(http.get("/jwks").json())
    decoded = jwt.decode(token, keys, algorithms=[alg])
    return dict(decoded.claims) | {"_header": decoded.header}


def test_discovery_document(http: httpx.Client) -> None:
    doc = http.get("/.well-known/openid-configuration").json()
    assert doc["issuer"] == issuer_of(http)
    assert doc["end_session_endpoint"] == issuer_of(http) + "/logout"
    assert doc["revocation_endpoint"] == issuer_of(http) + "/revoke"
    assert doc["authorization_response_iss_parameter_supported"] is True
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert set(doc["id_token_signing_alg_values_supported"]) == {"RS256", "ES256"}


def test_jwks_has_rs256_and_es256(http: httpx.Client) -> None:
    keys = http.get("/jwks").json()["keys"]
    assert {(k["kty"], k["alg"]) for k in keys} == {("RSA", "RS256"), ("EC", "ES256")}
    assert all("d" not in k for k in keys)  # public halves only


def test_code_flow_with_pkce(http: httpx.Client, clock: object) -> None:
    flow = Flow()
    code = login(http, flow)
    body = exchange(http, flow, code)
    assert body["_status"] == 200, body
    assert body["token_type"] == "Bearer"
    claims = verify(http, str(body["id_token"]))
    assert claims["iss"] == issuer_of(http)
    assert claims["aud"] == "demo-spa"
    assert claims["sub"] == "alice"
    assert claims["nonce"] == flow.nonce
    assert claims["name"] == "Alice Example"
    assert "at_hash" in claims and "auth_time" in claims
    access = verify(http, str(body["access_token"]))
    assert access["_header"]["typ"] == "at+jwt"  # type: ignore[index]
    assert access["aud"] == "demo-api" and access["client_id"] == "demo-spa"
    info = http.get("/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert info.status_code == 200 and info.json()["sub"] == "alice"


def test_es256_client_gets_es256_tokens(clock: Clock) -> None:
    client = Client("es-spa", [REDIRECT_URI], id_token_signed_response_alg="ES256")
    with (
        RunningProvider(provider_factory=make_provider(clock, clients=[client])) as server,
        httpx.Client(base_url=server.base_url) as http,
    ):
        flow = Flow(client_id="es-spa")
        code = login(http, flow, "bob")
        body = exchange(http, flow, code, client_id="es-spa")
        claims = verify(http, str(body["id_token"]), "ES256")
        assert claims["_header"]["alg"] == "ES256"  # type: ignore[index]
        assert claims["sub"] == "bob"


def test_wrong_password_shows_form_again(http: httpx.Client) -> None:
    flow = Flow()
    answer = http.post(
        "/authorize", params=flow.params, data={"username": "alice", "password": "x"}
    )
    assert answer.status_code == 401
    assert "Wrong username or password" in answer.text
    assert 'value="alice"' in answer.text


def test_login_hint_prefills_username(http: httpx.Client) -> None:
    page = http.get("/authorize", params=Flow(login_hint="bob").params)
    assert 'name="username" autocomplete="username" autofocus value="bob"' in page.text


def test_session_cookie_attributes(http: httpx.Client) -> None:
    flow = Flow()
    answer = http.post(
        "/authorize", params=flow.params, data={"username": "bob", "password": "bob"}
    )
    cookies = answer.headers.get_list("set-cookie")
    cross = next(c for c in cookies if c.startswith("devidp_session="))
    lax = next(c for c in cookies if c.startswith("devidp_session_lax="))
    assert "SameSite=none" in cross and "Secure" in cross and "HttpOnly" in cross
    assert "SameSite=lax" in lax and "HttpOnly" in lax


def test_prompt_none_without_session_is_login_required(http: httpx.Client) -> None:
    flow = Flow(prompt="none")
    answer = http.get("/authorize", params=flow.params)
    assert answer.status_code == 302
    params = callback_params(answer.headers["location"])
    assert params == {"error": "login_required", "state": flow.state, "iss": issuer_of(http)}


def test_prompt_none_with_session_gives_code(http: httpx.Client) -> None:
    login(http, Flow())
    flow = Flow(prompt="none")
    answer = http.get("/authorize", params=flow.params)
    params = callback_params(answer.headers["location"])
    assert "code" in params and params["iss"] == issuer_of(http)
    assert exchange(http, flow, params["code"])["_status"] == 200


def test_prompt_login_shows_form_despite_session(http: httpx.Client) -> None:
    login(http, Flow())
    page = http.get("/authorize", params=Flow(prompt="login").params)
    assert page.status_code == 200 and 'name="password"' in page.text


def test_max_age_forces_login_and_auth_time(http: httpx.Client, clock: object) -> None:
    first = Flow()
    body = exchange(http, first, login(http, first))
    auth_time = verify(http, str(body["id_token"]))["auth_time"]
    clock.now += 100  # type: ignore[attr-defined]
    # Within max_age: silent. Beyond it: prompt=none fails, a normal request shows the form.
    inside = http.get("/authorize", params=Flow(max_age="500", prompt="none").params)
    assert "code" in callback_params(inside.headers["location"])
    beyond = http.get("/authorize", params=Flow(max_age="50", prompt="none").params)
    assert callback_params(beyond.headers["location"])["error"] == "login_required"
    form = http.get("/authorize", params=Flow(max_age="50").params)
    assert form.status_code == 200 and 'name="password"' in form.text
    again = Flow(max_age="50")
    body2 = exchange(http, again, login(http, again))
    assert verify(http, str(body2["id_token"]))["auth_time"] == auth_time + 100  # type: ignore[operator]


def test_fragment_response_mode(http: httpx.Client) -> None:
    flow = Flow(response_mode="fragment")
    http.post("/authorize", params=Flow().params, data={"username": "bob", "password": "bob"})
    answer = http.get("/authorize", params=flow.params)
    location = answer.headers["location"]
    assert location.startswith(REDIRECT_URI + "#code=")
    assert f"iss={issuer_of(http).replace(':', '%3A').replace('/', '%2F')}" in location


@pytest.mark.parametrize("path", ["/", "/.well-known/openid-configuration"])
def test_home_and_discovery_render(http: httpx.Client, path: str) -> None:
    response = http.get(path)
    assert response.status_code == 200
    if path == "/":
        assert "alice" in response.text and "bob" in response.text and "demo-spa" in response.text
