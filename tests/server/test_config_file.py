from __future__ import annotations

from pathlib import Path

import pytest

from brython_oidc.core.errors import ConfigurationError
from brython_oidc.server.config_file import (
    AppConfigError,
    load_app_config,
    parse_app_config,
    with_overrides,
)

PATH = Path("app/brython-oidc.toml")
GOOD = '[oidc]\nissuer = "https://idp.example"\nclient_id = "spa"\n'


def test_a_good_file_gives_oidc_mapping_and_main() -> None:
    config = parse_app_config(PATH, GOOD + 'scope = "openid email"\n[app]\nmain = "pkg.start"\n')
    assert config.oidc == {
        "issuer": "https://idp.example",
        "client_id": "spa",
        "scope": "openid email",
    }
    assert config.main == "pkg.start"
    assert parse_app_config(PATH, GOOD).main == "main"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("[oidc\n", "(syntax)"),
        ("", "oidc"),
        ('[oidc]\nclient_id = "spa"\n', "oidc.issuer"),
        ('[oidc]\nissuer = "https://idp.example"\n', "oidc.client_id"),
        (GOOD + "clock_leeway = true\n", "oidc.clock_leeway"),
        (GOOD + 'clock_leeway = "60"\n', "oidc.clock_leeway"),
        (GOOD + 'clientid = "typo"\n', "oidc.clientid"),
        (GOOD + "allowed_fetch_origins = [1]\n", "oidc.allowed_fetch_origins"),
        (GOOD + "max_age = 1979-05-27\n", "oidc.max_age"),
        (
            GOOD + "extra_authorization_params = { when = 1979-05-27 }\n",
            "oidc.extra_authorization_params",
        ),
        ('[oidc]\nissuer = "idp.example"\nclient_id = "spa"\n', "oidc.issuer"),
        ('[oidc]\nissuer = "https://idp.example"\nclient_id = " "\n', "oidc.client_id"),
        (GOOD + '[app]\nmain = "import os"\n', "app.main"),
        (GOOD + '[app]\nentry = "main"\n', "app.entry"),
        (GOOD + "[server]\n", "server"),
    ],
)
def test_bad_files_name_file_and_field(text: str, field: str) -> None:
    with pytest.raises(AppConfigError) as caught:
        parse_app_config(PATH, text)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{PATH}: field {field!r}: ")
    assert isinstance(caught.value, ConfigurationError)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AppConfigError, match="not found"):
        load_app_config(tmp_path)
    (tmp_path / "brython-oidc.toml").write_bytes(b"\xff\xfe")
    with pytest.raises(AppConfigError, match="cannot be read"):
        load_app_config(tmp_path)


def test_overrides_are_checked_too() -> None:
    config = parse_app_config(PATH, GOOD)
    assert with_overrides(config, None) is config
    assert with_overrides(config, {"client_id": "other"}).oidc["client_id"] == "other"
    with pytest.raises(AppConfigError, match=r"oidc\.issuer"):
        with_overrides(config, {"issuer": "ftp://idp.example"})


@pytest.mark.parametrize(
    "mock", ['"logged-out"', '{user = {sub = "u1", name = "Ann"}}'], ids=["logged-out", "user"]
)
def test_mock_mode_is_accepted(mock: str) -> None:
    config = parse_app_config(PATH, GOOD + f"mock = {mock}\n")
    assert "mock" in config.oidc


@pytest.mark.parametrize(
    "mock", ['"yes"', "true", '{user = "ann"}', '{user = {}, extra = 1}'],
    ids=["word", "bool", "user-not-table", "extra-key"],
)  # fmt: skip
def test_bad_mock_names_the_field(mock: str) -> None:
    with pytest.raises(AppConfigError) as caught:
        parse_app_config(PATH, GOOD + f"mock = {mock}\n")
    assert caught.value.field == "oidc.mock"
