"""The app's modules compiled to JavaScript on the server, by Brython's own compiler.

Brython compiles every Python module in the page, on each first visit (about 50 ms
for a small page module on a cold start) and, for later visits, caches the result
in IndexedDB, whose opening and scanning delay every page start by tens of
milliseconds (``python bench/signin_profile.py``). The framework's modules ship
compiled already (``server/precompiled.py``); this module does the same for the
app's: ``brython.js`` itself runs in V8 embedded in Python (`mini-racer`), behind a
minimal stand-in for the browser globals it reads while loading, and its compiler
turns each module into the exact JavaScript its VFS loader would make in the page
(checked against ``precompiled.json`` by tests/server/test_compiler.py).

Compiling is an optimisation, never a requirement: without mini-racer, or for a
module Brython cannot compile (a ``SyntaxError``), ``compile_module`` answers
``None`` and the page compiles that module from source as before, reporting the
error in the console as Brython always has.

Compiling is deterministic: the same module name and source make the same JavaScript
in every process, whatever was compiled before it. brython.js names generated
functions with counters it seeds from ``Math.random`` when it loads; here
``Math.random`` is a seeded generator, and before each module the counters are
seeded again from the module's name (``_COMPILE``, ``_name_seed``). So ``precompiled.json``
(scripts/precompile.py) changes only where a module changed, and the bundle's hash,
which covers the app's compiled modules, is the same across server restarts.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
from pathlib import Path
from typing import Any

from brython_oidc.server.runtime import brython_js_path

logger = logging.getLogger("brython_oidc.server")

#: What brython.js reads from the browser while it loads, and nothing more: it
#: compiles here, it never runs a page. A URL parser is included because
#: ``$B.strip_host`` parses the page address with ``new URL``.
_BROWSER_STAND_IN = r"""
var window = globalThis, self = globalThis;
var location = {href: "http://localhost/", origin: "http://localhost", protocol: "http:",
                pathname: "/", search: "", hash: ""};
