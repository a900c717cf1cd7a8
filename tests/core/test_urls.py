from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from brython_oidc.core.errors import ValidationError
from brython_oidc.core.urls import (
    add_params,
    form_urlencode,
    is_loopback_url,
    is_same_origin_path,
    parse_params,
    quote,
    split_once,
    split_url,
    unquote,
    url_host,
    url_origin,
    utf8_decode,
)

names = st.text(min_size=1, max_size=20)
param_dicts = st.dictionaries(names, st.text(max_size=40), max_size=8)


# --- quote / form_urlencode against the standard library -------------------------


@given(st.text(max_size=100))
def test_quote_matches_urllib(text: str) -> None:
    assert quote(text) == urllib.parse.quote(text, safe="")


def test_quote_keeps_only_unreserved_characters() -> None:
    assert quote("AZaz09-._~") == "AZaz09-._~"
    assert quote(" /?#&=+%é") == "%20%2F%3F%23%26%3D%2B%25%C3%A9"
    assert quote("a/b", safe="/") == "a/b"


def test_quote_every_ascii_character_with_and_without_safe() -> None:
    # The per-character memo is filled on demand: whatever was asked before (with or
    # without ``safe``), each answer must equal urllib's, twice over.
    ascii_text = "".join(chr(b) for b in range(128))
    for safe in ("", "/", "/ ", ""):
        for text in (ascii_text, ascii_text[::-1], "é" + ascii_text):
            assert quote(text, safe=safe) == urllib.parse.quote(text, safe=safe)
        for char in ascii_text:
            assert quote(char, safe=safe) == urllib.parse.quote(char, safe=safe)


def test_quote_memo_holds_ascii_only() -> None:
    from brython_oidc.core import urls

    quote("é€😀 " + "".join(chr(b) for b in range(128)))
    assert len(urls._QUOTED) <= 128
    assert all(char < "\x80" for char in urls._QUOTED)


@given(param_dicts)
def test_form_urlencode_matches_urllib(params: dict[str, str]) -> None:
    ref = urllib.parse.urlencode(params)  # quote_plus: the form encoding
    assert form_urlencode(params) == ref


def test_form_urlencode_space_is_plus_and_plus_is_encoded() -> None:
    assert form_urlencode({"scope": "openid profile", "x": "a+b"}) == "scope=openid+profile&x=a%2Bb"


def test_form_urlencode_accepts_pairs_and_keeps_order() -> None:
    assert form_urlencode([("b", "1"), ("a", "2")]) == "b=1&a=2"


@pytest.mark.parametrize("bad", [{"a": 1}, {1: "a"}, [("a", None)]])
def test_form_urlencode_refuses_non_strings(bad: object) -> None:
    with pytest.raises(TypeError, match="must map a str to a str"):
        form_urlencode(bad)  # type: ignore[arg-type]


# --- parse_params -----------------------------------------------------------------


@given(param_dicts)
def test_parse_params_round_trips_form_urlencode(params: dict[str, str]) -> None:
    assert parse_params(form_urlencode(params)) == params


@given(st.text(max_size=60))
def test_parse_params_decodes_like_urllib(text: str) -> None:
    try:
        expected = urllib.parse.parse_qsl(text, keep_blank_values=True, separator="&")
    except ValueError:
        return
    if len({k for k, _ in expected}) != len(expected):
        with pytest.raises(ValidationError):
            parse_params("?" + text)
        return
    assert parse_params("?" + text) == dict(expected)


def test_parse_params_strips_leading_marker_and_skips_empty_parts() -> None:
    assert parse_params("#a=1&&b") == {"a": "1", "b": ""}
    assert parse_params("?") == {}
    assert parse_params("") == {}


def test_parse_params_decodes_percent_and_plus() -> None:
    assert parse_params("a=%C3%A9+x%2B&c%3D=%") == {"a": "é x+", "c=": "%"}


def test_parse_params_keeps_malformed_escapes_and_replaces_bad_utf8() -> None:
    assert parse_params("a=%zz%4&b=%FF") == {"a": "%zz%4", "b": "\ufffd"}


def test_repeated_parameter_is_refused_without_its_value() -> None:
    # RFC 6749 §3.1: parameters MUST NOT be included more than once.
    with pytest.raises(ValidationError) as info:
        parse_params("code=secret1&state=s&code=secret2")
    assert info.value.check == "repeated_parameter"
    assert info.value.actual == "code"
    assert "secret" not in str(info.value)


