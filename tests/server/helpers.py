"""Small app folders for the server and CLI tests."""

from __future__ import annotations

import json
import re
from pathlib import Path

ISSUER = "http://127.0.0.1:8001"

MAIN_PY = """\
from browser import document
from brython_oidc.core.errors import ValidationError
import helper

document["app"].text = "main imported " + helper.WORD + " " + ValidationError.code
"""


def make_app(root: Path, *, oidc: str = "", main: str = MAIN_PY) -> Path:
    """An app folder with a config, a main module importing a sibling and core."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "brython-oidc.toml").write_text(
        f'[oidc]\nissuer = "{ISSUER}"\nclient_id = "demo-spa"\n{oidc}\n[app]\nmain = "main"\n'
    )
    (root / "main.py").write_text(main)
    (root / "helper.py").write_text('WORD = "ok"\n')
    (root / "static").mkdir(exist_ok=True)
    (root / "static" / "style.css").write_text("body { color: black; }\n" * 60)
    (root / "static" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    return root


def script_urls(page: str) -> list[str]:
    return re.findall(r'<script defer src="([^"]+)"></script>', page)


def script_url(page: str, stem: str) -> str:
    """The page's hashed script ``/_brython_oidc/<stem>.<hash>.js`` (brython, bundle, boot)."""
    (url,) = [u for u in script_urls(page) if u.rsplit("/", 1)[1].split(".")[0] == stem]
    return url


def injected_config(page: str) -> dict[str, object]:
    match = re.search(
        r'<script type="application/json" id="brython-oidc-config">(.*?)</script>', page, re.S
    )
    assert match, "no configuration block in the page"
    data: dict[str, object] = json.loads(match.group(1))
    return data
