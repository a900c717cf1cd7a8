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
"""

from __future__ import annotations

import functools
import logging
import threading
from pathlib import Path
from typing import Any

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
"""

#: Brython's VFS loader, minus running the result (brython.js: VFSLoader.exec_module
#: then run_py): the same file name, module name and compiler entry point.
_COMPILE = r"""
var __brython_oidc_compile = function (name, source, is_package) {
  var $B = __BRYTHON__;
  if (!$B.options_parsed) { $B.$options = $B.parse_options({debug: 1}); }
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

        self._lock = threading.Lock()
        self._context: Any = MiniRacer()
        self._context.eval(_BROWSER_STAND_IN)
        self._context.eval(brython_js)
        self._context.eval(_COMPILE)

    def compile(self, name: str, source: str, *, is_package: bool = False) -> str:
        """The JavaScript Brython's VFS loader would make from ``source`` in the page."""
        from py_mini_racer import JSEvalException

        with self._lock:
            try:
                js = self._context.call("__brython_oidc_compile", name, source, is_package)
            except JSEvalException as exc:
                raise CompileError(name, _first_line(str(exc))) from None
        if not isinstance(js, str):
            raise CompileError(name, "the compiler returned no JavaScript")
        return js


def _first_line(text: str) -> str:
    # V8's message is "<anonymous>:N: Error: SyntaxError: ..." then a stack trace.
    line = text.strip().splitlines()[0] if text.strip() else "unknown error"
    return line.split(": Error: ", 1)[1] if ": Error: " in line else line


@functools.lru_cache(maxsize=1)
def get_compiler() -> BrythonCompiler | None:
    """The process's compiler, or ``None`` (said once in the log) without mini-racer."""
    from brython_oidc.server.assets import brython_js_path

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
