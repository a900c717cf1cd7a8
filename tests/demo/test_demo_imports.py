"""The demo's browser modules follow DESIGN.md's import rule (they run in Brython)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.test_import_rule import BROWSER_OWN, PLATFORM, _allowed, runtime_imports

DEMO = Path(__file__).resolve().parents[2] / "demo_app"
FILES = sorted(DEMO.glob("*.py"))
OWN_MODULES = tuple(p.stem for p in FILES)


def test_the_demo_has_browser_modules() -> None:
    assert {"main", "notes"} <= set(OWN_MODULES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_demo_imports_only_what_brython_js_has(path: Path) -> None:
    allowed = BROWSER_OWN + PLATFORM + OWN_MODULES
    bad = [(line, n) for line, n in runtime_imports(path) if not _allowed(n, allowed)]
    assert not bad, f"{path.name} imports what Brython lacks: {bad}"
