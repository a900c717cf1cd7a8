"""The node oidc-provider harness works, and behaves as the provider page says
(docs/guides/providers/node-oidc-provider.md).

Each test drives the certified provider over HTTP the way brython_oidc's browser runtime
will: Authorization Code + PKCE (RFC 7636), RFC 9207 ``iss``, refresh with rotation,
``prompt=none``, revocation (RFC 7009) and RP-initiated logout.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
import pytest
from conftest import CLIENT_ORIGIN, TTL, LoginFormMissing, OidcHttpFlow, parse_forms
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from brython_oidc.testing.node_provider import (
    NodeNotFound,
    NodeProvider,
    NodeProviderError,
    start_or_skip,
)


def verify_id_token(
    id_token: str, discovery: dict[str, Any], client_id: str, nonce: str
) -> jwt.Token:
    """OIDC Core §3.1.3.7: signature against the JWKS, then iss, aud, nonce, exp, iat."""
    jwks = httpx.get(discovery["jwks_uri"], timeout=10).json()
    token = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=["RS256"])
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": discovery["issuer"]},
        aud={"essential": True, "value": client_id},
        nonce={"essential": True, "value": nonce},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
    )
    registry.validate(token.claims)
    return token


# --- discovery ------------------------------------------------------------------------


def test_discovery_has_what_the_client_needs(node_provider: NodeProvider, discovery: dict) -> None:
    issuer = node_provider.issuer
    assert issuer.startswith("http://127.0.0.1:")
    assert discovery["issuer"] == issuer  # OIDC Discovery §4.3: exact match
    for endpoint, path in [
        ("authorization_endpoint", "/auth"),
        ("token_endpoint", "/token"),
        ("jwks_uri", "/jwks"),
        ("userinfo_endpoint", "/me"),
        ("end_session_endpoint", "/session/end"),
        ("revocation_endpoint", "/token/revocation"),
    ]:
        assert discovery[endpoint] == issuer + path, endpoint
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert discovery["authorization_response_iss_parameter_supported"] is True
    assert set(discovery["grant_types_supported"]) >= {"authorization_code", "refresh_token"}
    assert discovery["response_types_supported"] == ["code"]
    assert "none" in discovery["token_endpoint_auth_methods_supported"]
    assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]


def test_jwks_holds_one_rs256_public_key(discovery: dict) -> None:
    keys = httpx.get(discovery["jwks_uri"], timeout=10).json()["keys"]
    assert len(keys) == 1
    key = keys[0]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert key["kid"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key), "private key material published"


# --- authorization code + PKCE --------------------------------------------------------


def test_code_flow_with_pkce_gives_a_verifiable_id_token(
    flow: OidcHttpFlow, node_provider: NodeProvider, discovery: dict
) -> None:
    tokens = flow.login("alice", "alice")
    callback, transaction = tokens["_callback"], tokens["_tx"]
    assert callback["iss"] == node_provider.issuer  # RFC 9207 §2
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == TTL["access_token"]
    token = verify_id_token(
        tokens["id_token"], discovery, node_provider.client_id, transaction["nonce"]
    )
    assert token.header["alg"] == "RS256"
    assert token.claims["sub"] == "alice"
    assert token.claims["exp"] - token.claims["iat"] == TTL["id_token"]
    # conformIdTokenClaims: with an access token issued, profile claims go to userinfo only.
    assert "name" not in token.claims


def test_id_token_with_a_changed_payload_fails_verification(
    flow: OidcHttpFlow, discovery: dict
) -> None:
    tokens = flow.login("bob", "bob")
    header, payload, signature = tokens["id_token"].split(".")
    forged = f"{header}.{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{signature}"
    jwks = httpx.get(discovery["jwks_uri"], timeout=10).json()
    with pytest.raises((BadSignatureError, ValueError)):
        jwt.decode(forged, KeySet.import_key_set(jwks), algorithms=["RS256"])


def test_userinfo_matches_the_id_token_subject(flow: OidcHttpFlow, discovery: dict) -> None:
    tokens = flow.login("bob", "bob")
    response = httpx.get(
        discovery["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {tokens['access_token']}", "Origin": CLIENT_ORIGIN},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == CLIENT_ORIGIN
    userinfo = response.json()
    assert userinfo["sub"] == "bob"
    assert userinfo["name"] == "Bob Builder"
    assert userinfo["preferred_username"] == "bob"


def test_wrong_password_shows_the_login_form_again(flow: OidcHttpFlow) -> None:
    with pytest.raises(LoginFormMissing, match="Invalid username or password"):
        flow.authorize(flow.new_transaction(), username="alice", password="bob")


def test_login_page_follows_the_dom_contract(flow: OidcHttpFlow) -> None:
    response = flow.http.get(flow.authorization_url(flow.new_transaction()))
    assert response.is_redirect
    page = flow.http.get(urljoin(str(response.url), response.headers["location"]))
    (form,) = parse_forms(page.text)
    assert set(form["inputs"]) == {"username", "password"}
    assert form["inputs"]["password"]["type"] == "password"
    assert len(form["submits"]) == 1
    assert "fonts.googleapis" not in page.text  # nothing outside loopback


def test_authorization_request_without_code_challenge_is_refused(flow: OidcHttpFlow) -> None:
    url = flow.authorization_url(flow.new_transaction())
    url = url.replace("&code_challenge_method=S256", "")
    url = "&".join(p for p in url.split("&") if not p.startswith("code_challenge="))
    response = flow.http.get(url)
    assert response.is_redirect
    params = dict(parse_qsl(urlsplit(response.headers["location"]).query))
    assert params["error"] == "invalid_request"
    assert "PKCE" in params["error_description"]


def test_code_with_the_wrong_code_verifier_is_invalid_grant(flow: OidcHttpFlow) -> None:
    transaction = flow.new_transaction()
    callback = flow.authorize(transaction, username="alice", password="alice")
    wrong = flow.new_transaction()["code_verifier"]
    response = flow.exchange_code(callback["code"], wrong)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    # Quirk: a failed PKCE check does not consume the code; the right verifier still works.
    again = flow.exchange_code(callback["code"], transaction["code_verifier"])
    assert again.status_code == 200
    # RFC 6749 §4.1.2: a code that was used is refused after that.
    third = flow.exchange_code(callback["code"], transaction["code_verifier"])
    assert third.json()["error"] == "invalid_grant"


def test_token_endpoint_cors_allows_only_the_client_origin(flow: OidcHttpFlow) -> None:
    transaction = flow.new_transaction()
    callback = flow.authorize(transaction, username="alice", password="alice")
    preflight = flow.http.options(
        flow.discovery["token_endpoint"],
        headers={
            "Origin": CLIENT_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["access-control-allow-methods"]
    foreign = flow.token_request(
        {
            "grant_type": "authorization_code",
            "code": callback["code"],
            "redirect_uri": flow.redirect_uri,
            "code_verifier": transaction["code_verifier"],
        },
        origin="http://evil.example",
    )
    assert foreign.status_code == 400
    assert foreign.json()["error"] == "invalid_request"
    assert "access-control-allow-origin" not in foreign.headers


# --- refresh tokens -------------------------------------------------------------------


def test_refresh_grant_works_and_rotates(
    flow: OidcHttpFlow, node_provider: NodeProvider, discovery: dict
) -> None:
    tokens = flow.login("alice", "alice")
    first = tokens["refresh_token"]
    response = flow.refresh(first)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == CLIENT_ORIGIN
    renewed = response.json()
    assert renewed["refresh_token"] != first  # rotated
    assert renewed["access_token"] != tokens["access_token"]
    # OIDC Core §12.2: the new ID token keeps iss and sub; it carries no nonce check here.
    claims = jwt.decode(
        renewed["id_token"],
        KeySet.import_key_set(httpx.get(discovery["jwks_uri"], timeout=10).json()),
        algorithms=["RS256"],
    ).claims
    assert (claims["iss"], claims["sub"]) == (node_provider.issuer, "alice")
    assert flow.refresh(renewed["refresh_token"]).status_code == 200


def test_reusing_a_rotated_refresh_token_revokes_the_whole_grant(flow: OidcHttpFlow) -> None:
    # The multi-tab hazard: two tabs refreshing with the same token kill the session.
    tokens = flow.login("alice", "alice")
    renewed = flow.refresh(tokens["refresh_token"]).json()
    reuse = flow.refresh(tokens["refresh_token"])
    assert reuse.status_code == 400
    assert reuse.json()["error"] == "invalid_grant"
    successor = flow.refresh(renewed["refresh_token"])
    assert successor.json()["error"] == "invalid_grant"


def test_revoked_refresh_token_no_longer_refreshes(flow: OidcHttpFlow, discovery: dict) -> None:
    tokens = flow.login("bob", "bob")
    response = flow.http.post(
        discovery["revocation_endpoint"],
        data={
            "client_id": flow.provider.client_id,
            "token": tokens["refresh_token"],
            "token_type_hint": "refresh_token",
        },
        headers={"Origin": CLIENT_ORIGIN},
    )
    assert response.status_code == 200  # RFC 7009 §2.2
    assert response.headers["access-control-allow-origin"] == CLIENT_ORIGIN
    assert flow.refresh(tokens["refresh_token"]).json()["error"] == "invalid_grant"


# --- prompt=none and logout -----------------------------------------------------------


def test_prompt_none_without_a_session_is_login_required(
    flow: OidcHttpFlow, node_provider: NodeProvider
) -> None:
    transaction = flow.new_transaction()
    callback = flow.authorize(transaction, prompt="none")
    assert callback["error"] == "login_required"
    assert callback["state"] == transaction["state"]
    assert callback["iss"] == node_provider.issuer  # RFC 9207 on errors too


def test_prompt_none_with_a_session_returns_a_code_without_a_form(flow: OidcHttpFlow) -> None:
    flow.login("alice", "alice")
    transaction = flow.new_transaction()
    callback = flow.authorize(transaction, prompt="none")  # no credentials: a form would fail
    assert callback["state"] == transaction["state"]
    tokens = flow.exchange_code(callback["code"], transaction["code_verifier"]).json()
    assert "refresh_token" in tokens


def test_rp_initiated_logout_ends_the_session(flow: OidcHttpFlow, discovery: dict) -> None:
    tokens = flow.login("alice", "alice")
    page = flow.http.get(
        discovery["end_session_endpoint"],
        params={
            "id_token_hint": tokens["id_token"],
            "client_id": flow.provider.client_id,
            "post_logout_redirect_uri": flow.redirect_uri,
            "state": "bye",
        },
    )
    assert page.status_code == 200  # a confirmation page, not an immediate redirect
    (form,) = parse_forms(page.text)
    assert "xsrf" in form["inputs"]
    (confirm,) = [b for b in form["submits"] if b.get("name") == "logout"]
    confirmed = flow.http.post(
        urljoin(str(page.url), form["action"]),
        data={"xsrf": form["inputs"]["xsrf"]["value"], "logout": confirm["value"]},
    )
    assert confirmed.is_redirect
    location = confirmed.headers["location"]
    assert location.startswith(flow.redirect_uri)
    assert dict(parse_qsl(urlsplit(location).query)) == {"state": "bye"}
    silent = flow.authorize(flow.new_transaction(), prompt="none")
    assert silent["error"] == "login_required"


# --- the harness itself ---------------------------------------------------------------


def test_stock_offline_access_rule_needs_prompt_consent() -> None:
    stock = start_or_skip(NodeProvider(refresh_tokens="offline_access"))
    try:
        discovery = httpx.get(stock.discovery_url, timeout=10).json()
        with OidcHttpFlow(stock, discovery) as agent:
            plain = agent.login("alice", "alice")
            assert "refresh_token" not in plain
            without_consent = agent.login("alice", "alice", scope="openid offline_access")
            assert "refresh_token" not in without_consent  # offline_access silently dropped
            assert "offline_access" not in without_consent["scope"]
            with_consent = agent.login(
                "alice", "alice", scope="openid offline_access", prompt="consent"
            )
            assert "refresh_token" in with_consent
    finally:
        stock.stop()
    assert not stock.running


def set_cookies_of_an_authorization_request(provider: NodeProvider) -> list[set[str]]:
    discovery = httpx.get(provider.discovery_url, timeout=10).json()
    with OidcHttpFlow(provider, discovery) as agent:
        response = agent.http.get(agent.authorization_url(agent.new_transaction()))
    assert response.is_redirect
    # Each cookie's attributes, lower-cased, without the name=value pair.
    return [
        {part.strip().lower() for part in cookie.split(";")[1:]}
        for cookie in response.headers.get_list("set-cookie")
    ]


def test_cookies_are_samesite_lax_by_default(node_provider: NodeProvider) -> None:
    cookies = set_cookies_of_an_authorization_request(node_provider)
    assert cookies
    assert all("samesite=lax" in c and "secure" not in c for c in cookies), cookies


def test_samesite_none_mode_sets_secure_cookies_on_plain_http() -> None:
    provider = start_or_skip(NodeProvider(cookie_samesite="none"))
    try:
        cookies = set_cookies_of_an_authorization_request(provider)
        assert "cross-site frames" in provider.stderr_text()  # the weakening is loud
    finally:
        provider.stop()
    assert cookies
    assert all({"samesite=none", "secure", "httponly"} <= c for c in cookies), cookies


def test_a_provider_that_dies_at_start_fails_loudly() -> None:
    broken = NodeProvider(refresh_tokens="sometimes")  # type: ignore[arg-type]
    started = time.monotonic()
    with pytest.raises(NodeProviderError, match="exited with status 1") as info:
        start_or_skip(broken)
    assert "OIDC_REFRESH_TOKENS" in str(info.value)  # the provider's stderr is included
    assert time.monotonic() - started < broken.startup_timeout
    assert not broken.running


def test_missing_node_modules_or_script_fail_and_do_not_skip(tmp_path: Any) -> None:
    with pytest.raises(NodeProviderError, match="script not found"):
        start_or_skip(NodeProvider(script=tmp_path / "provider.mjs"))
    (tmp_path / "provider.mjs").write_text("")
    with pytest.raises(NodeProviderError, match="npm ci"):
        start_or_skip(NodeProvider(script=tmp_path / "provider.mjs"))


def test_missing_node_skips_with_a_reason() -> None:
    with pytest.raises(NodeNotFound):
        NodeProvider(node="no-such-node-binary").start()
    with pytest.raises(pytest.skip.Exception, match="no-such-node-binary"):
        start_or_skip(NodeProvider(node="no-such-node-binary"))


def test_unknown_ttl_name_is_refused() -> None:
    with pytest.raises(ValueError, match="access_tokn"):
        NodeProvider(ttl={"access_tokn": 5})
