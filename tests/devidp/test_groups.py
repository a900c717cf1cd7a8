"""The `groups` claim of the development provider's users (the demo's admin page)."""

from __future__ import annotations

from pathlib import Path

import pytest

from brython_oidc.core.errors import ConfigurationError
from brython_oidc.devidp.config import default_users, load_toml


def test_alice_is_admin_and_bob_is_in_no_group() -> None:
    users = {user.username: user for user in default_users()}
    assert users["alice"].claims("openid profile")["groups"] == ["admin"]
    assert users["bob"].claims("openid profile")["groups"] == []
    # The default passwords stay DESIGN.md's.
    assert (users["alice"].password, users["bob"].password) == ("alice", "bob")


def test_groups_are_released_with_profile_only() -> None:
    alice = next(user for user in default_users() if user.username == "alice")
    assert "groups" not in alice.claims("openid email")


def test_groups_from_toml(tmp_path: Path) -> None:
    config = tmp_path / "idp.toml"
    config.write_text(
        '[[users]]\nusername = "carol"\npassword = "c"\ngroups = ["admin", "ops"]\n'
        '[[users]]\nusername = "dan"\npassword = "d"\n',
        encoding="utf-8",
    )
    users, _ = load_toml(config)
    assert users[0].claims("openid profile")["groups"] == ["admin", "ops"]
    assert users[1].claims("openid profile")["groups"] == []


def test_groups_must_be_a_list_of_strings(tmp_path: Path) -> None:
    config = tmp_path / "idp.toml"
    config.write_text('[[users]]\nusername = "e"\npassword = "e"\ngroups = "admin"\n')
    with pytest.raises(ConfigurationError, match="groups"):
        load_toml(config)
