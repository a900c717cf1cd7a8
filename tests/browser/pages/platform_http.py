"""browser/http.py: form POST, timeout and unreachable endpoint, typed errors."""

from brython_oidc.browser import http
from brython_oidc.browser.jsjson import parse_json
from brython_oidc.core.errors import RequestTimeout, TransportError


async def main():
    out = {}
    resp = await http.post_form("/test/echo", "a=1&b=two", endpoint="token_endpoint", timeout=5)
    out["echo"] = [resp.status, parse_json(resp.text), resp.content_type]
    try:
        await http.request("/test/slow?s=3", endpoint="jwks_uri", timeout=0.3)
        out["slow"] = "answered"
    except RequestTimeout as exc:
        out["slow"] = [type(exc).__name__, exc.endpoint, exc.timeout, exc.provider_looks_down]
    try:
        await http.request("http://127.0.0.1:9/x", endpoint="discovery", timeout=5)
        out["down"] = "answered"
    except TransportError as exc:
        out["down"] = [type(exc).__name__, exc.endpoint, exc.provider_looks_down, str(exc)]
    return out
