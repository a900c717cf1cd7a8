from __future__ import annotations

import json
from pathlib import Path

import pytest

from brython_oidc.server.bundle import (
    build_bundle,
    framework_modules,
    iter_app_modules,
    prepare_source,
)

PREFIX = "__BRYTHON__.loadBrythonPackage("


def vfs_of(content: bytes) -> dict[str, object]:
    text = content.decode().split("\n")[0]  # precompiled entries follow on their own lines
    assert text.startswith(PREFIX) and text.endswith(")")
    return json.loads(text[len(PREFIX) : -1])  # type: ignore[no-any-return]


def test_framework_bundle_holds_core_and_browser_only() -> None:
    bundle = build_bundle(framework_modules())
    assert "brython_oidc.core.errors" in bundle.modules
    assert "brython_oidc.browser" in bundle.modules
    assert not [
        m for m in bundle.modules if m.startswith(("brython_oidc.server", "brython_oidc.devidp"))
    ]
    vfs = vfs_of(bundle.content)
    assert vfs["brython_oidc.core"][-1] == 1  # a package entry
    assert vfs["brython_oidc.core.b64"][0] == ".py"


def test_future_import_and_docstrings_are_stripped() -> None:
    src = (
        "from __future__ import annotations\n"
        '"""Doc."""\n# comment\ndef f(x: Foo) -> int:\n    """Doc."""\n    return 1\n'
    )
    out = prepare_source(src)
    assert "__future__" not in out and "Doc." not in out and "comment" not in out
    assert "def f(x):" in out
    assert "__future__" not in prepare_source(src, minify=False)


def test_annotations_and_type_checking_blocks_are_stripped() -> None:
    src = (
        "TYPE_CHECKING = False\n"
        "if TYPE_CHECKING:\n    from typing import Any\n"
        "if TYPE_CHECKING:\n    import os\nelse:\n    y = 2\n"
        "class A:\n    x: int\n"
        "class B:\n    z: int = 3\n"
        "async def g(a: Any, *args: int, b: str = '', **kw: object) -> None:\n    w: int\n"
    )
    out = prepare_source(src)
    assert "Any" not in out and "int" not in out and "str" not in out and "os" not in out
    assert "y = 2" in out and "z = 3" in out
    assert "async def g(a, *args, b='', **kw):\n pass" in out  # one space per level
    namespace: dict[str, object] = {}
    exec(compile(out, "<bundle>", "exec"), namespace)  # still valid Python
    assert namespace["y"] == 2 and "A" in namespace
    assert prepare_source("if TYPE_CHECKING:\n    x: int\n").strip() == ""


def test_indentation_is_kept_where_a_string_spans_lines() -> None:
    from brython_oidc.server.bundle import _one_space_indent

    spanning = 'def f():\n    return """a\n    b"""\n'
    assert _one_space_indent(spanning) == spanning  # re-indenting would change the string
    assert _one_space_indent("def f():\n    return 1\n") == "def f():\n return 1\n"


def test_digest_follows_content(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text("x = 1\n")
    first = build_bundle(iter_app_modules(tmp_path))
    assert build_bundle(iter_app_modules(tmp_path)).digest == first.digest
    (tmp_path / "main.py").write_text("x = 2\n")
    second = build_bundle(iter_app_modules(tmp_path))
    assert second.digest != first.digest
    assert second.filename == f"bundle.{second.digest}.js"
    assert vfs_of(second.content)["$timestamp"] != vfs_of(first.content)["$timestamp"]


def test_duplicate_module_is_refused(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text("x = 1\n")
    mods = list(iter_app_modules(tmp_path))
    with pytest.raises(ValueError, match="defined twice"):
        build_bundle(mods + mods)


def test_app_bundle_obeys_the_import_rule(tmp_path: Path) -> None:
    """Every framework module in a served bundle imports only what Brython has."""
    from brython_oidc.server.assets import source_modules
    from tests.core.test_import_rule import BROWSER_OWN, PLATFORM, _allowed, runtime_imports
    from tests.server.helpers import make_app

    app_dir = make_app(tmp_path / "app")
    sources = source_modules(app_dir)
    bundle = build_bundle(sources)
    app_names = {m.name for m in iter_app_modules(app_dir)}
    assert {"main", "helper"} <= set(bundle.modules)
    assert set(bundle.modules) == {m.name for m in sources}
    for module in sources:
        if module.name in app_names:
            continue
        assert module.name.startswith(("brython_oidc.core", "brython_oidc.browser")) or (
            module.name == "brython_oidc"
        ), module.name
        bad = [
            name
            for _, name in runtime_imports(module.path)
            if not _allowed(name, BROWSER_OWN + PLATFORM)
        ]
        assert not bad, (module.name, bad)


def test_imports_lists_are_kept_only_for_the_indexeddb_cache() -> None:
    """Brython's IndexedDB cache reads a module's imports to compile them ahead; it
    is off when everything the page imports at load ships compiled."""
    compiled = build_bundle(framework_modules())
    plain = build_bundle(framework_modules(), precompile=False)
    assert compiled.compiled_at_load and not plain.compiled_at_load
    compiled_vfs, plain_vfs = vfs_of(compiled.content), vfs_of(plain.content)
    assert compiled_vfs.keys() == plain_vfs.keys()
    for name, entry in compiled_vfs.items():
        if name == "$timestamp":
            continue
        assert isinstance(entry, list) and entry[2] == [], name
        plain_entry = plain_vfs[name]
        assert isinstance(plain_entry, list)
        assert len(entry) == len(plain_entry)  # a package keeps its flag at index 3
    client = plain_vfs["brython_oidc.browser.client"]
    assert isinstance(client, list) and "brython_oidc.browser.exchange" in client[2]
