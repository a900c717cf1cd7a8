"""The code users copy puts text into the page only through ``brython_oidc.browser.dom``.

In Brython ``html.TAG("a string")`` (and ``elt.html = ...``, ``innerHTML``) parse the
string as markup. The demo and the scaffold's template must not use them, so what users
copy is safe by default (``tests/e2e/test_safe_text.py`` checks the result in Chromium).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from brython_oidc.scaffold import scaffold_files

DEMO = Path(__file__).resolve().parents[2] / "demo_app"
SOURCES = {p.name: p.read_text(encoding="utf-8") for p in sorted(DEMO.glob("*.py"))}
SOURCES.update({f"scaffold:{n}": t for n, t in scaffold_files("app").items() if n == "main.py"})


def markup_sinks(source: str) -> list[tuple[int, str]]:
    """``html.X(...)`` calls with content, and ``.html``/``.innerHTML`` assignments."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "html"
            and node.args
        ):
            found.append((node.lineno, f"html.{node.func.attr}(...)"))
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and target.attr in ("html", "innerHTML"):
                    found.append((node.lineno, f".{target.attr} = ..."))
    return found


def test_the_rule_finds_each_sink() -> None:
    source = "from browser import html\nhtml.P(name)\nx.innerHTML = s\ny.html = s\nhtml.BR()\n"
    assert sorted(line for line, _ in markup_sinks(source)) == [2, 3, 4]


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_no_markup_sink_in_code_users_copy(name: str) -> None:
    assert markup_sinks(SOURCES[name]) == [], f"{name}: use brython_oidc.browser.dom"
