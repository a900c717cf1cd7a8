"""Fuzzing core/'s parsers of untrusted input with hypothesis.

Property for each: only the documented typed errors come out (never a KeyError,
TypeError, IndexError, RecursionError ...), and no secret from the input (a code,
a token, the token body) appears in what the error shows.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brython_oidc.core.authorization import (
    Transaction,
    callback_params,
    process_authorization_response,
)
from brython_oidc.core.b64 import b64url_encode
from brython_oidc.core.discovery import ProviderMetadata, process_discovery_response
from brython_oidc.core.errors import ErrorResponse, TransportError, ValidationError
from brython_oidc.core.jose import parse_compact_jws
from brython_oidc.core.messages import KINDS, IgnoredMessages, Message, decode_message
from brython_oidc.core.token import TokenSet, process_token_response
from brython_oidc.core.urls import parse_params

# Bounded so the whole suite stays fast (BRYTHON_OIDC_FUZZ_EXAMPLES=5000 for a deep run);
# no example database written into the repo.
FUZZ = settings(
    max_examples=int(os.environ.get("BRYTHON_OIDC_FUZZ_EXAMPLES", "200")),
    deadline=5000,  # generous: one example takes microseconds; CI machines are shared
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

ISSUER = "https://op.example.com"
NOW = 1_800_000_000.0

# Token-like secrets: long enough that finding one in an error is no coincidence.
secret = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~",
    min_size=20,
    max_size=60,
).map(lambda s: "SECRET" + s)

json_scalar = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
json_value = st.recursive(
    json_scalar,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
param_name = st.sampled_from(
    ["code", "state", "iss", "error", "error_description", "error_uri", "session_state", "x"]
) | st.text(max_size=8)
query_text = st.lists(
    st.tuples(param_name, st.text(max_size=20)).map(lambda kv: f"{kv[0]}={kv[1]}")
    | st.text(alphabet="%=&+?#abc0129FfÀ\x00", max_size=12),
    max_size=8,
).map("&".join)


def attempt(
    call: Callable[[], Any], *allowed: type[BaseException]
) -> tuple[Any, BaseException | None]:
    """``(result, None)`` or ``(None, error)`` for an allowed error; anything else propagates."""
    try:
        return call(), None
    except allowed as exc:
        return None, exc


def shown(error: BaseException) -> str:
    parts = [str(error), repr(error), repr(error.args)]
    for name in ("expected", "actual", "error_description", "error_uri", "error", "url"):
        parts.append(repr(getattr(error, name, None)))
    return "\n".join(parts)


def transaction() -> Transaction:
    return Transaction(
        state="the-state-value-0123456789",
        nonce="the-nonce-value-0123456789",
        code_verifier="v" * 43,
        redirect_uri="http://localhost:8000/",
        return_to="/",
        created_at=NOW - 10,
    )


def metadata(iss_supported: bool) -> ProviderMetadata:
    return ProviderMetadata(
        issuer=ISSUER,
        authorization_endpoint=ISSUER + "/authorize",
        token_endpoint=ISSUER + "/token",
        jwks_uri=ISSUER + "/jwks",
        authorization_response_iss_parameter_supported=iss_supported,
    )


# --- URLs and the authorization response -------------------------------------------


@FUZZ
@given(query_text)
def test_parse_params_raises_only_repeated_parameter(text: str) -> None:
    params, exc = attempt(lambda: parse_params(text), ValidationError)
    if exc is not None:
        assert getattr(exc, "check", None) == "repeated_parameter"
        return
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())


@FUZZ
@given(st.text(max_size=20), query_text, query_text, st.sampled_from(["query", "fragment"]))
def test_callback_params_returns_none_dict_or_validation_error(
    base: str, query: str, fragment: str, mode: str
) -> None:
    url = f"http://localhost:8000/{base}?{query}#{fragment}"
    params, exc = attempt(lambda: callback_params(url, mode), ValidationError)
    if exc is not None:
        assert getattr(exc, "check", None) == "repeated_parameter"
        return
    assert params is None or isinstance(params, dict)


@FUZZ
@given(
    params=st.dictionaries(param_name, st.text(max_size=30), max_size=6),
    code=secret,
    use_state=st.booleans(),
    use_iss=st.sampled_from(["right", "wrong", "absent"]),
    iss_supported=st.booleans(),
    age=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
)
def test_process_authorization_response_only_typed_errors(
    params: dict[str, str],
    code: str,
    use_state: bool,
    use_iss: str,
    iss_supported: bool,
    age: float,
) -> None:
    params = dict(params)
    params["code"] = code
    if use_state:
        params["state"] = transaction().state
    if use_iss == "right":
        params["iss"] = ISSUER
    elif use_iss == "wrong":
        params["iss"] = "https://evil.example"
    txn = transaction()
    txn.created_at = NOW - age
    result, exc = attempt(
        lambda: process_authorization_response(
            params, txn, metadata(iss_supported), now=NOW, ttl=900
        ),
        ValidationError,
        ErrorResponse,
    )
    if exc is not None:
        # The code is the one secret here; an error never shows it.
        assert code not in shown(exc)
        return
    assert result.code == code
    assert code not in repr(result)


# --- JWS ---------------------------------------------------------------------------


def _segment(value: Any) -> str:
    if isinstance(value, bytes):
        return b64url_encode(value)
    return b64url_encode(json.dumps(value).encode())


jws_header = st.fixed_dictionaries(
    {},
    optional={
        "alg": st.sampled_from(["RS256", "ES256", "PS256", "none", "HS256", "nOnE", "RS512"])
        | json_value,
        "kid": st.text(max_size=10) | json_value,
        "crit": st.lists(st.text(max_size=5), max_size=2) | json_value,
        "typ": st.just("JWT"),
    },
)
segment = (
    jws_header.map(_segment)
    | json_value.map(_segment)
    | st.binary(max_size=40).map(_segment)
    | st.text(alphabet="ABCxyz019-_=+/.", max_size=40)
)
compact = st.lists(segment, min_size=1, max_size=5).map(".".join) | st.text(max_size=80)


@FUZZ
@given(compact)
def test_parse_compact_jws_raises_only_validation_error(token: str) -> None:
    parsed, exc = attempt(
        lambda: parse_compact_jws(token, parse_json=json.loads, max_length=4096), ValidationError
    )
    if exc is not None:
        assert getattr(exc, "check", None) in ("jwt", "alg", "crit", "kid")
        if len(token) >= 16:
            assert token not in shown(exc)
        return
    assert parsed.header["alg"] in ("RS256", "ES256", "PS256")
    assert token not in repr(parsed)


# --- the token endpoint ------------------------------------------------------------

token_body = st.fixed_dictionaries(
    {},
    optional={
        "access_token": secret | json_value,
        "token_type": st.sampled_from(["Bearer", "bearer", "DPoP", "mac"]) | json_value,
        "expires_in": st.integers(-5, 10**6) | st.text(max_size=6) | json_value,
        "refresh_token": secret | json_value,
        "id_token": secret | json_value,
        "scope": st.text(max_size=12) | json_value,
        "error": st.sampled_from(["invalid_grant", "server_error", "x"]) | json_value,
        "error_description": st.text(max_size=20),
    },
)


@FUZZ
@given(
    status=st.sampled_from([200, 201, 204, 301, 400, 401, 403, 404, 500, 502, 503]),
    data=token_body,
    mangle=st.sampled_from(["none", "truncate", "html", "garbage", "array"]),
)
def test_process_token_response_only_typed_errors_and_no_secret(
    status: int, data: dict[str, Any], mangle: str
) -> None:
    body = json.dumps(data)
    if mangle == "truncate":
        body = body[: len(body) // 2]
    elif mangle == "html":
        body = "<html><p>" + body + "</p></html>"
    elif mangle == "garbage":
        body = body.replace("{", "(")
    elif mangle == "array":
        body = "[" + body + "]"
    # Only the generated secrets: a short json_value may equal error_description by chance.
    secrets = [v for v in data.values() if isinstance(v, str) and v.startswith("SECRET")]
    tokens, exc = attempt(
        lambda: process_token_response(status, body, parse_json=json.loads, now=NOW),
        ValidationError,
        ErrorResponse,
        TransportError,
    )
    if exc is not None:
        text = shown(exc)
        for value in secrets:
            assert value not in text
        if len(body) >= 16:
            assert body not in text
        return
    assert isinstance(tokens, TokenSet) and 200 <= status < 300
    for value in secrets:
        assert value not in repr(tokens)


@FUZZ
@given(st.text(max_size=200), st.integers(100, 599))
def test_process_token_response_on_any_text(body: str, status: int) -> None:
    tokens, exc = attempt(
        lambda: process_token_response(status, body, parse_json=json.loads, now=NOW),
        ValidationError,
        ErrorResponse,
        TransportError,
    )
    assert (tokens is None) != (exc is None)


# --- cross-tab messages ------------------------------------------------------------

message = st.fixed_dictionaries(
    {},
    optional={
        "v": st.sampled_from([1, 2, True, "1"]) | json_value,
        "kind": st.sampled_from(list(KINDS)) | json_value,
        "sender": st.text(max_size=10) | json_value,
        "payload": st.dictionaries(
            st.sampled_from(["sub", "access_token", "token_type", "expires_at", "ok", "at"])
            | st.text(max_size=6),
            json_value,
            max_size=5,
        )
        | json_value,
    },
)


@FUZZ
@given(message | json_value, st.booleans())
def test_decode_message_never_raises(data: Any, as_text: bool) -> None:
    counter = IgnoredMessages()
    if as_text:
        try:
            data = json.dumps(data)
        except ValueError:
            data = "{"
    result = decode_message(data, parse_json=json.loads, counter=counter)
    assert result is None or isinstance(result, Message)
    assert counter.total == (1 if result is None else 0)


# --- discovery ---------------------------------------------------------------------

endpoint = (
    st.sampled_from(
        [ISSUER + "/x", "http://127.0.0.1:9/x", "http://evil.example/x", "javascript:alert(1)", ""]
    )
    | json_value
)
discovery_doc = st.fixed_dictionaries(
    {"issuer": st.sampled_from([ISSUER, ISSUER + "/", "https://evil.example"]) | json_value},
    optional={
        "authorization_endpoint": endpoint,
        "token_endpoint": endpoint,
        "jwks_uri": endpoint,
        "userinfo_endpoint": endpoint,
        "end_session_endpoint": endpoint,
        "response_types_supported": st.lists(st.sampled_from(["code", "token"]), max_size=2)
        | json_value,
        "subject_types_supported": st.just(["public"]) | json_value,
        "id_token_signing_alg_values_supported": st.just(["RS256"]) | json_value,
        "code_challenge_methods_supported": st.lists(st.sampled_from(["S256", "plain"]))
        | json_value,
        "authorization_response_iss_parameter_supported": st.booleans() | json_value,
        "grant_types_supported": json_value,
    },
)


@FUZZ
@given(discovery_doc | json_value)
def test_process_discovery_response_only_validation_error(document: Any) -> None:
    result, exc = attempt(
        lambda: process_discovery_response(document, issuer=ISSUER, warn=lambda _msg: None),
        ValidationError,
    )
    assert exc is not None or result.issuer == ISSUER
