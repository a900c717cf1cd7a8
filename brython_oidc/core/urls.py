"""URL building and parsing without ``urllib`` (which costs ~175 ms to import in Brython).

- ``quote``: RFC 3986 §2.1 percent-encoding of UTF-8, everything but the §2.3
  unreserved set.
- ``form_urlencode`` / ``parse_params``: ``application/x-www-form-urlencoded``
  (WHATWG URL Standard §5, as RFC 6749 Appendix B asks): space is ``+``.
- ``split_url`` / ``url_origin`` / ``url_host``: RFC 3986 §3 components.
- ``is_same_origin_path``: the only return paths the client honours.

Malformed input raises ``ValueError`` (callers turn it into the error their layer
owns), except a repeated parameter, which is a protocol violation:
``ValidationError`` (RFC 6749 §3.1).
"""

from __future__ import annotations

from brython_oidc.core.errors import ValidationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    Params = Mapping[str, str] | Iterable[tuple[str, str]]

_UNRESERVED_TEXT = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
_HEX = "0123456789ABCDEF"
_HEX_DIGITS = "0123456789abcdefABCDEF"


def _percent(byte: int) -> str:
    return "%" + _HEX[byte >> 4] + _HEX[byte & 15]


# Each ASCII character as quote() writes it, filled on first use: a table built at
# import cost ~3 ms of every page load in Brython, and few characters are ever needed.
_QUOTED: dict[str, str] = {}
_SCHEME_FIRST = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SCHEME_REST = _SCHEME_FIRST + "0123456789+-."
_DEFAULT_PORTS = {"http": "80", "https": "443"}
#: Hosts where plain http is tolerated (development on this machine only).
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def quote(text: str, safe: str = "") -> str:
    """Percent-encode ``text`` as UTF-8, keeping RFC 3986 §2.3 unreserved characters."""
    keep = _UNRESERVED_TEXT + safe if safe else _UNRESERVED_TEXT
    if not text.strip(keep):
        # Every character is kept (state, code, code_verifier...): nothing to encode.
        # str.strip runs natively in Brython; the loop below costs per character.
        return text
    # One native str.replace per distinct character to encode (a URL has a few). A
    # list, not set()/sorted(): each costs tens of µs in Brython (bench/brython_ops.py).
    todo: list[str] = []
    for char in text:
        if char not in keep and char not in todo:
            todo.append(char)
    if "%" in todo:
        text = text.replace("%", "%25")  # first: the other encodings add "%"
    for char in todo:
        if char != "%":
            text = text.replace(char, _QUOTED.get(char) or _quote_char(char))
    return text


def _quote_char(char: str) -> str:
    # Itself if unreserved, else each UTF-8 byte as %XX; only ASCII is remembered,
    # so the table stays at most 128 entries whatever text comes through.
    if char in _UNRESERVED_TEXT:
        quoted = char
    else:
        quoted = "".join(_percent(byte) for byte in char.encode("utf-8"))
    if char < "\x80":
        _QUOTED[char] = quoted
    return quoted


def _quote_plus(text: str) -> str:
    if not text.strip(_UNRESERVED_TEXT):
        return text  # most names and values: nothing to encode
    # URL Standard §5.2 serializer: space becomes "+", so "+" itself must be encoded.
    return quote(text, safe=" ").replace(" ", "+")


def _pairs(params: Params) -> list[tuple[str, str]]:
    items = params.items() if hasattr(params, "items") else params
    pairs = []
    for name, value in items:
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(f"form parameter {name!r} must map a str to a str")
        pairs.append((name, value))
    return pairs


def form_urlencode(params: Params) -> str:
    """Serialize ``params`` (a mapping or (name, value) pairs) as a form body / query."""
    body = ""  # concatenation: a generator in str.join costs more in Brython
    for name, value in _pairs(params):
        body += ("&" if body else "") + _quote_plus(name) + "=" + _quote_plus(value)
    return body