def test_repeated_parameter_is_found_after_decoding() -> None:
    with pytest.raises(ValidationError):
        parse_params("state=a&st%61te=b")


def test_unquote_without_escapes_is_identity() -> None:
    assert unquote("a+b") == "a+b"
    assert unquote("a+b", plus=True) == "a b"
    assert unquote("é%20") == "é "


def test_unquote_every_escape_in_both_cases() -> None:
    for byte in range(256):
        for escape in (f"%{byte:02x}", f"%{byte:02X}", f"%{byte >> 4:x}{byte & 15:X}"):
            assert unquote(escape) == urllib.parse.unquote(escape, errors="replace")
            assert unquote("a" + escape + escape) == urllib.parse.unquote(
                "a" + escape + escape, errors="replace"
            )
    # Not two hex digits after "%": kept as written (URL Standard percent-decode).
    for text in ("%", "%4", "%g1", "%1g", "% 1", "%+1", "%_1", "%-1", "%\u0661\u0661"):
        assert unquote(text) == text


@given(st.text(alphabet="%aF09gé+ \u0661\U0001f600", max_size=30), st.booleans())
def test_unquote_matches_urllib(text: str, plus: bool) -> None:
    # Escapes of ASCII, of UTF-8 sequences (valid or not), and "%" without two hex
    # digits, mixed with non-ASCII text: the fast path and the byte path agree with it.
    expected = (urllib.parse.unquote_plus if plus else urllib.parse.unquote)(text, errors="replace")
    assert unquote(text, plus=plus) == expected


@given(st.binary(max_size=12), st.text(alphabet="a%é", max_size=4))
def test_unquote_of_quoted_bytes_matches_urllib(data: bytes, tail: str) -> None:
    text = "".join(f"%{byte:02X}" for byte in data) + tail
    assert unquote(text) == urllib.parse.unquote(text, errors="replace")


# --- split_url / url_origin / url_host ----------------------------------------------

schemes = st.sampled_from(["http", "https", "HTTPS", "web+x", "a.b-c"])
hosts = st.sampled_from(["example.com", "h:8080", "u:p@h", "[::1]:443", "127.0.0.1", ""])
paths = st.text(alphabet="abc/%:@.-", max_size=15).map(lambda p: "/" + p)
parts = st.text(alphabet="ab=&/?:@%+", max_size=15)


@given(schemes, hosts, paths, parts, parts)
def test_split_url_matches_urlsplit(
    scheme: str, host: str, path: str, query: str, fragment: str
) -> None:
    url = f"{scheme}://{host}{path}?{query}#{fragment}"
    assert split_url(url) == tuple(urllib.parse.urlsplit(url))


@pytest.mark.parametrize(
    "url",
    ["/path?q=1#f", "path/x", "mailto:a@b", "//host/p", "https://h", "1http://x", "", "#f"],
)
def test_split_url_examples_match_urlsplit(url: str) -> None:
    assert split_url(url) == tuple(urllib.parse.urlsplit(url))


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://Example.COM/a?b#c", "https://example.com"),
        ("https://example.com:443/", "https://example.com"),
        ("http://example.com:80", "http://example.com"),
        ("http://localhost:8000/", "http://localhost:8000"),
        ("HTTPS://user:pw@h:8443", "https://h:8443"),
        ("https://[::1]:8443/x", "https://[::1]:8443"),
        ("https://h:0443", "https://h"),
    ],
)
def test_url_origin(url: str, origin: str) -> None:
    assert url_origin(url) == origin


