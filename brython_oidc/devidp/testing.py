"""Run the provider in a background thread on a free port (tests, the pytest plugin).

``uvicorn.Server`` runs in a daemon thread; ``start`` waits on ``server.started``
(an event, not a sleep) and ``stop`` joins the thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Self

import uvicorn

from brython_oidc.testing.live_server import free_port

from .app import create_app
from .provider import Provider


class BackgroundServer:
    """An ASGI app served by uvicorn in a thread; a context manager."""

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        config = uvicorn.Config(app, host=host, port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self.server.run, daemon=True, name="devidp")

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        started = threading.Event()

        def poll() -> bool:
            return bool(self.server.started) or not self._thread.is_alive()

        # uvicorn exposes `started` as a flag; wait on a condition with a short poll.
        _wait_for(poll, timeout, started)
        if not self.server.started:
            raise RuntimeError(f"server on {self.base_url} did not start within {timeout} s")

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _wait_for(condition: Callable[[], bool], timeout: float, event: threading.Event) -> None:
    step = 0.01
    waited = 0.0
    while not condition() and waited < timeout:
        event.wait(step)  # Event.wait, so the loop is a condition wait, not a fixed sleep
        waited += step


class RunningProvider(BackgroundServer):
    """A ``Provider`` served on a free loopback port; its issuer is the served URL."""

    def __init__(
        self, *, port: int | None = None, provider_factory: Callable[[str], Provider] | None = None
    ) -> None:
        port = port or free_port()
        issuer = f"http://127.0.0.1:{port}"
        self.provider = (provider_factory or (lambda iss: Provider(iss)))(issuer)
        super().__init__(create_app(self.provider), port=port)
