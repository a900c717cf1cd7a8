from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brython_oidc.core.messages import (
    KINDS,
    SCHEMA_VERSION,
    IgnoredMessages,
    Message,
    decode_message,
    encode_message,
    ignored_messages,
)

TOKENS = {
    "access_token": "at-SECRET",
    "token_type": "Bearer",
    "expires_at": 1_800_000_300.0,
    "id_token": "idt-SECRET",
    "refresh_token": "rt-SECRET",
}

GOOD_PAYLOADS: dict[str, dict[str, object]] = {
    "login": {"sub": "alice"},
    "logout": {},
    "tokens": TOKENS,
    "activity": {"at": 1_800_000_000},
    "session_request": {"request_id": "r1"},
    "session_response": {"request_id": "r1", "tokens": TOKENS},
    "renew_start": {"started_at": 1_800_000_000.5},
    "renew_done": {"ok": False, "error": "invalid_grant"},
}


def test_every_kind_has_a_good_payload_here() -> None:
    assert set(GOOD_PAYLOADS) == set(KINDS)
    assert set(KINDS) == {
        "login", "logout", "tokens", "activity", "session_request",
        "session_response", "renew_start", "renew_done",
    }  # fmt: skip


# --- encode / decode ------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_round_trip_every_kind_as_dict_and_json(kind: str) -> None:
    data = encode_message(kind, "tab-1", GOOD_PAYLOADS[kind])
    assert data == {"v": SCHEMA_VERSION, "kind": kind, "sender": "tab-1",
                    "payload": GOOD_PAYLOADS[kind]}  # fmt: skip
    for wire in (data, json.dumps(data)):
        message = decode_message(wire, parse_json=json.loads, counter=IgnoredMessages())
        assert isinstance(message, Message)
        assert (message.v, message.kind, message.sender) == (1, kind, "tab-1")
        assert message.payload == GOOD_PAYLOADS[kind]


def test_token_messages_are_redacted_in_repr() -> None:
    for kind in ("tokens", "session_response"):
        message = decode_message(encode_message(kind, "tab-1", GOOD_PAYLOADS[kind]))
        assert "SECRET" not in repr(message)
        assert "redacted" in repr(message)
    login = decode_message(encode_message("login", "tab-1", {"sub": "alice"}))
    assert "alice" in repr(login)


def test_unknown_payload_fields_are_dropped_on_decode() -> None:
    data = encode_message("session_response", "t", GOOD_PAYLOADS["session_response"])
    data["payload"] = {**GOOD_PAYLOADS["session_response"], "extra": 1,
                       "tokens": {**TOKENS, "future_field": "x"}}  # fmt: skip
    message = decode_message(data)
    assert message is not None
    assert "extra" not in message.payload
    assert message.payload["tokens"] == TOKENS


@pytest.mark.parametrize("kind", ["tokens", "session_response"])
def test_the_renewal_counter_crosses_tabs_with_the_tokens(kind: str) -> None:
    # browser.renewal compares it with the counter in localStorage ("renewed
    # elsewhere?"): it must survive decoding, which drops unknown fields.
    tokens = {**TOKENS, "renewal": 3}
    payload = tokens if kind == "tokens" else {"request_id": "r", "tokens": tokens}
    message = decode_message(encode_message(kind, "t", payload))
    assert message is not None
    got = message.payload if kind == "tokens" else message.payload["tokens"]
    assert got["renewal"] == 3  # type: ignore[index]


