"""The development provider under hostile or unusual input (issue 24, issue 23).

Each test is named after the finding it pins: 4xx pages instead of 500s, the
id_token_hint checked with the provider's own key and algorithm, login and logout
CSRF, a non-loopback Host, any port on a loopback redirect URI (RFC 8252 §7.3),
and a log line for every refusal.
"""

from __future__ import annotations

import ast
import base64
import json
import logging
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from brython_oidc.devidp import Client, Provider
from brython_oidc.devidp.app import create_app
from brython_oidc.devidp.config import uri_matches

from .conftest import REDIRECT_URI, Flow, callback_params, exchange, login
from .test_tokens import tokens, userinfo_status


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.mark.parametrize("bad", ["co\\de", 'co"de', "codé", "code\x7f", "code\n"])
def test_response_type_chars_get_a_400_page_not_500(http: httpx.Client, bad: str) -> None:
    answer = http.get("/authorize", params=Flow(response_type=bad).params)
    assert answer.status_code == 400
    assert "location" not in answer.headers
    assert "unsupported_response_type" in answer.text


@pytest.mark.parametrize("field", ["scope", "state", "nonce", "code_challenge_method", "prompt"])
def test_other_unechoable_parameters_get_a_4xx_not_500(http: httpx.Client, field: str) -> None:
    answer = http.get("/authorize", params=Flow(**{field: 'a"b\\c\x7f'}).params)
    assert 200 <= answer.status_code < 500, answer.text


@pytest.mark.parametrize(
    "redirect_uri", ["http://evil.test/", "http://localhost:8000/x", "http://localhost:8000/\\"]
)
def test_unregistered_redirect_uri_gets_a_400_page_and_a_log_line(
    http: httpx.Client, redirect_uri: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="brython_oidc.devidp"):
        answer = http.get("/authorize", params=Flow(redirect_uri=redirect_uri).params)
    assert answer.status_code == 400 and "location" not in answer.headers
    line = next(r.getMessage() for r in caplog.records if "refused /authorize" in r.getMessage())
    assert repr(redirect_uri) in line and f"registered: {REDIRECT_URI}" in line


# --- RFC 8252 §7.3: any port on a loopback redirect URI ---------------------------------


@pytest.mark.parametrize(
    ("requested", "registered", "ok"),
    [
        ("http://localhost:9000/", "http://localhost:8000/", True),
        ("http://localhost/", "http://localhost:8000/", True),
        ("http://127.0.0.1:5/cb", "http://127.0.0.1:8000/cb", True),
        ("http://[::1]:9/", "http://[::1]:8000/", True),
        ("http://localhost:9000/x", "http://localhost:8000/", False),  # path differs
        ("http://localhost:9000/?a=1", "http://localhost:8000/", False),
        ("http://127.0.0.1:9000/", "http://localhost:8000/", False),  # host differs
        ("https://localhost:9000/", "http://localhost:8000/", False),
        ("http://example.test:9000/", "http://example.test:8000/", False),  # not loopback
        ("http://u@localhost:9000/", "http://localhost:8000/", False),
        ("http://localhost:x/", "http://localhost:8000/", False),
        ("http://localhost:9000/#f", "http://localhost:8000/", False),
    ],
)
def test_loopback_redirect_uri_any_port(requested: str, registered: str, ok: bool) -> None:
    assert uri_matches(requested, registered) is ok


