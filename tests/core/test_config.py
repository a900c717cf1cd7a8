from __future__ import annotations

import pytest

from brython_oidc.core.config import FIELDS, ClientConfig
from brython_oidc.core.errors import ConfigurationError

BASE: dict[str, object] = {
    "issuer": "https://idp.example.com",
    "client_id": "spa",
    "redirect_uri": "https://app.example.com/",
}


def make(**changes: object) -> ClientConfig:
    return ClientConfig.from_mapping({**BASE, **changes})


def field_of(**changes: object) -> str:
    with pytest.raises(ConfigurationError) as info:
        make(**changes)
    assert info.value.field in str(info.value)
    return info.value.field


def test_defaults() -> None:
    config = make()
    assert config.scope == "openid profile"
    assert config.post_logout_redirect_uri == "https://app.example.com/"
    assert config.clock_leeway == 60
    assert config.renew_before_expiry == 60
    assert config.renew_jitter == 10
    assert config.silent_timeout == 10
    assert config.request_timeout == 10
    assert config.idle_timeout is None
    assert config.idle_warning == 60
    assert config.transaction_ttl == 900
    assert config.session_restore == "auto"
    assert config.use_refresh_tokens is True
    assert config.max_age is None
    assert config.ui_locales is None
    assert config.extra_authorization_params == {}
    assert config.extra_token_params == {}
    assert config.allowed_fetch_origins == ()
    assert config.response_mode == "query"
    assert config.security_warnings() == {}


def test_keyword_construction_equals_from_mapping() -> None:
    assert ClientConfig(**BASE) == make()
    assert ClientConfig(**BASE) != make(client_id="other")
    assert ClientConfig(**BASE) != "config"
    assert hash(ClientConfig(**BASE)) == hash(make())


def test_to_mapping_round_trips() -> None:
    config = make(
        scope=["email"],
        idle_timeout=300,
        extra_authorization_params={"audience": "api"},
        allowed_fetch_origins=["https://API.example.com:443/"],
        max_age=0,
        ui_locales=["en-GB", "fr"],
    )
    mapping = config.to_mapping()
    assert set(mapping) == set(FIELDS)
    assert ClientConfig.from_mapping(mapping) == config
    assert mapping["allowed_fetch_origins"] == ("https://api.example.com",)
    assert mapping["ui_locales"] == "en-GB fr"


def test_frozen() -> None:
    config = make()
    with pytest.raises(AttributeError, match="frozen"):
        config.issuer = "https://evil.example.com"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="frozen"):
        del config.client_id
    with pytest.raises(AttributeError):
        config.new_attribute = 1  # type: ignore[attr-defined]
    assert config.issuer == "https://idp.example.com"


def test_extra_params_cannot_be_mutated_through_the_attribute() -> None:
    config = make(extra_authorization_params={"audience": "api"})
    config.extra_authorization_params["state"] = "fixed"
    config.extra_token_params["grant_type"] = "password"
    assert config.extra_authorization_params == {"audience": "api"}
    assert config.extra_token_params == {}


def test_replace_checks_again_and_leaves_the_original() -> None:
    config = make()
    other = config.replace(client_id="other", clock_leeway=5)
    assert (other.client_id, other.clock_leeway) == ("other", 5)
    assert config.client_id == "spa"
    with pytest.raises(ConfigurationError) as info:
        config.replace(clock_leeway=-1)
    assert info.value.field == "clock_leeway"


def test_replace_keeps_a_defaulted_post_logout_uri_in_step() -> None:
    moved = make().replace(redirect_uri="https://app.example.com/new/")
    assert moved.post_logout_redirect_uri == "https://app.example.com/new/"
    explicit = make(post_logout_redirect_uri="https://app.example.com/bye")
    assert (
        explicit.replace(redirect_uri="https://app.example.com/x").post_logout_redirect_uri
        == "https://app.example.com/bye"
    )


def test_repr_is_short() -> None:
    assert repr(make()) == "ClientConfig(issuer='https://idp.example.com', client_id='spa')"


# --- required, unknown, types ------------------------------------------------------


