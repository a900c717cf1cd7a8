"""What the address bar brought: an authorization response, and for which window.

Imported by ``boot`` only when the address may hold one (the boot file moved
callback parameters out of it, or ``code``/``error`` is in it), so a plain page
load never compiles this module; the engine asset (with core) is there by then.
What an authorization response is, core decides (``callback_params``,
``callback_disposition``). It answers:

- is this an authorization response (``code``/``error`` with a ``state``, or
  without one while a login is in flight)? Ours, reused or foreign, the engine decides;
- does it belong to another window: the parent of the silent iframe, or the opener
  of a login popup? Then it is handed over and this window's app never starts.
"""

from __future__ import annotations

from browser import aio, window

from brython_oidc.core.authorization import callback_disposition, callback_params
from brython_oidc.core.errors import ValidationError

from . import keys, page

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


#: A response core refused to read (a repeated parameter, RFC 6749 §3.1): the engine
#: must see it, to refuse it with the reason; there is no state to relay.
_MALFORMED: dict[str, str] = {}


def _response(response_mode: object) -> dict[str, str] | None:
    """The authorization response in the address as loaded (the boot file may have
    moved it out of the address bar), as core reads it (``callback_params``)."""
    mode = "fragment" if response_mode == "fragment" else "query"
    try:
        return callback_params(page.loaded_href(), mode)
    except ValidationError:
        return _MALFORMED


def callback_state(response_mode: object) -> str | None:
    """The ``state`` of an authorization response in the URL (RFC 6749 §4.1.2), if any."""
    params = _response(response_mode)
    if not params or not ("code" in params or "error" in params):
        return None
    return params.get("state") or None


def callback_shaped(ns: str, response_mode: object) -> bool:
    """An authorization response the engine must look at (handle, clean or refuse):
    one ``core.authorization.callback_disposition`` has a disposition for."""
    params = _response(response_mode)
    if params is _MALFORMED:
        return True
    state = params.get("state") if params else None
    if not state:
        disposition = callback_disposition(params, known=False, used=False, pending=_pending(ns))
    else:
        # Known, used or foreign: each has a disposition; which one, the engine finds.
        disposition = callback_disposition(params, known=True, used=False, pending=False)
    return disposition is not None


def _pending(ns: str) -> bool:
    """Whether a transaction is in flight (sessionStorage holds one)."""
    session = window.sessionStorage
    prefix = keys.transaction_prefix(ns)
    for i in range(session.length):
        key = session.key(i)
        if isinstance(key, str) and key.startswith(prefix):
            return True
    return False


def is_our_callback(ns: str, state: str) -> bool:
    """Known state (to handle), or one already used (reload/Back: to clean up)."""
    session = window.sessionStorage
    if isinstance(session.getItem(keys.transaction_prefix(ns) + state), str):
        return True
    used = session.getItem(keys.used_states_key(ns))
    return isinstance(used, str) and ('"' + state + '"') in used


def in_iframe() -> bool:
    try:
        # Object.is: Brython's == on two JS object wrappers is not JS identity.
        return not getattr(window.Object, "is")(window.self, window.top)
    except Exception:
        return True


# The opener may be any window; plain JS so a cross-origin one cannot throw here.
_js_opener_origin = window.Function.new(
    "try { return window.opener ? window.opener.location.origin : null; }"
    " catch (e) { return null; }"
)


def _is_login_popup(mapping: dict[str, object], state: str) -> bool:
    """Our login popup back from the provider: a same-origin opener, and a state this
    window did not store (the opener keeps popup transactions in memory)."""
    if _js_opener_origin() != str(window.location.origin):
        return False
    issuer, client_id = mapping.get("issuer"), mapping.get("client_id")
    if not isinstance(issuer, str) or not isinstance(client_id, str):
        return False
    return not is_our_callback(keys.namespace(issuer, client_id), state)


def post_callback(target: Any) -> None:
    """Hand the callback URL to ``target`` (the silent iframe's parent or the login
    popup's opener), same origin only; silent.py and popup.py listen for it."""
    message = window.Object.new()
    message["type"] = keys.CALLBACK_MESSAGE
    message["url"] = page.loaded_href()
    target.postMessage(message, window.location.origin)


async def relay_if_not_ours(mapping: dict[str, object]) -> None:
    """In the silent iframe or a login popup: hand the response over, never return.

    The app must not boot there; the window that started the request handles it.
    """
    state = callback_state(mapping.get("response_mode"))
    if state is None:
        return
    if in_iframe():
        post_callback(window.parent)
        await aio.Future()
    if _is_login_popup(mapping, state):
        post_callback(window.opener)
        window.close()
        await aio.Future()
