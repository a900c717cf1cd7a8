"""Token endpoint: error paths, refresh rotation, reuse detection, revocation, logout, CORS."""

from __future__ import annotations

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from .conftest import (
    APP_ORIGIN,
    REDIRECT_URI,
    Clock,
    Flow,
    callback_params,
    exchange,
    issuer_of,
    login,
)


def tokens(http: httpx.Client) -> tuple[Flow, dict[str, object]]:
    flow = Flow(prompt="login")
    body = exchange(http, flow, login(http, flow))
    assert body["_status"] == 200, body
    return flow, body


def refresh(http: httpx.Client, refresh_token: object) -> httpx.Response:
    return http.post(
        "/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": str(refresh_token),
            "client_id": "demo-spa",
        },
    )


def userinfo_status(http: httpx.Client, access_token: object) -> int:
    return http.get("/userinfo", headers={"Authorization": f"Bearer {access_token}"}).status_code


# --- authorization endpoint errors ------------------------------------------------


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"client_id": "nobody"}, "invalid_client"),
        ({"redirect_uri": "http://evil.test/"}, "invalid_request"),
        ({"redirect_uri": "http://localhost:8000/x"}, "invalid_request"),  # exact match only
        ({"redirect_uri": None}, "invalid_request"),
    ],
)
def test_untrusted_redirect_shows_page(
    http: httpx.Client, change: dict[str, str | None], error: str
) -> None:
    params = {k: v for k, v in (Flow().params | change).items() if v is not None}
    answer = http.get("/authorize", params=params)
    assert answer.status_code == 400 and "location" not in answer.headers
    assert f'data-error="{error}"' in answer.text
    assert "Traceback" not in answer.text


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"code_challenge": None, "code_challenge_method": None}, "code_challenge"),
        ({"code_challenge_method": "plain"}, "S256"),
        ({"code_challenge_method": None}, "S256"),
        ({"response_type": "token"}, None),
    ],
)
def test_pkce_errors_redirect_with_iss(
    http: httpx.Client, change: dict[str, str | None], fragment: str | None
) -> None:
    flow = Flow()
    params = {k: v for k, v in (flow.params | change).items() if v is not None}
    answer = http.get("/authorize", params=params)
    assert answer.status_code == 302
    result = callback_params(answer.headers["location"])
    assert result["error"] in ("invalid_request", "unsupported_response_type")
    assert result["state"] == flow.state and result["iss"] == issuer_of(http)
    if fragment:
        assert fragment in result["error_description"]


# --- token endpoint errors --------------------------------------------------------


def test_wrong_verifier(http: httpx.Client) -> None:
    flow = Flow()
    body = exchange(http, flow, login(http, flow), code_verifier="x" * 50)
    assert body["_status"] == 400 and body["error"] == "invalid_grant"


def test_missing_verifier(http: httpx.Client) -> None:
    flow = Flow()
    body = exchange(http, flow, login(http, flow), code_verifier="")
    assert body["_status"] == 400 and body["error"] == "invalid_request"


def test_wrong_redirect_uri_at_token(http: httpx.Client) -> None:
    flow = Flow()
    body = exchange(http, flow, login(http, flow), redirect_uri="http://localhost:8000/other")
    assert body["error"] == "invalid_grant"


def test_unknown_client_at_token(http: httpx.Client) -> None:
    flow = Flow()
    body = exchange(http, flow, login(http, flow), client_id="nobody")
    assert body["error"] == "invalid_client"


def test_expired_code(http: httpx.Client, clock: Clock) -> None:
    flow = Flow()
    code = login(http, flow)
    clock.now += 61  # default code lifetime: 60 s
    body = exchange(http, flow, code)
    assert body["error"] == "invalid_grant" and "expired" in str(body["error_description"])


def test_replayed_code_revokes_tokens(http: httpx.Client) -> None:
    flow = Flow()
    code = login(http, flow)
    first = exchange(http, flow, code)
    assert userinfo_status(http, first["access_token"]) == 200
    second = exchange(http, flow, code)
    assert second["error"] == "invalid_grant"
    assert userinfo_status(http, first["access_token"]) == 401
    assert refresh(http, first["refresh_token"]).json()["error"] == "invalid_grant"


def test_unsupported_grant_type(http: httpx.Client) -> None:
    answer = http.post("/token", data={"grant_type": "password", "client_id": "demo-spa"})
    assert answer.status_code == 400 and answer.json()["error"] == "unsupported_grant_type"


# --- refresh ------------------------------------------------------------------------


def test_refresh_rotates(http: httpx.Client) -> None:
    _, body = tokens(http)
    answer = refresh(http, body["refresh_token"])
    assert answer.status_code == 200, answer.text
    new = answer.json()
    assert new["refresh_token"] != body["refresh_token"]
    keys = KeySet.import_key_set(http.get("/jwks").json())
    claims = jwt.decode(new["id_token"], keys, algorithms=["RS256"]).claims
    assert claims["sub"] == "alice" and "nonce" not in claims
    assert refresh(http, new["refresh_token"]).status_code == 200


def test_refresh_reuse_revokes_family(http: httpx.Client) -> None:
    _, body = tokens(http)
    second = refresh(http, body["refresh_token"]).json()
    reuse = refresh(http, body["refresh_token"])
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
    assert "reuse" in reuse.json()["error_description"]
    assert refresh(http, second["refresh_token"]).json()["error"] == "invalid_grant"
    assert userinfo_status(http, second["access_token"]) == 401


