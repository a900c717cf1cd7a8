"""Framework modules shipped already compiled to JavaScript, for the first visit.

Brython compiles each Python module in the page. Its IndexedDB cache makes repeat
visits cheap, but on a first visit (or a fresh browser profile) compiling the few
modules that decide the auth state costs more than the rest of start-up together
(``python bench/browser_ready.py``). Framework modules are the same for every app,
so their compiled form is made once, by Brython's own compiler
(``python scripts/precompile.py``, through ``server/compiler.py``), and stored in
``precompiled.json`` next to this file: every module of ``bundle.framework_modules()``.
Compiling is deterministic, so the file changes only where a module (or brython.js)
did. Two scripts set
``__BRYTHON__.precompiled[name]``, the table Brython's own VFS loader consults
before compiling:

- the bundle, for ``MODULES`` (the logged-out fast path), in place of their source;
- the engine asset (``bundle.build_engine``, ``engine.<hash>.js``), for every other
  framework module, with their VFS entries (the bundle served with it leaves them
  out). The boot file loads it only when the protocol engine will run (a callback, a
  restore), ``handle.warm_up`` after the ready mark, and ``handle.load_engine``
  before a login, so a logged-out first visit does not fetch it first.

An entry is used only when it was compiled from exactly this ``brython.js`` and this
module source (both hashed), so an upgraded Brython or an edited module falls back
to compiling in the page: slower, never wrong. Re-run the script after editing any
framework module; ``tests/server/test_precompiled.py`` fails while an entry is stale.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from brython_oidc.server.runtime import runtime_digest

STORE = Path(__file__).with_name("precompiled.json")

#: What the page imports before ``brython-oidc:ready`` on the logged-out path
#: (browser/boot.py's fast path). tests/browser checks this list against the page.
MODULES = (
    "brython_oidc",
    "brython_oidc.browser",
    "brython_oidc.browser.boot",
    "brython_oidc.browser.handle",
    "brython_oidc.browser.keys",
)


def source_digest(source: str) -> str:
    """The hash an entry is keyed on: the module source as the bundle holds it."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=1)
def load_store(path: Path = STORE) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def compiled_js(name: str, source: str, store: dict[str, object] | None = None) -> str | None:
    """The stored JavaScript for module ``name`` if it matches ``source`` and brython.js."""
    data = load_store() if store is None else store
    if data.get("brython_js_sha256") != runtime_digest():
        return None
    modules = data.get("modules")
    entry = modules.get(name) if isinstance(modules, dict) else None
    if not isinstance(entry, dict) or entry.get("source_sha256") != source_digest(source):
        return None
    js = entry.get("js")
    return js if isinstance(js, str) else None


def stale_modules(sources: dict[str, str], store: dict[str, object] | None = None) -> list[str]:
    """The modules of ``sources`` whose stored entry is missing or does not match."""
    return [name for name, source in sources.items() if compiled_js(name, source, store) is None]


def compact_js(js: str) -> str:
    """``js`` without indentation or blank lines: about a tenth fewer bytes, same program.

    Safe for what Brython emits: no template literals or line continuations, so no
    string spans a line break. Anything else is kept as it is.
    """
    if "`" in js or "\\\n" in js:
        return js
    return "".join(line.strip() + "\n" for line in js.splitlines() if line.strip())


def render_store(compiled: dict[str, tuple[str, str]]) -> str:
    """The text of ``precompiled.json`` for ``{name: (source, js)}`` and this brython.js."""
    modules = {
        name: {"source_sha256": source_digest(source), "js": compact_js(js)}
        for name, (source, js) in sorted(compiled.items())
    }
    document = {"brython_js_sha256": runtime_digest(), "modules": modules}
    return json.dumps(document, indent=1, sort_keys=True) + "\n"


def write_store(compiled: dict[str, tuple[str, str]], path: Path = STORE) -> None:
    """Write ``{name: (source, js)}`` for this brython.js (scripts/precompile.py)."""
    path.write_text(render_store(compiled), encoding="utf-8")
    load_store.cache_clear()
