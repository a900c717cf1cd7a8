"""An app folder's ``brython-oidc.toml``: the client configuration and the entry module.

::

    [oidc]                     # ClientConfig fields, injected into index.html as data
    issuer = "http://127.0.0.1:8001"
    client_id = "demo-spa"

    [app]
    main = "main"              # the module the page imports first
    include = ["plugins.extra"]  # modules the page imports by a computed name (optional)
    routes = "server/api.py"   # optional: server-side routes served beside the page

Only the modules reachable by import from ``main`` (and from ``include``) are shipped in
the public bundle (``server/app_modules.py``).

The ``[oidc]`` table is checked with ``brython_oidc.core.config.ClientConfig``, the
same class the page builds from it, so a mistake shows when the server starts.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path

from brython_oidc.core.config import ClientConfig
from brython_oidc.core.errors import ConfigurationError

CONFIG_FILENAME = "brython-oidc.toml"
_PLACEHOLDER_REDIRECT = "http://localhost/"

_APP_FIELDS = ("main", "include", "routes")


class AppConfigError(ConfigurationError):
    """A bad ``brython-oidc.toml``: names the file and the field to fix."""

    def __init__(self, path: Path, field: str, message: str) -> None:
        super().__init__(field, message)
        self.path = path
        self.message = f"{path}: field {field!r}: {message}"


class AppConfig:
    """What an app folder declares: ``oidc`` (ClientConfig mapping), ``main``, and
    ``routes`` (a Python file, relative to the folder, run by the server: see
    ``server/app_routes.py``) or ``None``."""

    __slots__ = ("include", "main", "oidc", "path", "routes")

    def __init__(
        self,
        path: Path,
        oidc: dict[str, object],
        main: str,
        include: tuple[str, ...] = (),
        routes: str | None = None,
    ) -> None:
        self.path = path
        self.oidc = oidc
        self.main = main
        self.include = include
        self.routes = routes

    @property
    def issuer(self) -> str:
        return str(self.oidc["issuer"])

    @property
    def allowed_fetch_origins(self) -> tuple[str, ...]:
        value = self.oidc.get("allowed_fetch_origins", ())
        return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


def is_module_name(name: str) -> bool:
    """A dotted Python module name (it ends up in an ``import`` statement)."""
    return bool(name) and all(part.isidentifier() for part in name.split("."))


def check_mock(path: Path, mock: object) -> None:
    """Mock mode: ``"logged-out"`` or ``{user = {claims}}`` (no provider is contacted)."""
    if mock == "logged-out":
        return
    if (
        not isinstance(mock, dict)
        or not isinstance(mock.get("user"), dict)
        or set(mock) != {"user"}
    ):
        raise AppConfigError(
            path, "oidc.mock", 'must be "logged-out" or a table {user = {sub = "...", ...}}'
        )


def client_config(oidc: Mapping[str, object]) -> ClientConfig:
    """The ``ClientConfig`` the page builds from ``[oidc]`` (``redirect_uri`` may be
    left out: the page uses its own URL, so a placeholder stands in)."""
    fields = {name: value for name, value in oidc.items() if name != "mock"}
    return ClientConfig.from_mapping({"redirect_uri": _PLACEHOLDER_REDIRECT, **fields})


def security_warnings(config: AppConfig) -> list[str]:
    """``ClientConfig.security_warnings`` of the fields the app sets (in its file or
    on the command line); an unset ``redirect_uri`` is the page's own URL."""
    found = client_config(config.oidc).security_warnings()
    return [f"oidc.{name} {message}" for name, message in found.items() if name in config.oidc]


def check_oidc_mapping(path: Path, oidc: Mapping[str, object]) -> dict[str, object]:
    """Check ``[oidc]`` with the same ``ClientConfig`` the page builds from it.

    ``redirect_uri`` may be left out: the page uses its own URL (DESIGN.md's one
    redirect URI), so a placeholder stands in for the check only. ``mock`` is the
    runtime's mock-mode switch (``browser/mock.py``), not a client setting.
    """
    if "mock" in oidc:
        check_mock(path, oidc["mock"])
    try:
        client_config(oidc)
    except ConfigurationError as exc:
        detail = exc.message.split(": ", 1)[-1]
        raise AppConfigError(path, f"oidc.{exc.field}", detail) from None
    try:
        # Everything must survive the trip into index.html as JSON (TOML dates do not).
        json.dumps(dict(oidc))
    except TypeError as exc:
        raise AppConfigError(path, "oidc", f"holds a value JSON cannot carry: {exc}") from None
    return dict(oidc)


