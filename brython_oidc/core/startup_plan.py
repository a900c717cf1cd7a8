"""What a page does at start to learn its auth state: the decisions, no I/O.

``browser/startup.py`` carries the plan out. Session restore on reload (DESIGN):
a signed-in sibling tab first (no provider round trip), then a ``prompt=none``
request in a hidden iframe (OpenID Connect Core §3.1.2.1), then, gated by the "was
signed in" hint and only once, a top-level ``prompt=none`` redirect. DESIGN "When
things go wrong": the top level goes to the provider only after the provider
answered this page. Runs in Brython: built-ins only.
"""

from __future__ import annotations

# The steps, in the order ``start_steps`` lists them.
#: An authorization response of ours is in the address (RFC 6749 §4.1.2): redeem it.
CALLBACK = "callback"
#: Ask open tabs of this app for their session over the channel.
SIBLING = "sibling"
#: ``prompt=none`` in a hidden iframe (OpenID Connect Core §3.1.2.1).
SILENT_IFRAME = "silent-iframe"
#: Ask the provider (discovery) unless it answered this page already: DESIGN "When
#: things go wrong" sends the top level to a provider only after it answered this page
#: (a discovery document an earlier page stored is no answer: the provider may be down
#: now, and the user would land on the browser's error page on every reload).
PROVIDER_ANSWERS = "provider-answers"
#: ``prompt=none`` by navigating the whole page (the iframe cannot see the cookies).
TOP_LEVEL_PROMPT_NONE = "top-level-prompt-none"

# What to do when the silent iframe failed (``after_silent_iframe``).
#: The auth state is known: signed out, nothing more to try.
STOP = "stop"
#: The failure is the start-up's result (``last_error``; retried with backoff).
RAISE = "raise"
#: Go on with the next step.
NEXT = "next"

# How the silent iframe failed.
#: OpenID Connect Core §3.1.2.6 (``login_required`` ...): the provider has no session
#: this iframe may use.
NO_SESSION = "no-session"
#: Nothing came back within ``silent_timeout`` (the provider refuses framing, or is slow).
NO_ANSWER = "no-answer"
#: The provider could not be reached (discovery or token endpoint).
UNREACHABLE = "unreachable"

#: How long an iframe known to miss the session is skipped: then one reload tries it
#: again, in case the browser's cookie settings changed.
BLIND_IFRAME_MAX_AGE = 7 * 24 * 3600.0

RESTORE_MODES = ("auto", "iframe", "redirect", "none")


def iframe_known_blind(age: float | None, *, max_age: float = BLIND_IFRAME_MAX_AGE) -> bool:
    """Whether the iframe missed a session recently (``age`` s ago; None: never).

    ``abs``: a stamp from the future (the clock was set back) still expires.
    """
    return age is not None and abs(age) < max_age


def prompt_none_offered(document: dict[str, object] | None) -> bool:
    """Whether the provider may answer ``prompt=none`` (OpenID Connect Core §3.1.2.1).

    Only a discovery document whose ``prompt_values_supported`` (Initiating User
    Registration via OpenID Connect 1.0 §4.1) is a list without ``"none"`` says no; a
    document without it, or none fetched yet, leaves the question open: try.
    """
    if document is None:
        return True
    values = document.get("prompt_values_supported")
    if not isinstance(values, list):
        return True
    for value in values:
        if value == "none":
            return True
    return False


def start_steps(
    *,
    callback: bool,
    sibling: bool | None,
    restore: bool,
    session_restore: str,
    hint: bool,
    iframe_blind: bool,
    provider_answered: bool,
    prompt_none: bool = True,
) -> tuple[str, ...]:
    """The steps to try, in order, until one gives the auth state.

    ``callback``: an authorization response (or error) of ours was received; it alone
    decides. ``sibling``: a signed-in tab is known to exist (True), known not to
    (False), or cannot be known without Web Locks (None: ask anyway). ``restore``:
    the boot asked to restore (the hint is set, or ``session_restore`` is
    ``"iframe"``). ``iframe_blind``: ``iframe_known_blind`` of the stored stamp.
    ``provider_answered``: the provider answered this page already (the boot file's
    discovery request, say); the silent iframe's own discovery counts too, so the
    browser checks again when it reaches ``PROVIDER_ANSWERS``. ``prompt_none``:
    ``prompt_none_offered`` of the provider's discovery document; a provider that says
    it does not take ``prompt=none`` gets neither restore request (each would only come
    back with an error, or show a login page in the iframe or the whole tab).
    """
    if callback:
        return (CALLBACK,)
    steps: tuple[str, ...] = ()
    if sibling is not False:
        steps += (SIBLING,)
    if not restore or session_restore == "none" or not prompt_none:
        return steps
    skip_iframe = session_restore == "auto" and iframe_blind
    if session_restore in ("auto", "iframe") and not skip_iframe:
        steps += (SILENT_IFRAME,)
    if session_restore in ("auto", "redirect") and hint:
        if not provider_answered:
            steps += (PROVIDER_ANSWERS,)
        steps += (TOP_LEVEL_PROMPT_NONE,)
    return steps


def after_silent_iframe(failure: str, *, session_restore: str, hint: bool) -> tuple[str, bool]:
    """``(what next, mark the iframe blind)`` after the silent iframe failed.

    Without the hint (or with ``session_restore = "iframe"``) there is nothing more to
    try: no session is the answer, an unreachable provider the error. With the hint,
    the top-level redirect follows; the iframe is marked blind when it saw no session
    the hint says exists, or got no answer at all (its cookies are withheld, or the
    provider refuses framing), so later reloads skip it (``BLIND_IFRAME_MAX_AGE``).
    """
    last = session_restore == "iframe" or not hint
    if failure == NO_SESSION:
        return (STOP, False) if last else (NEXT, True)
    if last:
        return RAISE, False
    return NEXT, failure == NO_ANSWER
