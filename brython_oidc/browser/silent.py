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

# landing.post_callback sends this type from inside the iframe.
MESSAGE_TYPE = "brython-oidc:callback"

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


async def silent_request(authorization_url: str, state: str, timeout: float) -> str:
    """Load ``authorization_url`` hidden; return the callback URL carrying ``state``."""
    future: dict[str, object] = {}
    done = aio.Future()
    frame = document.createElement("iframe")
    frame.setAttribute("title", "session check")
    frame.setAttribute("aria-hidden", "true")
    frame.style.display = "none"

    def on_message(event: Any) -> None:
        # Only our own origin's app page can post the callback (HTML §9.4.3).
        # Object.is: Brython's == on two JS object wrappers is not JS identity.
        if event.origin != window.location.origin or not getattr(window.Object, "is")(
            event.source, frame.contentWindow
        ):
            return
        data = event.data
        if not data or getattr(data, "type", None) != MESSAGE_TYPE:
            return
        url = str(data.url)
        if ("state=" + state) not in url:
            return
        future["url"] = url
        if not done.done():
            done.set_result(True)

    def on_timeout() -> None:
        if not done.done():
            done.set_result(False)

    window.addEventListener("message", on_message)
    timer = window.setTimeout(on_timeout, int(timeout * 1000))
    frame.src = authorization_url
    document.body.appendChild(frame)
    try:
        await done
    finally:
        window.clearTimeout(timer)
        window.removeEventListener("message", on_message)
        frame.remove()
    if "url" not in future:
        raise RequestTimeout("authorization_endpoint (silent iframe)", timeout)
    return str(future["url"])