def test_sign_in_works_from_serve_on_another_port(http: httpx.Client) -> None:
    other = "http://localhost:9000/"
    flow = Flow(redirect_uri=other)
    http.get("/authorize", params=flow.params)
    answer = http.post(
        "/authorize", params=flow.params, data={"username": "alice", "password": "alice"}
    )
    assert answer.status_code == 302 and answer.headers["location"].startswith(other)
    code = answer.headers["location"].split("code=")[1].split("&")[0]
    assert exchange(http, flow, code, redirect_uri=other)["_status"] == 200
    preflight = http.options(
        "/token",
        headers={"Origin": "http://localhost:9000", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:9000"


def test_cors_refusal_is_logged_with_registered_origins(
    http: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="brython_oidc.devidp"):
        answer = http.options(
            "/token",
            headers={"Origin": "http://evil.test", "Access-Control-Request-Method": "POST"},
        )
    assert answer.status_code == 403
    text = caplog.text
    assert "'http://evil.test'" in text and "registered: http://localhost:8000" in text


def test_refused_token_request_is_logged_without_the_code(
    http: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    flow = Flow()
    code = login(http, flow)
    with caplog.at_level(logging.WARNING, logger="brython_oidc.devidp"):
        body = exchange(http, flow, code, code_verifier="x" * 43)
    assert body["_status"] == 400
    assert "refused /token" in caplog.text and "invalid_grant" in caplog.text
    assert code not in caplog.text


# --- non-loopback Host: the issuer comes from the configuration -------------------------


def test_non_loopback_host_works_with_issuer_from_config() -> None:
    issuer = "http://idp.lan.test:8001"
    provider = Provider(issuer)
    with TestClient(create_app(provider), base_url=issuer, follow_redirects=False) as client:
        flow = Flow()
        page = client.get("/authorize", params=flow.params)
        assert page.status_code == 200 and 'name="password"' in page.text
        answer = client.post(
            "/authorize", params=flow.params, data={"username": "bob", "password": "bob"}
        )
        assert answer.status_code == 302
        params = callback_params(answer.headers["location"])
        assert params["iss"] == issuer
        token = client.post(
            "/token",
            data={
                "grant_type": "authorization_code", "code": params["code"],
                "redirect_uri": REDIRECT_URI, "client_id": "demo-spa",
                "code_verifier": flow.verifier,
            },
        )  # fmt: skip
        assert token.status_code == 200, token.text
        revoke = client.post(
            "/revoke", data={"token": token.json()["refresh_token"], "client_id": "demo-spa"}
        )
        assert revoke.status_code == 200


# --- login CSRF ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "http://evil.test"}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}],
)
def test_login_csrf_cross_site_post_is_refused(http: httpx.Client, headers: dict[str, str]) -> None:
    flow = Flow()
    answer = http.post(
        "/authorize",
        params=flow.params,
        data={"username": "mallory", "password": "mallory"},
        headers=headers,
    )
    assert answer.status_code == 400 and "location" not in answer.headers
    assert "devidp_session" not in answer.headers.get("set-cookie", "")


def test_login_from_the_providers_own_page_still_works(http: httpx.Client) -> None:
    flow = Flow()
    origin = str(http.base_url).rstrip("/")
    answer = http.post(
        "/authorize",
        params=flow.params,
        data={"username": "alice", "password": "alice"},
        headers={"Origin": origin, "Sec-Fetch-Site": "same-origin"},
    )
    assert answer.status_code == 302


# --- logout CSRF and id_token_hint ----------------------------------------------------------


def test_logout_csrf_plain_cross_site_get_asks_instead_of_signing_out(
    http: httpx.Client,
) -> None:
    _, body = tokens(http)
    answer = http.get("/logout")
    assert answer.status_code == 200 and 'name="confirm"' in answer.text
    assert userinfo_status(http, body["access_token"]) == 200  # nothing revoked
    forged = http.post("/logout", data={"confirm": "yes"}, headers={"Origin": "http://evil.test"})
    assert forged.status_code == 403
    assert userinfo_status(http, body["access_token"]) == 200
    origin = str(http.base_url).rstrip("/")
    confirmed = http.post("/logout", data={"confirm": "yes"}, headers={"Origin": origin})
    assert confirmed.status_code == 200 and "signed out" in confirmed.text
    silent = http.get("/authorize", params=Flow(prompt="none").params)
    assert callback_params(silent.headers["location"])["error"] == "login_required"
    assert userinfo_status(http, body["access_token"]) == 401


def test_logout_with_someone_elses_hint_asks(running: object, http: httpx.Client) -> None:
    # The attacker's own valid ID token does not sign the victim out.
    with httpx.Client(base_url=http.base_url, follow_redirects=False) as attacker:
        flow = Flow()
        theirs = exchange(attacker, flow, login(attacker, flow, "bob"))
    _, mine = tokens(http)
    answer = http.get("/logout", params={"id_token_hint": theirs["id_token"]})
    assert answer.status_code == 200 and 'name="confirm"' in answer.text
    assert userinfo_status(http, mine["access_token"]) == 200


def _hint(provider: Provider, header: dict[str, object], claims: dict[str, object]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}.AAAA"


@pytest.mark.parametrize(
    "header_change",
    [
        {"alg": "none"}, {"alg": "HS256"}, {"alg": None}, {"alg": 1}, {"crit": 1},
        {"crit": [1]}, {"crit": [{}]}, {"crit": None}, {"kid": 5}, {"kid": None}, {"kid": []},
        {"alg": "ES256"},  # the RSA key's kid with another algorithm
    ],
)  # fmt: skip
def test_id_token_hint_forgeries_are_400_not_500(
    http: httpx.Client, provider: Provider, header_change: dict[str, object]
) -> None:
    rsa_kid = next(k["kid"] for k in provider.keys.public_jwks(provider.clock())["keys"]
                   if k["kty"] == "RSA")  # fmt: skip
    header = {"alg": "RS256", "kid": rsa_kid, **header_change}
    claims = {"iss": provider.issuer, "aud": "demo-spa", "sub": "alice"}
    hint = _hint(provider, header, claims)
    if header_change == {"alg": "none"}:
        hint = hint.rsplit(".", 1)[0] + "."
    answer = http.get(
        "/logout", params={"id_token_hint": hint, "post_logout_redirect_uri": REDIRECT_URI}
    )
    assert answer.status_code == 400 and "location" not in answer.headers


def test_id_token_hint_alg_none_is_refused(http: httpx.Client, provider: Provider) -> None:
    # The exact finding: alg taken from the token's own header accepted "none".
    rsa_kid = provider.keys.public_jwks(provider.clock())["keys"][0]["kid"]
    claims = {"iss": provider.issuer, "aud": "demo-spa"}
    hint = _hint(provider, {"alg": "none", "kid": rsa_kid}, claims).rsplit(".", 1)[0] + "."
    answer = http.get(
        "/logout", params={"id_token_hint": hint, "post_logout_redirect_uri": REDIRECT_URI}
    )
    assert answer.status_code == 400 and "location" not in answer.headers


def test_logout_to_another_loopback_port_is_allowed(http: httpx.Client) -> None:
    _, body = tokens(http)
    target = "http://localhost:9000/"
    answer = http.get(
        "/logout", params={"id_token_hint": body["id_token"], "post_logout_redirect_uri": target}
    )
    assert answer.status_code == 302 and answer.headers["location"] == target


# --- issue 22 item 6: no import circle in devidp, type-only imports included -------------


def _devidp_imports() -> dict[str, set[str]]:
    package = Path(__file__).resolve().parents[2] / "brython_oidc" / "devidp"
    graph: dict[str, set[str]] = {}
    for path in package.glob("*.py"):
        name = path.stem
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    edges.add(node.module.split(".")[0])
                else:
                    edges.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "brython_oidc.devidp."
            ):
                edges.add(str(node.module).split(".")[2])
        graph[name] = edges
    return graph


def test_no_import_circle_in_devidp() -> None:
    graph = _devidp_imports()
    assert "oauth" in graph["provider"]  # the check sees real edges

    def reach(start: str) -> set[str]:
        seen: set[str] = set()
        todo = list(graph.get(start, ()))
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(graph.get(node, ()))
        return seen

    circles = [name for name in graph if name in reach(name)]
    assert circles == [], circles


def test_client_config_rejects_nothing_new() -> None:
    # Registering a loopback URI still needs an absolute URI (config unchanged).
    assert Client("x", ["http://localhost:8000/"]).check_redirect_uri("http://localhost:1/")
