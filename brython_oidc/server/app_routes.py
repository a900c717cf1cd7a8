"""``[app] routes``: an app's own server-side routes (its API), served beside the page.

::

    [app]
    routes = "server/api.py"

The file runs in the server (CPython), not the page; keep it in a folder without
``__init__.py`` so the bundle (which takes the app's top-level modules and packages)
leaves it out. It defines ``routes(oidc)``, given the ``[oidc]`` table (after
``--issuer``/``--client-id`` overrides), returning Starlette routes, e.g. behind
``requires_token(TokenValidator(oidc["issuer"], audience))``. ``create_app`` serves
them before the SPA fallback, as it does ``extra_routes``; so do ``serve`` and the
pytest plugin's ``app_server``. A static ``build`` has no server: the routes are not
part of it.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

from starlette.routing import BaseRoute

from brython_oidc.server.config_file import AppConfig, AppConfigError

FACTORY = "routes"


def routes_file(config: AppConfig) -> Path | None:
    return None if config.routes is None else config.path.parent / config.routes


def load_app_routes(config: AppConfig) -> list[BaseRoute]:
    """The routes ``[app] routes`` declares (none without it).

    A syntax error is an ``AppConfigError`` naming ``file:line`` and the line; any
    other exception from the file propagates with its own traceback (it is app code).
    """
    path = routes_file(config)
    if path is None:
        return []
    # A name of its own per file: two apps' "server/api.py" never share a module.
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(f"_brython_oidc_routes_{digest}", path)
    if spec is None or spec.loader is None:  # pragma: no cover - a .py path always has one
        raise AppConfigError(config.path, "app.routes", f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        where = f"{exc.filename or path}:{exc.lineno}"
        line = (exc.text or "").strip()
        raise AppConfigError(
            config.path, "app.routes", f"{where}: {exc.msg}" + (f": {line}" if line else "")
        ) from None
    factory = getattr(module, FACTORY, None)
    if not callable(factory):
        raise AppConfigError(
            config.path, "app.routes", f"{path} must define {FACTORY}(oidc) returning routes"
        )
    found = list(factory(dict(config.oidc)))
    for route in found:
        if not isinstance(route, BaseRoute):
            raise AppConfigError(
                config.path,
                "app.routes",
                f"{path}: {FACTORY}(oidc) returned {type(route).__name__}, not a Starlette route",
            )
    return found
