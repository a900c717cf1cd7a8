"""``[app] main`` must exist; ``[app] routes``: an app's own API served beside the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from brython_oidc.server import create_app
from brython_oidc.server.config_file import AppConfigError, load_app_config
from tests.server.helpers import make_app, script_url

ROUTES_PY = """\
from starlette.responses import JSONResponse
from starlette.routing import Route


def routes(oidc):
    async def hello(request):
        return JSONResponse({"issuer": oidc["issuer"], "client_id": oidc["client_id"]})

    return [Route("/api/hello", hello)]
"""


def with_app_table(app: Path, table: str) -> Path:
    config = app / "brython-oidc.toml"
    text = config.read_text().replace('[app]\nmain = "main"\n', "[app]\n" + table)
    config.write_text(text)
    return app


def test_an_unknown_main_is_refused_naming_the_files_looked_for(tmp_path: Path) -> None:
    app = with_app_table(make_app(tmp_path / "app"), 'main = "mian"\n')
    with pytest.raises(AppConfigError) as raised:
        load_app_config(app)
    message = str(raised.value)
    assert "app.main" in message and "'mian'" in message
    assert str(app / "mian.py") in message and str(app / "mian" / "__init__.py") in message


def test_a_package_main_is_found(tmp_path: Path) -> None:
    app = with_app_table(make_app(tmp_path / "app"), 'main = "pkg.start"\n')
    (app / "pkg" / "start").mkdir(parents=True)
    (app / "pkg" / "__init__.py").write_text("")
    (app / "pkg" / "start" / "__init__.py").write_text("")
    assert load_app_config(app).main == "pkg.start"


def test_routes_are_served_beside_the_page_with_overrides(tmp_path: Path) -> None:
    app = with_app_table(make_app(tmp_path / "app"), 'main = "main"\nroutes = "server/api.py"\n')
    (app / "server").mkdir()
    (app / "server" / "api.py").write_text(ROUTES_PY)
    client = TestClient(create_app(app, oidc_overrides={"client_id": "other"}))
    assert client.get("/api/hello").json()["client_id"] == "other"
    page = client.get("/api/elsewhere")  # the SPA fallback still answers the rest
    assert page.status_code == 200 and "import main" in page.text
    bundle = client.get(script_url(page.text, "bundle")).text
    assert '"main":' in bundle and "server.api" not in bundle and "JSONResponse" not in bundle


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ('"../api.py"', "must be a .py file inside the app folder"),
        ('"/etc/api.py"', "must be a .py file inside the app folder"),
        ('"api.txt"', "must be a .py file inside the app folder"),
        ("3", "must be a .py file inside the app folder"),
        ('"server/missing.py"', "file not found"),
    ],
)
def test_bad_routes_values_name_the_field(tmp_path: Path, value: str, needle: str) -> None:
    app = with_app_table(make_app(tmp_path / "app"), f'main = "main"\nroutes = {value}\n')
    with pytest.raises(AppConfigError) as raised:
        load_app_config(app)
    assert "app.routes" in str(raised.value) and needle in str(raised.value)


def test_a_syntax_error_in_routes_is_file_line_and_the_line(tmp_path: Path) -> None:
    app = with_app_table(make_app(tmp_path / "app"), 'main = "main"\nroutes = "server/api.py"\n')
    (app / "server").mkdir()
    (app / "server" / "api.py").write_text("def routes(oidc):\n    return []\n\nx = = 1\n")
    with pytest.raises(AppConfigError) as raised:
        create_app(app)
    assert str(raised.value).endswith(f"{app / 'server' / 'api.py'}:4: invalid syntax: x = = 1")


def test_routes_must_define_the_factory(tmp_path: Path) -> None:
    app = with_app_table(make_app(tmp_path / "app"), 'main = "main"\nroutes = "server/api.py"\n')
    (app / "server").mkdir()
    (app / "server" / "api.py").write_text("ROUTES = []\n")
    with pytest.raises(AppConfigError, match=r"must define routes\(oidc\)"):
        create_app(app)
