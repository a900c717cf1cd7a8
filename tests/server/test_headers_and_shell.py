from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brython_oidc.core.errors import ConfigurationError
from brython_oidc.core.urls import url_origin
from brython_oidc.server.headers import content_security_policy, origin_of, security_headers
from brython_oidc.server.responses import accepts_gzip
from brython_oidc.server.shell import json_for_script, render_index


def test_csp_names_the_provider_origin_only() -> None:
    csp = content_security_policy("https://IdP.example:8443/realms/x?y#z", ["https://api.example/"])
    directives = dict(d.split(" ", 1) for d in csp.split("; "))
    assert directives["connect-src"] == "'self' https://idp.example:8443 https://api.example"
    assert directives["frame-src"] == "'self' https://idp.example:8443"
    # Issue 24: the runtime never posts a form to the provider, so forms go nowhere else.
    assert directives["form-action"] == "'self'"
    assert directives["script-src"] == "'self' 'unsafe-eval'"
    assert directives["frame-ancestors"] == "'self'"


def test_corp_and_permissions_policy_headers() -> None:
    headers = security_headers("default-src 'self'")
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    policy = dict(item.split("=") for item in headers["Permissions-Policy"].split(", "))
    assert policy["camera"] == policy["geolocation"] == policy["microphone"] == "()"


@pytest.mark.parametrize(
    "url",
    ["idp.example", "javascript:alert(1)", "https://", "https://a b", "https://x;y", "https://u@h"],
)
def test_origins_csp_cannot_carry_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError):
        origin_of(url)


@pytest.mark.parametrize(
    "url",
    ["https://IdP.example:443/x", "http://[::1]:8001/", "http://127.0.0.1:8001", "https://h:0443"],
)
def test_csp_origins_are_the_origins_the_page_compares(url: str) -> None:
    """One origin parser: core's (the page's ``fetch`` allow-list uses it too)."""
    assert origin_of(url) == url_origin(url)


@given(st.dictionaries(st.text(max_size=8), st.text() | st.integers() | st.booleans()))
def test_json_for_script_round_trips_and_never_closes_the_element(data: dict[str, object]) -> None:
    text = json_for_script(data)
    assert json.loads(text) == data
    assert "<" not in text and ">" not in text and "&" not in text


def test_render_index_fills_the_slots() -> None:
    page = render_index(
        "<title>{{ title }}</title>{{ head }}|{{ body }}",
        config={"a": "b"},
        script_urls=("/x.js",),
        main="pkg.main",
        title="<me>",
    )
    assert page.startswith("<title>&lt;me&gt;</title>")
    assert '<script defer src="/x.js"></script>' in page
    assert page.endswith('|<script type="text/python">\nimport pkg.main\n</script>')


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip", True),
        ("br, gzip;q=0.5", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("", False),
        ("*", True),
        ("gzip;q=x", False),
    ],
)
def test_accept_encoding(header: str, expected: bool) -> None:
    from starlette.requests import Request

    request = Request({"type": "http", "headers": [(b"accept-encoding", header.encode())]})
    assert accepts_gzip(request) is expected