@pytest.mark.parametrize(
    "url",
    ["/relative", "ftp://h/", "javascript:alert(1)", "https://", "https://h:x/", "https://[::1"],
)
def test_url_origin_refuses_non_http_urls(url: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        url_origin(url)


def test_url_origin_refuses_garbage_after_ipv6_host() -> None:
    with pytest.raises(ValueError, match="after the IPv6 host"):
        url_origin("https://[::1]x/")


def test_url_host_and_loopback() -> None:
    assert url_host("http://LOCALHOST:8000/") == "localhost"
    assert url_host("http://[::1]:8000/") == "[::1]"
    assert is_loopback_url("http://127.0.0.1:9/")
    assert is_loopback_url("http://[::1]/")
    assert not is_loopback_url("http://127.0.0.1.evil.com/")
    assert not is_loopback_url("http://localhost@evil.com/")
    assert not is_loopback_url("http://[::1/")


# --- add_params --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://h/auth", "https://h/auth?a=1+2"),
        ("https://h/auth?x=y", "https://h/auth?x=y&a=1+2"),
        ("https://h/auth?", "https://h/auth?a=1+2"),
        ("https://h/auth?x=y&", "https://h/auth?x=y&a=1+2"),
        ("https://h/auth#frag", "https://h/auth?a=1+2#frag"),
    ],
)
def test_add_params(url: str, expected: str) -> None:
    assert add_params(url, {"a": "1 2"}) == expected


def test_add_params_with_nothing_leaves_the_url() -> None:
    assert add_params("https://h/a?b#c", {}) == "https://h/a?b#c"


@given(param_dicts)
def test_add_params_round_trips(params: dict[str, str]) -> None:
    assume("keep" not in params)
    url = add_params("https://h/p?keep=1#frag", params)
    parsed = urllib.parse.urlsplit(url)
    assert parsed.fragment == "frag"
    assert dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)) == {
        "keep": "1",
        **params,
    }


# --- is_same_origin_path -----------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/a/b?c=d#e", "/%2F%2Fevil", "/ü", "/a:b", "/a//b"])
def test_same_origin_paths_are_accepted(path: str) -> None:
    assert is_same_origin_path(path)


@pytest.mark.parametrize(
    "path",
    [
        "//evil.com",
        "/\\evil.com",
        "\\/evil.com",
        "/a\\b",
        "http://evil.com/",
        "https:/evil.com",
        "javascript:alert(1)",
        "evil.com",
        "",
        " /a",
        "/\t/evil.com",
        "/\n/evil.com",
        "/\r/x",
        "/\x00",
        "/\x7f",
        "///evil.com",
        None,
        b"/bytes",
    ],
)
def test_other_paths_are_refused(path: object) -> None:
    assert not is_same_origin_path(path)


@given(st.text(max_size=30))
def test_an_accepted_path_never_leaves_the_origin(path: str) -> None:
    if is_same_origin_path(path):
        base = "https://app.example/"
        cleaned = path.replace("\t", "").replace("\n", "").replace("\r", "")
        joined = urllib.parse.urljoin(base, cleaned)
        assert urllib.parse.urlsplit(joined).netloc == "app.example"


@given(st.binary(max_size=40))
def test_utf8_decode_matches_cpython_replace(data: bytes) -> None:
    assert utf8_decode(data) == data.decode("utf-8", "replace")


@given(st.text(max_size=40))
def test_utf8_decode_round_trips_text(text: str) -> None:
    assert utf8_decode(text.encode("utf-8")) == text


@pytest.mark.parametrize(
    "data",
    [
        b"\xff",
        b"\xc3",
        b"\xe0\x80\x80",
        b"\xed\xa0\x80",
        b"\xf4\x90\x80\x80",
        b"\xf0\x9f\x98",
        b"a\xc3(b",
    ],
)
def test_utf8_decode_invalid_sequences(data: bytes) -> None:
    assert utf8_decode(data) == data.decode("utf-8", "replace")
    assert "\ufffd" in utf8_decode(data)


def test_split_url_memo_is_bounded_and_answers_the_same() -> None:
    from brython_oidc.core import urls

    first = urls.split_url("https://op.example/a?b#c")
    for i in range(3 * urls._SPLIT_CACHE_SIZE):
        assert urls.split_url(f"https://op{i}.example/") == ("https", f"op{i}.example", "/", "", "")
    assert len(urls._SPLIT_CACHE) <= urls._SPLIT_CACHE_SIZE
    assert (
        urls.split_url("https://op.example/a?b#c")
        == first
        == ("https", "op.example", "/a", "b", "c")
    )


@given(st.text(max_size=30), st.sampled_from(["#", "?", "=", ":", "%3A"]))
def test_split_once_is_partition_without_the_separator(text: str, sep: str) -> None:
    before, _, after = text.partition(sep)
    assert split_once(text, sep) == (before, after)
