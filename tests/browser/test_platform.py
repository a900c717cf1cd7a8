"""browser/ platform modules, run in Chromium."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote_plus, urlencode, urlsplit

import pytest

# RFC 7636 Appendix B.
PKCE_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_every_core_module_runs_in_brython(run_page: Any) -> None:
    # Issue 2: the same core/ modules load in the page, and PKCE gives RFC 7636's vector.
    from pathlib import Path

    core = Path(__file__).resolve().parents[2] / "brython_oidc" / "core"
    expected = sorted(
        f"brython_oidc.core.{p.stem}" for p in core.glob("*.py") if p.stem != "__init__"
    )
    out = run_page("core_modules")
    assert sorted(out["imported"]) == expected
    assert out["verifier"] == "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert out["challenge"] == PKCE_CHALLENGE
    # core.urls in Brython against CPython's urllib (RFC 3986 §2.1; form encoding).
    assert out["quoted"] == [quote(text, safe="") for text in URL_SAMPLES]
    assert out["form"] == urlencode([("k", text) for text in URL_SAMPLES])
    assert out["unquoted"] == [unquote_plus(text, errors="replace") for text in UNQUOTE_SAMPLES]
    assert out["split"] == [list(urlsplit(text)) for text in SPLIT_SAMPLES]


#: The samples of pages/core_modules.py.
URL_SAMPLES = ("http://localhost:8000/cb?x=1&y=2", "a%b c+d", "\u00e9\u2603%2F", "%%%", "-._~")
UNQUOTE_SAMPLES = ("http%3A%2F%2F127.0.0.1%3A8001", "%C3%A9+%E2%98%83", "%FF%C3x", "%%4%zz\u00e9")
SPLIT_SAMPLES = (
    "HTTPS://Example.com:443/a/b?x=1#f", "http://u@h:1", "//h/p/", "/p?q#", "a+b.c:rest",
    "1a:x", "http://h#x?y", "http:", "\u00e9://h/\u2603",
)  # fmt: skip


def test_platform_basics(run_page: Any) -> None:
    out = run_page("platform_basics")
    assert out["parsed"] == {"a": [1, 2.5, "x", None, True, {"b": {}}], "n": -3}
    assert out["types"] == ["int", "float", "str", "NoneType", "bool", "dict"]
    assert out["bad_json"] == "invalid JSON"
    assert out["dumps"] == '{"k":[1,"two",null,false],"t":[1,2]}'
    assert out["random"] == [32, True, "bytes"]
    assert out["challenge"] == PKCE_CHALLENGE
    assert out["roundtrip"] == list(range(256))
    assert out["after_purge"] == [True, False]
    assert out["taken"] == {"state": "s1", "created_at": 1000}
    assert out["taken_again"] is None
    assert out["used"] == [True, False]
    assert out["hint"] == [True, "1234", 66]
    assert out["hint_cleared"] == [False, None]
    assert out["hint_garbled"] == [True, None]


def test_http_form_post_timeout_and_unreachable(run_page: Any) -> None:
    out = run_page("platform_http")
    status, echoed, content_type = out["echo"]
    assert status == 200 and content_type == "application/json"
    assert echoed["method"] == "POST" and echoed["body"] == "a=1&b=two"
    assert echoed["content_type"] == "application/x-www-form-urlencoded"
    assert out["slow"] == ["RequestTimeout", "jwks_uri", 0.3, True]
    name, endpoint, looks_down, message = out["down"]
    assert (name, endpoint, looks_down) == ("TransportError", "discovery", True)
    assert message.startswith("discovery: network error")


def test_signature_contract_vectors_in_webcrypto(
    driver: Any, page_server: Any, run_page: Any
) -> None:
    vectors_module = pytest.importorskip("tests.contract.vectors")
    vectors = vectors_module.make_vectors()
    driver.get(f"{page_server.origin}/run/smoke")
    driver.execute_script(
        "sessionStorage.setItem('signature-vectors', arguments[0])",
        vectors_module.vectors_as_json(vectors),
    )
    got = dict(map(tuple, run_page("signature_vectors")))
    driver.execute_script("sessionStorage.clear()")
    expected = {v.name: v.expected for v in vectors}
    assert got == expected
    assert any(expected.values()) and not all(expected.values())


def test_browser_codecs_match_core(run_page: Any) -> None:
    out = run_page("codec_vectors")
    for text, core, browser in out["decoded"]:
        assert browser == core, f"base64url {text!r}: core {core!r}, browser {browser!r}"
    refused = [text for text, core, _ in out["decoded"] if core == "ValueError"]
    assert len(refused) == out["invalid_count"]  # every invalid vector is refused by both
    expected = '{"s":"q\\"\\\\\\n\u00e9","n":null,"b":[true,false],"i":-3,"f":2.5,"t":[1,2],'
    # Past 2**53 the number is JavaScript's double, as JSON.parse would read it anyway.
    expected += '"d":{"x":{}},"big":1152921504606847000}'
    assert out["dumps"] == expected
    assert out["native"] == [expected, True, "null"]
    assert out["errors"] == ["ValueError", "ValueError", "TypeError"]
    # webcrypto.to_uint8 / from_buffer carry bytes as latin-1 text: every byte value,
    # both ways, checked against arrays built and read by JavaScript alone.
    assert out["typed_arrays"] == {
        "latin1_decode": True,
        "latin1_encode": True,
        "to_uint8": ",".join(str(i) for i in range(256)),
        "to_uint8_big": True,
        "to_uint8_empty": 0,
        "to_uint8_type": "[object Uint8Array]",
        "from_typed": list(range(256)),
        "from_buffer": list(range(256)),
        "from_big": True,
        "from_sub": list(range(250, 256)),
        "from_empty": "b''",
        "round_trip": True,
    }
