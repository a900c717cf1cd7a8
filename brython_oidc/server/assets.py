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
from collections.abc import Mapping
from pathlib import Path

from brython_oidc.core.authorization import CALLBACK_PARAMS
from brython_oidc.core.discovery import discovery_url
from brython_oidc.server.bundle import (
    ModuleSource,
    build_bundle,
    build_engine,
    framework_modules,
)
from brython_oidc.server.bundle import iter_app_modules as iter_app_sources
from brython_oidc.server.names import keys
from brython_oidc.server.runtime import brython_js_path

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


#: The boot file: real JavaScript, read and linted as such (tests/server/test_boot_file.py).
BOOT_JS = Path(__file__).with_name("js") / "boot.js"


def boot_data(
    oidc: Mapping[str, object] | None,
    *,
    engine_url: str | None,
    brython_options: Mapping[str, object],
) -> dict[str, object]:
    """The one JSON value the boot file reads (its fields: the head of ``boot.js``).

    Every name comes from its one definition: ``browser/keys.py`` (through
    server/names.py) and ``core``. The storage keys are this app's (``oidc`` is the
    configuration the page is served with), so the boot file needs no namespace rule.
    """
    config = oidc or {}
    issuer, client_id = config.get("issuer"), config.get("client_id")
    mock = "mock" in config
    storage: dict[str, str] | None = None
    url: str | None = None
    if isinstance(issuer, str) and isinstance(client_id, str) and not mock:
        ns = keys.namespace(issuer, client_id)
        storage = {
            "hint": keys.hint_key(ns),
            "after_logout": keys.after_logout_key(ns),
            "discovery": keys.discovery_key(ns),
        }
        url = discovery_url(issuer)
    return {
        "callback_params": list(CALLBACK_PARAMS),
        "globals": {
            "callback_url": keys.CALLBACK_URL_GLOBAL,
            "early_get": keys.EARLY_GET_GLOBAL,
            "engine": keys.ENGINE_GLOBAL,
            "idle": keys.IDLE_GLOBAL,
            "engine_at_start": keys.ENGINE_AT_START_GLOBAL,
        },
        "status": {
            "attribute": keys.STATUS_ATTRIBUTE,
            "loading": keys.LOADING,
            "signing_in": keys.SIGNING_IN,
            "restoring": keys.RESTORING,
            "signing_out": keys.SIGNING_OUT,
        },
        "storage": storage,
        "discovery_url": url,
        "restore_iframe": not mock and config.get("session_restore") == "iframe",
        "mock": mock,
        "engine_url": engine_url,
        "brython": dict(brython_options),
    }


def boot_script(
    *,
    debug: int,
    engine_url: str | None = None,
    indexeddb: bool = True,
    oidc: Mapping[str, object] | None = None,
) -> bytes:
    """The external boot file (CSP forbids inline scripts) that starts Brython.

    ``boot.js`` called with ``boot_data``: loaded with ``defer`` after brython.js and
    the bundle, it calls ``brython()`` itself, not at the window load event, after
    moving a callback out of the address bar, setting the status, starting the
    discovery or JWKS request and, given ``engine_url``, loading the engine asset when
    start-up will run the engine. ``static_stdlib_import: false`` and an empty
    ``pythonpath`` leave the bundle's VFS as the only source of modules. ``indexeddb``
    lets Brython cache the modules it compiles (keyed by the bundle's ``$timestamp``);
    when the bundle ships every module the page imports while loading already compiled
    (``Bundle.compiled_at_load``) it is off: opening and scanning that database delays
    every page start by tens of milliseconds (bench/signin_profile.py).
    """
    options = {
        "debug": debug,
        "cache": True,
        "indexeddb": indexeddb,
        "pythonpath": [],
        "static_stdlib_import": False,
    }
    data = boot_data(oidc, engine_url=engine_url, brython_options=options)
    return (
        "// brython_oidc boot: Brython runs the modules of the bundle only.\n"
        "(function (BOOT) {\n"
        + BOOT_JS.read_text(encoding="utf-8")
        + "})("
        + json.dumps(data, sort_keys=True)
        + ");\n"
    ).encode()


def source_modules(app_dir: Path) -> list[ModuleSource]:
    """Framework browser modules first, then the app's own."""
    return [*framework_modules(), *iter_app_sources(app_dir)]


def _snapshot(modules: list[ModuleSource]) -> tuple[tuple[str, int], ...]:
    return tuple((str(m.path), m.path.stat().st_mtime_ns) for m in modules)


class AssetSet:
    """The runtime, bundle, boot and engine assets of one app, by file name.

    ``oidc``: the client configuration the page is served with; the boot file
    carries this app's storage keys and discovery URL (``boot_data``).
    """

    def __init__(
        self,
        app_dir: Path,
        *,
        debug: int = 1,
        oidc: Mapping[str, object] | None = None,
        dev: bool = False,
    ) -> None:
        self.app_dir = app_dir
        self.debug = debug
        self.dev = dev  # the app's modules unminified: tracebacks with real line numbers
        self.oidc = dict(oidc or {})
        self.runtime = runtime_asset()
        self._stamp: tuple[tuple[str, int], ...] = ()
        self.modules: tuple[str, ...] = ()
        self.compiled_at_load = False
        self.bundle, self.engine, self.boot = self._build()

    def _build(self) -> tuple[Asset, Asset, Asset]:
        modules = source_modules(self.app_dir)
        self._stamp = _snapshot(modules)
        bundle = build_bundle(modules, engine=True, keep_app_lines=self.dev)
        self.modules = bundle.modules
        self.compiled_at_load = bundle.compiled_at_load
        engine = Asset("engine", build_engine(framework_modules()))
        # The boot file names the engine's URL: a new engine is a new boot file too.
        boot = Asset(
            "boot",
            boot_script(
                debug=self.debug,
                engine_url=engine.url,
                indexeddb=not bundle.compiled_at_load,
                oidc=self.oidc,
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
