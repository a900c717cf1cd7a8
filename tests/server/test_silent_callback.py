"""The silent-renew iframe's callback gets a tiny page, not the app (Fetch Metadata)."""

from __future__ import annotations

import json
import re

from starlette.testclient import TestClient

from brython_oidc.server.names import keys
from brython_oidc.server.silent_callback import SCRIPT_ASSET

IFRAME = {"Sec-Fetch-Dest": "iframe"}


def test_iframe_callback_gets_the_small_page(client: TestClient) -> None:
    response = client.get("/?code=abc&state=xyz&iss=x", headers=IFRAME)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "text/python" not in response.text and "brython-oidc-config" not in response.text
    assert len(response.content) < 300
    src = re.search(r'<script src="([^"]+)"', response.text)
    assert src is not None and src.group(1) == SCRIPT_ASSET.url
    assert "content-security-policy" in response.headers
    script = client.get(src.group(1))
    assert script.status_code == 200
    assert "immutable" in script.headers["cache-control"]
    # The message the runtime's silent.py accepts, to its own origin only.
    assert json.dumps(keys.CALLBACK_MESSAGE) in script.text
    assert "window.location.origin" in script.text and '"*"' not in script.text


def test_top_level_callback_and_plain_iframe_get_the_app(client: TestClient) -> None:
    top = client.get("/?code=abc&state=xyz", headers={"Sec-Fetch-Dest": "document"})
    no_metadata = client.get("/?code=abc&state=xyz")
    iframe_without_response = client.get("/", headers=IFRAME)
    for response in (top, no_metadata, iframe_without_response):
        assert response.status_code == 200
        assert "text/python" in response.text
