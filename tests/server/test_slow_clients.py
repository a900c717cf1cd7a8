"""Header-read deadline (issue 24 "no header-read timeout"), with real slow sockets on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from brython_oidc.server.slow_clients import uvicorn_options
from brython_oidc.testing.live_server import free_port

DEADLINE = 1.0


async def hello(request: Request) -> PlainTextResponse:
    return PlainTextResponse("hello")


def _serve(options: dict[str, Any]) -> Iterator[int]:
    port = free_port()
    app = Starlette(routes=[Route("/", hello)])
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", **options
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:  # uvicorn offers no event to wait on
        assert time.monotonic() < deadline
        time.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def guarded() -> Iterator[int]:
    yield from _serve(uvicorn_options(header_timeout=DEADLINE))


@pytest.fixture
def plain() -> Iterator[int]:
    yield from _serve({})


def _slow_client(port: int, trickle: float, seconds: float) -> float | None:
    """Send a request head one header line at a time; when the server closed, or None."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=trickle) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        while time.monotonic() - start < seconds:
            try:
                if sock.recv(1024) == b"":
                    return time.monotonic() - start
            except TimeoutError:
                pass
            except ConnectionError:  # closed while we were writing: a reset
                return time.monotonic() - start
            try:
                sock.sendall(b"X-Slow: 1\r\n")
            except OSError:
                return time.monotonic() - start
    return None


def test_slow_request_heads_are_cut_at_the_deadline(guarded: int) -> None:
    closed: list[float | None] = []
    threads = [
        threading.Thread(target=lambda: closed.append(_slow_client(guarded, 0.2, 4.0)))
        for _ in range(30)
    ]
    for thread in threads:
        thread.start()
    # Normal requests go through while 30 slow heads are open.
    started = time.monotonic()
    assert httpx.get(f"http://127.0.0.1:{guarded}/").text == "hello"
    assert time.monotonic() - started < 1.0
    for thread in threads:
        thread.join(10)
    assert len(closed) == 30
    assert all(t is not None and DEADLINE - 0.1 <= t < DEADLINE + 1.0 for t in closed), closed


def test_silent_connection_is_closed(guarded: int) -> None:
    with socket.create_connection(("127.0.0.1", guarded), timeout=DEADLINE + 2) as sock:
        start = time.monotonic()
        assert sock.recv(1024) == b""
        assert time.monotonic() - start < DEADLINE + 1.0


def test_a_whole_head_in_time_is_served_and_keep_alive_still_works(guarded: int) -> None:
    with httpx.Client(base_url=f"http://127.0.0.1:{guarded}") as client:
        assert client.get("/").text == "hello"
        assert client.get("/").text == "hello"  # same connection, new head in time


def test_plain_uvicorn_keeps_slow_heads_open(plain: int) -> None:
    # The control: without the protocol class the same client is never cut off.
    assert _slow_client(plain, 0.2, DEADLINE + 1.5) is None
