"""Syntax and import errors in app modules: ``file:line`` and the line, never a trace."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from brython_oidc import cli
from brython_oidc.server import create_app
from brython_oidc.server.source_check import SourceError, find_source_error
from tests.server.helpers import make_app

BROKEN = "import helper\n\n\ndef show(:\n    pass\n"


def test_build_and_serve_name_file_line_and_the_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    app = make_app(tmp_path / "app", main=BROKEN)
    for argv in (["build", str(app), "--out", str(tmp_path / "out")], ["serve", str(app)]):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert err == (
            f"brython-oidc: error: {app / 'main.py'}:4: SyntaxError: invalid syntax\n"
            "    def show(:\n"
        )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("source", "line", "name"),
    [
        ("import json\n", 1, "json"),
        (
            "from browser import html\nfrom brython_oidc.server import create_app\n",
            2,
            "brython_oidc.server",
        ),
        ("def later():\n    import urllib.parse\n", 2, "urllib.parse"),
        ("import helpr\n", 1, "helpr"),
    ],
)
def test_an_import_the_page_cannot_answer_is_refused(
    tmp_path: Path, source: str, line: int, name: str
) -> None:
    app = make_app(tmp_path / "app", main=source)
    problem = find_source_error(app)
    assert isinstance(problem, SourceError)
    assert (problem.path, problem.line) == (app / "main.py", line)
    assert f"no module {name!r} in the page" in problem.reason


def test_what_the_page_has_is_accepted(tmp_path: Path) -> None:
    source = (
        "from __future__ import annotations\n"
        "import helper\n"
        "import pkg.sub\n"
        "from browser import aio, html\n"
        "import javascript\n"
        "from brython_oidc.browser import create_oidc\n"
        "from brython_oidc.browser.dom import el\n"
        "from brython_oidc.core.errors import OIDCError\n"
        "TYPE_CHECKING = False\n"
        "if TYPE_CHECKING:\n"
        "    from typing import Any\n"
        "try:\n"
        "    import optional_thing\n"
        "except ImportError:\n"
        "    optional_thing = None\n"
    )
    app = make_app(tmp_path / "app", main=source)
    (app / "pkg").mkdir()
    (app / "pkg" / "__init__.py").write_text("")
    (app / "pkg" / "sub.py").write_text("from . import other\n")
    (app / "pkg" / "other.py").write_text("X = 1\n")
    assert find_source_error(app) is None


def test_the_dev_server_shows_the_error_in_the_page_until_fixed(tmp_path: Path) -> None:
    app = make_app(tmp_path / "app")
    client = TestClient(create_app(app, dev=True))
    assert client.get("/").status_code == 200
    (app / "helper.py").write_text('WORD = "<b>ok"\nif WORD <:\n    pass\n')
    page = client.get("/profile")
    assert page.status_code == 500 and page.headers["cache-control"] == "no-store"
    assert "<code>helper.py:2</code>: SyntaxError: invalid syntax" in page.text
    assert "<pre>if WORD &lt;:</pre>" in page.text  # the line, as text
    (app / "helper.py").write_text('WORD = "ok"\n')
    fixed = client.get("/profile")
    assert fixed.status_code == 200 and "import main" in fixed.text
