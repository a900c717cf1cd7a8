"""The engine asset: the protocol modules precompiled, served and built like the others."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from brython_oidc import cli
from brython_oidc.server import compiler, create_app, precompiled
from brython_oidc.server.assets import AssetSet, boot_script
from brython_oidc.server.bundle import (
    ModuleSource,
    build_bundle,
    build_engine,
    framework_modules,
    iter_app_modules,
    prepare_source,
)
from tests.server.helpers import make_app, script_urls
from tests.server.test_app import assert_security_headers
from tests.server.test_bundle import vfs_of

PACKAGE = Path(__file__).resolve().parents[2] / "brython_oidc"
PACKAGES = [m for m in framework_modules() if m.is_package]
DELETE = re.compile(
    r'^if\(__BRYTHON__\.imported\[("[^"]+")\]!==undefined\)'
    r'delete __BRYTHON__\.precompiled\[("[^"]+")\];$'
)
ENTRY = re.compile(
    r'^(?:if\(__BRYTHON__\.imported\[("[^"]+")\]===undefined\))?'
    r'__BRYTHON__\.precompiled\[("[^"]+")\]=(.*);$'
)


VFS_LINE = re.compile(r"^\(function\(m\)\{.*B\.loadBrythonPackage\(a\);\}\)\((\{.*\})\);$")


def engine_vfs(content: bytes) -> dict[str, list[object]]:
    """The VFS entries the engine adds (its second line; a comment line first)."""
    lines = content.decode().splitlines()
    assert lines[0].startswith("//")
    match = VFS_LINE.match(lines[1])
    assert match, lines[1][:80]
    vfs: dict[str, list[object]] = json.loads(match.group(1))
    return vfs


def engine_entries(content: bytes) -> dict[str, object]:
    """``{module: compiled}`` from the engine's lines (a comment and the VFS first)."""
    lines = content.decode().splitlines()
    entries: dict[str, object] = {}
    for line in lines[2:]:
        deleted = DELETE.match(line)
        if deleted:  # a package already imported (see build_engine)
            assert deleted.group(1) == deleted.group(2)
            assert deleted.group(1) in {json.dumps(m.name) for m in PACKAGES}
            continue
        match = ENTRY.match(line)
        assert match, line[:80]
        guard, name, value = match.groups()
        entries[json.loads(name)] = json.loads(value)
        # A package is offered only while not imported (see build_engine).
        assert (guard is not None) == isinstance(entries[json.loads(name)], list), name
        assert guard is None or json.loads(guard) == json.loads(name)
    return entries


def test_engine_holds_every_other_framework_module_compiled() -> None:
    modules = list(framework_modules())
    entries = engine_entries(build_engine(modules))
    expected = {m.name for m in modules} - set(precompiled.MODULES)
    assert set(entries) == expected
    assert "brython_oidc.browser.client" in entries and "brython_oidc.core.jose" in entries
    for module in modules:
        if module.name not in entries:
            continue
        source = prepare_source(module.path.read_text("utf-8"))
        js = precompiled.compiled_js(module.name, source)
        # Brython's table holds a package's code in a one-item list.
        assert entries[module.name] == ([js] if module.is_package else js)
    # Every one also gets its VFS entry, sourceless since it is compiled.
    vfs = engine_vfs(build_engine(modules))
    assert set(vfs) == expected
    for module in modules:
        if module.name in vfs:
            assert vfs[module.name] == [".py", "", [], *([1] if module.is_package else [])]


def test_engine_never_runs_a_package_imported_before_it_again() -> None:
    content = build_engine(framework_modules()).decode()
    for package in PACKAGES:
        name = json.dumps(package.name)
        delete = f"if(__BRYTHON__.imported[{name}]!==undefined)delete __BRYTHON__.precompiled"
        assert delete in content
        if package.name not in precompiled.MODULES:
            assert f"if(__BRYTHON__.imported[{name}]===undefined)__BRYTHON__.precompiled" in content


def with_edited_client(tmp_path: Path) -> tuple[str, list[ModuleSource]]:
    """The framework's modules with browser/client.py edited since precompile.py ran."""
    client = next(m for m in framework_modules() if m.name == "brython_oidc.browser.client")
    edited = tmp_path / "client.py"
    edited.write_text(client.path.read_text("utf-8") + "\nEDITED = 1\n", encoding="utf-8")
    modules = [m for m in framework_modules() if m.name != client.name]
    modules.append(ModuleSource(client.name, edited, False))
    return client.name, modules


def test_engine_compiles_a_stale_entry_on_the_server(tmp_path: Path) -> None:
    name, modules = with_edited_client(tmp_path)
    source = prepare_source(modules[-1].path.read_text("utf-8"))
    assert precompiled.compiled_js(name, source) is None  # stale
    content = build_engine(modules)
    entries = engine_entries(content)
    js = compiler.compile_module(name, source, False)
    assert js is not None and "EDITED" in js
    assert entries[name] == precompiled.compact_js(js)
    assert "brython_oidc.core.jose" in entries
    # Deterministic: a new compiler (a restarted server) makes the same engine asset.
    old = compiler.get_compiler()
    compiler.get_compiler.cache_clear()
    compiler.compile_module.cache_clear()
    if old is not None:
        old.close()
    assert build_engine(modules) == content