def parse_app_config(path: Path, text: str) -> AppConfig:
    """Parse the TOML text of ``path`` into an ``AppConfig``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AppConfigError(path, "(syntax)", f"is not valid TOML: {exc}") from None
    for section in data:
        if section not in ("oidc", "app"):
            raise AppConfigError(path, section, "unknown section (expected [oidc] and [app])")
    oidc = data.get("oidc")
    if not isinstance(oidc, dict):
        raise AppConfigError(path, "oidc", "the [oidc] table is required")
    app = data.get("app", {})
    if not isinstance(app, dict):
        raise AppConfigError(path, "app", "must be a table")
    for name in app:
        if name not in _APP_FIELDS:
            expected = ", ".join(_APP_FIELDS)
            raise AppConfigError(path, f"app.{name}", f"unknown field (expected: {expected})")
    main = app.get("main", "main")
    if not isinstance(main, str) or not is_module_name(main):
        raise AppConfigError(path, "app.main", f"must be a Python module name, got {main!r}")
    include = app.get("include", [])
    if not isinstance(include, list) or not all(
        isinstance(n, str) and is_module_name(n) for n in include
    ):
        raise AppConfigError(path, "app.include", "must be a list of Python module names")
    routes = app.get("routes")
    if routes is not None and not is_relative_python_file(routes):
        raise AppConfigError(
            path, "app.routes", f"must be a .py file inside the app folder, got {routes!r}"
        )
    return AppConfig(path, check_oidc_mapping(path, oidc), main, tuple(include), routes)


def is_relative_python_file(value: object) -> bool:
    """A ``.py`` path relative to the app folder that stays inside it."""
    if not isinstance(value, str) or not value.endswith(".py") or "\\" in value:
        return False
    parts = value.split("/")
    return not value.startswith("/") and all(p not in ("", ".", "..") for p in parts)


def main_module_files(app_dir: Path, main: str) -> tuple[Path, Path]:
    """Where the page looks for ``[app] main``: a module file, or a package."""
    base = app_dir.joinpath(*main.split("."))
    return base.with_suffix(".py"), base / "__init__.py"


def check_app_files(config: AppConfig) -> None:
    """``[app] main`` and ``routes`` name files that exist: a typo would otherwise
    serve a blank page (the import fails in the browser) or no API at all."""
    folder = config.path.parent
    candidates = main_module_files(folder, config.main)
    if not any(candidate.is_file() for candidate in candidates):
        looked = " or ".join(str(c) for c in candidates)
        raise AppConfigError(
            config.path, "app.main", f"no module {config.main!r}: looked for {looked}"
        )
    if config.routes is not None and not (folder / config.routes).is_file():
        raise AppConfigError(config.path, "app.routes", f"file not found: {folder / config.routes}")


def load_app_config(app_dir: Path) -> AppConfig:
    """Read ``APP_DIR/brython-oidc.toml``; any problem is an ``AppConfigError``."""
    path = Path(app_dir) / CONFIG_FILENAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AppConfigError(path, "(file)", "not found: an app folder needs one") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AppConfigError(path, "(file)", f"cannot be read: {exc}") from None
    config = parse_app_config(path, text)
    check_app_files(config)
    return config


def with_overrides(config: AppConfig, overrides: Mapping[str, object] | None) -> AppConfig:
    """``config`` with some ``[oidc]`` fields replaced (``serve --issuer ...``), re-checked."""
    if not overrides:
        return config
    merged = {**config.oidc, **{k: v for k, v in overrides.items() if v is not None}}
    oidc = check_oidc_mapping(config.path, merged)
    return AppConfig(config.path, oidc, config.main, config.include, config.routes)
