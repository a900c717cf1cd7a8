"""Syntax and import errors in an app's browser modules, found before the page is built.

Without this check a typo in ``main.py`` ends ``serve``/``build`` in a 25-line
internal traceback naming ``File "<unknown>"``, and a running ``serve`` answers a
bare "Internal Server Error". ``find_source_error`` parses each app module (as the
bundle will) and looks at what it imports; the first problem comes back as
``SourceError``: ``file:line``, what is wrong, and the line itself. ``serve`` and
``build`` refuse to start with it (``create_app``, ``build_static_site``); a
running development server shows it in the page (``error_page``) until it is fixed.

An import is a problem when nothing the page has can answer it: the app's own
modules, brython_oidc's browser-side packages (``core``, ``browser``) and what
brython.js provides (``browser``, ``browser.*``, ``javascript``). The page loads no
standard library (DESIGN.md), so ``import json`` fails there. Imports under
``if TYPE_CHECKING:`` or inside ``try:`` (an optional module) are not checked.
"""

from __future__ import annotations

import ast
import html
from collections.abc import Iterable
from pathlib import Path

from brython_oidc.commands import UsageError
from brython_oidc.server.bundle import ModuleSource, framework_modules, iter_app_modules

#: Modules brython.js itself provides (besides built-ins), with their submodules.
PLATFORM = ("browser", "javascript")


class SourceError(UsageError):
    """An app module that cannot run in the page: ``file:line: reason`` then the line."""

    def __init__(self, path: Path, line: int | None, reason: str, text: str = "") -> None:
        self.path = path
        self.line = line
        self.reason = reason
        self.text = text.strip()
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {reason}" + (f"\n    {self.text}" if self.text else ""))


def _line(source: str, number: int | None) -> str:
    lines = source.splitlines()
    return lines[number - 1] if number and 0 < number <= len(lines) else ""


def _provided(name: str, own: Iterable[str]) -> bool:
    for known in PLATFORM:
        if name == known or name.startswith(known + "."):
            return True
    return name in own


def page_modules(app_modules: Iterable[ModuleSource]) -> set[str]:
    """Every module name the bundle can answer: the app's and the framework's, with
    their parent packages (``brython_oidc`` for ``brython_oidc.browser.dom``)."""
    names: set[str] = set()
    for module in (*framework_modules(), *app_modules):
        parts = module.name.split(".")
        names.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return names


def _checked_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """Every absolute import outside ``if TYPE_CHECKING:`` and ``try:`` blocks."""
    found: list[tuple[int, str]] = []

    def walk(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Try):
                continue
            if (
                isinstance(child, ast.If)
                and isinstance(child.test, ast.Name)
                and child.test.id == "TYPE_CHECKING"
            ):
                continue
            if isinstance(child, ast.Import):
                found.extend((child.lineno, alias.name) for alias in child.names)
            elif (
                isinstance(child, ast.ImportFrom)
                and not child.level
                and child.module not in (None, "__future__")
            ):
                found.append((child.lineno, str(child.module)))
            walk(child)

    walk(tree)
    return found


def check_module(module: ModuleSource, own: Iterable[str]) -> None:
    """Raise ``SourceError`` for a syntax error or an import the page cannot answer."""
    try:
        source = module.path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(module.path, None, f"is not UTF-8 text ({exc.reason})") from None
    try:
        tree = ast.parse(source, filename=str(module.path))
    except SyntaxError as exc:
        reason = f"{type(exc).__name__}: {exc.msg}"
        raise SourceError(module.path, exc.lineno, reason, _line(source, exc.lineno)) from None
    own = set(own)
    for lineno, name in _checked_imports(tree):
        if not _provided(name, own):
            raise SourceError(
                module.path,
                lineno,
                f"ImportError: no module {name!r} in the page (the app's modules, "
                "brython_oidc.core/.browser, browser and javascript are)",
                _line(source, lineno),
            )


def find_source_error(app_dir: Path) -> SourceError | None:
    """The first problem in the app's browser modules, or ``None``."""
    modules = list(iter_app_modules(app_dir))
    own = page_modules(modules)
    for module in modules:
        try:
            check_module(module, own)
        except SourceError as exc:
            return exc
    return None


def check_app_sources(app_dir: Path) -> None:
    """Raise the first ``SourceError`` of the app's browser modules."""
    problem = find_source_error(app_dir)
    if problem is not None:
        raise problem


def error_page(problem: SourceError, app_dir: Path) -> str:
    """The development server's page while a module is broken (escaped: it is text)."""
    try:
        shown = problem.path.relative_to(app_dir)
    except ValueError:
        shown = problem.path
    where = f"{shown}:{problem.line}" if problem.line else str(shown)
    line = f"<pre>{html.escape(problem.text)}</pre>" if problem.text else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Error in your app</title><style>"
        "body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#fff5f5;color:#1f2933}"
        "main{max-width:48rem;margin:3rem auto;padding:1.5rem 2rem;background:#fff;"
        "border:1px solid #ffc9c9;border-radius:10px}h1{color:#c92a2a;font-size:1.3rem}"
        "pre{background:#f5f7fa;padding:.75rem 1rem;border-radius:6px;overflow:auto}"
        '</style></head><body><main data-testid="source-error">'
        "<h1>This app cannot start: a module has an error</h1>"
        f"<p><code>{html.escape(where)}</code>: {html.escape(problem.reason)}</p>{line}"
        "<p>Fix it and reload: the development server rebuilds on every change.</p>"
        "</main></body></html>"
    )