def test_engine_leaves_out_a_stale_entry_without_mini_racer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, modules = with_edited_client(tmp_path)
    compiler.get_compiler.cache_clear()
    compiler.compile_module.cache_clear()
    monkeypatch.setitem(sys.modules, "py_mini_racer", None)  # import fails as if absent
    try:
        content = build_engine(modules)
        entries = engine_entries(content)
    finally:
        compiler.get_compiler.cache_clear()
        compiler.compile_module.cache_clear()
    assert name not in entries  # compiled in the page from the engine's source
    assert "brython_oidc.core.jose" in entries
    vfs = engine_vfs(content)
    assert vfs[name][1] == prepare_source(modules[-1].path.read_text("utf-8"))
    assert vfs["brython_oidc.core.jose"][1] == ""


def test_bundle_keeps_every_engine_source_and_none_compiled() -> None:
    content = build_bundle(framework_modules()).content
    vfs = vfs_of(content)
    compiled_part = content.decode().split("\n", 1)[1]
    for name in engine_entries(build_engine(framework_modules())):
        assert vfs[name][1], name  # type: ignore[index]
        assert json.dumps(name) not in compiled_part


def test_bundle_for_an_engine_leaves_the_engine_modules_to_it(tmp_path: Path) -> None:
    engine = build_engine(framework_modules())
    bundle = build_bundle(framework_modules(), engine=True)
    assert set(bundle.modules) == set(precompiled.MODULES)
    assert not set(bundle.modules) & set(engine_vfs(engine))
    # What the app imports at load stays in the bundle, compiled: the engine's entry
    # for it is skipped in the page (its VFS check), the bundle's is used.
    app = tmp_path / "app"
    app.mkdir()
    (app / "main.py").write_text("from brython_oidc.core.errors import OIDCError\n")
    with_app = build_bundle([*framework_modules(), *iter_app_modules(app)], engine=True)
    assert "brython_oidc.core.errors" in with_app.modules
    assert "brython_oidc.core.config" not in with_app.modules
    assert '__BRYTHON__.precompiled["brython_oidc.core.errors"]=' in with_app.content.decode()
    # Without precompiled entries (a stale precompiled.json without mini-racer),
    # the bundle still holds the at-load modules, as source.
    plain = build_bundle(framework_modules(), engine=True, precompile=False)
    assert set(plain.modules) == set(precompiled.MODULES)
    assert all(vfs_of(plain.content)[name][1] for name in plain.modules)  # type: ignore[index]


def test_asset_set_serves_the_bundle_for_its_engine(tmp_path: Path) -> None:
    asset_set = AssetSet(make_app(tmp_path / "app"))
    vfs = vfs_of(asset_set.bundle.content)
    assert "brython_oidc.browser.boot" in vfs
    assert "brython_oidc.browser.client" not in vfs
    assert "brython_oidc.browser.client" in engine_vfs(asset_set.engine.content)


def test_asset_set_names_the_engine_in_the_boot_file_only(tmp_path: Path) -> None:
    asset_set = AssetSet(make_app(tmp_path / "app"))
    engine = asset_set.engine
    assert re.fullmatch(r"engine\.[0-9a-f]{16}\.js", engine.filename)
    assert engine.content == build_engine(framework_modules())
    assert asset_set.get(engine.filename) is engine
    assert json.dumps(engine.url).encode() in asset_set.boot.content
    # The app's modules compile on the server (server/compiler.py): no IndexedDB cache.
    assert asset_set.compiled_at_load
    assert asset_set.boot.content == boot_script(debug=1, engine_url=engine.url, indexeddb=False)


def test_engine_is_served_immutable_gzipped_with_security_headers(tmp_path: Path) -> None:
    app_dir = make_app(tmp_path / "app")
    client = TestClient(create_app(app_dir))
    page = client.get("/").text
    engine = AssetSet(app_dir).engine
    assert engine.url not in page  # not a page script: the boot file loads it on demand
    response = client.get(engine.url, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.content == engine.content
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["etag"] == engine.etag(True)
    assert_security_headers(response)
    boot_url = next(u for u in script_urls(page) if "/boot." in u)
    assert engine.url in client.get(boot_url).text


def test_static_build_writes_the_engine(tmp_path: Path) -> None:
    app_dir = make_app(tmp_path / "app")
    out = tmp_path / "out"
    assert cli.main(["build", str(app_dir), "--out", str(out)]) == 0
    engine = AssetSet(app_dir).engine
    written = out / engine.url.lstrip("/")
    assert written.read_bytes() == engine.content
    assert written.with_name(engine.filename + ".gz").read_bytes() == engine.gzipped
    page = (out / "index.html").read_text()
    assert engine.url not in page
    boot = next(u for u in script_urls(page) if "/boot." in u)
    assert engine.url in (out / boot.lstrip("/")).read_text()
