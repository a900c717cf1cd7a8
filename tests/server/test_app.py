"""create_app over HTTP: fallback, headers, caching, gzip, traversal, methods, errors."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from brython_oidc.server import create_app
from brython_oidc.server.config_file import AppConfigError
from tests.server.helpers import ISSUER, injected_config, script_url, script_urls

SECURITY_HEADERS = {
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "cross-origin-opener-policy": "same-origin-allow-popups",
}


def assert_security_headers(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, (name, headers)
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert f"connect-src 'self' {ISSUER}" in csp
    assert f"frame-src 'self' {ISSUER}" in csp
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp
    assert "'unsafe-inline'" not in csp


# --- the SPA fallback -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/profile/42", "/?code=abc&state=xyz", "/a/b/c?x=1#frag", "/index.html"]
)
def test_every_non_asset_get_is_the_shell(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert '<script type="text/python">\nimport main\n</script>' in response.text
    assert '<meta charset="utf-8">' in response.text
    assert_security_headers(response)


def test_shell_has_no_inline_executable_script(client: TestClient) -> None:
    page = client.get("/").text
    # Every <script> is external (src=), inert JSON, or Python that Brython reads.
    for tag in page.split("<script")[1:]:
        opening = tag.split(">", 1)[0]
        assert (
            'src="' in opening
            or 'type="application/json"' in opening
            or ('type="text/python"' in opening)
        ), opening
    assert "style=" not in page and "<style" not in page


def test_config_is_injected_as_data(client: TestClient) -> None:
    assert injected_config(client.get("/").text) == {"issuer": ISSUER, "client_id": "demo-spa"}


def test_config_values_cannot_break_out_of_the_script_block(tmp_path: Path) -> None:
    from tests.server.helpers import make_app

    app_dir = make_app(
        tmp_path / "evil",
        oidc='ui_locales = "</script><script>alert(1)</script><!-- & \\"quoted\\""',
    )
    page = TestClient(create_app(app_dir)).get("/").text
    assert "</script><script>alert(1)" not in page
    assert page.count("</script>") == page.count("<script")
    assert "<!--" not in page
    assert (
        injected_config(page)["ui_locales"] == '</script><script>alert(1)</script><!-- & "quoted"'
    )


def test_overrides_replace_config_fields(app_dir: Path) -> None:
    app = create_app(app_dir, oidc_overrides={"issuer": "https://idp.example", "client_id": None})
    response = TestClient(app).get("/")
    assert injected_config(response.text)["issuer"] == "https://idp.example"
    assert injected_config(response.text)["client_id"] == "demo-spa"
    assert "frame-src 'self' https://idp.example" in response.headers["content-security-policy"]


def test_allowed_fetch_origins_widen_connect_src_only(tmp_path: Path) -> None:
    from tests.server.helpers import make_app

    app_dir = make_app(tmp_path / "a", oidc='allowed_fetch_origins = ["https://api.example"]')
    csp = TestClient(create_app(app_dir)).get("/").headers["content-security-policy"]
    assert f"connect-src 'self' {ISSUER} https://api.example;" in csp
    assert "frame-src 'self' http://127.0.0.1:8001;" in csp


# --- hashed assets ------------------------------------------------------------------------


def test_assets_are_immutable_gzipped_and_revalidate_with_304(client: TestClient) -> None:
    urls = script_urls(client.get("/").text)
    stems = [url.rsplit("/", 1)[1].split(".")[0] for url in urls]
    # The boot file first: it sets the status before brython.js has arrived.
    assert stems == ["boot", "brython", "bundle"]
    for url in urls:
        response = client.get(url, headers={"accept-encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["content-encoding"] == "gzip"
        assert response.headers["content-type"] == "text/javascript; charset=utf-8"
        assert response.headers["vary"] == "Accept-Encoding"
        assert_security_headers(response)
        etag = response.headers["etag"]
        again = client.get(url, headers={"accept-encoding": "gzip", "if-none-match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        assert_security_headers(again)
        other = client.get(url, headers={"accept-encoding": "gzip", "if-none-match": '"nope"'})
        assert other.status_code == 200


def test_identity_encoding_has_its_own_etag(client: TestClient) -> None:
    url = script_url(client.get("/").text, "brython")
    raw = client.get(url, headers={"accept-encoding": "identity"})
    zipped = client.get(url, headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in raw.headers
    assert raw.headers["etag"] != zipped.headers["etag"]
    # httpx decodes gzip: both carry the same bytes, brython.js from the brython package.
    assert raw.content == zipped.content
    assert b"__BRYTHON__" in raw.content
    assert int(raw.headers["content-length"]) == len(raw.content)
    refused = client.get(url, headers={"accept-encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


def test_head_has_headers_and_no_body(client: TestClient) -> None:
    url = script_url(client.get("/").text, "bundle")
    head = client.head(url, headers={"accept-encoding": "identity"})
    get = client.get(url, headers={"accept-encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["etag"] == get.headers["etag"]
    shell = client.head("/deep/link")
    assert shell.status_code == 200 and shell.content == b""
    assert_security_headers(shell)


@pytest.mark.parametrize(
    "path",
    [
        "/_brython_oidc/bundle.0000000000000000.js",
        "/_brython_oidc/brython.js",
        "/_brython_oidc/Lib/site-packages/json.py",
        "/_brython_oidc/",
        "/static/missing.css",
        "/static/",
    ],
)
def test_missing_assets_are_404_not_the_shell(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "<html" not in response.text
    assert_security_headers(response)


# --- the app's static folder ---------------------------------------------------------------


def test_static_files_are_served_with_revalidation(client: TestClient) -> None:
    response = client.get("/static/style.css", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-encoding"] == "gzip"
    assert response.text.startswith("body { color: black; }")
    again = client.get(
        "/static/style.css",
        headers={"accept-encoding": "gzip", "if-none-match": response.headers["etag"]},
    )
    assert again.status_code == 304
    svg = client.get("/static/logo.svg")
    assert svg.headers["content-type"] == "image/svg+xml"


@pytest.mark.parametrize(
    "raw_path",
    [
        b"/static/../brython-oidc.toml",
        b"/static/%2e%2e/brython-oidc.toml",
        b"/static/%2E%2E/%2E%2E/etc/passwd",
        b"/static/..%2fbrython-oidc.toml",
        b"/static/..%5cbrython-oidc.toml",
        b"/static/..\\brython-oidc.toml",
        b"/static/style.css%00.png",
        b"/static//etc/passwd",
        b"/static/./style.css",
        b"/static/.hidden",
        b"/static/C:/windows/win.ini",
    ],
)
def test_traversal_never_leaves_the_static_folder(app_dir: Path, raw_path: bytes) -> None:
    (app_dir / "static" / ".hidden").write_text("secret")
    app = create_app(app_dir)
    status, headers, body = asgi_get(app, raw_path)
    assert status == 404, (raw_path, status)
    assert b"issuer" not in body and b"root:" not in body and b"secret" not in body
    assert headers.get("referrer-policy") == "no-referrer"


def test_symlink_out_of_the_static_folder_is_refused(app_dir: Path, client: TestClient) -> None:
    (app_dir / "static" / "link.toml").symlink_to(app_dir / "brython-oidc.toml")
    assert client.get("/static/link.toml").status_code == 404


def test_absurd_paths_get_414(client: TestClient) -> None:
    response = client.get("/" + "a" * 5000)
    assert response.status_code == 414
    assert_security_headers(response)
    assert client.get("/static/" + "a/" * 40 + "x.css").status_code == 404


# --- methods and errors ------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
@pytest.mark.parametrize("path", ["/", "/deep/link", "/static/style.css", "/_brython_oidc/x.js"])
def test_other_methods_get_405_with_allow(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
    assert_security_headers(response)


def test_errors_are_500_with_headers_and_no_trace(app_dir: Path) -> None:
    def boom(request: Request) -> Response:
        raise RuntimeError("secret internals /home/user")

    app = create_app(app_dir, extra_routes=[Route("/api/boom", boom)])
    response = TestClient(app, raise_server_exceptions=False).get("/api/boom")
    assert response.status_code == 500
    assert response.text == "Internal Server Error"
    assert_security_headers(response)


def test_extra_routes_take_precedence_over_the_fallback(app_dir: Path) -> None:
    async def hello(request: Request) -> Response:
        return Response("api", media_type="text/plain")

    client = TestClient(create_app(app_dir, extra_routes=[Route("/api/hello", hello)]))
    response = client.get("/api/hello")
    assert response.text == "api"
    assert_security_headers(response)
    assert "<html" in client.get("/api/other").text


def test_missing_folder_and_bad_config_are_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(AppConfigError, match="is not a folder"):
        create_app(tmp_path / "nope")
    (tmp_path / "brython-oidc.toml").write_text("[oidc]\nissuer = 3\n")
    with pytest.raises(AppConfigError, match=r"oidc\.client_id"):
        create_app(tmp_path)


# --- custom shell and dev mode -------------------------------------------------------------


def test_app_index_html_overrides_the_shell(app_dir: Path) -> None:
    (app_dir / "index.html").write_text(
        "<!doctype html><title>{{ title }}</title>{{ head }}<p>custom</p>{{ body }}"
    )
    page = TestClient(create_app(app_dir)).get("/x").text
    assert "<p>custom</p>" in page and "<title>myapp</title>" in page
    assert len(script_urls(page)) == 3
    (app_dir / "index.html").write_text("<p>no slots</p>")
    with pytest.raises(AppConfigError, match="head"):
        create_app(app_dir)


def test_dev_mode_rebuilds_the_bundle_when_a_source_changes(app_dir: Path) -> None:
    client = TestClient(create_app(app_dir, dev=True))
    first = script_url(client.get("/").text, "bundle")
    assert script_url(client.get("/").text, "bundle") == first  # nothing changed: same bundle
    main = app_dir / "main.py"
    # Issue 24: only modules imported from main ship, so main imports the new one.
    main.write_text(main.read_text() + "\nimport extra\nX = 'new code'\n")
    (app_dir / "extra.py").write_text("Y = 1\n")
    second = script_url(client.get("/").text, "bundle")
    assert second != first
    bundle = client.get(second).text
    assert "new code" in bundle and '"extra":' in bundle
    assert client.get(first).status_code == 404


def test_production_mode_builds_once(app_dir: Path) -> None:
    client = TestClient(create_app(app_dir))
    first = script_url(client.get("/").text, "bundle")
    (app_dir / "main.py").write_text("X = 'changed'\n")
    assert script_url(client.get("/").text, "bundle") == first


# --- raw ASGI, for paths an HTTP client would normalise ------------------------------------


def asgi_get(
    app: object, raw_path: bytes, headers: tuple[tuple[bytes, bytes], ...] = ()
) -> tuple[int, dict[str, str], bytes]:
    """Send one GET with ``raw_path`` exactly as given (percent-decoding as a server does)."""
    import asyncio
    from urllib.parse import unquote_to_bytes

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote_to_bytes(raw_path).decode("utf-8", "replace"),
        "raw_path": raw_path,
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))  # type: ignore[operator]
    start = sent[0]
    headers = {k.decode(): v.decode() for k, v in start["headers"]}  # type: ignore[attr-defined]
    body = b"".join(m.get("body", b"") for m in sent[1:])  # type: ignore[misc]
    return int(start["status"]), headers, body  # type: ignore[call-overload]


def test_gzip_body_is_valid_gzip(app_dir: Path) -> None:
    app = create_app(app_dir)
    url = script_url(TestClient(app).get("/").text, "bundle").encode()
    # Raw ASGI, to see the encoded bytes themselves (httpx would decode them).
    status, headers, body = asgi_get(app, url, ((b"accept-encoding", b"br, gzip"),))
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(body).startswith(b"__BRYTHON__.loadBrythonPackage(")
