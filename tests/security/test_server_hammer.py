"""Hammering the app server and the development provider over real loopback sockets.

Raw bytes on a socket, so nothing between the test and uvicorn normalises the
request (httpx would resolve ``..`` and refuse bad headers). For every request:
never a 5xx, never a stack trace, never a byte of a file outside the app folder,
and on the app server the security headers on every answer the app produces.
"""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from brython_oidc.devidp.testing import BackgroundServer
from brython_oidc.server import create_app
from tests.security.hostile import RunningHostileProvider
from tests.server.helpers import make_app

OUTSIDE_MARKER = "OUTSIDE-THE-APP-FOLDER-5f0c"
SECURITY_HEADERS = (
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "cross-origin-opener-policy",
    "cross-origin-resource-policy",
    "permissions-policy",
)
#: uvicorn's own answer to a request it cannot parse (the app never sees it).
UVICORN_BAD_REQUEST = b"Invalid HTTP request received."
TRACE_MARKERS = (b"Traceback", b'.py", line ', b"site-packages")


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def __repr__(self) -> str:
        return f"Answer({self.status}, {self.body[:80]!r})"


def raw(port: int, request: bytes) -> Answer:
    """Send ``request`` verbatim; ``status`` 0 if the server closed without answering."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        response = http.client.HTTPResponse(sock)
        try:
            response.begin()
        except (http.client.RemoteDisconnected, ConnectionResetError):
            return Answer(0, {}, b"")
        body = b"" if response.status == 304 else response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return Answer(response.status, headers, body)


def get(
    port: int, target: bytes, headers: bytes = b"", method: bytes = b"GET", host: bytes = b"x"
) -> Answer:
    request = method + b" " + target + b" HTTP/1.1\r\n"
    if host:
        request += b"Host: " + host + b"\r\n"
    request += headers + b"Connection: close\r\n\r\n"
    return raw(port, request)


@pytest.fixture(scope="module")
def app_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hammer")
    (root / "outside-secret.txt").write_text(OUTSIDE_MARKER)
    app = make_app(root / "app")
    (app / "secret-beside-static.txt").write_text(OUTSIDE_MARKER)
    (app / "static" / "link").symlink_to(root / "outside-secret.txt")
    (app / "static" / "dirlink").symlink_to(root)
    return app


@pytest.fixture(scope="module")
def app_port(app_folder: Path) -> Iterator[int]:
    with BackgroundServer(create_app(app_folder)) as server:
        yield server.port


@pytest.fixture(scope="module")
def idp_port() -> Iterator[int]:
    with RunningHostileProvider() as server:
        yield server.port


def check(answer: Answer, *, app_server: bool) -> None:
    assert answer.status < 500, answer
    assert OUTSIDE_MARKER.encode() not in answer.body
    assert b"root:x:0:0" not in answer.body
    for marker in TRACE_MARKERS:
        assert marker not in answer.body, answer
    if answer.status == 400 and answer.body == UVICORN_BAD_REQUEST:
        return  # refused by uvicorn's parser before any app code ran
    if app_server and answer.status:
        missing = [h for h in SECURITY_HEADERS if h not in answer.headers]
        assert not missing, (answer, missing)


MALFORMED_PATHS = [
    b"/../../../../etc/passwd",
    b"/static/../../outside-secret.txt",
    b"/static/../secret-beside-static.txt",
    b"/static/..%2f..%2foutside-secret.txt",
    b"/static/%2e%2e/%2e%2e/outside-secret.txt",
    b"/static/%2E%2E%2F%2E%2E%2Foutside-secret.txt",
    b"/static/..%5c..%5coutside-secret.txt",
    b"/static/..\\..\\outside-secret.txt",
    b"/static/%c0%ae%c0%ae/%c0%ae%c0%ae/outside-secret.txt",  # overlong UTF-8 dots
    b"/static/%e0%80%ae%e0%80%ae/outside-secret.txt",
    b"/static/%ff%fe%fd",
    b"/static/%",
    b"/static/%zz",
    b"/static/style.css%00.txt",
    b"/static/%00",
    b"/static/%e2%80%a5/outside-secret.txt",  # two-dot leader
    b"/static/%ef%bc%8e%ef%bc%8e/outside-secret.txt",  # fullwidth full stops
    b"/static/\xef\xbc\x8e\xef\xbc\x8e/outside-secret.txt",
    b"/static/link",
    b"/static/dirlink/outside-secret.txt",
    b"/static//outside-secret.txt",
    b"/static/....//....//outside-secret.txt",
    b"/static/./style.css",
    b"/static/.hidden",
    b"/static/C:/Windows/win.ini",
    b"/static/style.css/",
    b"/static/" + b"a/" * 200 + b"x",
    b"/_brython_oidc/../static/style.css",
    b"/_brython_oidc/%2e%2e%2fsecret-beside-static.txt",
    b"/_brython_oidc/brython.js%00",
    b"/" + b"a" * 5000,
    b"/?" + b"q" * 5000,
    b"//evil.example/",
    b"/%2f%2fevil.example",
    b"http://evil.example/static/style.css",
    b"*",
    b"/\x7f",
    b"/\xff\xfe",
    b"/?code=a&code=b&state=%ff",
]


@pytest.mark.parametrize("target", MALFORMED_PATHS, ids=repr)
def test_app_server_malformed_paths(app_port: int, target: bytes) -> None:
    answer = get(app_port, target)
    check(answer, app_server=True)
    if target.startswith(b"/static/") and answer.status == 200:
        # Only the real style.css may come back from the static folder.
        assert answer.body.startswith(b"body { color: black; }"), answer


MALFORMED_HEADERS = [
    b"X-Huge: " + b"a" * 60_000 + b"\r\n",
    b"Cookie: " + b"c=" + b"x" * 30_000 + b"\r\n",
    b'If-None-Match: W/"\r\n',
    b'If-None-Match: "*\r\n',
    b"If-None-Match: *\r\n",
    b"If-None-Match: " + b'"x",' * 5000 + b"\r\n",
    b'If-None-Match: "\x01\x02"\r\n',
    b"If-None-Match: \xff\xfe\r\n",
    b"If-Modified-Since: yesterday\r\n",
    b"Accept-Encoding: gzip;q=abc\r\n",
    b"Accept-Encoding: gzip;q=-1\r\n",
    b"Accept-Encoding: gzip;q=nan\r\n",
    b"Accept-Encoding: gzip;q=1e999\r\n",
    b"Accept-Encoding: ,,,;;;\r\n",
    b"Accept-Encoding: " + b"gzip, " * 3000 + b"\r\n",
    b"Accept-Encoding: \xc3\x28\r\n",
    b"Range: bytes=999999999-\r\n",
    b"Range: bytes=-0\r\n",
    b"Content-Length: -1\r\n",
    b"Content-Length: 10\r\nTransfer-Encoding: chunked\r\n",
    b"Transfer-Encoding: gzip, chunked\r\n",
    b"Expect: 100-continue\r\n",
    b"Bad Header Name: x\r\n",
    b"X-Newline: a\nInjected: b\r\n",
]


@pytest.mark.parametrize("header", MALFORMED_HEADERS, ids=lambda h: repr(h[:40]))
@pytest.mark.parametrize("target", [b"/", b"/static/style.css", b"/_brython_oidc/x.js"])
def test_app_server_malformed_headers(app_port: int, target: bytes, header: bytes) -> None:
    check(get(app_port, target, headers=header), app_server=True)


@pytest.mark.parametrize(
    "host", [b"", b"evil.example", b"a b", b"x" * 3000, b"[::1", b"h\x00st", b"\xff", b"x:abc"]
)
def test_app_server_bad_host(app_port: int, host: bytes) -> None:
    answer = get(app_port, b"/", host=host)
    check(answer, app_server=True)
    if len(host) > 3:
        assert host not in answer.body  # the shell never builds URLs from Host


def test_app_server_duplicate_host(app_port: int) -> None:
    check(get(app_port, b"/", headers=b"Host: evil.example\r\n"), app_server=True)


ODD_METHODS = [b"TRACE", b"OPTIONS", b"PUT", b"DELETE", b"PATCH", b"CONNECT", b"PROPFIND"]
ODD_METHODS += [b"FOO", b"get", b"G\x00T", b"X" * 300]


@pytest.mark.parametrize("method", ODD_METHODS, ids=repr)
@pytest.mark.parametrize("target", [b"/", b"/static/style.css", b"/_brython_oidc/brython.js"])
def test_app_server_odd_methods(app_port: int, method: bytes, target: bytes) -> None:
    answer = get(app_port, target, method=method)
    check(answer, app_server=True)
    if method in (b"PUT", b"DELETE", b"PATCH", b"TRACE"):
        assert answer.status in (404, 405), answer  # never served as if it were a GET


def test_app_server_garbage_request_lines(app_port: int) -> None:
    for request in (
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,  # a TLS ClientHello
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET\r\n\r\n",
        b"\r\n\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X: y\r\n" * 500 + b"\r\n",
    ):
        check(raw(app_port, request), app_server=True)


def test_app_server_still_serves_after_the_hammering(app_port: int) -> None:
    answer = get(app_port, b"/static/style.css")
    assert answer.status == 200 and answer.body.startswith(b"body {")
    check(answer, app_server=True)


# --- the development provider ----------------------------------------------------------

IDP_REQUESTS = [
    (b"GET", b"/authorize", b""),
    (b"GET", b"/authorize?client_id=demo-spa&redirect_uri=http%3A%2F%2Fevil.example%2F", b""),
    (b"GET", b"/authorize?client_id=%ff&response_type=code&redirect_uri=%00", b""),
    (b"GET", b"/authorize?client_id=demo-spa&client_id=x&redirect_uri=http://localhost:8000/", b""),
    (b"GET", b"/authorize?max_age=abc&client_id=demo-spa&redirect_uri=http://localhost:8000/", b""),
    (b"POST", b"/authorize?client_id=demo-spa", b"username=%ff&password=\x00"),
    (b"POST", b"/token", b""),
    (b"POST", b"/token", b"grant_type=authorization_code&code=%ff%fe&client_id=demo-spa"),
    (b"POST", b"/token", b"grant_type=refresh_token&refresh_token=x&client_id=nobody"),
    (b"POST", b"/token", b"\xff\xfe\x00garbage"),
    (b"POST", b"/token", b"grant_type=" + b"x" * 50_000),
    (b"POST", b"/revoke", b"token=&client_id="),
    (b"GET", b"/userinfo", b""),
    (b"GET", b"/logout?id_token_hint=not.a.jwt&post_logout_redirect_uri=http://evil.example/", b""),
    (b"GET", b"/logout?id_token_hint=%ff.%fe.%fd", b""),
    (b"GET", b"/jwks/../../etc/passwd", b""),
    (b"GET", b"/.well-known/../../../etc/passwd", b""),
    (b"DELETE", b"/.well-known/openid-configuration", b""),
    (b"TRACE", b"/token", b""),
    (b"POST", b"/admin/misbehave", b"{not json"),
    (b"POST", b"/admin/misbehave", b'{"name": 42}'),
]


@pytest.mark.parametrize(("method", "target", "body"), IDP_REQUESTS, ids=repr)
def test_provider_never_fails(idp_port: int, method: bytes, target: bytes, body: bytes) -> None:
    request = method + b" " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    request += b"Content-Type: application/x-www-form-urlencoded\r\n"
    request += b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n"
    check(raw(idp_port, request + body), app_server=False)


@pytest.mark.parametrize(
    "authorization",
    [b"Bearer", b"Bearer ", b"Bearer \xff\xfe", b"Basic ???", b"Bearer " + b"a" * 20_000],
)
def test_provider_userinfo_odd_authorization(idp_port: int, authorization: bytes) -> None:
    answer = get(idp_port, b"/userinfo", headers=b"Authorization: " + authorization + b"\r\n")
    check(answer, app_server=False)
    assert answer.status in (0, 400, 401), answer
