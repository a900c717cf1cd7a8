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


def test_registered_codes_are_all_there() -> None:
    # RFC 6749 §4.1.2.1/§5.2, OIDC Core §3.1.2.6, RFC 6750 §3.1, RFC 7009, RFC 9449.
    expected = {
        "invalid_request", "unauthorized_client", "access_denied", "unsupported_response_type",
        "invalid_scope", "server_error", "temporarily_unavailable", "invalid_client",
        "invalid_grant", "unsupported_grant_type", "interaction_required", "login_required",
        "account_selection_required", "consent_required", "invalid_request_uri",
        "invalid_request_object", "request_not_supported", "request_uri_not_supported",
        "registration_not_supported", "invalid_token", "insufficient_scope",
        "unsupported_token_type", "use_dpop_nonce", "invalid_dpop_proof",
    }  # fmt: skip
    assert set(e.ERROR_RESPONSE_CLASSES) == expected


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