var navigator = {userAgent: "brython-oidc compiler", language: "en"};
function _element() {
  return {style: {}, childNodes: [], setAttribute: function () {},
          getAttribute: function () { return null; }, getAttributeNames: function () { return []; },
          appendChild: function () {}, addEventListener: function () {},
          querySelectorAll: function () { return []; }};
}
var document = Object.assign(_element(), {
  documentElement: _element(), head: _element(), body: _element(), readyState: "complete",
  currentScript: {src: "http://localhost/brython.js"}, createElement: _element,
  getElementsByTagName: function () { return []; }
});
function URL(href) {
  var m = /^([a-z][a-z0-9+.-]*:)\/\/([^\/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(href);
  if (!m) { throw new TypeError("Invalid URL: " + href); }
  this.href = href; this.protocol = m[1]; this.host = m[2]; this.origin = m[1] + "//" + m[2];
  this.pathname = m[3] || "/"; this.search = m[4] || ""; this.hash = m[5] || "";
}
function MutationObserver() { this.observe = function () {}; }
var HTMLElement = function () {}, customElements = {define: function () {}, get: function () {}};
var addEventListener = function () {}, setTimeout = function () {}, clearTimeout = function () {};
var console = {log: function () {}, info: function () {}, warn: function () {},
               error: function () {}, debug: function () {}};
// Brython's generated names come from Math.random: a seeded generator (mulberry32)
// makes them a function of the seed, which _COMPILE sets per module.
var __brython_oidc_state = 0;
function __brython_oidc_seed(seed) { __brython_oidc_state = seed >>> 0; }
Math.random = function () {
  var t = (__brython_oidc_state = (__brython_oidc_state + 0x6d2b79f5) >>> 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
"""

#: brython.js's compiler numbers functions, classes and comprehensions from a counter
#: private to its code generator, seeded once from ``Math.random`` at load. This
#: line, rewritten, also exposes a function that seeds it again (``_COMPILE`` calls it).
_NAME_COUNTER = "var uuid=Math.floor(Math.random()*1000000)"
_NAME_COUNTER_RESET = (
    "var uuid;(globalThis.__brython_oidc_reset_uuid=function()"
    "{uuid=Math.floor(Math.random()*1000000)})()"
)

#: Brython's VFS loader, minus running the result (brython.js: VFSLoader.exec_module
#: then run_py): the same file name, module name and compiler entry point.
_COMPILE = r"""
var __brython_oidc_compile = function (name, source, is_package, seed) {
  var $B = __BRYTHON__;
  if (!$B.options_parsed) { $B.$options = $B.parse_options({debug: 1}); }
  // Every generated name as brython.js makes them when it loads, from this seed:
  // $B.$py_UUID, $B.lambda_magic (brython.js's first lines) and the code generator's
  // counter, so the result depends on this module alone.
  __brython_oidc_seed(seed);
  $B.$py_UUID = Math.floor(Math.random() * 2 ** 50);
  $B.lambda_magic = Math.random().toString(36).substr(2, 8);
  __brython_oidc_reset_uuid();
  var parts = name.split(".");
  if (!is_package) { parts.pop(); }
  var module = $B.module.$factory(name, "", parts.join("."));
  var path = "VFS." + name + (is_package ? "/__init__.py" : ".py");
  $B.module_setattr(module, "__file__", path);
  $B.url2name[path] = name;
  $B.file_cache[path] = source;
  try {
    return $B.py2js({src: source, filename: path, imported: true}, module, name,
                    $B.builtins_scope).to_js();
  } catch (err) {
    var cls = $B.get_class(err), kind = (cls && cls.tp_name) || "Error";
    var text = err.msg !== undefined ? String(err.msg) : String(err.args ? err.args[0] : err);
    var where = err.lineno === undefined || err.lineno === null ? "" : " (line " + err.lineno + ")";
    throw new Error(kind + ": " + text + where);
  }
};
"""


class CompileError(Exception):
    """Brython could not compile a module (its message; the page reports it too)."""

    def __init__(self, module: str, message: str) -> None:
        super().__init__(f"{module}: {message}")
        self.module = module
        self.message = message


class BrythonCompiler:
    """``brython.js`` loaded once in a V8 context; ``compile`` is thread-safe."""

    def __init__(self, brython_js: str) -> None:
        from py_mini_racer import MiniRacer

        if brython_js.count(_NAME_COUNTER) != 1:
            # A Brython upgrade moved the counter: compiling would not be repeatable.
            raise RuntimeError(f"brython.js has no single {_NAME_COUNTER!r} to seed")
        self._lock = threading.Lock()
        self._context: Any = MiniRacer()
        self._context.eval(_BROWSER_STAND_IN)
        self._context.eval(brython_js.replace(_NAME_COUNTER, _NAME_COUNTER_RESET))
        self._context.eval(_COMPILE)

    def compile(self, name: str, source: str, *, is_package: bool = False) -> str:
        """The JavaScript Brython's VFS loader would make from ``source`` in the page."""
        from py_mini_racer import JSEvalException

        with self._lock:
            try:
                js = self._context.call(
                    "__brython_oidc_compile", name, source, is_package, _name_seed(name)
                )
            except JSEvalException as exc:
                raise CompileError(name, _first_line(str(exc))) from None
        if not isinstance(js, str):
            raise CompileError(name, "the compiler returned no JavaScript")
        return js

    def close(self) -> None:
        """Free the V8 isolate (the process's own compiler lives as long as it)."""
        with self._lock:
            self._context.close()


def _name_seed(name: str) -> int:
    """A 32-bit seed from the module name: two modules of a page get different names,
    as when the page compiles them with one running counter."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big")


def _first_line(text: str) -> str:
    # V8's message is "<anonymous>:N: Error: SyntaxError: ..." then a stack trace.
    line = text.strip().splitlines()[0] if text.strip() else "unknown error"
    return line.split(": Error: ", 1)[1] if ": Error: " in line else line


@functools.lru_cache(maxsize=1)
def get_compiler() -> BrythonCompiler | None:
    """The process's compiler, or ``None`` (said once in the log) without mini-racer."""
    try:
        return BrythonCompiler(Path(brython_js_path()).read_text(encoding="utf-8"))
    except ImportError:
        logger.warning(
            "mini-racer is not installed: app modules are compiled in the page "
            "(pip install mini-racer for faster page starts)"
        )
    except Exception as exc:  # a broken native library must not stop the server
        logger.warning("the Brython compiler could not start (%s): compiling in the page", exc)
    return None


@functools.lru_cache(maxsize=1024)
def compile_module(name: str, source: str, is_package: bool) -> str | None:
    """``source`` compiled for the page, or ``None``: the page compiles it instead.

    Cached by the source text, so a dev-mode rebuild compiles only what changed.
    """
    compiler = get_compiler()
    if compiler is None:
        return None
    try:
        return compiler.compile(name, source, is_package=is_package)
    except CompileError as exc:
        # The page compiles the module itself and shows Brython's traceback there.
        logger.warning("not precompiled, the page will compile it: %s", exc)
        return None
