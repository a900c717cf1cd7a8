"""The page's hashed scripts: Brython's runtime, the bundle, the boot file, the engine.

The page loads the first three. The engine (the protocol modules compiled to
JavaScript, server/precompiled.py) is loaded by the boot file only when the engine
will run at start-up (a callback, a restore), else by ``handle.Oidc.warm_up`` after
the ready mark. Each is held in memory with its gzip form, content hash and ETag,
and served at ``/_brython_oidc/<name>.<hash>.js`` with immutable caching: a new
content gives a new URL, so browsers never need to revalidate. In dev mode
``AssetSet.refresh`` rebuilds them when a source file's mtime changes (a cheap
``stat`` per page load).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

from brython_oidc.core.authorization import CALLBACK_PARAMS
from brython_oidc.server.bundle import (
    ModuleSource,
    build_bundle,
    build_engine,
    framework_modules,
)
from brython_oidc.server.bundle import iter_app_modules as iter_app_sources
from brython_oidc.server.names import keys
from brython_oidc.server.runtime import brython_js_path
from brython_oidc.server.shell import CONFIG_ELEMENT_ID

ASSET_PREFIX = "/_brython_oidc/"
JS_TYPE = "text/javascript; charset=utf-8"


def short_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:16]


class Asset:
    """One hashed file: bytes, gzip bytes, and the ETag of each encoding."""

    __slots__ = ("content", "content_type", "digest", "filename", "gzipped", "stem")

    def __init__(self, stem: str, content: bytes, content_type: str = JS_TYPE) -> None:
        self.stem = stem
        self.content = content
        self.content_type = content_type
        self.digest = short_hash(content)
        self.filename = f"{stem}.{self.digest}.js"
        # mtime=0: the same content always gives the same gzip bytes (stable ETags).
        self.gzipped = gzip.compress(content, compresslevel=9, mtime=0)

    @property
    def url(self) -> str:
        return ASSET_PREFIX + self.filename

    def etag(self, gzipped: bool) -> str:
        # RFC 9110 §8.8.3: a strong validator differs per content-coding.
        return f'"{self.digest}-gz"' if gzipped else f'"{self.digest}"'


def runtime_asset() -> Asset:
    return Asset("brython", brython_js_path().read_bytes())


#: The global the boot file moves a callback URL into (browser/page.py reads it).
CALLBACK_URL_GLOBAL = "__brython_oidc_callback_url"

#: Runs before ``brython()``: Brython's tracebacks name the page URL it captured
#: (``__BRYTHON__.script_path``, taken when brython.js is evaluated, reset here), so
#: a callback's ``code``/``state`` must be out of the address bar by then (DESIGN: a
#: code never reaches the console). The names are core.authorization.CALLBACK_PARAMS;
#: other parameters stay.
_CAPTURE_CALLBACK = """(function () {
  var names = %(names)s, found = false;
  function strip(part) {
    return part.split("&").filter(function (item) {
      var name = item.split("=")[0].replace(/\\+/g, " ");
      try { name = decodeURIComponent(name); } catch (e) { return true; }
      if (names.indexOf(name) < 0) { return true; }
      found = true;
      return false;
    }).join("&");
  }
  var loc = window.location;
  var query = strip(loc.search.slice(1)), hash = strip(loc.hash.slice(1));
  if (!found) { return; }
  window.%(global)s = loc.href;
  history.replaceState(history.state, "", loc.pathname +
    (query ? "?" + query : "") + (hash ? "#" + hash : ""));
  // brython.js (loaded just before) already took the address when it was evaluated.
  var B = window.__BRYTHON__;
  if (B) {
    B.script_path = loc.href.split("#")[0];
    var elts = B.script_path.split("/");
    elts.pop();
    B.curdir = elts.join("/");
  }
})();
"""


def capture_callback_script() -> str:
    return _CAPTURE_CALLBACK % {
        "names": json.dumps(list(CALLBACK_PARAMS)),
        "global": CALLBACK_URL_GLOBAL,
    }


#: browser/keys.py's names (the package cannot be imported under CPython):
#: ``hint_key`` (localStorage) and ``after_logout_key`` (sessionStorage) are
#: ``PREFIX + namespace + suffix``; tests/server/test_engine.py checks they agree.
KEYS_PREFIX = "brython-oidc:"
HINT_SUFFIX = ":signed-in"
AFTER_LOGOUT_SUFFIX = ":after-logout"
DISCOVERY_SUFFIX = ":discovery"

#: The JS global the boot file sets when it starts a GET itself (discovery or JWKS):
#: ``{url, response, controller}`` (browser/http.py ``take_started``).
EARLY_GET_GLOBAL = "__brython_oidc_early_get"

#: Runs after ``_CAPTURE_CALLBACK``: one GET of a public provider document, sent while
#: brython.js and the bundle start, with ``browser/http.py``'s fetch options. The
#: Python side takes the response only if its checked metadata names the same URL
#: (``http.take_started``), and core checks it as any other.
#:
#: - Not a callback, nothing stored: the discovery document (OIDC Discovery §4).
#:   Without it, a logged-out page asked only once its engine had loaded in idle
#:   time, and a login click soon after the page rendered waited for that round trip.
#: - A callback: the login stored the discovery document, so the JWKS (``jwks_uri``,
#:   which the ID token is verified against, OIDC Core §3.1.3.7) leaves now instead
#:   of beside the token request (``exchange.send_code``), where a provider that
#:   answers one request at a time served it after the token response.
_EARLY_GET = r"""(function () {
  if (!window.AbortController) { return; }
  var config, stored, url;
  try {
    config = JSON.parse(document.getElementById(%(config_id)s).textContent);
  } catch (e) { return; }
  if (!config || typeof config.issuer !== "string" || typeof config.client_id !== "string" ||
      "mock" in config) { return; }
  try {
    var key = %(prefix)s + config.issuer + "|" + config.client_id + %(suffix)s;
    stored = window.sessionStorage.getItem(key);
  } catch (e) { return; }  // storage disabled: start-up decides
  if (typeof window.%(callback)s === "string") {
    try { url = JSON.parse(stored).document.jwks_uri; } catch (e) { return; }
    if (typeof url !== "string" || !/^https?:\/\//i.test(url)) { return; }
  } else {
    if (stored !== null) { return; }
    url = config.issuer.replace(/\/+$/, "") + "/.well-known/openid-configuration";
  }
  var controller = new AbortController();
  var response = fetch(url, {method: "GET", cache: "no-store", credentials: "omit",
                             signal: controller.signal});
  response.catch(function () {});  // reported by the Python side that awaits it
  window.%(global)s = {url: url, response: response, controller: controller};
})();
"""


def early_get_script() -> str:
    return _EARLY_GET % {
        "callback": CALLBACK_URL_GLOBAL,
        "config_id": json.dumps(CONFIG_ELEMENT_ID),
        "prefix": json.dumps(KEYS_PREFIX),
        "suffix": json.dumps(DISCOVERY_SUFFIX),
        "global": EARLY_GET_GLOBAL,
    }


#: The JS global the boot file defines: ``requestIdleCallback`` that first loads the
#: engine asset (once), and calls back only if it loaded. ``handle.Oidc.warm_up``
#: uses it in place of the platform's.
ENGINE_LOADER_GLOBAL = "__brython_oidc_idle"

#: The JS global the boot file defines: a function answering a Promise of whether the
#: engine asset has loaded (fetched on the first call; after a failed load, the next
#: call tries again). ``handle.load_engine`` awaits it before importing the engine.
ENGINE_PROMISE_GLOBAL = "__brython_oidc_engine"

#: The JS global the boot file sets to the engine's Promise when start-up will run the
#: engine: ``_START`` waits for it before it starts Brython.
ENGINE_AT_START_GLOBAL = "__brython_oidc_engine_at_start"

#: Runs after ``_CAPTURE_CALLBACK``. Loads the engine asset at once when the engine
#: runs at start-up (browser/boot.py ``_start``): a callback, the "was signed in"
#: hint, a return from the provider's logout, ``session_restore: "iframe"``, or a
#: ``mock`` configuration (``_START`` then waits for it); else after the ready mark,
#: or when a login click needs it.
_LOAD_ENGINE = """(function () {
  var url = %(url)s, prefix = %(prefix)s, loading = null;
  function idle(callback, options) {
    if (window.requestIdleCallback) { window.requestIdleCallback(callback, options); }
    else { setTimeout(callback, 50); }
  }
  var load = window.%(promise)s = function () {
    if (!loading) {
      loading = new Promise(function (resolve) {
        var script = document.createElement("script");
        script.src = url;
        script.onload = function () { resolve(true); };
        script.onerror = function () {
          loading = null;  // a later call tries again
          script.remove();
          resolve(false);
        };
        document.head.appendChild(script);
      });
    }
    return loading;
  };
  // The callback runs only once the engine is there; a failed load is reported by
  // the next call that needs it (handle.load_engine), which fetches it again.
  window.%(global)s = function (callback, options) {
    load().then(function (ok) { if (ok && callback) { idle(callback, options); } });
  };
  function has(name, suffix) {
    try {
      var store = window[name];
      for (var i = 0; i < store.length; i++) {
        var key = store.key(i);
        if (key && key.indexOf(prefix) === 0 && key.slice(-suffix.length) === suffix) {
          return true;
        }
      }
    } catch (e) {}  // storage disabled: nothing to restore
    return false;
  }
  function configured() {
    try {
      var config = JSON.parse(document.getElementById(%(config_id)s).textContent);
      return config.session_restore === "iframe" || "mock" in config;
    } catch (e) { return false; }
  }
  if (typeof window.%(callback)s === "string" || has("localStorage", %(hint)s) ||
      has("sessionStorage", %(after_logout)s) || configured()) {
    window.%(at_start)s = load();
  }
})();
"""


def load_engine_script(engine_url: str) -> str:
    return _LOAD_ENGINE % {
        "url": json.dumps(engine_url),
        "prefix": json.dumps(KEYS_PREFIX),
        "global": ENGINE_LOADER_GLOBAL,
        "promise": ENGINE_PROMISE_GLOBAL,
        "at_start": ENGINE_AT_START_GLOBAL,
        "callback": CALLBACK_URL_GLOBAL,
        "hint": json.dumps(HINT_SUFFIX),
        "after_logout": json.dumps(AFTER_LOGOUT_SUFFIX),
        "config_id": json.dumps(CONFIG_ELEMENT_ID),
    }


#: Runs after ``_CAPTURE_CALLBACK``, before Brython has started (about 250 ms cold):
#: says on ``<html data-oidc-status>`` what the page is doing, from the same facts
#: browser/boot.py decides on (``handle.Status`` keeps it current afterwards).
_STATUS = """(function () {
  var prefix = %(prefix)s, status = %(loading)s;
  function has(name, suffix) {
    try {
      var store = window[name];
      for (var i = 0; i < store.length; i++) {
        var key = store.key(i);
        if (key && key.indexOf(prefix) === 0 && key.slice(-suffix.length) === suffix) {
          return true;
        }
      }
    } catch (e) {}  // storage disabled: nothing to restore
    return false;
  }
  function restoring() {
    try {
      var config = JSON.parse(document.getElementById(%(config_id)s).textContent);
      if ("mock" in config) { return false; }
      if (config.session_restore === "iframe") { return true; }
    } catch (e) { return false; }
    return has("localStorage", %(hint)s);
  }
  if (typeof window.%(callback)s === "string") { status = %(signing_in)s; }
  else if (has("sessionStorage", %(after_logout)s)) { status = %(signing_out)s; }
  else if (restoring()) { status = %(restoring)s; }
  document.documentElement.setAttribute(%(attribute)s, status);
})();
"""


def status_script() -> str:
    return _STATUS % {
        "prefix": json.dumps(KEYS_PREFIX),
        "callback": CALLBACK_URL_GLOBAL,
        "config_id": json.dumps(CONFIG_ELEMENT_ID),
        "hint": json.dumps(HINT_SUFFIX),
        "after_logout": json.dumps(AFTER_LOGOUT_SUFFIX),
        "attribute": json.dumps(keys.STATUS_ATTRIBUTE),
        "loading": json.dumps(keys.LOADING),
        "signing_in": json.dumps(keys.SIGNING_IN),
        "signing_out": json.dumps(keys.SIGNING_OUT),
        "restoring": json.dumps(keys.RESTORING),
    }


#: Deferred scripts run once the document is parsed, so the page's Python is there.
#: Starting here, not from ``body.onload`` as brython.js does by default, saves the
#: wait for the window load event: every image, web font and iframe of the page
#: (tests/server/test_browser.py). Except for the engine: when start-up runs it, the
#: start waits for it. It comes from the cache and runs in a few ms while the main
#: thread is free; Brython started first delays it by its own start (about 10 ms
#: more to the token request on a callback page, bench/ab.py). brython.js wraps a
#: ``body.onload`` it finds at DOMContentLoaded in one that calls ``brython()`` only
#: if nothing did; without one it would call it again at load, running the page twice.
_START = """(function () {
  if (!document.body.onload) { document.body.onload = function () {}; }
  function start() { brython(%(options)s); }
  var engine = window.%(at_start)s;  // resolves, loaded or not: Python reports a failure
  if (engine) { engine.then(start); } else { start(); }
})();
"""


def start_script(options: dict[str, object]) -> str:
    return _START % {
        "options": json.dumps(options, sort_keys=True),
        "at_start": ENGINE_AT_START_GLOBAL,
    }


def boot_script(*, debug: int, engine_url: str | None = None, indexeddb: bool = True) -> bytes:
    """The external boot file (CSP forbids inline scripts) that starts Brython.

    Loaded with ``defer`` after brython.js and the bundle, it calls ``brython()``
    itself (``_START``), not at the window load event. Before that,
    ``capture_callback_script`` moves an authorization response's parameters out of
    the address bar into ``window.__brython_oidc_callback_url``, ``early_get_script``
    starts the discovery or JWKS request start-up will need, and, given
    ``engine_url``, ``load_engine_script`` loads the engine asset when start-up will
    run the engine. ``static_stdlib_import: false`` and an empty ``pythonpath`` leave
    the bundle's VFS as the only source of modules. ``indexeddb`` lets Brython
    cache the modules it compiles (keyed by the bundle's ``$timestamp``); when the
    bundle ships every module the page imports while loading already compiled
    (``Bundle.compiled_at_load``) it is off: opening and scanning that database
    delays every page start by tens of milliseconds (bench/signin_profile.py).
    """
    options = {
        "debug": debug,
        "cache": True,
        "indexeddb": indexeddb,
        "pythonpath": [],
        "static_stdlib_import": False,
    }
    return (
        "// brython_oidc boot: Brython runs the modules of the bundle only.\n"
        + capture_callback_script()
        + status_script()
        + early_get_script()
        + (load_engine_script(engine_url) if engine_url is not None else "")
        + start_script(options)
    ).encode()


def source_modules(app_dir: Path) -> list[ModuleSource]:
    """Framework browser modules first, then the app's own."""
    return [*framework_modules(), *iter_app_sources(app_dir)]


def _snapshot(modules: list[ModuleSource]) -> tuple[tuple[str, int], ...]:
    return tuple((str(m.path), m.path.stat().st_mtime_ns) for m in modules)


class AssetSet:
    """The runtime, bundle, boot and engine assets of one app, by file name."""

    def __init__(self, app_dir: Path, *, debug: int = 1) -> None:
        self.app_dir = app_dir
        self.debug = debug
        self.runtime = runtime_asset()
        self._stamp: tuple[tuple[str, int], ...] = ()
        self.modules: tuple[str, ...] = ()
        self.compiled_at_load = False
        self.bundle, self.engine, self.boot = self._build()

    def _build(self) -> tuple[Asset, Asset, Asset]:
        modules = source_modules(self.app_dir)
        self._stamp = _snapshot(modules)
        bundle = build_bundle(modules, engine=True)
        self.modules = bundle.modules
        self.compiled_at_load = bundle.compiled_at_load
        engine = Asset("engine", build_engine(framework_modules()))
        # The boot file names the engine's URL: a new engine is a new boot file too.
        boot = Asset(
            "boot",
            boot_script(
                debug=self.debug, engine_url=engine.url, indexeddb=not bundle.compiled_at_load
            ),
        )
        return Asset("bundle", bundle.content), engine, boot

    def refresh(self) -> bool:
        """Rebuild the assets if a source file was added, removed or modified."""
        try:
            stamp = _snapshot(source_modules(self.app_dir))
        except OSError:  # a file vanished between listing and stat: rebuild
            stamp = ()
        if stamp == self._stamp:
            return False
        self.bundle, self.engine, self.boot = self._build()
        return True

    def by_filename(self) -> dict[str, Asset]:
        return {a.filename: a for a in (self.runtime, self.bundle, self.boot, self.engine)}

    def get(self, filename: str) -> Asset | None:
        return self.by_filename().get(filename)
