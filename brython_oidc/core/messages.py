"""The cross-tab message schema (BroadcastChannel), versioned and validated per kind.

Tabs of one app talk over a channel named by issuer and client_id
(``browser/keys.py`` ``channel_name``). Every message
carries ``v`` (the schema version), ``kind``, ``sender`` (a tab id) and ``payload``.
Decoding never raises: a message from another version, of an unknown kind,
malformed or oversized is dropped and counted, so an old tab and a new tab of the
same app cannot crash each other. Runs in Brython.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

SCHEMA_VERSION = 1

#: Largest encoded message accepted (characters of JSON, or of string content).
MAX_MESSAGE_LENGTH = 64 * 1024

_MAX_SENDER = 128
_NUMBER = "number"

# Per kind: field -> (type, required). "number" is int or float, never bool.
_TOKENS: dict[str, tuple[object, bool]] = {
    "access_token": (str, True),
    "token_type": (str, True),
    "expires_at": (_NUMBER, True),
    "id_token": (str, False),
    "refresh_token": (str, False),
    "scope": (str, False),
    "received_at": (_NUMBER, False),
    "claims": (dict, False),
    # Which renewal these tokens came from (a counter, clock-independent).
    "renewal": (_NUMBER, False),
}
_SCHEMAS: dict[str, dict[str, tuple[object, bool]]] = {
    "login": {"sub": (str, True)},
    "logout": {"reason": (str, False)},
    "tokens": _TOKENS,
    "activity": {"at": (_NUMBER, True)},
    "session_request": {"request_id": (str, True)},
    "session_response": {"request_id": (str, True), "tokens": (_TOKENS, True)},
    "renew_start": {"started_at": (_NUMBER, True)},
    "renew_done": {"ok": (bool, True), "error": (str, False)},
}

#: The message kinds this schema version knows.
KINDS = tuple(_SCHEMAS)

# Kinds whose payload holds tokens: their repr is redacted.
_SECRET_KINDS = ("tokens", "session_response")


class Message:
    """One decoded, validated cross-tab message."""

    __slots__ = ("kind", "payload", "sender", "v")

    def __init__(self, kind: str, sender: str, payload: dict[str, object]) -> None:
        self.v = SCHEMA_VERSION
        self.kind = kind
        self.sender = sender
        self.payload = payload

    def __repr__(self) -> str:
        shown = "<redacted>" if self.kind in _SECRET_KINDS else repr(self.payload)
        return f"Message(kind={self.kind!r}, sender={self.sender!r}, payload={shown})"


class IgnoredMessages:
    """How many messages were dropped, by reason (for diagnostics and tests)."""

    __slots__ = ("counts",)

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def add(self, reason: str) -> None:
        self.counts[reason] = self.counts.get(reason, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())


#: The default counter ``decode_message`` adds to.
ignored_messages = IgnoredMessages()


def _type_ok(value: object, kind: object) -> bool:
    if kind == _NUMBER:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(kind, dict):
        return isinstance(value, dict) and _payload_problem(value, kind) is None
    return isinstance(value, kind)  # type: ignore[arg-type]


def _payload_problem(
    payload: Mapping[str, object], schema: Mapping[str, tuple[object, bool]]
) -> str | None:
    """The first field that is wrong, or ``None``. Unknown fields are not checked."""
    for name, (kind, required) in schema.items():
        if name not in payload:
            if required:
                return name
            continue
        if not _type_ok(payload[name], kind):
            return name
    return None


def _known_fields(
    payload: Mapping[str, object], schema: Mapping[str, tuple[object, bool]]
) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, (kind, _required) in schema.items():
        if name in payload:
            value = payload[name]
            out[name] = _known_fields(value, kind) if isinstance(kind, dict) else value  # type: ignore[arg-type]
    return out


def _size(value: object, depth: int = 0) -> int:
    """A rough character count of a decoded message, to refuse oversized ones."""
    if depth > 8:
        raise ValueError("nested too deeply")
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(len(str(k)) + _size(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return sum(_size(v, depth + 1) for v in value)
    return 8


def encode_message(kind: str, sender: str, payload: Mapping[str, object]) -> dict[str, object]:
    """The message to post. ``ValueError`` names the wrong field (a programming error)."""
    schema = _SCHEMAS.get(kind)
    if schema is None:
        raise ValueError(f"unknown message kind {kind!r}")
    if not isinstance(sender, str) or not sender or len(sender) > _MAX_SENDER:
        raise ValueError("sender must be a tab id of 1 to 128 characters")
    unknown = [name for name in payload if name not in schema]
    if unknown:
        raise ValueError(f"{kind} message: unknown fields {sorted(unknown)}")
    problem = _payload_problem(payload, schema)
    if problem is not None:
        raise ValueError(f"{kind} message: field {problem!r} is missing or of the wrong type")
    return {"v": SCHEMA_VERSION, "kind": kind, "sender": sender, "payload": dict(payload)}


def decode_message(
    data: object,
    *,
    parse_json: Callable[[str], object] | None = None,
    counter: IgnoredMessages | None = None,
    max_length: int = MAX_MESSAGE_LENGTH,
) -> Message | None:
    """The validated message, or ``None`` (counted in ``counter``) if it must be ignored.

    ``data`` is the posted dict, or its JSON text when ``parse_json`` is given.
    Unknown payload fields are dropped (a newer minor sender may add some).
    """
    if counter is None:
        counter = ignored_messages
    try:
        reason, message = _decode(data, parse_json, max_length)
    except Exception:
        reason, message = "malformed", None
    if message is None:
        counter.add(reason)
    return message


def _decode(
    data: object, parse_json: Callable[[str], object] | None, max_length: int
) -> tuple[str, Message | None]:
    if isinstance(data, str):
        if len(data) > max_length:
            return "oversize", None
        if parse_json is None:
            return "malformed", None
        data = parse_json(data)
    if not isinstance(data, dict):
        return "malformed", None
    if _size(data) > max_length:
        return "oversize", None
    if data.get("v") != SCHEMA_VERSION or isinstance(data.get("v"), bool):
        return "version", None
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in _SCHEMAS:
        return "kind", None
    schema = _SCHEMAS[kind]
    sender = data.get("sender")
    payload = data.get("payload")
    if not isinstance(sender, str) or not sender or len(sender) > _MAX_SENDER:
        return "malformed", None
    if not isinstance(payload, dict) or _payload_problem(payload, schema) is not None:
        return "malformed", None
    return "", Message(kind, sender, _known_fields(payload, schema))
