"""The boot file (server/js/boot.js) and the one JSON value it reads (``boot_data``).

The names in that value come from their one definition, ``browser/keys.py`` (read by
server/names.py) and core; the file itself is run in Node against a stand-in page
(``boot_harness.js``) for each start-up case browser/boot.py distinguishes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brython_oidc.core.authorization import CALLBACK_PARAMS
from brython_oidc.core.discovery import discovery_url
from brython_oidc.server.assets import BOOT_JS, boot_data, boot_script
from brython_oidc.server.names import keys
from brython_oidc.server.silent_callback import SCRIPT

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")
HARNESS = Path(__file__).with_name("boot_harness.js")

ISSUER = "https://idp.example/realm/"
OIDC = {"issuer": ISSUER, "client_id": "spa"}
NS = keys.namespace(ISSUER, "spa")
APP = "https://app.example/"
OPTIONS = {"debug": 1}


def run_boot(
    tmp_path: Path,
    *,
    oidc: dict[str, object] | None = None,
    href: str = APP,
    local: dict[str, str] | None = None,
    session: dict[str, str] | None = None,
    engine_url: str | None = "/_brython_oidc/engine.x.js",
) -> dict[str, Any]:
    path = tmp_path / "boot.js"
    config = OIDC if oidc is None else oidc
    path.write_bytes(boot_script(debug=1, engine_url=engine_url, oidc=config))
    data = boot_data(OIDC, engine_url=engine_url, brython_options=OPTIONS)
    scenario = {"href": href, "local": local, "session": session, "globals": data["globals"]}
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(HARNESS), str(path), json.dumps(scenario)],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def status_of(result: dict[str, Any]) -> str:
    value: str = result["attributes"][keys.STATUS_ATTRIBUTE]
    return value


# --- the one JSON value -------------------------------------------------------------


def test_boot_data_names_come_from_keys_and_core() -> None:
    data = boot_data(OIDC, engine_url="/e.js", brython_options=OPTIONS)
    assert data["storage"] == {
        "hint": keys.hint_key(NS),
        "after_logout": keys.after_logout_key(NS),
        "discovery": keys.discovery_key(NS),
    }
    assert data["discovery_url"] == discovery_url(ISSUER)
    assert data["callback_params"] == list(CALLBACK_PARAMS)
    assert data["globals"] == {
        "callback_url": keys.CALLBACK_URL_GLOBAL,
        "early_get": keys.EARLY_GET_GLOBAL,
        "engine": keys.ENGINE_GLOBAL,
        "idle": keys.IDLE_GLOBAL,
        "engine_at_start": keys.ENGINE_AT_START_GLOBAL,
    }
    assert data["status"]["attribute"] == keys.STATUS_ATTRIBUTE
    # Every status the boot file may set is one of keys.STATUSES.
    values = [v for k, v in data["status"].items() if k != "attribute"]  # type: ignore[union-attr]
    assert values and set(values) <= set(keys.STATUSES)


def test_boot_data_has_no_storage_without_issuer_or_in_mock_mode() -> None:
    for oidc in ({}, {"issuer": ISSUER}, {**OIDC, "mock": "logged-out"}):
        data = boot_data(oidc, engine_url=None, brython_options=OPTIONS)
        assert data["storage"] is None and data["discovery_url"] is None
    assert boot_data({"mock": "logged-out"}, engine_url=None, brython_options=OPTIONS)["mock"]


def test_namespace_is_length_prefixed_so_pairs_never_collide() -> None:
    assert keys.namespace("https://op.example", "demo-spa") == "18:https://op.example:8:demo-spa"
    assert keys.namespace("https://a:b", "c") != keys.namespace("https://a", "b:c")
    assert keys.namespace("a|b", "c") != keys.namespace("a", "b|c")
    assert keys.namespace("a:1:b", "c") != keys.namespace("a", "1:b:c")
    pairs = [("a", "b:c"), ("a:b", "c"), ("a", "1:b:1:c"), ("", "x"), ("x", "")]
    names = {keys.channel_name(keys.namespace(i, c)) for i, c in pairs}
    assert len(names) == len(pairs)
    assert keys.channel_name(NS).startswith(keys.PREFIX)


@given(st.text(), st.text(), st.text(), st.text())
def test_distinct_pairs_never_share_a_namespace(i1: str, c1: str, i2: str, c2: str) -> None:
    if (i1, c1) != (i2, c2):
        assert keys.namespace(i1, c1) != keys.namespace(i2, c2)


def test_every_storage_key_is_in_its_namespace() -> None:
    made = [
        keys.hint_key(NS),
        keys.discovery_key(NS),
        keys.after_logout_key(NS),
        keys.used_states_key(NS),
        keys.renewed_key(NS),
        keys.transaction_prefix(NS),
    ]
    assert all(k.startswith(keys.PREFIX + NS + ":") for k in made)
    assert len(set(made)) == len(made)


# --- the file -----------------------------------------------------------------------


@needs_node
def test_the_js_files_and_the_served_scripts_are_valid_javascript(tmp_path: Path) -> None:
    served = tmp_path / "served.js"
    served.write_bytes(boot_script(debug=1, engine_url="/e.js", oidc=OIDC))
    silent = tmp_path / "silent.js"
    silent.write_bytes(SCRIPT)
    for path in (BOOT_JS, served, BOOT_JS.with_name("silent_callback.js"), silent):
        subprocess.run([str(NODE), "--check", str(path)], check=True, timeout=30)


def test_boot_js_holds_no_shared_name() -> None:
    """Each name reaches the file in BOOT, from its one definition (comments aside)."""
    code = ""
    for line in BOOT_JS.read_text(encoding="utf-8").splitlines():
        if not line.strip().startswith("//"):
            code += line.split("  // ", 1)[0] + "\n"
    for name in (
        keys.CALLBACK_URL_GLOBAL,
        keys.EARLY_GET_GLOBAL,
        keys.ENGINE_GLOBAL,
        keys.IDLE_GLOBAL,
        keys.PREFIX,
        keys.STATUS_ATTRIBUTE,
        keys.CONFIG_ELEMENT_ID,
        ".well-known",
    ):
        assert name not in code
    for value in (*CALLBACK_PARAMS, *keys.STATUSES):
        assert json.dumps(value) not in code


# --- what it does, per start-up case ---------------------------------------------------


@needs_node
def test_first_visit_says_loading_and_fetches_discovery(tmp_path: Path) -> None:
    result = run_boot(tmp_path)
    assert status_of(result) == keys.LOADING
    assert result["fetched"] == [
        {"url": discovery_url(ISSUER), "method": "GET", "cache": "no-store", "credentials": "omit"}
    ]
    assert result["early_get"] == discovery_url(ISSUER)
    assert not result["engine_at_start"] and result["scripts"] == []
    assert result["engine_loader"] and result["idle"]
    assert result["brython"]["debug"] == 1 and result["brython"]["static_stdlib_import"] is False
    assert result["href"] == APP and result["callback_url"] is None


@needs_node
def test_callback_is_captured_says_signing_in_and_fetches_the_jwks(tmp_path: Path) -> None:
    stored = {keys.discovery_key(NS): json.dumps({"document": {"jwks_uri": ISSUER + "jwks"}})}
    href = APP + "page?keep=1&code=abc&state=xyz&iss=x#frag"
    result = run_boot(tmp_path, href=href, session=stored)
    assert result["callback_url"] == href
    assert result["href"] == APP + "page?keep=1#frag"
    assert status_of(result) == keys.SIGNING_IN
    assert [f["url"] for f in result["fetched"]] == [ISSUER + "jwks"]
    assert result["engine_at_start"] and result["scripts"] == ["/_brython_oidc/engine.x.js"]
    assert result["brython"] is not None  # started once the engine loaded
    # Before brython.js ran: the status said, the engine (compiled for it) not yet added.
    assert result["before_brython_js"] == {
        "status": keys.SIGNING_IN,
        "scripts": [],
        "brython": False,
    }


@needs_node
def test_hint_says_restoring_and_loads_the_engine(tmp_path: Path) -> None:
    stored = {keys.discovery_key(NS): "{}"}
    result = run_boot(tmp_path, local={keys.hint_key(NS): "1"}, session=stored)
    assert status_of(result) == keys.RESTORING
    assert result["engine_at_start"]
    # Stored, and asked all the same: the top level may go to the provider only once it
    # answered this page (core.startup_plan.PROVIDER_ANSWERS), and this is that answer.
    assert [f["url"] for f in result["fetched"]] == [discovery_url(ISSUER)]
    assert result["early_get"] == discovery_url(ISSUER)


@needs_node
def test_stored_discovery_without_hint_is_not_fetched_again(tmp_path: Path) -> None:
    stored = {keys.discovery_key(NS): "{}"}
    result = run_boot(tmp_path, session=stored)
    assert status_of(result) == keys.LOADING
    assert result["fetched"] == []


@needs_node
def test_another_apps_hint_is_not_ours(tmp_path: Path) -> None:
    other = keys.hint_key(keys.namespace(ISSUER, "other-spa"))
    result = run_boot(tmp_path, local={other: "1"})
    assert status_of(result) == keys.LOADING and not result["engine_at_start"]


@needs_node
def test_back_from_the_providers_logout_says_signing_out(tmp_path: Path) -> None:
    result = run_boot(tmp_path, session={keys.after_logout_key(NS): "/"})
    assert status_of(result) == keys.SIGNING_OUT and result["engine_at_start"]


@needs_node
def test_iframe_restore_and_mock_mode_load_the_engine_at_start(tmp_path: Path) -> None:
    restore = run_boot(tmp_path, oidc={**OIDC, "session_restore": "iframe"})
    assert status_of(restore) == keys.RESTORING and restore["engine_at_start"]
    mock = run_boot(tmp_path, oidc={**OIDC, "mock": "logged-out"})
    assert status_of(mock) == keys.LOADING and mock["engine_at_start"]
    assert mock["fetched"] == []


@needs_node
def test_without_an_engine_asset_there_is_no_loader(tmp_path: Path) -> None:
    result = run_boot(tmp_path, engine_url=None, local={keys.hint_key(NS): "1"})
    assert not result["engine_loader"] and not result["engine_at_start"]
    assert status_of(result) == keys.RESTORING
    assert result["brython"] is not None
