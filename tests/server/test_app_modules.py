"""Only app modules reachable by import ship in the public bundle (issue 24)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from brython_oidc.server import app_modules, create_app
from brython_oidc.server.bundle import iter_app_modules
from brython_oidc.server.config_file import AppConfigError, load_app_config
from brython_oidc.server.static_build import build_static_site
from tests.server.helpers import ISSUER, script_url

SECRET = "sk_live_DO_NOT_SHIP_4242"


def app(root: Path, main: str, include: str = "", **files: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "brython-oidc.toml").write_text(
        f'[oidc]\nissuer = "{ISSUER}"\nclient_id = "demo-spa"\n\n[app]\nmain = "main"\n{include}'
    )
    (root / "main.py").write_text(main)
    for name, text in files.items():
        # "pkg__views" is pkg/views.py; "pkg__init" is pkg/__init__.py.
        path = root / (name.replace("__", "/").replace("/init", "/__init__") + ".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def shipped(root: Path) -> set[str]:
    return {m.name for m in iter_app_modules(root)}


@pytest.fixture(autouse=True)
def _fresh_warnings() -> None:
    app_modules._warned.clear()


def test_unimported_settings_server_with_secret_is_not_served(tmp_path: Path) -> None:
    root = app(
        tmp_path / "app", "import helper\n",
        helper="X = 1\n", settings_server=f'API_KEY = "{SECRET}"\n',
    )  # fmt: skip
    assert shipped(root) == {"main", "helper"}
    client = TestClient(create_app(root))
    bundle = client.get(script_url(client.get("/").text, "bundle"))
    assert bundle.status_code == 200 and '"helper"' in bundle.text
    assert SECRET not in bundle.text and "settings_server" not in bundle.text


def test_imports_anywhere_count_but_not_type_checking_ones(tmp_path: Path) -> None:
    main = (
        "TYPE_CHECKING = False\n"
        "if TYPE_CHECKING:\n    import typed_only\n"
        "else:\n    import runtime_branch\n"
        "def later():\n    from lazy import thing\n    return thing\n"
        "class C:\n    import in_class\n"
    )
    root = app(
        tmp_path / "app", main,
        typed_only="", runtime_branch="", lazy="thing = 1\n", in_class="", unused="",
    )  # fmt: skip
    assert shipped(root) == {"main", "runtime_branch", "lazy", "in_class"}


def test_packages_relative_imports_and_private_names(tmp_path: Path) -> None:
    root = app(
        tmp_path / "app", "from pkg import views\nimport _private\n",
        pkg__init="", pkg__views="from . import models\nfrom .util import x\n",
        pkg__models="", pkg__util="x = 1\n", pkg__admin="", _private="", other__init="",
    )  # fmt: skip
    assert shipped(root) == {
        "main", "pkg", "pkg.views", "pkg.models", "pkg.util", "_private",
    }  # fmt: skip


def test_include_ships_modules_imported_by_a_computed_name(tmp_path: Path) -> None:
    root = app(
        tmp_path / "app", "import importlib\nimportlib.import_module('plug' + 'in')\n",
        include='include = ["plugin"]\n', plugin="import dep\n", dep="",
    )  # fmt: skip
    assert shipped(root) == {"main", "plugin", "dep"}


@pytest.mark.parametrize("bad", ['include = "plugin"', "include = [1]", 'include = ["a-b"]'])
def test_include_must_be_module_names(tmp_path: Path, bad: str) -> None:
    root = app(tmp_path / "app", "", include=bad + "\n")
    with pytest.raises(AppConfigError, match=r"app\.include"):
        load_app_config(root)


def test_serve_warns_once_about_a_left_out_module(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = app(tmp_path / "app", "", settings_server="", tools__init="")
    with caplog.at_level(logging.WARNING, logger="brython_oidc.bundle"):
        client = TestClient(create_app(root, dev=True))
        client.get("/")
        client.get("/")  # a dev rebuild check: no second warning
    lines = [r.getMessage() for r in caplog.records if "not shipped" in r.getMessage()]
    assert len(lines) == 1
    assert "settings_server, tools" in lines[0] and "[app] include" in lines[0]


def test_build_warns_and_leaves_the_module_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = app(tmp_path / "app", "", settings_server=f'KEY = "{SECRET}"\n')
    out = tmp_path / "dist"
    with caplog.at_level(logging.WARNING, logger="brython_oidc.bundle"):
        build_static_site(root, load_app_config(root), out)
    assert "settings_server" in caplog.text
    for path in out.rglob("*.js"):
        assert SECRET not in path.read_text()


def test_folder_without_its_entry_module_ships_as_before(tmp_path: Path) -> None:
    root = app(tmp_path / "app", "", other="", _hidden="")
    (root / "main.py").unlink()
    assert shipped(root) == {"other"}