@pytest.mark.parametrize(
    ("kind", "sender", "payload", "words"),
    [
        ("hello", "t", {}, "unknown message kind"),
        ("login", "", {"sub": "a"}, "sender"),
        ("login", "x" * 129, {"sub": "a"}, "sender"),
        ("login", 5, {"sub": "a"}, "sender"),
        ("login", "t", {"sub": "a", "extra": 1}, "unknown fields"),
        ("login", "t", {}, "'sub'"),
        ("activity", "t", {"at": "now"}, "'at'"),
        ("activity", "t", {"at": True}, "'at'"),
        ("renew_done", "t", {"ok": 1}, "'ok'"),
        ("tokens", "t", {**TOKENS, "expires_at": None}, "'expires_at'"),
        ("tokens", "t", {**TOKENS, "renewal": "3"}, "'renewal'"),
        ("session_response", "t", {"request_id": "r", "tokens": {}}, "'tokens'"),
        ("session_response", "t", {"request_id": "r", "tokens": "x"}, "'tokens'"),
    ],
)
def test_encode_refuses_a_wrong_message(
    kind: str, sender: object, payload: dict[str, object], words: str
) -> None:
    with pytest.raises(ValueError, match=words) as exc:
        encode_message(kind, sender, payload)  # type: ignore[arg-type]
    assert "SECRET" not in str(exc.value)


def good_wire(kind: str = "login") -> dict[str, object]:
    return encode_message(kind, "tab-1", GOOD_PAYLOADS[kind])


class Boom:
    def __eq__(self, other: object) -> bool:
        raise RuntimeError("hostile")

    __hash__ = None  # type: ignore[assignment]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({**good_wire(), "v": 2}, "version"),
        ({**good_wire(), "v": 0}, "version"),
        ({**good_wire(), "v": "1"}, "version"),
        ({**good_wire(), "v": True}, "version"),
        ({k: v for k, v in good_wire().items() if k != "v"}, "version"),
        ({**good_wire(), "kind": "hello"}, "kind"),
        ({**good_wire(), "kind": None}, "kind"),
        ({**good_wire(), "kind": ["login"]}, "kind"),
        ({**good_wire(), "sender": ""}, "malformed"),
        ({**good_wire(), "sender": 3}, "malformed"),
        ({**good_wire(), "payload": None}, "malformed"),
        ({**good_wire(), "payload": {"sub": 1}}, "malformed"),
        ({**good_wire("tokens"), "payload": {"access_token": "x"}}, "malformed"),
        (None, "malformed"),
        ([1, 2], "malformed"),
        (42, "malformed"),
        ("{not json", "malformed"),
        ("[1]", "malformed"),
        ({**good_wire(), "v": Boom()}, "malformed"),
        ({**good_wire(), "payload": {"sub": "x" * 70_000}}, "oversize"),
        ("x" * 70_000, "oversize"),
        ({"v": 1, "deep": [[[[[[[[[[[["x"]]]]]]]]]]]]}, "malformed"),
    ],
)
def test_decode_drops_and_counts_never_raises(data: object, reason: str) -> None:
    counter = IgnoredMessages()
    assert decode_message(data, parse_json=json.loads, counter=counter) is None
    assert counter.counts == {reason: 1}
    assert counter.total == 1


def test_a_json_string_without_parse_json_is_malformed() -> None:
    counter = IgnoredMessages()
    assert decode_message(json.dumps(good_wire()), counter=counter) is None
    assert counter.counts == {"malformed": 1}


def test_the_default_counter_counts() -> None:
    before = ignored_messages.total
    assert decode_message({"v": 99}) is None
    assert decode_message({"v": 1, "kind": "nope"}) is None
    assert ignored_messages.total == before + 2


def test_good_messages_are_not_counted() -> None:
    counter = IgnoredMessages()
    assert decode_message(good_wire(), counter=counter) is not None
    assert counter.total == 0


def test_max_length_is_configurable() -> None:
    counter = IgnoredMessages()
    assert decode_message(good_wire(), counter=counter, max_length=5) is None
    assert counter.counts == {"oversize": 1}


@given(st.recursive(
    st.none() | st.booleans() | st.floats() | st.text(max_size=5) | st.integers(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                               max_size=4),
    max_leaves=20,
))  # fmt: skip
def test_arbitrary_json_never_raises(data: object) -> None:
    counter = IgnoredMessages()
    result = decode_message(data, counter=counter)
    assert (result is None) == (counter.total == 1)
