"""The nginx config `build` writes, run by a real nginx on loopback (issue 24).

Skipped where no nginx is installed (scripts/test.sh installs Debian's nginx-light).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from brython_oidc.commands import UsageError
from brython_oidc.server.headers import content_security_policy, security_headers
from brython_oidc.server.static_build import ACCESS_LOG, nginx_conf, nginx_conf_path
from brython_oidc.testing.live_server import free_port

NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if Path(p).is_file()), None
)
HEADERS = security_headers(content_security_policy("http://127.0.0.1:8001"))
ASSET = "/_brython_oidc/bundle.0123456789abcdef.js"


def test_config_text_rules() -> None:
    text = nginx_conf(HEADERS, root="/srv/my app")
    assert 'root "/srv/my app";' in text  # the real folder, not a placeholder
    # No `always` on the year-long cache header: a 404 must not be cached for a year.
    assert 'add_header Cache-Control "public, max-age=31536000, immutable";' in text
    assert 'immutable" always' not in text
    log_format = text.split("log_format", 1)[1].split(";", 1)[0]
    assert "$request " not in log_format and "$request_uri" not in log_format
    assert "$args" not in log_format and "$http_referer" not in log_format
    for bad in ('/srv/a"b', "/srv/$x", "/srv/a;b", "/srv/a{b"):
        with pytest.raises(UsageError):
            nginx_conf(HEADERS, root=bad)


def test_config_is_written_beside_the_folder(tmp_path: Path) -> None:
    assert nginx_conf_path(tmp_path / "dist") == tmp_path / "dist.nginx.conf"


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    site = tmp_path / "dist"
    (site / "_brython_oidc").mkdir(parents=True)
    (site / "static").mkdir()
    (site / "index.html").write_text("<!doctype html><p>shell</p>")
    (site / ASSET.lstrip("/")).write_text("console.log(1)")
    (site / "static" / "a.css").write_text("p{}")
    port = free_port()
    log = tmp_path / "access.log"
    server = nginx_conf(HEADERS, root=site)
    server = server.replace("listen 8000;", f"listen 127.0.0.1:{port};")
    server = server.replace(ACCESS_LOG, str(log))
    (tmp_path / "site.conf").write_text(server)
    # As root, nginx's workers would run as nobody and could not read a private tmp dir.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        user
        + f"""daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 64; }}
http {{
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/site.conf;
}}
"""
    )
    conf = str(tmp_path / "nginx.conf")
    check = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", conf], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", conf], stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(base + "/static/a.css", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.05)  # polling for the port; no event to wait on
        yield base, log
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _has_security_headers(response: httpx.Response) -> bool:
    return all(response.headers.get(name) == value for name, value in HEADERS.items())


def test_missing_hashed_asset_404_is_not_cached_for_a_year(nginx: tuple[str, Path]) -> None:
    base, _ = nginx
    found = httpx.get(base + ASSET)
    assert found.status_code == 200
    assert found.headers["cache-control"] == "public, max-age=31536000, immutable"
    missing = httpx.get(base + "/_brython_oidc/bundle.ffffffffffffffff.js")
    assert missing.status_code == 404
    assert "immutable" not in missing.headers.get("cache-control", "")
    assert _has_security_headers(missing)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_405_carries_the_security_headers(nginx: tuple[str, Path], method: str) -> None:
    base, _ = nginx
    response = httpx.request(method, base + "/", content=b"x")
    assert response.status_code == 405
    assert _has_security_headers(response)


def test_spa_fallback_and_access_log_without_code_or_state(nginx: tuple[str, Path]) -> None:
    base, log = nginx
    response = httpx.get(base + "/?code=SECRETCODE123&state=SECRETSTATE456&iss=x")
    assert response.status_code == 200 and "shell" in response.text
    assert response.headers["cache-control"] == "no-store" and _has_security_headers(response)
    deep = httpx.get(base + "/notes/7", headers={"Referer": "http://idp/?state=SECRETREF789"})
    assert deep.status_code == 200
    text = log.read_text()
    assert '"GET / HTTP/1.1" 200' in text and '"GET /notes/7 HTTP/1.1" 200' in text
    for secret in ("SECRETCODE123", "SECRETSTATE456", "SECRETREF789"):
        assert secret not in text
