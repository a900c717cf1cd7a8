from __future__ import annotations

import urllib.parse

import pytest

from brython_oidc.core.authorization import (
    AuthorizationCode,
    Transaction,
    build_authorization_url,
    callback_disposition,
    callback_params,
    process_authorization_response,
    safe_return_path,
    strip_callback_params,
)
from brython_oidc.core.config import ClientConfig
from brython_oidc.core.discovery import ProviderMetadata
from brython_oidc.core.errors import (
    AccessDenied,
    ConfigurationError,
    ErrorResponse,
    LoginRequired,
    ValidationError,
)

ISSUER = "https://idp.example.com"
NOW = 1_800_000_000.0
TTL = 900.0


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
        "authorization_endpoint": ISSUER + "/authorize?tenant=t1",
        "token_endpoint": ISSUER + "/token",
        "jwks_uri": ISSUER + "/jwks",
    }
    values.update(changes)
    return ProviderMetadata(**values)  # type: ignore[arg-type]


def transaction(**changes: object) -> Transaction:
    values: dict[str, object] = {
        "state": "state-123",
        "nonce": "nonce-456",
        "code_verifier": "v" * 43,
        "redirect_uri": "https://app.example.com/",
        "return_to": "/orders?id=1",
        "created_at": NOW - 10,
        "kind": "login",
    }
    values.update(changes)
    return Transaction(**values)  # type: ignore[arg-type]


def query_of(url: str) -> dict[str, str]:
    pairs = urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True)
    assert len(pairs) == len(dict(pairs)), "a parameter appears twice"
    return dict(pairs)


# --- Transaction -------------------------------------------------------------------


def test_transaction_round_trips_through_a_mapping() -> None:
    original = transaction(kind="silent")
    copy = Transaction.from_mapping(original.to_mapping())
    assert copy.to_mapping() == original.to_mapping()


def test_transaction_repr_hides_the_secrets() -> None:
    text = repr(transaction())
    assert "v" * 43 not in text
    assert "state-123" not in text
    assert "nonce-456" not in text
    assert "/orders?id=1" in text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("state", None),
        ("state", ""),
        ("nonce", 1),
        ("code_verifier", None),
        ("redirect_uri", []),
        ("return_to", None),
        ("created_at", "yesterday"),
        ("created_at", True),
        ("kind", "popup"),
    ],
)
def test_a_tampered_transaction_is_refused(field: str, value: object) -> None:
    data = transaction().to_mapping()
    data[field] = value
    with pytest.raises(ValidationError) as info:
        Transaction.from_mapping(data)
    assert info.value.check == "transaction"
    assert field in str(info.value)


@pytest.mark.parametrize("data", [None, "{}", ["state"]])
def test_a_stored_transaction_that_is_not_an_object(data: object) -> None:
    with pytest.raises(ValidationError, match="not an object"):
        Transaction.from_mapping(data)


def test_a_stored_return_path_leaving_the_origin_is_replaced() -> None:
    data = transaction().to_mapping()
    data["return_to"] = "//evil.example.com/"
    assert Transaction.from_mapping(data).return_to == "/"


# --- build_authorization_url -------------------------------------------------------


def test_the_authorization_request() -> None:
    url = build_authorization_url(config(), metadata(), transaction(), "challenge-abc")
    assert url.startswith(ISSUER + "/authorize?tenant=t1&")
    # RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC 7636 §4.3.
    assert query_of(url) == {
        "tenant": "t1",
        "response_type": "code",
        "client_id": "spa",
        "redirect_uri": "https://app.example.com/",
        "scope": "openid profile",
        "state": "state-123",
        "nonce": "nonce-456",
        "code_challenge": "challenge-abc",
        "code_challenge_method": "S256",
    }
    assert "v" * 43 not in url  # the verifier never leaves the browser


def test_optional_parameters() -> None:
    url = build_authorization_url(
        config(response_mode="fragment"),
        metadata(),
        transaction(),
        "c",
        prompt="login consent",
        login_hint="alice@example.com",
        max_age=0,
        ui_locales="fr en",
        extra_params={"audience": "api"},
    )
    params = query_of(url)
    assert params["response_mode"] == "fragment"
    assert params["prompt"] == "login consent"
    assert params["login_hint"] == "alice@example.com"
    assert params["max_age"] == "0"
    assert params["ui_locales"] == "fr en"
    assert params["audience"] == "api"


def test_config_supplies_max_age_ui_locales_and_extras() -> None:
    cfg = config(max_age=3600, ui_locales="de", extra_authorization_params={"kc_idp_hint": "x"})
    params = query_of(build_authorization_url(cfg, metadata(), transaction(), "c"))
    assert (params["max_age"], params["ui_locales"], params["kc_idp_hint"]) == ("3600", "de", "x")
    assert "response_mode" not in params
    assert "prompt" not in params


