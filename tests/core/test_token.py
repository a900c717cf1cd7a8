from __future__ import annotations

import json
import urllib.parse

import pytest

from brython_oidc.core.config import ClientConfig
from brython_oidc.core.discovery import ProviderMetadata
from brython_oidc.core.errors import (
    ErrorResponse,
    InvalidGrant,
    TransportError,
    ValidationError,
)
from brython_oidc.core.token import (
    MAX_BODY,
    TokenRequest,
    TokenSet,
    build_authorization_code_request,
    build_end_session_url,
    build_refresh_token_request,
    build_revocation_request,
    process_token_response,
)

ISSUER = "https://idp.example.com"
NOW = 1_800_000_000.0
SECRET = "eyJhbGciOiJSUzI1NiJ9.secret-access-token.sig"


def config(**changes: object) -> ClientConfig:
    return ClientConfig.from_mapping(
        {
            "issuer": ISSUER,
            "client_id": "spa",
            "redirect_uri": "https://app.example.com/",
            **changes,
        }
    )


def metadata(**changes: object) -> ProviderMetadata:
    values: dict[str, object] = {
        "issuer": ISSUER,
        "authorization_endpoint": ISSUER + "/authorize",
        "token_endpoint": ISSUER + "/token",
        "jwks_uri": ISSUER + "/jwks",
        "revocation_endpoint": ISSUER + "/revoke",
        "end_session_endpoint": ISSUER + "/logout?x=1",
    }
    values.update(changes)
    return ProviderMetadata(**values)  # type: ignore[arg-type]


def form(request: TokenRequest) -> list[tuple[str, str]]:
    return urllib.parse.parse_qsl(request.body, keep_blank_values=True, strict_parsing=True)


def respond(status: int, body: object, **kwargs: object) -> TokenSet:
    text = body if isinstance(body, str) else json.dumps(body)
    return process_token_response(
        status,
        text,
        parse_json=json.loads,
        now=NOW,
        **kwargs,  # type: ignore[arg-type]
    )


GOOD = {
    "access_token": SECRET,
    "token_type": "Bearer",
    "expires_in": 300,
    "refresh_token": "refresh-secret",
    "id_token": "id.token.value",
    "scope": "openid profile",
}

# --- requests ----------------------------------------------------------------------


def test_authorization_code_request() -> None:
    request = build_authorization_code_request(config(), metadata(), "the code", "v" * 43)
    assert request.url == ISSUER + "/token"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.headers["Accept"] == "application/json"
    # RFC 6749 §4.1.3 + RFC 7636 §4.5.
    assert form(request) == [
        ("grant_type", "authorization_code"),
        ("code", "the code"),
        ("redirect_uri", "https://app.example.com/"),
        ("client_id", "spa"),
        ("code_verifier", "v" * 43),
    ]
    assert "the code" not in repr(request)
    assert "the+code" not in repr(request)


def test_extra_token_params_are_appended() -> None:
    cfg = config(extra_token_params={"resource": "https://api.example.com"})
    request = build_authorization_code_request(cfg, metadata(), "c", "v" * 43)
    assert form(request)[-1] == ("resource", "https://api.example.com")
    refresh = build_refresh_token_request(cfg, metadata(), "rt")
    assert form(refresh)[-1] == ("resource", "https://api.example.com")


def test_refresh_token_request() -> None:
    request = build_refresh_token_request(config(), metadata(), "refresh-secret")
    assert form(request) == [
        ("grant_type", "refresh_token"),
        ("refresh_token", "refresh-secret"),
        ("client_id", "spa"),
    ]
    assert "refresh-secret" not in repr(request)
    narrowed = build_refresh_token_request(config(), metadata(), "rt", scope="openid")
    assert form(narrowed)[-1] == ("scope", "openid")


def test_headers_are_a_fresh_copy_each_time() -> None:
    first = build_refresh_token_request(config(), metadata(), "rt")
    first.headers["DPoP"] = "x"
    assert "DPoP" not in build_refresh_token_request(config(), metadata(), "rt").headers


# --- process_token_response: success -----------------------------------------------


def test_a_full_success_response() -> None:
    tokens = respond(200, GOOD)
    assert tokens.access_token == SECRET
    assert tokens.token_type == "Bearer"
    assert tokens.expires_at == NOW + 300
    assert tokens.refresh_token == "refresh-secret"
    assert tokens.id_token == "id.token.value"
    assert tokens.scope == "openid profile"
    assert tokens.received_at == NOW


