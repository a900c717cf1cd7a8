"""Run the provider in a background thread on a free loopback port (tests, the
pytest plugin); ``BackgroundServer`` serves any ASGI app the same way.
"""

from __future__ import annotations

from collections.abc import Callable

from brython_oidc.testing.live_server import BackgroundServer, free_port

from .app import create_app
from .provider import Provider

__all__ = ["BackgroundServer", "RunningProvider"]


class RunningProvider(BackgroundServer):
    """A ``Provider`` served on a free loopback port; its issuer is the served URL."""

    def __init__(
        self, *, port: int | None = None, provider_factory: Callable[[str], Provider] | None = None
    ) -> None:
        port = port or free_port()
        issuer = f"http://127.0.0.1:{port}"
        self.provider = (provider_factory or (lambda iss: Provider(iss)))(issuer)
        super().__init__(create_app(self.provider), port=port)
