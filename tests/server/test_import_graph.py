"""No import circle in server/ (issue 22 item 6), type-only and in-function imports included.

Every ``import`` / ``from ... import`` anywhere in a module counts: a lazy import inside
a function or under ``TYPE_CHECKING`` still means the two modules need each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "brython_oidc"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, name: str, is_package: bool, known: set[str]) -> set[str]:
    """The modules of ``known`` that module ``name`` imports, wherever the statement is."""
    package = name if is_package else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            if target in known and target != name:
                found.add(target)
    return found


def graph(folder: Path) -> dict[str, set[str]]:
    paths = sorted(folder.rglob("*.py"))
    known = {module_name(p) for p in paths}
    return {
        module_name(p): imports_of(
            p.read_text(encoding="utf-8"), module_name(p), p.name == "__init__.py", known
        )
        for p in paths
    }


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import circle of ``edges`` as a path that ends where it starts, or ``None``."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        for nxt in sorted(edges.get(node, ())):
            cycle = visit(nxt, [*path, node])
            if cycle:
                return cycle
        done.add(node)
        return None

    for start in sorted(edges):
        cycle = visit(start, [])
        if cycle:
            return cycle
    return None


def test_the_finder_finds_a_circle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_imports_of_sees_type_only_and_function_level_imports() -> None:
    source = (
        "def f():\n"
        "    from brython_oidc.server import app\n"
        "if TYPE_CHECKING:\n"
        "    from . import bundle\n"
        "    from .compiler import BrythonCompiler\n"
    )
    known = set(graph(PACKAGE / "server"))
    assert imports_of(source, "brython_oidc.server.probe", False, known) == {
        "brython_oidc.server",
        "brython_oidc.server.app",
        "brython_oidc.server.bundle",
        "brython_oidc.server.compiler",
    }


def test_server_has_no_import_circle() -> None:
    assert find_cycle(graph(PACKAGE / "server")) is None
