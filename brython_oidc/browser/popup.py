"""Login in a popup window: the app page stays, the popup signs in and closes.

The popup goes to the provider and comes back to the app's redirect URI; there
``boot`` sees a callback whose state is not one of its stored transactions while
it has an opener, posts the callback URL to the opener (same origin only) and
closes. The opener, which kept the transaction in memory, checks and exchanges
it. The app's COOP header must be ``same-origin-allow-popups`` for the popup to
keep its ``window.opener``.
"""

from __future__ import annotations

from browser import aio, window

from brython_oidc.core.errors import RequestTimeout, ValidationError

from .silent import callback_listener

POPUP_NAME = "brython-oidc-login"
POPUP_FEATURES = "popup,width=520,height=680"
CLOSED_POLL_MS = 500

# A popup on the provider's origin is a cross-origin window: Brython's attribute
# access on it is blocked, so the few allowed operations go through plain JS.
_js_closed = window.Function.new("w", "try { return w.closed; } catch (e) { return true; }")
_js_close = window.Function.new("w", "try { w.close(); } catch (e) {}")


async def popup_request(authorization_url: str, state: str, timeout: float) -> str:
    """Open ``authorization_url`` in a popup; return the callback URL carrying ``state``."""
    popup = window.open(authorization_url, POPUP_NAME, POPUP_FEATURES)
    if not popup:
        raise ValidationError("popup", "the browser blocked the login popup")
    done = aio.Future()

    def finish(url: str | None) -> None:
        if not done.done():
            done.set_result(url)

    on_message = callback_listener(state, lambda: popup, finish)

    def poll_closed() -> None:
        if _js_closed(popup):
            finish(None)

    window.addEventListener("message", on_message)
    poll = window.setInterval(poll_closed, CLOSED_POLL_MS)
    timer = window.setTimeout(lambda: finish(""), int(timeout * 1000))
    url = None  # bound before the try: tests/server/test_brython_frame_rule.py
    try:
        url = await done
    finally:
        window.clearInterval(poll)
        window.clearTimeout(timer)
        window.removeEventListener("message", on_message)
    if url is None:
        raise ValidationError("popup", "the login popup was closed before sign-in finished")
    if not url:
        _js_close(popup)
        raise RequestTimeout("authorization_endpoint (popup)", timeout)
    return str(url)
