"""server/compiler.py: Brython's compiler on the server, and what the bundle does with it."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from brython_oidc.server import assets, compiler, precompiled, runtime
from brython_oidc.server.bundle import (
    ModuleSource,
    build_bundle,
    compile_framework,
    framework_modules,
    iter_app_modules,
    load_time_imports,
    prepare_source,
)
from brython_oidc.server.precompiled import MODULES, compact_js
from tests.server.helpers import MAIN_PY, make_app

# Brython names generated functions with a page-wide counter and lambdas with a random
# tag: the only differences between two compilations of the same source.
_GENERATED_NAME = re.compile(r"lambda_[0-9a-z]{8}_\d+|\d{4,}")


def same_program(a: str, b: str) -> bool:
    def normal(js: str) -> str:
        return _GENERATED_NAME.sub("N", compact_js(js))

    return normal(a) == normal(b)


def vfs_and_compiled(content: bytes) -> tuple[dict[str, list[object]], str]:
    head, compiled = content.decode().split("\n", 1)
    vfs = json.loads(head.removeprefix("__BRYTHON__.loadBrythonPackage(").removesuffix(")"))
    return vfs, compiled


@pytest.fixture(scope="module")
def second_compiler() -> Iterator[compiler.BrythonCompiler]:
    """Another V8 with brython.js, as in another process (about 0.2 s to start)."""
    tool = compiler.BrythonCompiler(runtime.brython_js_path().read_text("utf-8"))
    yield tool
    tool.close()


def process_compiler() -> compiler.BrythonCompiler:
    tool = compiler.get_compiler()
    assert tool is not None
    return tool


def test_committed_store_is_byte_for_byte_what_precompile_makes() -> None:
    # scripts/precompile.py wrote precompiled.json in another process: compiling is
    # repeatable across processes, and the file is current (else: run the script).
    made = precompiled.render_store(compile_framework(process_compiler()))
    committed = precompiled.STORE.read_text("utf-8")
    if made != committed:  # name the entries: a diff of 1 MB of text says nothing
        new, old = json.loads(made)["modules"], json.loads(committed)["modules"]
        differ = sorted(n for n in new.keys() | old.keys() if new.get(n) != old.get(n))
        pytest.fail(f"precompiled.json differs for {differ}: run python scripts/precompile.py")


def test_a_module_compiles_the_same_whatever_was_compiled_before(
    second_compiler: compiler.BrythonCompiler,
) -> None:
    # Two instances, different histories: the generated names (seeded per module) and
    # so the whole program are the same; editing one module changes only its entry.
    sources = {
        m.name: (prepare_source(m.path.read_text()), m.is_package) for m in framework_modules()
    }
    chosen = ["brython_oidc.core.token", "brython_oidc.browser.keys", "brython_oidc.core"]
    first = {
        n: process_compiler().compile(n, sources[n][0], is_package=sources[n][1]) for n in chosen
    }
    second_compiler.compile(
        "warm_up", "f = lambda x: [y for y in x]\nclass C:\n def m(self): pass\n"
    )
    for name in reversed(chosen):
        source, is_package = sources[name]
        assert second_compiler.compile(name, source, is_package=is_package) == first[name], name
    # The check can fail: the generated names are there, and depend on the module.
    keys = first["brython_oidc.browser.keys"]
    assert _GENERATED_NAME.search(keys)
    assert second_compiler.compile("other.keys", sources["brython_oidc.browser.keys"][0]) != keys


def test_a_syntax_error_names_the_module_the_error_and_the_line() -> None:
    tool = compiler.get_compiler()
    assert tool is not None
    with pytest.raises(compiler.CompileError) as caught:
        tool.compile("pages.home", "x = 1\ndef f(:\n    pass\n")
    assert caught.value.module == "pages.home"
    assert caught.value.message == "SyntaxError: '(' was never closed (line 2)"


def test_compile_module_leaves_a_broken_module_to_the_page(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="brython_oidc.server"):
        assert compiler.compile_module("broken_page", "return 1\n", False) is None
    assert "broken_page: SyntaxError: 'return' outside function" in caplog.text


def test_load_time_imports_skip_functions_and_type_checking(tmp_path: Path) -> None:
    source = (
        "import a.b\n"
        "from . import sibling\n"
        "from .. import up\n"
        "from x import y\n"
        "TYPE_CHECKING = False\n"
        "if TYPE_CHECKING:\n    import typing_only\n"
        "try:\n    import in_try\nexcept ImportError:\n    import fallback\n"
        "class C:\n    import in_class\n"
        "def f():\n    import lazy\n"
        "async def g():\n    from lazier import z\n"
    )
    module = ModuleSource("pkg.sub.mod", tmp_path / "mod.py", False)
    found = load_time_imports(module, source)
    assert found == {
        "a",
        "a.b",
        "pkg",
        "pkg.sub",
        "pkg.sub.sibling",
        "pkg.up",
        "x",
        "x.y",
        "in_try",
        "fallback",
        "in_class",
    }


def test_bundle_ships_the_app_and_what_it_imports_at_load_compiled(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "main.py").write_text(
        "from browser import document\n"
        "from brython_oidc.browser import create_oidc\n"
        "from brython_oidc.core.errors import OIDCError\n"
        "import helpers\n"
        "def later():\n    from brython_oidc.core import token\n"
    )
    (app / "helpers.py").write_text("VALUE = 1\n")
    bundle = build_bundle([*framework_modules(), *iter_app_modules(app)])
    vfs, compiled = vfs_and_compiled(bundle.content)
    compiled_names = set(re.findall(r'^__BRYTHON__\.precompiled\["([^"]+)"\]', compiled, re.M))
    expected = {"main", "helpers", "brython_oidc.core", "brython_oidc.core.errors", *MODULES}
    assert compiled_names == expected
    assert bundle.compiled_at_load
    # The app's source stays (its tracebacks show the line); the framework's goes.
    assert "import helpers" in str(vfs["main"][1])
    assert vfs["brython_oidc.core.errors"][1] == ""
    assert vfs["brython_oidc.core.token"][1]  # imported later: source, for the page


def test_without_the_compiler_the_page_compiles_and_keeps_its_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiler.get_compiler.cache_clear()
    compiler.compile_module.cache_clear()
    monkeypatch.setitem(sys.modules, "py_mini_racer", None)  # import fails as if absent
    try:
        asset_set = assets.AssetSet(make_app(tmp_path / "app"))
        assert compiler.get_compiler() is None
    finally:
        compiler.get_compiler.cache_clear()
        compiler.compile_module.cache_clear()
    assert not asset_set.compiled_at_load
    assert b'"indexeddb": true' in asset_set.boot.content
    vfs, compiled = vfs_and_compiled(asset_set.bundle.content)
    app_modules = [name for name in vfs if not name.startswith(("brython_oidc", "$"))]
    assert app_modules
    for name in app_modules:
        assert json.dumps(name) not in compiled
        assert vfs[name][1]


def test_a_module_the_compiler_refuses_keeps_the_page_cache_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # CPython parses every app module first (prepare_source), so this stands for a
    # module only Brython rejects: compile_module answers None for it.
    from brython_oidc.server import bundle

    real = bundle.compile_module

    def refuse_helper(name: str, source: str, is_package: bool) -> str | None:
        return None if name == "helper" else real(name, source, is_package)

    monkeypatch.setattr(bundle, "compile_module", refuse_helper)
    asset_set = assets.AssetSet(make_app(tmp_path / "app"))
    assert not asset_set.compiled_at_load
    assert b'"indexeddb": true' in asset_set.boot.content
    vfs, compiled = vfs_and_compiled(asset_set.bundle.content)
    assert '"main"' in compiled and '"helper"' not in compiled
    assert vfs["helper"][1]


def test_the_app_bundle_has_the_same_url_after_a_restart(tmp_path: Path) -> None:
    # The bundle's hash covers the app's compiled modules: a new compiler (as after a
    # server restart) makes the same ones, so browsers keep their cached copy.
    main = MAIN_PY + "def shout(word):\n    return [w.upper() for w in word]\nLATER = lambda: 1\n"
    app_dir = make_app(tmp_path / "app", main=main)
    before = assets.AssetSet(app_dir)
    old = process_compiler()
    compiler.get_compiler.cache_clear()
    compiler.compile_module.cache_clear()
    old.close()
    after = assets.AssetSet(app_dir)
    assert process_compiler() is not old
    assert before.compiled_at_load and after.compiled_at_load
    assert after.bundle.url == before.bundle.url
    assert after.bundle.content == before.bundle.content
