"""DESIGN.md's import rule: browser-side modules import nothing Brython lacks.

Brython 3.15 with brython.js alone provides only ``browser``, ``browser.*`` and
``javascript`` besides built-ins; any other import pulls brython_stdlib.js in at
hundreds of milliseconds a module. Imports under ``if TYPE_CHECKING:`` never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "brython_oidc"
OWN = ("brython_oidc.core",)
BROWSER_OWN = ("brython_oidc.core", "brython_oidc.browser")
PLATFORM = ("browser", "javascript")


def _is_type_checking_block(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    )


def runtime_imports(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports at run time, absolute, with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found: list[tuple[int, str]] = []

    def walk(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking_block(child):
                continue
            if isinstance(child, ast.Import):
                found.extend((child.lineno, alias.name) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    name = ".".join(base + ([child.module] if child.module else []))
                else:
                    name = child.module or ""
                if name == "__future__":
                    assert [a.name for a in child.names] == ["annotations"], path
                    continue
                found.append((child.lineno, name))
            walk(child)

    walk(tree)
    return found


def _allowed(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


CORE_FILES = sorted((PACKAGE / "core").rglob("*.py"))
BROWSER_FILES = sorted((PACKAGE / "browser").rglob("*.py"))


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: p.name)
def test_core_imports_only_core(path: Path) -> None:
    bad = [(line, n) for line, n in runtime_imports(path) if not _allowed(n, OWN)]
    assert not bad, f"{path.name} imports outside core/ at run time: {bad}"


@pytest.mark.parametrize("path", BROWSER_FILES, ids=lambda p: p.name)
def test_browser_imports_only_core_and_platform(path: Path) -> None:
    allowed = BROWSER_OWN + PLATFORM
    bad = [(line, n) for line, n in runtime_imports(path) if not _allowed(n, allowed)]
    assert not bad, f"{path.name} imports what Brython lacks: {bad}"


def test_the_rule_catches_a_stdlib_import(tmp_path: Path) -> None:
    # The checker itself must be able to fail.
    probe = PACKAGE / "core" / "_probe_for_rule_test.py"
    probe.write_text("import json\nTYPE_CHECKING = False\nif TYPE_CHECKING:\n    import typing\n")
    try:
        assert runtime_imports(probe) == [(1, "json")]
    finally:
        probe.unlink()
