"""Names the runtime uses outside its own memory: storage keys, lock names.

Kept in one tiny module so the start-up decision (``boot``) can read storage and
locks without importing the protocol modules. Every name is namespaced by issuer
and client_id, so two apps (or two providers) on one origin never mix.
"""

from __future__ import annotations

PREFIX = "brython-oidc:"

#: The JS global the server's boot file (server/assets.py) moves an authorization
#: response's URL into before ``brython()`` starts.
CALLBACK_URL_GLOBAL = "__brython_oidc_callback_url"

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
    return f"{issuer}|{client_id}"


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
