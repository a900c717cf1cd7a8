"""CPython side: the Starlette app server and the API TokenValidator."""

from brython_oidc.server.app import create_app

__all__ = ["create_app"]