def test_token_set_repr_redacts_every_token() -> None:
    text = repr(respond(200, GOOD))
    for secret in (SECRET, "refresh-secret", "id.token.value"):
        assert secret not in text
    assert "Bearer" in text
    minimal = repr(respond(200, {"access_token": SECRET, "token_type": "bearer"}))
    assert "refresh_token=None" in minimal
    assert SECRET not in minimal


def test_minimal_response() -> None:
    tokens = respond(200, {"access_token": SECRET, "token_type": "bearer"})
    assert tokens.expires_at is None
    assert (tokens.refresh_token, tokens.id_token, tokens.scope) == (None, None, None)


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("bearer", "Bearer"), ("BEARER", "Bearer"), ("DPoP", "DPoP"), ("dpop", "DPoP")],
)
def test_token_type_is_case_insensitive(sent: str, kept: str) -> None:
    assert respond(200, {**GOOD, "token_type": sent}).token_type == kept


@pytest.mark.parametrize("token_type", ["mac", "", None, 1, "Bearer "])
def test_other_token_types_are_refused(token_type: object) -> None:
    body = {**GOOD, "token_type": token_type}
    if token_type is None:
        del body["token_type"]
    with pytest.raises(ValidationError) as info:
        respond(200, body)
    assert info.value.check == "token_type"
    assert info.value.expected == "Bearer"


@pytest.mark.parametrize(
    ("expires_in", "at"), [(1, NOW + 1), (3600.5, NOW + 3600.5), ("60", NOW + 60)]
)
def test_expires_in(expires_in: object, at: float) -> None:
    assert respond(200, {**GOOD, "expires_in": expires_in}).expires_at == at


@pytest.mark.parametrize("expires_in", [0, -5, "soon", "-1", True, [], "1e3"])
def test_bad_expires_in(expires_in: object) -> None:
    with pytest.raises(ValidationError) as info:
        respond(200, {**GOOD, "expires_in": expires_in})
    assert info.value.check == "expires_in"


@pytest.mark.parametrize("literal", ["NaN", "Infinity"])
def test_non_finite_expires_in(literal: str) -> None:
    body = json.dumps(GOOD).replace('"expires_in": 300', f'"expires_in": {literal}')
    with pytest.raises(ValidationError) as info:
        respond(200, body)
    assert info.value.check == "expires_in"


