"""Cross-tab messages over BroadcastChannel (DESIGN: cross-tab sync).

The channel is namespaced by issuer and client_id and carries core.messages'
versioned schema as JSON text; a message this tab sent is never handled by it.
BroadcastChannel is same-origin and in memory: the one place tokens may travel
between tabs (new tokens, session_response), never to storage.
"""

from __future__ import annotations

from browser import window

from brython_oidc.core.messages import decode_message, encode_message

from . import keys
from .jsjson import dumps, parse_json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from brython_oidc.core.messages import Message


class Channel:
    """One tab's end of the app's channel; ``available`` is False without BroadcastChannel."""

    def __init__(self, issuer: str, client_id: str, tab_id: str) -> None:
        self.tab_id = tab_id
        self.handlers: list[Callable[[Message], None]] = []
        self.name = keys.channel_name(keys.namespace(issuer, client_id))
        self.available = bool(getattr(window, "BroadcastChannel", None))
        self._bc = window.BroadcastChannel.new(self.name) if self.available else None
        if self._bc is not None:
            self._bc.onmessage = self._on_message

    def post(self, kind: str, payload: dict[str, object] | None = None) -> None:
        if self._bc is not None:
            self._bc.postMessage(dumps(encode_message(kind, self.tab_id, payload or {})))

    def subscribe(self, handler: Callable[[Message], None]) -> None:
        self.handlers.append(handler)

    def close(self) -> None:
        if self._bc is not None:
            self._bc.close()
            self._bc = None

    def _on_message(self, event: Any) -> None:
        data = event.data
        if not isinstance(data, str):
            return
        # decode_message validates the schema and counts what it drops.
        message = decode_message(data, parse_json=parse_json)
        if message is None or message.sender == self.tab_id:
            return
        for handler in list(self.handlers):
            handler(message)
