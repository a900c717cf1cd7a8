"""Which of an app folder's modules go into the public bundle: those the page can import.

Everything in the bundle is public: anyone can download it. Shipping every top-level
``*.py`` of the app folder shipped a ``settings_server.py`` holding a secret that no
page module imported. So the bundle holds the modules reachable by import from the
entry module (``[app] main``) and from those listed in ``[app] include`` (for modules
imported by a computed name, which no reader of the source can see). An import
anywhere in a module counts, inside functions too (Brython imports lazily, at call
time); one under ``if TYPE_CHECKING:`` does not, since it never runs.

A top-level module or package left out is reported (``left_out``), and a warning is
logged once per set of names, from wherever the bundle is built, so ``serve`` and
``build`` both say it.
"""

from __future__ import annotations

import ast
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path

from brython_oidc.server.config_file import AppConfigError, load_app_config

log = logging.getLogger("brython_oidc.bundle")

#: (app folder, names left out) already warned about: one warning, not one per rebuild.
_warned: set[tuple[str, tuple[str, ...]]] = set()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_names(source: str, package: list[str]) -> set[str]:
    """Every dotted name ``source`` may import, relative imports resolved against ``package``.

    ``from a import b`` yields ``a`` and ``a.b`` (``b`` may be a submodule).
    """
    found: set[str] = set()

    def visit(nodes: Iterable[ast.AST]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and _is_type_checking(node):
                visit(node.orelse)
                continue
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    keep = len(package) - node.level + 1
                    if keep < 0:
                        continue  # beyond the top: Brython would fail too
                    base = package[:keep]
                else:
                    base = []
                name = ".".join([*base, *([node.module] if node.module else [])])
                if name:
                    found.add(name)
                found.update(f"{name}.{a.name}" if name else a.name for a in node.names)
            visit(ast.iter_child_nodes(node))

    visit(ast.parse(source).body)
    return found


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def reachable(modules: Mapping[str, tuple[Path, bool]], roots: Iterable[str]) -> set[str]:
    """Names of ``modules`` (name -> (file, is_package)) importable from ``roots``."""
    todo = [parent for root in roots for parent in _parents(root)]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name not in modules:
            continue
        seen.add(name)
        path, is_package = modules[name]
        package = name.split(".") if is_package else name.split(".")[:-1]
        try:
            source = path.read_text(encoding="utf-8")
            names = imported_names(source, package)
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
            continue  # the bundle builder reports a module it cannot read or parse
        for imported in names:
            todo.extend(_parents(imported))
    return seen


def roots_of(app_dir: Path) -> list[str] | None:
    """The entry module and ``[app] include``; ``None`` when the config cannot say."""
    try:
        config = load_app_config(app_dir)
    except AppConfigError:
        return None
    return [config.main, *config.include]


def left_out(modules: Mapping[str, tuple[Path, bool]], kept: set[str]) -> list[str]:
    """Top-level module and package names not shipped."""
    return sorted(name for name in modules if "." not in name and name not in kept)


def select(app_dir: Path, modules: Mapping[str, tuple[Path, bool]]) -> set[str]:
    """The bundle hook: names to ship; logs a warning for top-level modules left out.

    Without a readable ``brython-oidc.toml`` (a folder the server cannot serve
    anyway), the entry module defaults to ``main``; without that module, everything
    ships, as before.
    """
    roots = roots_of(app_dir)
    if roots is None:
        roots = ["main"]
    if roots[0] not in modules:
        # No entry module to start from: the old rule (every module not named "_*").
        return {name for name in modules if not name.split(".")[0].startswith("_")}
    kept = reachable(modules, roots)
    warn_left_out(app_dir, left_out(modules, kept))
    return kept


def warn_left_out(app_dir: Path, names: list[str]) -> None:
    """Log once that ``names`` are not shipped; the CLI's log config shows it."""
    key = (str(app_dir.resolve()), tuple(names))
    if not names or key in _warned:
        return
    _warned.add(key)
    log.warning(
        "brython-oidc: not shipped in the bundle (not imported from the entry module): %s; "
        "list a module in [app] include in brython-oidc.toml if the page imports it "
        "by a computed name",
        ", ".join(names),
    )
