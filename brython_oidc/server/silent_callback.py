"""The silent-renew iframe's landing page: a few bytes instead of the whole app.

A ``prompt=none`` request in a hidden iframe (OIDC Core §3.1.2.1) comes back to the
app's one redirect URI. Answered with index.html, the iframe would download and
compile Brython and the bundle a second time only to post its URL to the parent
(measured: most of a cold logged-out start, see docs/performance.md). When the
browser says the navigation is an iframe's (Fetch Metadata ``Sec-Fetch-Dest: iframe``)
and the URL carries an authorization response (``state``), the server answers with
this page instead: one small same-origin script that posts the URL to the parent in
the message format ``brython_oidc.browser.silent`` expects. The parent still checks
the sender (its own frame, its own origin) and the ``state``; browsers that send no
Fetch Metadata get index.html, where the runtime does the same job.
"""

from __future__ import annotations

import json
from pathlib import Path

from starlette.requests import Request

from brython_oidc.server.assets import Asset
from brython_oidc.server.names import keys

#: The page's one script (``js/silent_callback.js``), given the message type.
SCRIPT = (
    "(function (MESSAGE) {\n"
    + Path(__file__).with_name("js").joinpath("silent_callback.js").read_text(encoding="utf-8")
    + "})("
    + json.dumps(keys.CALLBACK_MESSAGE)
    + ");\n"
).encode()

#: Hashed and immutable like the other scripts; CSP ``script-src 'self'`` allows it.
SCRIPT_ASSET = Asset("silent-callback", SCRIPT)

PAGE = (
    '<!doctype html><html><head><meta charset="utf-8"><title>session check</title>'
    f'<script src="{SCRIPT_ASSET.url}"></script></head><body></body></html>'
).encode()


def is_silent_callback(request: Request) -> bool:
    """An iframe navigation carrying an authorization response (RFC 6749 §4.1.2)."""
    return request.headers.get("sec-fetch-dest") == "iframe" and "state" in request.query_params
