"""Run an ASGI app with uvicorn in a background thread on a free loopback port.

For browser tests: the server is up (``server.started``) before the context yields,
and shut down cleanly on exit. Loopback only, by construction.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Self

import uvicorn


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """``count`` different free ports: each probe stays bound until all are picked.

    Two calls of ``free_port`` in a row may return the same port.
    """
    probes = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for probe in probes:
            probe.bind((host, 0))
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


class BackgroundServer:
    """An ASGI app served by uvicorn in a daemon thread; a context manager.

    ``start`` returns once the socket listens; ``stop`` asks uvicorn to exit and
    joins the thread.
    """

    def __init__(
        self,
        app: Any,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        startup_timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.startup_timeout = startup_timeout
        config = uvicorn.Config(app, host=host, port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self.server.run, name=f"uvicorn-{self.port}", daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + self.startup_timeout
        # uvicorn offers no event to wait on; server.started flips once the socket listens.
        while not self.server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"uvicorn on {self.host}:{self.port} exited during start-up")
            if time.monotonic() > deadline:
                self.server.should_exit = True
                raise TimeoutError(
                    f"uvicorn on {self.host}:{self.port} not started in {self.startup_timeout:g} s"
                )
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def serve_in_thread(
    app: Any, *, host: str = "127.0.0.1", port: int | None = None, startup_timeout: float = 10.0
) -> Iterator[int]:
    """Serve ``app`` until the block ends; yields the port."""
    with BackgroundServer(app, host=host, port=port, startup_timeout=startup_timeout) as server:
        yield server.port
