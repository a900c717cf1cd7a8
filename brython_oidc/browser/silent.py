"""A ``prompt=none`` authorization request in a hidden iframe (OIDC Core §3.1.2.1).

The iframe loads the authorization URL with the app's one redirect URI; the app,
booting inside the iframe with a callback in its URL, posts that URL to its parent
(same origin only) and stops (``post_callback_to_parent``). The parent waits at most
``timeout`` seconds: a provider whose cookies do not reach the iframe, or that
refuses framing, must not hang the app.
"""

from __future__ import annotations

from browser import aio, document, window

from brython_oidc.core.errors import RequestTimeout

from . import keys

# landing.post_callback sends this type from inside the iframe.
MESSAGE_TYPE = keys.CALLBACK_MESSAGE
#: ``RequestTimeout.endpoint`` when the frame never answered (startup tells it apart
#: from a token endpoint that did not).
ENDPOINT = "authorization_endpoint (silent iframe)"

# === on two JS objects: Brython's == on two wrappers is not JS identity.
_js_same = window.Function.new("a", "b", "return a === b;")

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def callback_listener(
    state: str, source: Callable[[], object], finish: Callable[[str], None]
) -> Callable[[Any], None]:
    """A ``message`` handler passing on the callback URL carrying ``state``.

    Only our own origin's app page, in the window ``source()`` answers, can post it
    (HTML §9.4.3); ``source`` is read per message, and compared without reading
    its attributes (a popup on the provider's origin is cross-origin).
    """

    def on_message(event: Any) -> None:
        if event.origin != window.location.origin or not _js_same(event.source, source()):
            return
        data = event.data
        if not data or getattr(data, "type", None) != MESSAGE_TYPE:
            return
        url = str(data.url)
        if ("state=" + state) in url:
            finish(url)

    return on_message


async def silent_request(authorization_url: str, state: str, timeout: float) -> str:
    """Load ``authorization_url`` hidden; return the callback URL carrying ``state``."""
    done = aio.Future()
    frame = document.createElement("iframe")
    frame.setAttribute("title", "session check")
    frame.setAttribute("aria-hidden", "true")
    frame.style.display = "none"

    def finish(url: str) -> None:
        if not done.done():
            done.set_result(url)

    on_message = callback_listener(state, lambda: frame.contentWindow, finish)
    window.addEventListener("message", on_message)
    timer = window.setTimeout(lambda: finish(""), int(timeout * 1000))
    frame.src = authorization_url
    document.body.appendChild(frame)
    url = ""  # bound before the try: tests/server/test_brython_frame_rule.py
    try:
        url = await done
    finally:
        window.clearTimeout(timer)
        window.removeEventListener("message", on_message)
        frame.remove()
    if not url:
        raise RequestTimeout(ENDPOINT, timeout)
    return str(url)
