"""Names the runtime shares outside its own memory: storage keys, locks, JS globals.

The one definition of each: the start-up decision (``boot``) reads storage and locks
without importing the protocol modules, and the server reads this file under
CPython (server/names.py) to hand the boot file (server/js/boot.js) the same names
as one JSON value. So it imports nothing, and stays so. Every storage key, lock and
channel name is namespaced by issuer and client_id (``namespace``), so two apps (or
two providers) on one origin never mix.
"""

from __future__ import annotations

PREFIX = "brython-oidc:"

#: The id of the ``<script type="application/json">`` holding the client
#: configuration (server/shell.py writes it, ``boot.read_config`` reads it).
CONFIG_ELEMENT_ID = "brython-oidc-config"

#: The ``postMessage`` type a silent iframe or a login popup sends its callback URL
#: with (``landing.post_callback``, server/js/silent_callback.js; ``silent`` accepts it).
CALLBACK_MESSAGE = "brython-oidc:callback"

# --- the JS globals the boot file (server/js/boot.js) sets before Brython starts -------
#: The URL of an authorization response, moved out of the address bar (``page``).
CALLBACK_URL_GLOBAL = "__brython_oidc_callback_url"
#: ``{url, response, controller}``: the GET the boot file started itself, discovery
#: or JWKS (``http.take_started``).
EARLY_GET_GLOBAL = "__brython_oidc_early_get"
#: A function answering a Promise of whether the engine asset has loaded (fetched
#: on the first call; after a failed load the next call tries again): ``load_engine``.
ENGINE_GLOBAL = "__brython_oidc_engine"
#: ``requestIdleCallback`` that first loads the engine asset, and calls back only if
#: it loaded: ``handle.Oidc.warm_up``.
IDLE_GLOBAL = "__brython_oidc_idle"
#: The engine's Promise when start-up will run the engine; ``brython()`` waits for it.
ENGINE_AT_START_GLOBAL = "__brython_oidc_engine_at_start"

# --- what the page says it is doing (``handle.Oidc.status``) ---------------------------
#: The attribute on ``<html>`` (``document.documentElement.dataset.oidcStatus``) that
#: holds the status: set by the boot file before Brython starts, kept by ``handle``.
STATUS_ATTRIBUTE = "data-oidc-status"
LOADING = "loading"
#: A callback is being redeemed, or the login redirect / popup is under way.
SIGNING_IN = "signing-in"
#: The "was signed in" hint is set (or ``session_restore = "iframe"``): the session is
#: being restored from a sibling tab or the provider.
RESTORING = "restoring"
SIGNING_OUT = "signing-out"
SIGNED_IN = "signed-in"
SIGNED_OUT = "signed-out"
RENEWING = "renewing"
STATUSES = (LOADING, SIGNING_IN, RESTORING, SIGNING_OUT, SIGNED_IN, SIGNED_OUT, RENEWING)


def namespace(issuer: str, client_id: str) -> str:
    """The (issuer, client_id) pair as one string, each part length-prefixed.

    So distinct pairs never give the same namespace: no separator inside an issuer
    URL or a client_id can fake a boundary (``"https://a:b" + "c"`` against
    ``"https://a" + "b:c"``).
    """
    return f"{len(issuer)}:{issuer}:{len(client_id)}:{client_id}"


def channel_name(ns: str) -> str:
    """The BroadcastChannel the app's tabs talk over (core/messages.py's schema).

    The schema version is not in the name on purpose: tabs on different versions must
    still hear each other's logout, and drop only what they cannot read.
    """
    return PREFIX + ns


def transaction_prefix(ns: str) -> str:
    """sessionStorage: ``<prefix><state>`` holds one in-flight transaction."""
    return f"{PREFIX}{ns}:tx:"


def used_states_key(ns: str) -> str:
    """sessionStorage: the states already consumed (reloaded callbacks are dropped)."""
    return f"{PREFIX}{ns}:used-states"


def hint_key(ns: str) -> str:
    """localStorage: the "was signed in" hint (a timestamp, never a token)."""
    return f"{PREFIX}{ns}:signed-in"


def discovery_key(ns: str) -> str:
    """sessionStorage: the discovery document (public metadata, never a token) and
    when it was fetched, so the callback page need not fetch it again."""
    return f"{PREFIX}{ns}:discovery"


def after_logout_key(ns: str) -> str:
    """sessionStorage: where to land once the provider's logout comes back."""
    return f"{PREFIX}{ns}:after-logout"


def renew_lock(ns: str) -> str:
    """Web Lock held (exclusive) by the tab that renews for all."""
    return f"{PREFIX}renew:{ns}"


def session_lock(ns: str) -> str:
    """Web Lock held (shared) by every signed-in tab, so a new tab knows to ask them."""
    return f"{PREFIX}session:{ns}"


def renewed_key(ns: str) -> str:
    """localStorage: a counter of renewals (a count, not a time and never a token).

    Read under the renewal lock: a tab whose tokens carry a lower count knows another
    tab already used the refresh token, even before the new tokens reach it. A count,
    because a wall clock set back would make new tokens look older.
    """
    return f"{PREFIX}{ns}:renewals"
