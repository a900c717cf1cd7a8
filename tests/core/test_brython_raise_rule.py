"""No bare ``raise`` in the code that runs in Brython (core/ and browser/).

Brython 3.15 loses the active exception of a bare ``raise`` in an ``except`` block
when that exception was raised again from a result stored across awaits (a shared
request's error, ``browser.http.in_background``): the page then gets
``RuntimeError: No active exception to reraise`` instead of the typed error. Seen
twice (the token endpoint's 500 at start-up, a wrong discovery issuer on the login
click), so the rule is checked here: bind the exception and ``raise exc``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "brython_oidc"
IN_BRYTHON = sorted([*(PACKAGE / "core").rglob("*.py"), *(PACKAGE / "browser").rglob("*.py")])


def bare_raises(source: str) -> list[int]:
    """Lines of the bare ``raise`` statements in ``source``."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Raise) and node.exc is None
    ]


@pytest.mark.parametrize("path", IN_BRYTHON, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_bare_raise(path: Path) -> None:
    lines = bare_raises(path.read_text(encoding="utf-8"))
    assert not lines, f"{path.name}: bare raise on lines {lines}; write `raise exc`"


def test_the_rule_sees_a_bare_raise() -> None:
    source = "try:\n    f()\nexcept ValueError as exc:\n    g(exc)\n    raise\n"
    assert bare_raises(source) == [5]
    assert bare_raises(source.replace("raise\n", "raise exc\n")) == []
