"""The start-up modules ship compiled, and only while the compiled form is current."""

from __future__ import annotations

import json
from pathlib import Path

from brython_oidc.server import precompiled
from brython_oidc.server.bundle import build_bundle, framework_modules, prepare_source
from tests.server.test_bundle import vfs_of


def current_sources() -> dict[str, str]:
    return {m.name: prepare_source(m.path.read_text("utf-8")) for m in framework_modules()}


def test_committed_store_matches_the_sources_and_brython_js() -> None:
    stale = precompiled.stale_modules(current_sources())
    assert not stale, f"precompiled.json is stale for {stale}: run python scripts/precompile.py"


def test_bundle_ships_compiled_start_up_modules_without_their_source() -> None:
    content = build_bundle(framework_modules()).content.decode()
    vfs = vfs_of(content.encode())
    for name in precompiled.MODULES:
        assert f"__BRYTHON__.precompiled[{json.dumps(name)}]=" in content
        assert vfs[name][1] == ""  # type: ignore[index]
    assert vfs["brython_oidc.browser.client"][1]  # type: ignore[index]
    assert "brython_oidc.browser.client" not in content.split("\n", 1)[1]


def test_without_precompile_every_module_keeps_its_source() -> None:
    bundle = build_bundle(framework_modules(), precompile=False)
    assert "__BRYTHON__.precompiled" not in bundle.content.decode()
    vfs = vfs_of(bundle.content)
    assert all(vfs[name][1] for name in precompiled.MODULES)  # type: ignore[index]
    assert bundle.digest != build_bundle(framework_modules()).digest


def test_an_entry_is_used_only_for_its_source_and_runtime(tmp_path: Path) -> None:
    store_path = tmp_path / "store.json"
    precompiled.write_store({"m": ("x = 1\n", "  var js = 1\n")}, store_path)
    precompiled.load_store.cache_clear()
    store = json.loads(store_path.read_text())
    assert precompiled.compiled_js("m", "x = 1\n", store) == "var js = 1\n"  # indentation dropped
    assert precompiled.compiled_js("m", "x = 2\n", store) is None  # edited module
    assert precompiled.compiled_js("other", "x = 1\n", store) is None
    assert precompiled.compiled_js("m", "x = 1\n", {**store, "brython_js_sha256": "0" * 64}) is None
    assert precompiled.stale_modules({n: "" for n in precompiled.MODULES}, store) == list(
        precompiled.MODULES
    )


def test_compact_js_keeps_code_it_cannot_prove_line_safe() -> None:
    assert precompiled.compact_js("  a\n    b\n") == "a\nb\n"
    assert precompiled.compact_js("a\n\n  \nb") == "a\nb\n"  # blank lines dropped
    template = "var s = `x\n  y`\n"
    assert precompiled.compact_js(template) == template
    continued = "var s = 'x\\\n  y'\n"
    assert precompiled.compact_js(continued) == continued


def test_a_missing_or_broken_store_means_compile_in_the_page(tmp_path: Path) -> None:
    precompiled.load_store.cache_clear()
    assert precompiled.load_store(tmp_path / "absent.json") == {}
    (tmp_path / "bad.json").write_text("[1, 2]")
    assert precompiled.load_store(tmp_path / "bad.json") == {}
    (tmp_path / "worse.json").write_text("{")
    assert precompiled.load_store(tmp_path / "worse.json") == {}
    precompiled.load_store.cache_clear()