@pytest.mark.parametrize("name", ["issuer", "client_id", "redirect_uri"])
def test_required_fields(name: str) -> None:
    mapping = dict(BASE)
    del mapping[name]
    with pytest.raises(ConfigurationError, match="is required") as info:
        ClientConfig.from_mapping(mapping)
    assert info.value.field == name


def test_unknown_field() -> None:
    with pytest.raises(ConfigurationError, match="unknown field") as info:
        make(redirect_url="https://app.example.com/")
    assert info.value.field == "redirect_url"


def test_from_mapping_refuses_non_mappings_and_non_string_keys() -> None:
    with pytest.raises(ConfigurationError) as info:
        ClientConfig.from_mapping(["issuer"])  # type: ignore[arg-type]
    assert info.value.field == "config"
    with pytest.raises(ConfigurationError):
        ClientConfig.from_mapping({**BASE, 1: "x"})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("issuer", 1),
        ("client_id", None),
        ("client_id", ""),
        ("client_id", "  "),
        ("redirect_uri", b"https://app/"),
        ("scope", 1),
        ("scope", ["a", 1]),
        ("post_logout_redirect_uri", 3),
        ("use_refresh_tokens", "yes"),
        ("use_refresh_tokens", 1),
        ("load_userinfo", "false"),
        ("load_userinfo", 0),
        ("session_restore", "popup"),
        ("session_restore", None),
        ("response_mode", "form_post"),
        ("max_age", -1),
        ("max_age", 1.5),
        ("max_age", True),
        ("ui_locales", 5),
        ("ui_locales", ["en", ""]),
        ("ui_locales", ""),
        ("extra_authorization_params", [("a", "b")]),
        ("extra_authorization_params", {"a": 1}),
        ("extra_token_params", "a=b"),
        ("allowed_fetch_origins", "https://api.example.com"),
        ("allowed_fetch_origins", [1]),
    ],
)
def test_wrong_types_and_values_name_the_field(name: str, value: object) -> None:
    assert field_of(**{name: value}) == name


# --- durations ---------------------------------------------------------------------

DURATIONS = [
    "clock_leeway",
    "renew_before_expiry",
    "renew_jitter",
    "silent_timeout",
    "request_timeout",
    "idle_timeout",
    "idle_warning",
    "transaction_ttl",
]


@pytest.mark.parametrize("name", DURATIONS)
@pytest.mark.parametrize("value", [-1, -0.5, "10", True, float("nan"), float("inf")])
def test_bad_durations(name: str, value: object) -> None:
    assert field_of(**{name: value}) == name


@pytest.mark.parametrize("name", ["clock_leeway", "renew_before_expiry", "renew_jitter"])
def test_zero_is_fine_where_it_means_strict(name: str) -> None:
    assert getattr(make(**{name: 0}), name) == 0


@pytest.mark.parametrize("name", ["silent_timeout", "request_timeout", "transaction_ttl"])
def test_zero_is_refused_where_it_breaks_everything(name: str) -> None:
    assert field_of(**{name: 0}) == name


def test_idle_timeout_on() -> None:
    assert make(idle_timeout=1800).idle_timeout == 1800.0
    assert field_of(idle_timeout=0) == "idle_timeout"


# --- URLs --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["issuer", "redirect_uri", "post_logout_redirect_uri"])
@pytest.mark.parametrize(
    "value",
    [
        "",
        "http://idp.example.com",
        "idp.example.com",
        "/relative",
        "ftp://idp.example.com",
        "https://idp.example.com/#frag",
        "https://",
        "https://h:port/",
        "javascript:alert(1)",
    ],
)
def test_bad_urls(name: str, value: str) -> None:
    assert field_of(**{name: value}) == name


def test_plain_http_message_says_where_it_is_allowed() -> None:
    with pytest.raises(ConfigurationError, match="only on localhost"):
        make(issuer="http://idp.example.com")


def test_issuer_has_no_query() -> None:
    # Discovery §3: no query or fragment components.
    assert field_of(issuer="https://idp.example.com/?tenant=1") == "issuer"


def test_redirect_uri_may_have_a_query() -> None:
    assert make(redirect_uri="https://app.example.com/?app=1").redirect_uri.endswith("?app=1")


