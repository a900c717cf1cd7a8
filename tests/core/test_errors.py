from __future__ import annotations

import pytest

from brython_oidc.core import errors as e


@pytest.mark.parametrize(("code", "cls"), sorted(e.ERROR_RESPONSE_CLASSES.items()))
def test_each_spec_code_has_its_class(code: str, cls: type[e.ErrorResponse]) -> None:
    err = e.error_response_from({"error": code, "error_description": "why", "error_uri": "u"})
    assert type(err) is cls
    assert (err.error, err.error_description, err.error_uri) == (code, "why", "u")
    assert err.code == code
    assert isinstance(err, e.OIDCError)


def test_only_codes_a_browser_client_acts_on_have_a_class() -> None:
    # RFC 6749 §4.1.2.1/§5.2 and OIDC Core §3.1.2.6: refused, scope, provider
    # trouble (retried), grant gone (sign out), prompt=none needs the user.
    expected = {
        "access_denied", "invalid_scope", "server_error", "temporarily_unavailable",
        "invalid_grant", "interaction_required", "login_required",
        "account_selection_required", "consent_required",
    }  # fmt: skip
    assert set(e.ERROR_RESPONSE_CLASSES) == expected


@pytest.mark.parametrize(
    "code", ["invalid_client", "invalid_request", "use_dpop_nonce", "invalid_token", "x_y"]
)
def test_any_other_code_is_a_plain_error_response_carrying_it(code: str) -> None:
    err = e.error_response_from({"error": code})
    assert type(err) is e.ErrorResponse
    assert (err.error, err.code) == (code, code)


@pytest.mark.parametrize(
    "code", ["login_required", "consent_required", "account_selection_required"]
)
def test_prompt_none_refusals_are_all_interaction_required(code: str) -> None:
    # OIDC Core §3.1.2.6: each says the user must act; the engine branches on the base.
    assert isinstance(e.error_response_from({"error": code}), e.InteractionRequired)


def test_the_message_without_its_prefix_is_the_detail() -> None:
    assert e.ValidationError("iss", "issuer mismatch").detail == "issuer mismatch"
    assert e.ConfigurationError("scope", "must not be empty").detail == "must not be empty"
    assert e.TransportError("jwks_uri", "HTTP 500").detail == "HTTP 500"
    assert str(e.TransportError("jwks_uri", "HTTP 500")) == "jwks_uri: HTTP 500"


def test_unknown_code_keeps_the_code_on_the_base_class() -> None:
    err = e.error_response_from({"error": "kc_action_failed"}, endpoint="token", status=400)
    assert type(err) is e.ErrorResponse
    assert err.error == "kc_action_failed"
    assert (err.endpoint, err.status) == ("token", 400)
    assert str(err) == "the provider answered 'kc_action_failed' from the token endpoint"


def test_missing_error_and_oversize_fields() -> None:
    err = e.error_response_from({"error_description": "x" * 5000})
    assert err.error == "unknown_error"
    assert err.error_description is not None
    assert len(err.error_description) == 2049
    assert err.error_description.endswith("…")
    assert e.error_response_from({"error": 42}).error == "42"


def test_description_is_in_the_message() -> None:
    err = e.error_response_from({"error": "access_denied", "error_description": "user said no"})
    assert str(err) == "the provider answered 'access_denied': user said no"


def test_validation_error_carries_evidence() -> None:
    err = e.ValidationError("iss", "issuer mismatch", expected="https://a", actual="https://b")
    assert (err.check, err.code, err.expected, err.actual) == (
        "iss", "iss", "https://a", "https://b"
    )  # fmt: skip
    assert str(err) == "iss: issuer mismatch"


def test_configuration_and_transport_errors_name_their_target() -> None:
    assert e.ConfigurationError("client_id", "must not be empty").field == "client_id"
    assert "client_id" in str(e.ConfigurationError("client_id", "must not be empty"))
    t = e.TransportError("token_endpoint", "HTTP 503", status=503, provider_looks_down=True)
    assert (t.endpoint, t.status, t.provider_looks_down, t.code) == (
        "token_endpoint", 503, True, "transport_error"
    )  # fmt: skip
    timeout = e.RequestTimeout("jwks_uri", 10, url="https://op/jwks")
    assert isinstance(timeout, e.TransportError)
    assert timeout.provider_looks_down
    assert str(timeout) == "jwks_uri: no answer within 10 s"
