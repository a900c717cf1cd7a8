"""A deadline for reading a request's head: slow clients cannot hold connections forever.

uvicorn (0.55) has no header-read timeout: ``timeout_keep_alive`` runs only between
requests, and every byte received cancels it, so a client that sends a request head
one byte at a time (slowloris), or connects and sends nothing, keeps its connection
and file descriptor as long as it likes. Measured before this module: with a low
descriptor limit, 300 such connections blocked every normal request until they
closed. ``HeaderTimeoutH11Protocol`` closes a connection whose request line and
headers are not complete ``HEADER_TIMEOUT`` seconds after it opened (or after its
previous response), as nginx's ``client_header_timeout`` does.

What it leaves to a production proxy: slow bodies (the demo API caps its bodies at
4 KB and reads them under that cap), many fast connections from one address (rate
limits), and TLS.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

#: Seconds to receive a whole request head; nginx's client_header_timeout is 60 s, but
#: a page on loopback or a LAN sends its head in milliseconds.
HEADER_TIMEOUT = 10.0

#: Seconds an idle keep-alive connection stays open (uvicorn's default, said here).
KEEP_ALIVE_TIMEOUT = 5

#: The largest request head h11 buffers (uvicorn's default, 16 KB; the app answers 414
#: to targets over 2 KB, ``app.MAX_PATH_LENGTH``).
MAX_HEAD_BYTES = 16 * 1024


class HeaderTimeoutH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on each request head."""

    header_timeout = HEADER_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer: asyncio.TimerHandle | None = None
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm_head_timer()  # the head is complete: the app has the request

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm_head_timer()  # keep-alive: the next head has the same deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)

    def _arm_head_timer(self) -> None:
        self._disarm_head_timer()
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _disarm_head_timer(self) -> None:
        timer = getattr(self, "_head_timer", None)
        if timer is not None:
            timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def uvicorn_options(header_timeout: float = HEADER_TIMEOUT) -> dict[str, Any]:
    """``uvicorn.run`` / ``uvicorn.Config`` keyword arguments for every server we run."""
    protocol: type[HeaderTimeoutH11Protocol] = HeaderTimeoutH11Protocol
    if header_timeout != HEADER_TIMEOUT:
        protocol = type(
            "HeaderTimeoutH11Protocol", (HeaderTimeoutH11Protocol,),
            {"header_timeout": header_timeout},
        )  # fmt: skip
    return {
        "http": protocol,
        "timeout_keep_alive": KEEP_ALIVE_TIMEOUT,
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
    }
