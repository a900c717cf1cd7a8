from __future__ import annotations

import pytest

from brython_oidc.core.discovery import (
    ProviderMetadata,
    discovery_url,
    process_discovery_response,
)
from brython_oidc.core.errors import ValidationError

ISSUER = "https://idp.example.com"


def document(**changes: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "issuer": ISSUER,
        "authorization_endpoint": ISSUER + "/authorize",
        "token_endpoint": ISSUER + "/token",
        "jwks_uri": ISSUER + "/jwks",
        "userinfo_endpoint": ISSUER + "/userinfo",
        "end_session_endpoint": ISSUER + "/logout",
        "revocation_endpoint": ISSUER + "/revoke",
        "response_types_supported": ["code", "id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "x_extension": 1,
    }
    for name, value in changes.items():
        if value is ...:
            del doc[name]
        else:
            doc[name] = value
    return doc


def check(doc: object, issuer: str = ISSUER) -> str:
    with pytest.raises(ValidationError) as info:
        process_discovery_response(doc, issuer=issuer)
    return info.value.check


@pytest.mark.parametrize(
    ("issuer", "url"),
    [
        ("https://idp.example.com", "https://idp.example.com/.well-known/openid-configuration"),
        ("https://h/realms/x/", "https://h/realms/x/.well-known/openid-configuration"),
    ],
)
def test_discovery_url(issuer: str, url: str) -> None:
    # Discovery §4: a trailing "/" is removed before appending.
    assert discovery_url(issuer) == url


def test_a_complete_document() -> None:
    meta = process_discovery_response(document(), issuer=ISSUER)
    assert isinstance(meta, ProviderMetadata)
    assert meta.issuer == ISSUER
    assert meta.authorization_endpoint == ISSUER + "/authorize"
    assert meta.token_endpoint == ISSUER + "/token"
    assert meta.jwks_uri == ISSUER + "/jwks"
    assert meta.userinfo_endpoint == ISSUER + "/userinfo"
    assert meta.end_session_endpoint == ISSUER + "/logout"
    assert meta.revocation_endpoint == ISSUER + "/revoke"
    assert meta.code_challenge_methods_supported == ("S256",)
    assert meta.grant_types_supported == ("authorization_code", "refresh_token")
    assert meta.authorization_response_iss_parameter_supported is False
    assert meta.raw["x_extension"] == 1
    assert repr(meta) == f"ProviderMetadata(issuer={ISSUER!r})"


def test_optional_fields_default() -> None:
    doc = document(
        userinfo_endpoint=...,
        end_session_endpoint=...,
        revocation_endpoint=...,
        grant_types_supported=...,
        authorization_response_iss_parameter_supported=True,
    )
    meta = process_discovery_response(doc, issuer=ISSUER)
    assert meta.userinfo_endpoint is None
    assert meta.end_session_endpoint is None
    assert meta.revocation_endpoint is None
    # Discovery §3 default.
    assert meta.grant_types_supported == ("authorization_code", "implicit")
    assert meta.authorization_response_iss_parameter_supported is True


@pytest.mark.parametrize(
    "actual",
    [ISSUER + "/", "https://IDP.example.com", "https://evil.example.com", None, 1],
)
def test_issuer_must_equal_exactly(actual: object) -> None:
    # Discovery §4.3: identical, no normalisation.
    with pytest.raises(ValidationError) as info:
        process_discovery_response(document(issuer=actual), issuer=ISSUER)
    assert info.value.check == "iss"
    assert info.value.expected == ISSUER
    assert info.value.actual == actual


def test_missing_issuer() -> None:
    assert check(document(issuer=...)) == "iss"


@pytest.mark.parametrize("doc", [None, [], "text", 3, ["issuer"]])
def test_a_document_that_is_not_an_object(doc: object) -> None:
    assert check(doc) == "discovery"


@pytest.mark.parametrize(
    "field",
    [
        "authorization_endpoint",
        "token_endpoint",
        "jwks_uri",
        "response_types_supported",
        "subject_types_supported",
        "id_token_signing_alg_values_supported",
    ],
)
def test_required_fields(field: str) -> None:
    assert check(document(**{field: ...})) == field


@pytest.mark.parametrize(
    "value",
    ["http://idp.example.com/token", "/token", "ftp://h/token", "", 3, "https://h/t#f", "https://"],
)
@pytest.mark.parametrize(
    "field",
    ["authorization_endpoint", "token_endpoint", "jwks_uri", "end_session_endpoint"],
)
def test_endpoints_must_be_https_urls(field: str, value: object) -> None:
    assert check(document(**{field: value})) == field


def test_http_endpoint_message_is_explicit() -> None:
    with pytest.raises(ValidationError, match="must use https"):
        process_discovery_response(
            document(token_endpoint="http://idp.example.com/token"), issuer=ISSUER
        )


def test_bad_host_in_endpoint() -> None:
    assert check(document(jwks_uri="https://[::1/jwks")) == "jwks_uri"


@pytest.mark.parametrize("host", ["localhost:8001", "127.0.0.1:8001", "[::1]:8001"])
def test_plain_http_is_accepted_on_loopback(host: str) -> None:
    issuer = f"http://{host}"
    doc = document(
        issuer=issuer,
        authorization_endpoint=issuer + "/authorize",
        token_endpoint=issuer + "/token",
        jwks_uri=issuer + "/jwks",
        userinfo_endpoint=issuer + "/userinfo",
        end_session_endpoint=issuer + "/logout",
        revocation_endpoint=issuer + "/revoke",
    )
    assert process_discovery_response(doc, issuer=issuer).token_endpoint == issuer + "/token"


def test_code_must_be_a_supported_response_type() -> None:
    with pytest.raises(ValidationError) as info:
        process_discovery_response(
            document(response_types_supported=["id_token", "token"]), issuer=ISSUER
        )
    assert info.value.check == "response_types_supported"
    assert info.value.expected == "code"


@pytest.mark.parametrize(
    "value", ["code", [], [1], {"code": 1}, None], ids=["str", "empty", "int", "dict", "null"]
)
def test_list_fields_must_be_lists_of_strings(value: object) -> None:
    assert check(document(subject_types_supported=value)) == "subject_types_supported"


def test_absent_code_challenge_methods_warns_and_assumes_s256() -> None:
    warnings: list[str] = []
    meta = process_discovery_response(
        document(code_challenge_methods_supported=...), issuer=ISSUER, warn=warnings.append
    )
    assert meta.code_challenge_methods_supported == ("S256",)
    assert len(warnings) == 1
    assert "S256" in warnings[0]


def test_absent_code_challenge_methods_without_a_warn_hook() -> None:
    meta = process_discovery_response(document(code_challenge_methods_supported=...), issuer=ISSUER)
    assert meta.code_challenge_methods_supported == ("S256",)


@pytest.mark.parametrize("methods", [["plain"], [], "S256"])
def test_code_challenge_methods_without_s256(methods: object) -> None:
    assert (
        check(document(code_challenge_methods_supported=methods))
        == "code_challenge_methods_supported"
    )


def test_iss_parameter_flag_must_be_boolean() -> None:
    assert (
        check(document(authorization_response_iss_parameter_supported="true"))
        == "authorization_response_iss_parameter_supported"
    )


def test_grant_types_must_be_strings() -> None:
    assert check(document(grant_types_supported=[1])) == "grant_types_supported"
