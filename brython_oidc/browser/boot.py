"""``create_oidc``: decide the auth state on page load, importing as little as possible.

Brython compiles every module it imports, at 50-200 ms per protocol module on a
cold load, so this module imports nothing of core/, and the server ships it (with
``handle`` and ``keys``) already compiled (server/precompiled.py). It answers three
questions from storage and the platform alone:

- may the address hold an authorization response? Then ``landing`` looks closer
  (and hands a silent iframe's or a popup's response to the window that asked);
- was this browser signed in (the localStorage hint) and may we restore?
- with the hint set: is a sibling tab signed in (it holds the shared Web Lock
  ``keys.session_lock``)? Without the hint none is: every signed-in tab sets it.
  On a callback page the engine asks that only if the callback is not its to handle.

Any yes loads the protocol engine (``client.Session``) and waits for its answer;
all no means logged out at once: the ready mark is set, and the engine is loaded
in the background afterwards (cross-tab login, login clicks).
"""

from __future__ import annotations

import javascript
from browser import window

from . import keys
from .handle import Oidc, load_engine, mark_ready

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .mock import MockOidc


async def read_config() -> dict[str, object]:
    """The JSON the server injected in ``<script type="application/json" id=...>``."""
    element = window.document.getElementById(keys.CONFIG_ELEMENT_ID)
    if not element:
        return {}
    value: object = None  # bound before the try: tests/server/test_brython_frame_rule.py
    try:
        # javascript.JSON (not window.JSON) answers Python dicts and lists.
        value = javascript.JSON.parse(str(element.text))
    except Exception:
        value = None
    if not isinstance(value, dict):
        await load_engine()  # core.errors is one of the engine's modules
        from brython_oidc.core.errors import ConfigurationError

        raise ConfigurationError(
            keys.CONFIG_ELEMENT_ID, "the injected configuration is not a JSON object"
        )
    return dict(value)


def _stored(store: Any, key: str) -> bool:
    # getItem answers JavaScript null, which Brython does not map to None.
    return isinstance(store.getItem(key), str)


def may_be_callback() -> bool:
    """Whether the address may hold an authorization response (``landing`` decides).

    The boot file moves callback parameters into a JS global before Brython starts;
    a page booted without it still has them in the address bar.
    """
    if isinstance(getattr(window, keys.CALLBACK_URL_GLOBAL, None), str):
        return True
    href = str(window.location.href)
    return "code=" in href or "error=" in href


async def sibling_signed_in(ns: str, hint: bool) -> bool | None:
    """Whether another tab holds the session lock.

    Without Web Locks: ``None`` (ask the tabs) if the hint is set, else ``False``,
    since a signed-in sibling would have left the hint.
    """
    locks = getattr(window.navigator, "locks", None)
    if not locks or not getattr(locks, "query", None):
        return None if hint else False
    snapshot = await locks.query()
    name = keys.session_lock(ns)
    return any(str(lock.name) == name for lock in snapshot.held)


async def create_oidc(**overrides: object) -> Oidc | MockOidc:
    """The page's OIDC client, once the auth state is known (ready mark recorded).

    Configuration comes from the page (see ``read_config``) with ``overrides`` on top.
    Inside the silent-renew iframe or a login popup it hands the response to the
    window that asked and never resolves: the app must not boot there.
    """
    mapping = await read_config()
    mapping.update(overrides)
    callback = may_be_callback()
    if callback:
        await load_engine()
        from .landing import relay_if_not_ours

        await relay_if_not_ours(mapping)
    if "mock" in mapping:
        await load_engine()
        from .mock import MockOidc

        mock = MockOidc(mapping.pop("mock"))
        mock.status_keeper.settle(mock.is_user_logged_in)
        mark_ready()
        return mock
    mapping.setdefault("redirect_uri", str(window.location.origin) + "/")
    oidc = Oidc(mapping)
    issuer, client_id = mapping.get("issuer"), mapping.get("client_id")
    if not isinstance(issuer, str) or not isinstance(client_id, str):
        await oidc._engine()  # raises the ConfigurationError naming the field
    else:
        await _start(oidc, keys.namespace(issuer, client_id), mapping, callback)
    oidc.status_keeper.settle(oidc.is_user_logged_in)
    mark_ready()
    oidc.warm_up()
    return oidc


async def _start(oidc: Oidc, ns: str, mapping: dict[str, object], callback: bool) -> None:
    if callback:
        from .landing import callback_shaped

        # Ours, used (reload, Back: the address bar needs cleaning) or foreign
        # (refused with ValidationError("state")): each needs the engine.
        callback = callback_shaped(ns, mapping.get("response_mode"))
    status = oidc.status_keeper
    if not callback and _stored(window.sessionStorage, keys.after_logout_key(ns)):
        status.set(keys.SIGNING_OUT)
        (await oidc._engine()).start_logged_out()
        return
    hint = _stored(window.localStorage, keys.hint_key(ns))
    mode = mapping.get("session_restore", "auto")
    if not (callback or hint or mode == "iframe"):
        # Every signed-in tab keeps the hint set (Session.set_tokens): without it no
        # sibling can hand tokens over and nothing is restored. Logged out, at once.
        return
    restore = mode == "iframe" or (hint and mode != "none")
    # The boot file said so already when it ran; a page booted without it learns here.
    status.set(keys.SIGNING_IN if callback else keys.RESTORING)
    if callback:
        from .callback import receive_page

        # The code goes out first; the rest of the engine loads while it travels
        # (the engine asset is there: create_oidc awaited it for the callback).
        received = await receive_page(mapping)

        # The sibling matters only if the callback turns out not to be ours to
        # handle (used state: reload, Back), so it is asked then.
        async def ask() -> bool | None:  # not a lambda: Brython warns "never awaited"
            return await sibling_signed_in(ns, hint)

        await oidc.load(received).start(sibling=ask, restore=restore, received=received)
        return
    sibling = await sibling_signed_in(ns, hint)
    if sibling is not False or restore:
        await (await oidc._engine()).start(sibling=sibling, restore=restore)