@pytest.mark.parametrize("host", ["localhost:8001", "127.0.0.1:8001", "[::1]:8001"])
def test_plain_http_on_loopback_is_allowed_but_loud(host: str) -> None:
    config = make(issuer=f"http://{host}", redirect_uri="http://localhost:8000/")
    warnings = config.security_warnings()
    # The post-logout URI defaults to the redirect URI.
    assert list(warnings) == ["issuer", "redirect_uri", "post_logout_redirect_uri"]
    assert all("plain http" in w for w in warnings.values())
    assert f"http://{host}" in warnings["issuer"]


# --- scope, locales, extra params, origins -----------------------------------------


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("profile email", "openid profile email"),
        ("openid", "openid"),
        ("email openid  email", "openid email"),
        (["profile", "offline_access"], "openid profile offline_access"),
        ((), "openid"),
    ],
)
def test_openid_is_always_in_scope(scope: object, expected: str) -> None:
    assert make(scope=scope).scope == expected


@pytest.mark.parametrize("scope", ['a"b', "a\\b", "é", "a\x00"])
def test_scope_tokens_follow_rfc6749(scope: str) -> None:
    assert field_of(scope=scope) == "scope"


def test_scope_token_characters_are_rfc6749s_ranges() -> None:
    # RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), every one accepted.
    allowed = "".join(map(chr, [0x21, *range(0x23, 0x5C), *range(0x5D, 0x7F)]))
    assert make(scope=allowed).scope == "openid " + allowed
    for code in set(range(0x100)) - set(map(ord, allowed)):
        if chr(code).isspace():
            continue  # a separator (str.split), not part of a token
        assert field_of(scope="a" + chr(code)) == "scope", hex(code)


@pytest.mark.parametrize(
    "name",
    [
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "redirect_uri",
        "client_id",
        "response_type",
        "scope",
        "response_mode",
        "request",
        "request_uri",
    ],
)
def test_extra_authorization_params_cannot_set_protocol_params(name: str) -> None:
    with pytest.raises(ConfigurationError, match="protocol parameter") as info:
        make(extra_authorization_params={name: "x"})
    assert info.value.field == "extra_authorization_params"


@pytest.mark.parametrize(
    "name",
    ["grant_type", "code", "redirect_uri", "client_id", "code_verifier", "refresh_token"],
)
def test_extra_token_params_cannot_set_protocol_params(name: str) -> None:
    assert field_of(extra_token_params={name: "x"}) == "extra_token_params"


def test_a_client_secret_is_refused() -> None:
    assert field_of(extra_token_params={"client_secret": "s"}) == "extra_token_params"


def test_allowed_extra_params() -> None:
    config = make(
        extra_authorization_params={"audience": "api", "kc_idp_hint": "google"},
        extra_token_params={"resource": "https://api.example.com"},
    )
    assert config.extra_authorization_params == {"audience": "api", "kc_idp_hint": "google"}
    assert config.extra_token_params == {"resource": "https://api.example.com"}


@pytest.mark.parametrize(
    "origin",
    [
        "https://api.example.com/v1",
        "https://api.example.com?x",
        "https://api.example.com#x",
        "https://user@api.example.com",
        "api.example.com",
        "ftp://api.example.com",
        "",
    ],
)
def test_allowed_fetch_origins_must_be_origins(origin: str) -> None:
    assert field_of(allowed_fetch_origins=[origin]) == "allowed_fetch_origins"


def test_allowed_fetch_origins_are_normalised() -> None:
    config = make(allowed_fetch_origins=("https://API.example.com", "http://localhost:9000/"))
    assert config.allowed_fetch_origins == ("https://api.example.com", "http://localhost:9000")


def test_session_restore_and_response_mode_values() -> None:
    for mode in ("auto", "iframe", "redirect", "none"):
        assert make(session_restore=mode).session_restore == mode
    assert make(response_mode="fragment").response_mode == "fragment"
    assert make(use_refresh_tokens=False).use_refresh_tokens is False
    assert make().load_userinfo is True
    assert make(load_userinfo=False).load_userinfo is False
    assert make(ui_locales=" fr-CA  en ").ui_locales == "fr-CA en"