def unquote(text: str, *, plus: bool = False) -> str:
    """Decode percent-escapes as UTF-8 (``+`` as space when ``plus``).

    Like the URL Standard's percent-decode: a ``%`` not followed by two hex digits is
    kept literally, and invalid UTF-8 becomes U+FFFD instead of failing.
    """
    if plus:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    # One step per escape, not per character (a Python step costs in Brython): the
    # text between escapes is kept as it is while every escape is ASCII.
    parts = text.split("%")
    pieces = [parts[0]]
    for part in parts[1:]:
        head = part[:2]
        if len(head) == 2 and not head.strip(_HEX_DIGITS):  # two hex digits
            byte = int(head, 16)
            if byte > 0x7F:
                return _unquote_utf8(text)  # part of a UTF-8 sequence: byte by byte
            pieces.append(chr(byte))
            pieces.append(part[2:])
        else:
            pieces.append("%")
            pieces.append(part)
    return "".join(pieces)


def _unquote_utf8(text: str) -> str:
    out = bytearray()
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "%" and i + 2 < n and text[i + 1] in _HEX_DIGITS and text[i + 2] in _HEX_DIGITS:
            out.append(int(text[i + 1 : i + 3], 16))
            i += 3
            continue
        out.extend(ch.encode("utf-8"))
        i += 1
    return utf8_decode(bytes(out))


def utf8_decode(data: bytes) -> str:
    """UTF-8 to text, each invalid sequence becoming U+FFFD (WHATWG Encoding §8.1.1).

    Hand-written because Brython 3.15's ``bytes.decode`` ignores ``errors="replace"``
    and raises (measured in Chromium); the result equals CPython's
    ``data.decode("utf-8", "replace")`` (tested).
    """
    out = []
    needed = seen = code_point = 0
    lower, upper = 0x80, 0xBF
    i = 0
    n = len(data)
    while i < n:
        byte = data[i]
        if needed == 0:
            i += 1
            if byte <= 0x7F:
                out.append(chr(byte))
            elif 0xC2 <= byte <= 0xDF:
                needed, code_point = 1, byte & 0x1F
            elif 0xE0 <= byte <= 0xEF:
                lower = 0xA0 if byte == 0xE0 else 0x80
                upper = 0x9F if byte == 0xED else 0xBF
                needed, code_point = 2, byte & 0x0F
            elif 0xF0 <= byte <= 0xF4:
                lower = 0x90 if byte == 0xF0 else 0x80
                upper = 0x8F if byte == 0xF4 else 0xBF
                needed, code_point = 3, byte & 0x07
            else:
                out.append("\ufffd")
            continue
        if not lower <= byte <= upper:
            # The sequence is cut short: one U+FFFD, and this byte starts afresh.
            needed = seen = code_point = 0
            lower, upper = 0x80, 0xBF
            out.append("\ufffd")
            continue
        i += 1
        lower, upper = 0x80, 0xBF
        code_point = (code_point << 6) | (byte & 0x3F)
        seen += 1
        if seen == needed:
            out.append(chr(code_point))
            needed = seen = code_point = 0
    if needed:
        out.append("\ufffd")
    return "".join(out)


def parse_params(text: str) -> dict[str, str]:
    """Parse a query or fragment (leading ``?``/``#`` allowed) into a dict.

    RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than
    once" — a repeated name is refused rather than letting one copy win, since which
    copy wins is exactly what a parameter-pollution attack plays on.
    """
    if text[:1] in ("?", "#"):
        text = text[1:]
    result: dict[str, str] = {}
    for part in text.split("&"):
        if not part:
            continue
        name, value = split_once(part, "=")
        key = unquote(name, plus=True)
        if key in result:
            # The name only: values may be codes or tokens.
            raise ValidationError(
                "repeated_parameter",
                f"parameter {key!r} appears more than once (RFC 6749 §3.1)",
                expected="once",
                actual=key,
            )
        result[key] = unquote(value, plus=True)
    return result


# The same few URLs (issuer, endpoints, redirect URI) are checked again and again on
# start-up, and each split costs about half a millisecond in Brython.
_SPLIT_CACHE: dict[str, tuple[str, str, str, str, str]] = {}
_SPLIT_CACHE_SIZE = 64


def split_url(url: str) -> tuple[str, str, str, str, str]:
    """Split ``url`` into (scheme, netloc, path, query, fragment), RFC 3986 §3.

    Like ``urllib.parse.urlsplit`` on well-formed URLs; the scheme is lowercased.
    """
    parts = _SPLIT_CACHE.get(url)
    if parts is None:
        if len(_SPLIT_CACHE) >= _SPLIT_CACHE_SIZE:
            _SPLIT_CACHE.clear()
        parts = _SPLIT_CACHE[url] = _split_url(url)
    return parts


