"""The demo's Starlette app: the ``demo_app/`` page plus its notes API.

``create_demo_app`` is what ``brython-oidc demo`` serves and what the end-to-end
tests serve; only the issuer, client and the API's validator differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from starlette.applications import Starlette

import brython_oidc
from brython_oidc.server import create_app
from brython_oidc.server.token_validator import TokenValidator

from .api import DEFAULT_API_AUDIENCE, NoteStore, notes_routes

DEMO_DIR_NAME = "demo_app"


def demo_app_dir() -> Path:
    """The demo's app folder: inside the wheel (``_demo_app``), else the checkout's."""
    package = Path(brython_oidc.__file__).resolve().parent
    for candidate in (package / "_demo_app", package.parent / DEMO_DIR_NAME):
        if (candidate / "brython-oidc.toml").is_file():
            return candidate
    raise FileNotFoundError("the demo app folder is missing from this install")


def create_demo_app(
    *,
    issuer: str,
    client_id: str,
    api_audience: str = DEFAULT_API_AUDIENCE,
    validator: TokenValidator | None = None,
    store: NoteStore | None = None,
    oidc_overrides: Mapping[str, object] | None = None,
    app_dir: Path | None = None,
) -> Starlette:
    """The page configured for ``issuer``/``client_id`` and the API trusting its tokens."""
    validator = validator or TokenValidator(issuer, api_audience)
    overrides = {"issuer": issuer, "client_id": client_id, **(oidc_overrides or {})}
    app = create_app(
        app_dir or demo_app_dir(),
        oidc_overrides=overrides,
        extra_routes=notes_routes(validator, store or NoteStore()),
    )
    app.state.token_validator = validator
    return app
