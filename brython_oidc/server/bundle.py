"""One JavaScript bundle of Python modules, in Brython's VFS format.

The page loads brython.js and this one file: no brython_stdlib.js, no module
fetched one by one over XHR (DESIGN.md). The format is what
``brython-cli make_package`` writes: ``__BRYTHON__.loadBrythonPackage({...})``
mapping each module name to ``[ext, source, imports(, 1 if package)]`` (``imports``
left empty when the page runs without Brython's IndexedDB cache, its only reader).

The bundle's name carries a hash of its content, so it can be cached forever;
``$timestamp`` is derived from the same hash so Brython's IndexedDB cache of
compiled modules is invalidated exactly when a source changes.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from brython.make_package import Visitor

from brython_oidc.server.app_modules import select as select_app_modules
from brython_oidc.server.compiler import BrythonCompiler, compile_module
from brython_oidc.server.precompiled import MODULES, compact_js, compiled_js

# Brython has no __future__ module, and evaluates annotations lazily already.
_FUTURE_LINE = "from __future__ import annotations"

#: brython_oidc's own browser-side packages: everything else runs under CPython.
FRAMEWORK_SUBPACKAGES = ("core", "browser")

_SKIP_DIRS = {"__pycache__", "tests", "node_modules"}

_Function = ast.FunctionDef | ast.AsyncFunctionDef


class ModuleSource:
    """One module to bundle: its dotted name, file and whether it is a package."""

    __slots__ = ("is_package", "name", "path")

    def __init__(self, name: str, path: Path, is_package: bool) -> None:
        self.name = name
        self.path = path
        self.is_package = is_package


class Bundle:
    """The bundle's bytes, content hash and the module names it holds.

    ``compiled_at_load``: every module the page imports while loading (``at_load``)
    ships compiled, so the page compiles nothing at start-up and needs no
    IndexedDB cache of compiled modules (server/assets.py turns it off).
    """

    __slots__ = ("compiled_at_load", "content", "digest", "modules")

    def __init__(
        self,
        content: bytes,
        digest: str,
        modules: tuple[str, ...],
        *,
        compiled_at_load: bool = False,
    ) -> None:
        self.content = content
        self.digest = digest
        self.modules = modules
        self.compiled_at_load = compiled_at_load

    @property
    def filename(self) -> str:
        return f"bundle.{self.digest}.js"


def iter_package(
    name: str, directory: Path, *, only: Sequence[str] | None = None
) -> Iterator[ModuleSource]:
    """Yield every ``.py`` module of the package ``name`` rooted at ``directory``.

    ``only`` limits the walk to those direct subpackages (the package's own
    ``__init__.py`` is always included).
    """
    init = directory / "__init__.py"
    if init.is_file():
        yield ModuleSource(name, init, True)
    for child in sorted(directory.iterdir()):
        if child.name in _SKIP_DIRS or child.name.startswith("."):
            continue
        if child.is_dir():
            if only is not None and child.name not in only:
                continue
            if (child / "__init__.py").is_file():
                yield from iter_package(f"{name}.{child.name}", child)
        elif child.suffix == ".py" and child.name != "__init__.py" and only is None:
            yield ModuleSource(f"{name}.{child.stem}", child, False)


def iter_app_modules(app_dir: Path) -> Iterator[ModuleSource]:
    """The app's own browser modules that the page can import (``app_modules.select``).

    Candidates are the folder's top-level ``*.py`` files and packages; only those
    reachable by import from the entry module (or listed in ``[app] include``) ship.
    """
    candidates: list[ModuleSource] = []
    for child in sorted(app_dir.iterdir()):
        if child.name in _SKIP_DIRS or child.name.startswith("."):
            continue
        if child.is_file() and child.suffix == ".py":
            candidates.append(ModuleSource(child.stem, child, False))
        elif child.is_dir() and (child / "__init__.py").is_file():
            candidates.extend(iter_package(child.name, child))
    keep = select_app_modules(app_dir, {m.name: (m.path, m.is_package) for m in candidates})
    yield from (m for m in candidates if m.name in keep)


def framework_modules() -> Iterator[ModuleSource]:
    """brython_oidc's modules that run in the page (core/ and browser/)."""
    root = Path(__file__).resolve().parents[1]
    yield from iter_package("brython_oidc", root, only=FRAMEWORK_SUBPACKAGES)


