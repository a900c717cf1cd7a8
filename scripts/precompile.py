"""Compile every framework module with Brython itself and store it for the page.

    python scripts/precompile.py

Run it after changing any module of brython_oidc/core or brython_oidc/browser, or
upgrading Brython (tests/server/test_precompiled.py says when). It loads brython.js
and the framework bundle (without precompiled entries) in headless Chromium, imports
every framework module there, and reads back what Brython stored in its IndexedDB
cache: the exact JavaScript its VFS loader would otherwise make in the page. The
bundle ships ``precompiled.MODULES`` from it, the engine asset the rest
(server/precompiled.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from starlette.applications import Starlette
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route

from brython_oidc.server.assets import brython_js_path
from brython_oidc.server.bundle import build_bundle, framework_modules, prepare_source
from brython_oidc.server.precompiled import MODULES, STORE, compact_js, write_store
from brython_oidc.testing.browser import make_chrome, wait_for_js
from brython_oidc.testing.live_server import serve_in_thread

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<script src="/brython.js"></script><script src="/bundle.js"></script></head>
<body onload='brython({"indexeddb": true, "pythonpath": [], "static_stdlib_import": false})'>
<script type="text/python">
%s
</script></body></html>"""

READ_CACHE = """
const done = arguments[arguments.length - 1];
const open = indexedDB.open("brython-cache");
open.onsuccess = () => {
  const all = open.result.transaction("modules", "readonly").objectStore("modules").getAll();
  all.onsuccess = () => done(all.result.map((r) => [r.name, r.content]));
};
open.onerror = () => done([]);
"""


def main() -> None:
    bundle = build_bundle(framework_modules(), precompile=False).content
    names = [m.name for m in framework_modules()]
    imports = "\n".join(f"import {name}" for name in names)
    app = Starlette(
        routes=[
            Route("/brython.js", lambda r: FileResponse(brython_js_path())),
            Route("/bundle.js", lambda r: Response(bundle, media_type="text/javascript")),
            Route("/", lambda r: HTMLResponse(PAGE % imports)),
        ]
    )
    with serve_in_thread(app) as port, make_chrome() as driver:
        driver.get(f"http://localhost:{port}/")
        wait_for_js(driver, f"__BRYTHON__.imported[{json.dumps(names[-1])}] !== undefined", 60)
        records: dict[str, str] = {}
        for _ in range(100):  # Brython writes each record asynchronously
            records = dict(driver.execute_async_script(READ_CACHE))
            if all(name in records for name in names):
                break
            driver.execute_async_script("setTimeout(arguments[0], 100)")
        missing = [name for name in names if name not in records]
        if missing:
            raise SystemExit(f"precompile: Brython did not cache {missing}")
    sources = {
        m.name: prepare_source(m.path.read_text(encoding="utf-8")) for m in framework_modules()
    }
    write_store({name: (sources[name], records[name]) for name in names})
    for label, chosen in (
        ("bundle (MODULES)", [n for n in names if n in MODULES]),
        ("engine", [n for n in names if n not in MODULES]),
    ):
        size = sum(len(compact_js(records[n]).encode()) for n in chosen)
        print(f"{label}: {len(chosen)} modules, {size:,} B of JavaScript")
    print(f"wrote {STORE} ({len(names)} modules, {STORE.stat().st_size:,} B)")


if __name__ == "__main__":
    main()