def test_openid_is_added_even_to_a_hand_made_scope() -> None:
    cfg = config()
    object.__setattr__(cfg, "scope", "profile")  # bypassing the config's own check
    assert query_of(build_authorization_url(cfg, metadata(), transaction(), "c"))["scope"] == (
        "openid profile"
    )


@pytest.mark.parametrize("prompt", ["none login", "", "popup", "none none"])
def test_bad_prompt(prompt: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        build_authorization_url(config(), metadata(), transaction(), "c", prompt=prompt)
    assert info.value.field == "prompt"


def test_prompt_none_for_silent_requests() -> None:
    url = build_authorization_url(config(), metadata(), transaction(), "c", prompt="none")
    assert query_of(url)["prompt"] == "none"


@pytest.mark.parametrize("max_age", [-1, True, 1.5])
def test_bad_max_age(max_age: object) -> None:
    with pytest.raises(ConfigurationError) as info:
        build_authorization_url(config(), metadata(), transaction(), "c", max_age=max_age)  # type: ignore[arg-type]
    assert info.value.field == "max_age"


@pytest.mark.parametrize(
    "name",
    ["state", "nonce", "code_challenge", "redirect_uri", "client_id", "response_type", "scope"],
)
def test_extra_params_cannot_override_protocol_params(name: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        build_authorization_url(
            config(), metadata(), transaction(), "c", extra_params={name: "attacker"}
        )
    assert info.value.field == "extra_params"


def test_extra_params_cannot_override_named_options() -> None:
    with pytest.raises(ConfigurationError):
        build_authorization_url(
            config(), metadata(), transaction(), "c", prompt="login", extra_params={"prompt": "x"}
        )


def test_extra_params_must_be_strings() -> None:
    with pytest.raises(ConfigurationError, match="string"):
        build_authorization_url(
            config(),
            metadata(),
            transaction(),
            "c",
            extra_params={"a": 1},  # type: ignore[dict-item]
        )


# --- callback_params ---------------------------------------------------------------


def test_callback_in_the_query() -> None:
    url = "https://app.example.com/?code=abc&state=s%20t&iss=https%3A%2F%2Fidp#keep"
    assert callback_params(url, "query") == {"code": "abc", "state": "s t", "iss": "https://idp"}


def test_callback_in_the_fragment() -> None:
    url = "https://app.example.com/?page=2#code=abc&state=xyz"
    assert callback_params(url, "fragment") == {"code": "abc", "state": "xyz"}
    assert callback_params(url, "query") is None


@pytest.mark.parametrize(
    "url",
    [
        "https://app.example.com/",
        "https://app.example.com/?page=2",
        "https://app.example.com/#code=abc",
    ],
)
def test_not_a_callback(url: str) -> None:
    assert callback_params(url, "query") is None


@pytest.mark.parametrize(
    ("params", "known", "used", "pending", "expected"),
    [
        ({"code": "c", "state": "s"}, True, False, True, "handle"),
        ({"error": "access_denied", "state": "s"}, True, False, True, "handle"),
        # Reload or Back on a used callback URL: cleaned silently.
        ({"code": "c", "state": "s"}, False, True, False, "drop"),
        # CSRF / a response this browser did not ask for (RFC 6749 §10.12).
        ({"code": "c", "state": "s"}, False, False, False, "reject"),
        ({"code": "c", "state": "s"}, False, False, True, "reject"),
        ({"error": "x", "state": "s"}, False, False, False, "reject"),
        # No state: refused while a login is in flight, else the app's own parameter.
        ({"code": "c"}, False, False, True, "reject"),
        ({"code": "c", "state": ""}, False, False, True, "reject"),
        ({"code": "c"}, False, False, False, None),
        # Not a response at all.
        ({"state": "s"}, False, False, True, None),
        (None, False, False, True, None),
    ],
)
def test_callback_disposition(
    params: dict[str, str] | None, known: bool, used: bool, pending: bool, expected: str | None
) -> None:
    assert callback_disposition(params, known=known, used=used, pending=pending) == expected


def test_an_error_callback_is_a_callback() -> None:
    url = "https://app.example.com/?error=login_required&state=s"
    assert callback_params(url, "query") == {"error": "login_required", "state": "s"}


def test_a_callback_with_a_repeated_parameter_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        callback_params("https://app.example.com/?code=a&code=b&state=s", "query")
    assert info.value.check == "repeated_parameter"


# --- process_authorization_response ------------------------------------------------


def process(params: dict[str, str], **kwargs: object) -> AuthorizationCode:
    meta = kwargs.pop("meta", metadata())
    txn = kwargs.pop("txn", transaction())
    return process_authorization_response(
        params,
        txn,  # type: ignore[arg-type]
        meta,  # type: ignore[arg-type]
        now=float(kwargs.pop("now", NOW)),  # type: ignore[arg-type]
        ttl=TTL,
    )


def failed_check(params: dict[str, str], **kwargs: object) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        process(params, **kwargs)
    return info.value


def test_a_good_response() -> None:
    result = process({"code": "the-code", "state": "state-123", "iss": ISSUER})
    assert (result.code, result.iss) == ("the-code", ISSUER)
    assert "the-code" not in repr(result)


def test_iss_is_optional_when_not_advertised() -> None:
    assert process({"code": "c", "state": "state-123"}).iss is None


@pytest.mark.parametrize("state", [None, "", "state-124", "STATE-123"])
def test_state_must_match(state: str | None) -> None:
    # RFC 6749 §10.12: CSRF.
    params = {"code": "c"} if state is None else {"code": "c", "state": state}
    error = failed_check(params)
    assert error.check == "state"
    assert "state-123" not in str(error)


def test_state_is_checked_before_an_error_is_believed() -> None:
    error = failed_check({"error": "access_denied", "state": "forged"})
    assert error.check == "state"


def test_an_old_transaction_is_refused() -> None:
    error = failed_check(
        {"code": "c", "state": "state-123"}, txn=transaction(created_at=NOW - TTL - 1)
    )
    assert error.check == "transaction_expired"
    assert error.expected == TTL


def test_a_transaction_exactly_at_the_limit_is_accepted() -> None:
    assert process({"code": "c", "state": "state-123"}, txn=transaction(created_at=NOW - TTL))


def test_a_different_iss_is_refused() -> None:
    # RFC 9207 §2.4: mix-up defence.
    error = failed_check({"code": "c", "state": "state-123", "iss": "https://evil.example.com"})
    assert (error.check, error.expected, error.actual) == (
        "iss",
        ISSUER,
        "https://evil.example.com",
    )


def test_iss_required_when_advertised() -> None:
    meta = metadata(authorization_response_iss_parameter_supported=True)
    error = failed_check({"code": "c", "state": "state-123"}, meta=meta)
    assert error.check == "iss"
    assert process({"code": "c", "state": "state-123", "iss": ISSUER}, meta=meta).iss == ISSUER


def test_iss_is_checked_on_error_responses_too() -> None:
    error = failed_check({"error": "access_denied", "state": "state-123", "iss": "https://x"})
    assert error.check == "iss"


@pytest.mark.parametrize(
    ("code", "cls"),
    [("login_required", LoginRequired), ("access_denied", AccessDenied)],
)
def test_error_responses_are_typed(code: str, cls: type[ErrorResponse]) -> None:
    with pytest.raises(cls) as info:
        process(
            {
                "error": code,
                "error_description": "No session",
                "error_uri": "https://idp/e",
                "state": "state-123",
            }
        )
    assert info.value.endpoint == "authorization"
    assert info.value.error_description == "No session"
    assert info.value.error_uri == "https://idp/e"


def test_an_unknown_error_code_is_kept() -> None:
    with pytest.raises(ErrorResponse) as info:
        process({"error": "vendor_specific", "state": "state-123"})
    assert type(info.value) is ErrorResponse
    assert info.value.error == "vendor_specific"


@pytest.mark.parametrize("params", [{"state": "state-123"}, {"state": "state-123", "code": ""}])
def test_code_is_required(params: dict[str, str]) -> None:
    assert failed_check(params).check == "code"


# --- safe_return_path / strip_callback_params --------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/orders?id=1#top", "/orders?id=1#top"),
        ("//evil.example.com", "/"),
        ("/\\evil.example.com", "/"),
        ("https://evil.example.com", "/"),
        ("javascript:alert(1)", "/"),
        (None, "/"),
        ("/\t/evil", "/"),
    ],
)
def test_safe_return_path(path: object, expected: str) -> None:
    assert safe_return_path(path) == expected


def test_safe_return_path_default() -> None:
    assert safe_return_path("//evil", default="/home") == "/home"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://app.example.com/?code=c&state=s&iss=i&session_state=x",
            "https://app.example.com/",
        ),
        (
            "https://app.example.com/p?page=2&code=c&state=s#top",
            "https://app.example.com/p?page=2#top",
        ),
        (
            "https://app.example.com/#error=access_denied&error_description=No+way"
            "&error_uri=u&state=s",
            "https://app.example.com/",
        ),
        ("https://app.example.com/#/route?x=1", "https://app.example.com/#/route?x=1"),
        ("https://app.example.com/?a=%20b+c&c%6Fde=x", "https://app.example.com/?a=%20b+c"),
        ("https://app.example.com/?&code=c&", "https://app.example.com/"),
        ("https://app.example.com/", "https://app.example.com/"),
        ("https://app.example.com/?codes=1&state2=2", "https://app.example.com/?codes=1&state2=2"),
    ],
)
def test_strip_callback_params(url: str, expected: str) -> None:
    assert strip_callback_params(url) == expected