def test_refresh_token_expires(http: httpx.Client, clock: Clock) -> None:
    _, body = tokens(http)
    clock.now += 601
    assert refresh(http, body["refresh_token"]).json()["error"] == "invalid_grant"


def test_access_token_expires_at_userinfo(http: httpx.Client, clock: Clock) -> None:
    _, body = tokens(http)
    clock.now += 121
    answer = http.get("/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer.headers["www-authenticate"]


# --- revocation (RFC 7009) -------------------------------------------------------------


def test_revoke_refresh_token_revokes_grant(http: httpx.Client) -> None:
    _, body = tokens(http)
    answer = http.post(
        "/revoke",
        data={
            "token": body["refresh_token"],
            "token_type_hint": "refresh_token",
            "client_id": "demo-spa",
        },
    )
    assert answer.status_code == 200
    assert refresh(http, body["refresh_token"]).json()["error"] == "invalid_grant"
    assert userinfo_status(http, body["access_token"]) == 401


def test_revoke_access_token_only(http: httpx.Client) -> None:
    _, body = tokens(http)
    http.post("/revoke", data={"token": body["access_token"], "client_id": "demo-spa"})
    assert userinfo_status(http, body["access_token"]) == 401
    assert refresh(http, body["refresh_token"]).status_code == 200


def test_revoke_unknown_token_is_200(http: httpx.Client) -> None:
    answer = http.post("/revoke", data={"token": "nope", "client_id": "demo-spa"})
    assert answer.status_code == 200  # RFC 7009 §2.2


# --- logout -----------------------------------------------------------------------------


def test_logout_redirects_with_state_and_ends_session(http: httpx.Client) -> None:
    _, body = tokens(http)
    answer = http.get(
        "/logout",
        params={
            "id_token_hint": body["id_token"],
            "post_logout_redirect_uri": REDIRECT_URI,
            "state": "s1",
        },
    )
    assert answer.status_code == 302 and answer.headers["location"] == REDIRECT_URI + "?state=s1"
    silent = http.get("/authorize", params=Flow(prompt="none").params)
    assert callback_params(silent.headers["location"])["error"] == "login_required"
    assert refresh(http, body["refresh_token"]).json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "params",
    [
        {"client_id": "demo-spa", "post_logout_redirect_uri": "http://evil.test/"},
        {"post_logout_redirect_uri": REDIRECT_URI},  # no client identified
        {"client_id": "nobody", "post_logout_redirect_uri": REDIRECT_URI},
        {"id_token_hint": "not.a.token", "post_logout_redirect_uri": REDIRECT_URI},
    ],
)
def test_logout_bad_redirect_shows_page(http: httpx.Client, params: dict[str, str]) -> None:
    answer = http.get("/logout", params=params)
    assert answer.status_code == 400 and "location" not in answer.headers


def test_logout_client_id_must_match_hint(http: httpx.Client) -> None:
    _, body = tokens(http)
    answer = http.get("/logout", params={"id_token_hint": body["id_token"], "client_id": "other"})
    assert answer.status_code == 400


# --- CORS --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/.well-known/openid-configuration", "/jwks", "/token", "/userinfo", "/revoke"]
)
def test_cors_preflight_allowed_origin(http: httpx.Client, path: str) -> None:
    answer = http.options(
        path, headers={"Origin": APP_ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == APP_ORIGIN


def test_cors_denied_origin(http: httpx.Client) -> None:
    evil = {"Origin": "http://evil.test"}
    pre = http.options("/token", headers=evil | {"Access-Control-Request-Method": "POST"})
    assert pre.status_code == 403 and "access-control-allow-origin" not in pre.headers
    get = http.get("/jwks", headers=evil)
    assert get.status_code == 200 and "access-control-allow-origin" not in get.headers


def test_cors_actual_request_and_not_on_authorize(http: httpx.Client) -> None:
    ok = http.get("/jwks", headers={"Origin": APP_ORIGIN})
    assert ok.headers["access-control-allow-origin"] == APP_ORIGIN
    page = http.get("/authorize", params=Flow().params, headers={"Origin": APP_ORIGIN})
    assert "access-control-allow-origin" not in page.headers


# --- key rotation -----------------------------------------------------------------------


def test_key_rotation_keeps_old_key_published(http: httpx.Client, clock: Clock) -> None:
    _, body = tokens(http)
    old_kid = jwt.decode(
        str(body["id_token"]), KeySet.import_key_set(http.get("/jwks").json())
    ).header["kid"]
    rotated = http.post("/admin/rotate-keys").json()["kids"]
    assert rotated["RS256"] != old_kid
    kids = [k["kid"] for k in http.get("/jwks").json()["keys"]]
    assert old_kid in kids and rotated["RS256"] in kids
    _, newer = tokens(http)
    assert (
        jwt.decode(str(newer["id_token"]), KeySet.import_key_set(http.get("/jwks").json())).header[
            "kid"
        ]
        == rotated["RS256"]
    )
    clock.now += 10_000  # past the grace period
    assert old_kid not in [k["kid"] for k in http.get("/jwks").json()["keys"]]


def test_admin_endpoint_disabled_by_default(clock: Clock) -> None:
    from brython_oidc.devidp import Provider
    from brython_oidc.devidp.testing import RunningProvider

    with RunningProvider(provider_factory=lambda iss: Provider(iss, clock=clock)) as server:
        assert httpx.post(server.base_url + "/admin/rotate-keys").status_code == 404