def split_once(text: str, sep: str) -> tuple[str, str]:
    """``text`` before and after the first ``sep`` (after is "" without one).

    ``str.partition`` and slices cost tens of µs each in Brython 3.15, ``split`` a few
    (``python bench/brython_ops.py``); this runs for every URL and parameter.
    """
    if sep in text:
        before, after = text.split(sep, 1)
        return before, after
    return text, ""


def _split_url(url: str) -> tuple[str, str, str, str, str]:
    # split, not partition or slices: see split_once.
    url, fragment = split_once(url, "#")
    url, query = split_once(url, "?")
    scheme = ""
    if ":" in url:
        head, rest = url.split(":", 1)
        lowered = head.lower()
        # RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ); http(s) first, as
        # nearly every URL here is one. "not x.strip(chars)": every character of x is
        # in chars (a generator costs in Brython).
        if (
            lowered == "https"
            or lowered == "http"
            or (head and head[0] in _SCHEME_FIRST and not head.strip(_SCHEME_REST))
        ):
            scheme, url = lowered, rest
    netloc = ""
    if url.startswith("//"):
        parts = url.split("/", 3)
        netloc = parts[2]
        url = "/" + parts[3] if len(parts) == 4 else ""
    return scheme, netloc, url, query, fragment


def _host_port(netloc: str) -> tuple[str, str]:
    hostport = netloc.split("@")[-1]  # after the last "@"
    if hostport.startswith("["):
        close = hostport.find("]")
        if close < 0:
            raise ValueError("unclosed '[' in the host")
        host, rest = hostport[: close + 1], hostport[close + 1 :]
        if rest and not rest.startswith(":"):
            raise ValueError("unexpected characters after the IPv6 host")
        port = rest[1:]
    else:
        host, port = split_once(hostport, ":")
    if port and not port.isdigit():
        raise ValueError("the port is not a number")
    return host.lower(), port


def url_host(url: str) -> str:
    """The host of an absolute URL, lowercased (IPv6 hosts keep their brackets)."""
    return _host_port(split_url(url)[1])[0]


def is_loopback_url(url: str) -> bool:
    """Whether ``url``'s host is this machine (RFC 8252 §8.3 loopback names)."""
    try:
        return url_host(url) in LOOPBACK_HOSTS
    except ValueError:
        return False


def url_origin(url: str) -> str:
    """The origin (RFC 6454 §4) of an absolute http(s) URL: ``scheme://host[:port]``.

    Scheme and host are lowercased and a default port is dropped, so two spellings of
    one origin compare equal.
    """
    scheme, netloc, _, _, _ = split_url(url)
    if scheme not in _DEFAULT_PORTS:
        raise ValueError("not an absolute http(s) URL")
    host, port = _host_port(netloc)
    if not host:
        raise ValueError("the URL has no host")
    if port and port.lstrip("0") != _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}:{int(port)}"
    return f"{scheme}://{host}"


def add_params(url: str, params: Params) -> str:
    """Append form-encoded ``params`` to ``url``'s query, keeping any fragment last."""
    encoded = form_urlencode(params)
    if not encoded:
        return url
    base, fragment = split_once(url, "#")
    if "?" not in base:
        base += "?"
    elif not base.endswith(("?", "&")):
        base += "&"
    return base + encoded + ("#" + fragment if "#" in url else "")


def is_same_origin_path(path: object) -> bool:
    """Whether ``path`` is a path on this origin and nothing else.

    Accepted: exactly one leading ``/``, no backslash anywhere, no control character.
    Refused among others: ``//evil`` (scheme-relative URL), ``/\\evil`` (browsers read
    ``\\`` as ``/`` in http URLs), ``http:...``, ``javascript:...``, and tab/newline
    tricks (the URL parser deletes them, so ``/\\t/evil`` would become ``//evil``).
    """
    if not isinstance(path, str) or not path.startswith("/") or path.startswith("//"):
        return False
    for ch in path:  # a loop: a generator costs in Brython
        if ch == "\\" or ch < " " or ch == "\x7f":
            return False
    return True