def _strip_docstrings(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                body.pop(0)
                if not body:
                    body.append(ast.Pass())


class _StripTyping(ast.NodeTransformer):
    """Drop annotations and ``if TYPE_CHECKING:`` blocks: nothing reads them in the page.

    Brython compiles each annotation into an ``__annotate__`` function (about 1 KB of
    JavaScript per annotated ``def``), so they cost bytes and compile time on every
    cold load for nothing.
    """

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.annotation = None
        return node

    def _function(self, node: _Function) -> _Function:
        node.returns = None
        self.generic_visit(node)
        return node

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.stmt | None:
        if node.value is None:
            return None
        return ast.copy_location(ast.Assign(targets=[node.target], value=node.value), node)

    def visit_If(self, node: ast.If) -> ast.AST | list[ast.stmt]:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            rest = ast.Module(body=node.orelse, type_ignores=[])
            self.generic_visit(rest)
            return rest.body
        return self.generic_visit(node)


def _fill_empty_bodies(tree: ast.AST) -> None:
    # Removing statements can leave a body empty, which is not valid Python.
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and not body and not isinstance(node, ast.Module):
            body.append(ast.Pass())


def prepare_source(source: str, *, minify: bool = True) -> str:
    """Drop the ``__future__`` import; with ``minify``, also drop comments, docstrings,
    annotations and ``if TYPE_CHECKING:`` blocks.

    Brython's own minifier needs Python 3.12's tokenizer, so this one goes through
    ``ast``: the result is valid Python whatever the input's layout.
    """
    if not minify:
        return (
            "\n".join("" if line.strip() == _FUTURE_LINE else line for line in source.splitlines())
            + "\n"
        )
    tree = ast.parse(source)
    tree.body = [
        node
        for node in tree.body
        if not (isinstance(node, ast.ImportFrom) and node.module == "__future__")
    ]
    _strip_docstrings(tree)
    tree = _StripTyping().visit(tree)
    _fill_empty_bodies(tree)
    return _one_space_indent(ast.unparse(ast.fix_missing_locations(tree)) + "\n")


def compile_framework(compiler: BrythonCompiler) -> dict[str, tuple[str, str]]:
    """``{name: (source, js)}`` for every framework module, as the bundle holds its source
    (scripts/precompile.py writes it to ``precompiled.json``)."""
    compiled: dict[str, tuple[str, str]] = {}
    for module in framework_modules():
        source = prepare_source(module.path.read_text(encoding="utf-8"))
        compiled[module.name] = (
            source,
            compiler.compile(module.name, source, is_package=module.is_package),
        )
    return compiled


def _one_space_indent(source: str) -> str:
    """``ast.unparse``'s four-space levels as one space each (about 700 B gzip less).

    Checked, not assumed: the result must parse to the same tree, else (a string
    literal spanning lines, say) the source is kept as it was. ``source`` is
    ``ast.unparse`` output, so the same tree unparses to it again (cheaper than
    comparing two ``ast.dump``).
    """
    lines = []
    for line in source.split("\n"):
        width = len(line) - len(line.lstrip(" "))
        lines.append(" " * (width // 4) + line[width:] if width % 4 == 0 else line)
    compact = "\n".join(lines)
    if ast.unparse(ast.parse(compact)) + "\n" != source:
        return source
    return compact


def _package(module: ModuleSource) -> list[str]:
    # What a relative import in ``module`` starts from (the package itself for one).
    return module.name.split(".") if module.is_package else module.name.split(".")[:-1]


def _imports(module: ModuleSource, source: str) -> list[str]:
    visitor = Visitor(str(module.path.parent), _package(module))
    visitor.visit(ast.parse(source))
    # prepare_source drops the __future__ import, and Brython has no such module.
    return sorted(set(visitor.imports) - {"__future__"})


@functools.lru_cache(maxsize=1024)
def _entry(
    name: str, path: Path, is_package: bool, source: str, minify: bool
) -> tuple[str, tuple[str, ...], frozenset[str]]:
    # Keyed by the source text itself: a server, a test session or a dev rebuild
    # parses and minifies each unchanged module once.
    module = ModuleSource(name, path, is_package)
    return (
        prepare_source(source, minify=minify),
        tuple(_imports(module, source)),
        frozenset(load_time_imports(module, source)),
    )


def _vfs_entry(module: ModuleSource, data: str, imports: list[str]) -> list[object]:
    # Brython's VFS format (what ``brython-cli make_package`` writes): a package's
    # entry ends with 1.
    entry: list[object] = [".py", data, imports]
    if module.is_package:
        entry.append(1)
    return entry


def _precompiled_line(module: ModuleSource, js: str) -> str:
    # Brython's table holds a package's code in a one-item list.
    value = json.dumps([js] if module.is_package else js)
    return f"__BRYTHON__.precompiled[{json.dumps(module.name)}]={value};\n"


#: The engine's VFS entries, minus those the bundle already has (an app's bundle keeps
#: the framework modules the app imports at load: its compiled entry runs).
_ADD_TO_VFS = (
    "(function(m){var B=__BRYTHON__,a={};"
    "for(var k in m){if(!B.VFS||!B.VFS.hasOwnProperty(k)){a[k]=m[k];}}"
    "B.loadBrythonPackage(a);})(%s);\n"
)


def build_engine(modules: Iterable[ModuleSource], *, minify: bool = True) -> bytes:
    """The engine asset: the framework modules outside ``MODULES``, compiled.

    Its first line adds their VFS entries (those a bundle built with ``engine=True``
    leaves out; an app's bundle that imports one at load keeps its own), each with no
    source when compiled. The compiled JavaScript comes from ``precompiled.json``
    when it matches this brython.js and the source (``minify`` as for the bundle); a
    module edited since is compiled by ``server/compiler.py``, deterministically, so
    the engine's hash depends on the sources only; without mini-racer its entry keeps
    the source and is compiled in the page (see ``server/precompiled.py``).
    """
    vfs: dict[str, list[object]] = {}
    lines = []
    for module in modules:
        if module.is_package:
            # Brython's VFS loader runs a module's parent packages again from this
            # table unless they hold ``__initialized__``, which only a package run
            # from the table has: one imported from source before this file ran (by
            # the app, or compiled as a stale entry) would be replaced by a plain
            # module, breaking every later submodule import. Such a package stays
            # as imported: no table entry to run again.
            name = json.dumps(module.name)
            lines.append(
                f"if(__BRYTHON__.imported[{name}]!==undefined)"
                f"delete __BRYTHON__.precompiled[{name}];\n"
            )
        if module.name in MODULES:
            continue
        source = module.path.read_text(encoding="utf-8")
        data = _entry(module.name, module.path, module.is_package, source, minify)[0]
        js = _compiled(module, data)
        vfs[module.name] = _vfs_entry(module, "" if js is not None else data, [])
        if js is None:
            continue
        line = _precompiled_line(module, js)
        if module.is_package:
            line = f"if(__BRYTHON__.imported[{json.dumps(module.name)}]===undefined){line}"
        lines.append(line)
    added = _ADD_TO_VFS % json.dumps(vfs, separators=(",", ":"))
    head = "// brython_oidc engine: precompiled framework modules (server/precompiled.py).\n"
    return (head + added + "".join(lines)).encode("utf-8")


def is_framework_module(name: str) -> bool:
    return name == "brython_oidc" or name.startswith("brython_oidc.")


def _with_parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"


def load_time_imports(module: ModuleSource, source: str) -> set[str]:
    """Modules that importing ``module`` imports at once.

    Module-level statements only, with their parent packages: an import inside a
    function runs when it is called (the lazy imports the framework relies on),
    and ``if TYPE_CHECKING:`` never runs in the page.
    """
    package = _package(module)
    found: set[str] = set()

    def walk(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found.update(_with_parents(alias.name))
            elif isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                name = ".".join([*base, *([node.module] if node.module else [])])
                if name and name != "__future__":
                    found.update(_with_parents(name))
                    found.update(f"{name}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.If):
                if not _is_type_checking(node):
                    walk(node.body)
                walk(node.orelse)
            elif isinstance(node, ast.Try):
                walk(node.body)
                walk(node.orelse)
                walk(node.finalbody)
                for handler in node.handlers:
                    walk(handler.body)
            elif isinstance(node, ast.With | ast.ClassDef):
                walk(node.body)

    walk(ast.parse(source).body)
    return found


def at_load(load_imports: Mapping[str, frozenset[str]]) -> set[str]:
    """What the page may compile: every module of the app (imported at load or later),
    the framework's fast path (``MODULES``), and what they import at module level.

    Framework modules imported only inside functions (the protocol engine) are left
    to the engine asset. ``load_imports``: each bundled module's ``load_time_imports``.
    """
    todo = [name for name in load_imports if not is_framework_module(name) or name in MODULES]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name not in load_imports:
            continue
        seen.add(name)
        todo.extend(load_imports[name] - seen)
    return seen


def _compiled(module: ModuleSource, data: str) -> str | None:
    # The framework's entries come from precompiled.json (scripts/precompile.py); the
    # app's, or a framework module edited since, from the same compiler on the server.
    stored = compiled_js(module.name, data) if is_framework_module(module.name) else None
    if stored is not None:
        return stored
    js = compile_module(module.name, data, module.is_package)
    return compact_js(js) if js is not None else None


def build_bundle(
    modules: Iterable[ModuleSource],
    *,
    minify: bool = True,
    precompile: bool = True,
    engine: bool = False,
    keep_app_lines: bool = False,
) -> Bundle:
    """Build the bundle for ``modules``; a duplicate module name is an error.

    With ``precompile``, what the page imports while loading (``at_load``) also ships
    compiled: framework modules from ``precompiled.json`` (see
    ``server/precompiled.py``), the app's by ``server/compiler.py``. With ``engine``,
    the framework modules the page does not import while loading are left to the
    engine asset (``build_engine``), which the page loads before it needs them
    (``browser/handle.load_engine``); without it the bundle holds every source.
    With ``keep_app_lines`` (development) the app's modules are not minified, so a
    traceback in the page names the line of the file the developer edits.
    """
    entries: dict[str, tuple[ModuleSource, str, tuple[str, ...], frozenset[str]]] = {}
    for module in modules:
        if module.name in entries:
            raise ValueError(f"module {module.name!r} is defined twice ({module.path})")
        source = module.path.read_text(encoding="utf-8")
        entries[module.name] = (
            module,
            *_entry(
                module.name,
                module.path,
                module.is_package,
                source,
                minify and not (keep_app_lines and not is_framework_module(module.name)),
            ),
        )
    loading = at_load({n: e[3] for n, e in entries.items()})
    js_of = (
        {name: _compiled(entries[name][0], entries[name][1]) for name in loading}
        if precompile
        else {}
    )
    missing = not precompile or None in js_of.values()
    vfs: dict[str, object] = {}
    compiled: list[str] = []
    for name, (module, data, imports, _load_imports) in entries.items():
        if engine and is_framework_module(name) and name not in loading:
            continue
        js = js_of.get(name)
        if js is not None:
            compiled.append(_precompiled_line(module, js))
            if is_framework_module(name):
                # Brython's VFS loader runs the compiled entry instead; the source is
                # only read for a traceback's line text, so the framework's is left out
                # to keep the bundle under its size budget (DESIGN.md; bench/sizes.py).
                # The app's stays: its tracebacks show the line.
                data = ""
        # The imports list only feeds Brython's IndexedDB cache (it compiles a
        # module's imports ahead), which is off when everything at load is compiled.
        vfs[name] = _vfs_entry(module, data, list(imports) if missing else [])
    body = json.dumps(vfs, sort_keys=True, separators=(",", ":"))
    # The compiled entries are hashed too: a regenerated precompiled.json is a new URL.
    digest = hashlib.sha256((body + "".join(compiled)).encode("utf-8")).hexdigest()[:16]
    # A stable timestamp per content: Brython keys its compiled-module cache on it.
    vfs_with_stamp = {"$timestamp": int(digest[:12], 16), **vfs}
    text = (
        "__BRYTHON__.loadBrythonPackage("
        + json.dumps(vfs_with_stamp, separators=(",", ":"))
        + ")\n"
        + "".join(compiled)
    )
    return Bundle(text.encode("utf-8"), digest, tuple(sorted(vfs)), compiled_at_load=not missing)
