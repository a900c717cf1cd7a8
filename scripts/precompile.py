"""Compile every framework module with Brython's own compiler and store it for the page.

    python scripts/precompile.py

Run it after changing any module of brython_oidc/core or brython_oidc/browser, or
upgrading Brython (tests/server/test_precompiled.py says when). It runs brython.js
in V8 embedded in Python (mini-racer, ``server/compiler.py``; no browser) and
compiles each module as the bundle holds it, to the JavaScript Brython's VFS loader
would make in the page. The output is deterministic: the same sources and
brython.js give the same file, byte for byte, so only the entries of edited modules
change. The bundle ships ``precompiled.MODULES`` from it, the engine asset the rest
(server/precompiled.py).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from brython_oidc.server.bundle import compile_framework
from brython_oidc.server.compiler import BrythonCompiler, CompileError
from brython_oidc.server.precompiled import MODULES, STORE, compact_js, write_store
from brython_oidc.server.runtime import brython_js_path


def main() -> None:
    started = time.perf_counter()
    try:
        compiler = BrythonCompiler(brython_js_path().read_text(encoding="utf-8"))
    except ImportError:
        raise SystemExit("precompile: needs mini-racer (pip install 'mini-racer>=0.12')") from None
    try:
        compiled = compile_framework(compiler)
    except CompileError as exc:
        raise SystemExit(f"precompile: Brython cannot compile {exc}") from None
    finally:
        compiler.close()
    before = STORE.read_bytes() if STORE.exists() else b""
    write_store(compiled)
    names = sorted(compiled)
    for label, chosen in (
        ("bundle (MODULES)", [n for n in names if n in MODULES]),
        ("engine", [n for n in names if n not in MODULES]),
    ):
        size = sum(len(compact_js(compiled[n][1]).encode()) for n in chosen)
        print(f"{label}: {len(chosen)} modules, {size:,} B of JavaScript")
    state = "unchanged" if STORE.read_bytes() == before else "updated"
    print(
        f"wrote {STORE} ({len(names)} modules, {STORE.stat().st_size:,} B, {state}) "
        f"in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
