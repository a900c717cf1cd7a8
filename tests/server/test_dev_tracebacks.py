"""Development mode keeps the app's line numbers: a traceback names the line you edit.

The production bundle drops comments and docstrings (smaller), which moves every
line; ``serve`` (``create_app(dev=True)``) ships the app's modules as written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from brython_oidc.server import create_app
from brython_oidc.testing.browser import console_logs
from brython_oidc.testing.servers import AppServer
from tests.server.helpers import make_app

MAIN = '''"""A docstring
of three lines.
"""
# a comment
# another comment
from browser import document


def fail():
    # the line below is line 11 of this file
    raise ValueError("raised on purpose")


fail()
'''


def traceback_text(chrome: Any) -> str:
    seen: list[str] = []

    def found(driver: Any) -> str | None:
        seen.extend(str(e.get("message", "")) for e in console_logs(driver))
        text = "\n".join(seen)
        return text if "raised on purpose" in text else None

    result: str = WebDriverWait(chrome, 20, poll_frequency=0.1).until(found)
    return result


@pytest.mark.browser
@pytest.mark.parametrize("dev", [True, False], ids=["serve", "production"])
def test_tracebacks_name_the_real_line_in_development(
    chrome: Any, tmp_path: Path, dev: bool
) -> None:
    app_dir = make_app(tmp_path / "app", main=MAIN)
    app = create_app(app_dir, dev=dev, oidc_overrides={"client_id": "x"})
    with AppServer(app_dir, app=app, mock="logged-out") as server:
        console_logs(chrome)  # drain what earlier tests left
        chrome.get(server.url)
        text = traceback_text(chrome)
    lines = {int(n) for n in re.findall(r"line (\d+)", text)}
    if dev:
        assert {11, 14} <= lines, text
    else:  # what dev mode fixes: the minified bundle's numbers are not the file's
        assert 11 not in lines, text