@pytest.mark.parametrize(
    "body",
    [
        {"token_type": "Bearer"},
        {**GOOD, "access_token": ""},
        {**GOOD, "access_token": 5},
        {**GOOD, "refresh_token": 5},
        {**GOOD, "id_token": ""},
        {**GOOD, "scope": ["openid"]},
    ],
)
def test_missing_or_malformed_fields(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as info:
        respond(200, body)
    assert info.value.check == "token_response"


# --- process_token_response: errors ------------------------------------------------


def test_an_error_body_is_typed_and_keeps_the_status() -> None:
    with pytest.raises(InvalidGrant) as info:
        respond(400, {"error": "invalid_grant", "error_description": "Code reused"})
    assert info.value.endpoint == "token"
    assert info.value.status == 400
    assert info.value.error_description == "Code reused"


def test_invalid_client_with_401() -> None:
    with pytest.raises(ErrorResponse) as info:
        respond(401, {"error": "invalid_client"})
    assert (info.value.error, info.value.status) == ("invalid_client", 401)


def test_an_error_body_on_a_5xx_is_still_the_providers_answer() -> None:
    with pytest.raises(ErrorResponse) as info:
        respond(503, {"error": "temporarily_unavailable"})
    assert info.value.error == "temporarily_unavailable"


@pytest.mark.parametrize(
    "body",
    ["<html><body>502 Bad Gateway</body></html>", "", "upstream connect error", "[]", '{"a":1}'],
)
@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_without_an_oauth_body_means_the_provider_looks_down(status: int, body: str) -> None:
    with pytest.raises(TransportError) as info:
        respond(status, body)
    assert info.value.status == status
    assert info.value.provider_looks_down is True
    assert info.value.endpoint == "token_endpoint"
    if body:
        assert body not in str(info.value)


BAD_BODIES = {
    "html": "<!DOCTYPE html><html>" + SECRET + "</html>",
    "text": "access_token=" + SECRET,
    "truncated": json.dumps(GOOD)[:-10],
    "empty": "",
    "array": json.dumps([GOOD]),
    "string": json.dumps(SECRET),
    "number": "42",
}


@pytest.mark.parametrize("status", [200, 400])
@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bodies_that_are_not_token_responses(status: int, body: str) -> None:
    with pytest.raises(ValidationError) as info:
        respond(status, body, content_type="text/html")
    assert info.value.check == "token_response"
    # Never the body: it may hold a token.
    assert SECRET not in str(info.value)
    assert SECRET not in repr(info.value.actual)
    assert info.value.__cause__ is None
    # ... nor the parser's exception, which may quote it.
    assert info.value.__context__ is None or info.value.__suppress_context__


def test_html_is_named_as_such() -> None:
    with pytest.raises(ValidationError, match="HTML page"):
        respond(200, "  <html></html>")


def test_content_type_appears_in_the_message() -> None:
    with pytest.raises(ValidationError, match=r"text/plain"):
        respond(200, "nope", content_type="text/plain")


def test_an_oversize_body_is_not_parsed() -> None:
    calls: list[str] = []

    def parse(text: str) -> object:
        calls.append(text)
        return json.loads(text)

    body = json.dumps({**GOOD, "padding": "x" * MAX_BODY})
    with pytest.raises(ValidationError) as info:
        process_token_response(200, body, parse_json=parse, now=NOW)
    assert info.value.check == "token_response"
    assert calls == []


def test_a_body_that_is_not_text() -> None:
    with pytest.raises(ValidationError, match="not text"):
        process_token_response(200, b"{}", parse_json=json.loads, now=NOW)  # type: ignore[arg-type]


def test_a_4xx_without_an_error_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as info:
        respond(404, {"detail": "not found"})
    assert (info.value.check, info.value.actual) == ("token_response", 404)


def test_a_5xx_with_unparsable_json_looks_down() -> None:
    with pytest.raises(TransportError, match="not valid JSON"):
        respond(500, '{"error": ')


def test_the_parsers_own_message_is_dropped() -> None:
    def parse(text: str) -> object:
        raise ValueError("unexpected token in " + text)

    with pytest.raises(ValidationError) as info:
        process_token_response(200, '{"access_token": "' + SECRET, parse_json=parse, now=NOW)
    assert SECRET not in str(info.value)


# --- revocation and end session ----------------------------------------------------


def test_revocation_request() -> None:
    request = build_revocation_request(config(), metadata(), "refresh-secret", "refresh_token")
    assert request is not None
    assert request.url == ISSUER + "/revoke"
    # RFC 7009 §2.1.
    assert form(request) == [
        ("token", "refresh-secret"),
        ("token_type_hint", "refresh_token"),
        ("client_id", "spa"),
    ]
    assert "refresh-secret" not in repr(request)


def test_revocation_without_a_hint() -> None:
    request = build_revocation_request(config(), metadata(), "at", None)
    assert request is not None
    assert [n for n, _ in form(request)] == ["token", "client_id"]


def test_revocation_with_a_bad_hint() -> None:
    with pytest.raises(ValueError, match="token_type_hint"):
        build_revocation_request(config(), metadata(), "at", "id_token")


def test_no_revocation_endpoint() -> None:
    assert (
        build_revocation_request(config(), metadata(revocation_endpoint=None), "rt", None) is None
    )


def test_end_session_url() -> None:
    url = build_end_session_url(
        metadata(),
        id_token_hint="id.token.value",
        client_id="spa",
        post_logout_redirect_uri="https://app.example.com/",
        state="logout-state",
    )
    assert url is not None
    split = urllib.parse.urlsplit(url)
    assert split.path == "/logout"
    # RP-Initiated Logout 1.0 §2.
    assert urllib.parse.parse_qsl(split.query) == [
        ("x", "1"),
        ("id_token_hint", "id.token.value"),
        ("client_id", "spa"),
        ("post_logout_redirect_uri", "https://app.example.com/"),
        ("state", "logout-state"),
    ]


def test_end_session_url_minimal() -> None:
    url = build_end_session_url(
        metadata(end_session_endpoint=ISSUER + "/logout"),
        id_token_hint=None,
        client_id="spa",
        post_logout_redirect_uri=None,
        state="ignored-without-a-redirect",
    )
    assert url == ISSUER + "/logout?client_id=spa"


def test_no_end_session_endpoint() -> None:
    url = build_end_session_url(
        metadata(end_session_endpoint=None),
        id_token_hint="t",
        client_id="spa",
        post_logout_redirect_uri="https://app.example.com/",
    )
    assert url is None


def test_end_session_url_without_state() -> None:
    url = build_end_session_url(
        metadata(end_session_endpoint=ISSUER + "/logout"),
        id_token_hint="t",
        client_id="spa",
        post_logout_redirect_uri="https://app.example.com/",
    )
    assert url == (
        ISSUER + "/logout?id_token_hint=t&client_id=spa"
        "&post_logout_redirect_uri=https%3A%2F%2Fapp.example.com%2F"
    )
