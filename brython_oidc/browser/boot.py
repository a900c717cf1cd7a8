"""``create_oidc``: decide the auth state on page load, importing as little as possible.

Brython compiles every module it imports, at 50-200 ms per protocol module on a
cold load, so this module imports nothing of core/. It answers three questions
from storage and the platform alone:

- is this page an authorization response (``code``/``error`` with a ``state``, or
  without one while a login is in flight)? Ours, reused or foreign, the engine decides.
- was this browser signed in (the localStorage hint) and may we restore?
- is a sibling tab signed in (it holds the shared Web Lock ``keys.session_lock``)?

Any yes loads the protocol engine (``client.Session``) and waits for its answer;
all no means logged out at once: the ready mark is set, and the engine is loaded
in the background afterwards (cross-tab login, login clicks).
"""

from __future__ import annotations

import javascript
from browser import aio, window

from . import keys, page
from .handle import Oidc, mark_ready

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .mock import MockOidc

CONFIG_ELEMENT_ID = "brython-oidc-config"
CALLBACK_MESSAGE = "brython-oidc:callback"


def read_config() -> dict[str, object]:
    """The JSON the server injected in ``<script type="application/json" id=...>``."""
    element = window.document.getElementById(CONFIG_ELEMENT_ID)
    if not element:
        return {}
    try:
        # javascript.JSON (not window.JSON) answers Python dicts and lists.
        value = javascript.JSON.parse(str(element.text))
    except Exception:
        value = None
    if not isinstance(value, dict):
        from brython_oidc.core.errors import ConfigurationError

        raise ConfigurationError(
            CONFIG_ELEMENT_ID, "the injected configuration is not a JSON object"
        )
    return dict(value)


def _url_params(response_mode: object) -> Any:
    # The address as loaded: the boot file may have moved the callback out of it.
    url = window.URL.new(page.loaded_href())
    text = str(url.hash)[1:] if response_mode == "fragment" else str(url.search)
    return window.URLSearchParams.new(text)


def callback_state(response_mode: object) -> str | None:
    """The ``state`` of an authorization response in the URL (RFC 6749 §4.1.2), if any."""
    params = _url_params(response_mode)
    state = params.get("state")
    if not isinstance(state, str) or not state:
        return None
    if not (params.has("code") or params.has("error")):
        return None
    return state


def in_iframe() -> bool:
    try:
        # Object.is: Brython's == on two JS object wrappers is not JS identity.
        return not getattr(window.Object, "is")(window.self, window.top)
    except Exception:
        return True


def _stored(store: Any, key: str) -> bool:
    # getItem answers JavaScript null, which Brython does not map to None.
    return isinstance(store.getItem(key), str)


def callback_shaped(ns: str, response_mode: object) -> bool:
    """An authorization response the engine must look at (handle, clean or refuse).

    ``code`` or ``error`` with a ``state``; or with none while a transaction is in
    flight (core.authorization.callback_disposition makes the decision).
    """
    params = _url_params(response_mode)
    if not (params.has("code") or params.has("error")):
        return False
    state = params.get("state")
    if isinstance(state, str) and state:
        return True
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
    if _stored(session, keys.transaction_prefix(ns) + state):
        return True
    used = session.getItem(keys.used_states_key(ns))
    return isinstance(used, str) and ('"' + state + '"') in used


async def sibling_signed_in(ns: str) -> bool | None:
    """Whether another tab holds the session lock; ``None`` without Web Locks."""
    locks = getattr(window.navigator, "locks", None)
    if not locks or not getattr(locks, "query", None):
        return None
    snapshot = await locks.query()
    name = keys.session_lock(ns)
    return any(str(lock.name) == name for lock in snapshot.held)


def post_callback_to_parent() -> None:
    """In the silent iframe: hand the callback URL to the parent page of the same origin."""
    message = window.Object.new()
    message["type"] = CALLBACK_MESSAGE
    message["url"] = page.loaded_href()
    window.parent.postMessage(message, window.location.origin)


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


def _post_callback_to_opener() -> None:
    """Hand the callback URL to the opener (same origin only), then close."""
    message = window.Object.new()
    message["type"] = CALLBACK_MESSAGE
    message["url"] = page.loaded_href()
    window.opener.postMessage(message, window.location.origin)
    window.close()


async def create_oidc(**overrides: object) -> Oidc | MockOidc:
    """The page's OIDC client, once the auth state is known (ready mark recorded).

    Configuration comes from the page (see ``read_config``) with ``overrides`` on top.
    Inside the silent-renew iframe it posts the callback to the parent and never
    resolves: the app must not boot there.
    """
    mapping = read_config()
    mapping.update(overrides)
    state = callback_state(mapping.get("response_mode"))
    if state is not None and in_iframe():
        post_callback_to_parent()
        await aio.Future()
    if state is not None and _is_login_popup(mapping, state):
        _post_callback_to_opener()
        await aio.Future()
    if "mock" in mapping:
        from .mock import MockOidc

        mock = MockOidc(mapping.pop("mock"))
        mark_ready()
        return mock
    mapping.setdefault("redirect_uri", str(window.location.origin) + "/")
    oidc = Oidc(mapping)
    issuer, client_id = mapping.get("issuer"), mapping.get("client_id")
    if not isinstance(issuer, str) or not isinstance(client_id, str):
        oidc.load()  # raises the ConfigurationError naming the field
    else:
        await _start(oidc, keys.namespace(issuer, client_id), mapping)
    mark_ready()
    oidc.warm_up()
    return oidc


async def _start(oidc: Oidc, ns: str, mapping: dict[str, object]) -> None:
    # Ours, used (reload, Back: the address bar needs cleaning) or foreign (refused
    # with ValidationError("state")): each needs the engine.
    callback = callback_shaped(ns, mapping.get("response_mode"))
    if not callback and _stored(window.sessionStorage, keys.after_logout_key(ns)):
        oidc.load().start_logged_out()
        return
    sibling = await sibling_signed_in(ns)
    hint = _stored(window.localStorage, keys.hint_key(ns))
    mode = mapping.get("session_restore", "auto")
    restore = mode == "iframe" or (hint and mode != "none")
    if sibling is None:
        # No Web Locks: a signed-in sibling would have left the hint; ask only then.
        sibling = None if hint else False
    if callback or sibling or sibling is None or restore:
        await oidc.load().start(sibling=sibling, restore=restore)
