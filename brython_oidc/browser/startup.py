"""Start-up and restore: the callback (received by browser/callback.py), sibling tab,
silent and redirect restore.

DESIGN: the callback is recognised by its stored transaction and cleaned from the
address bar before app code runs; a used state (reload, Back) is dropped, never
an error; an unknown state (or none while a login is pending) is refused with
ValidationError("state") and its code never exchanged. Restore: a signed-in
sibling first (no provider round trip), then a prompt=none request in a hidden
iframe, then — gated by the hint, and only once — a top-level prompt=none redirect.
Where the iframe missed a session the hint said was there, later reloads skip it
for a while (``BLIND_IFRAME_MAX_AGE``).
"""

from __future__ import annotations

from browser import aio

from brython_oidc.core.errors import OIDCError, TransportError

from . import logout, page, tabs, timers
from .authorize import authorization_request
from .callback import code_from_callback, receive
from .exchange import exchange_code, finish_code, send_code
from .renewal import NO_SESSION

#: How long a blind iframe is skipped: then one reload tries it again, in case the
#: browser's cookie settings changed.
BLIND_IFRAME_MAX_AGE = 7 * 24 * 3600.0

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from brython_oidc.core.authorization import Transaction

    from .callback import Received
    from .client import Session
    from .exchange import Sent

    #: A signed-in sibling tab: known (bool), unknowable (None), or asked on demand.
    Sibling = bool | None | Callable[[], Awaitable[bool | None]]


async def start(
    session: Session, *, sibling: Sibling, restore: bool, received: Received | None = None
) -> None:
    """Find out the auth state: callback, sibling tab, restore at the provider.

    ``sibling``: a signed-in tab is known to exist (True), known not to (False),
    or cannot be known without Web Locks (None: ask, with a short wait); or an
    async callable answering one of those, awaited only when no callback of ours
    is handled (the boot's Web Locks query is an IPC round trip of 5-10 ms).
    ``received``: the callback already received (browser/callback.py), its code
    sent before the engine loaded.
    """
    start_logged_out(session)
    try:
        if received is None:
            received = await receive(session.config, session.provider, session.transactions)
        if received.transaction is not None or received.error is not None:
            await handle_callback(session, received)
            return
        if callable(sibling):
            sibling = await sibling()
        if sibling is not False and await from_sibling(session, sibling is True):
            return
        if restore:
            await restore_session(session)
    except OIDCError as exc:
        session.fail(exc)


def start_logged_out(session: Session) -> None:
    """The part of start-up that needs no provider: storage upkeep and watchers (once)."""
    if session.watching:
        return
    session.watching = True
    session.transactions.purge(timers.now(), session.config.transaction_ttl)
    logout.restore_after_logout(session.namespace)
    timers.on_wake(session.renewal.on_wake)
    session.clock = timers.ClockWatch(session.renewal.on_clock_jump)
    if session.config.idle_timeout is not None:
        from .idle import IdleWatch  # only with an idle timeout configured

        session.idle = IdleWatch(session)


def prefetch_discovery(session: Session) -> None:
    """Have the discovery document on a logged-out page before any click.

    The boot file has usually sent the request already (server/assets.py); this
    takes its response (``Provider.discover``). The login click then goes straight
    to the provider, and the callback page finds the document in sessionStorage. A
    failure is dropped here on purpose: the click asks again and reports it
    (``Session.login``).
    """
    if session.provider.metadata is not None:
        return

    async def run() -> None:
        try:
            await session.provider.discover()
        except OIDCError:
            return  # no contextlib in Brython; login() asks again and reports it

    aio.run(run())


async def handle_callback(session: Session, received: Received) -> None:
    transaction, error = received.transaction, received.error
    if transaction is not None and transaction.kind == "restore" and isinstance(error, NO_SESSION):
        # The prompt=none redirect found no session: stop trying (never a loop).
        # The iframe may have been right, so it is not known to be blind.
        session.hint.clear()
        session.blind_iframe.clear()
        page.replace_url(transaction.return_to)
        return
    if error is not None:
        raise error
    if transaction is not None:
        await redeem(session, transaction, received.code, received.sent)


async def redeem(
    session: Session, transaction: Transaction, code: str, sent: Sent | None = None
) -> None:
    """Exchange the code (``sent``: already on its way); kept for ``retry_start``
    while the provider is unreachable.

    A 5xx or no answer did not redeem the code (RFC 6749 §5.2 has no such error), so
    the retry presents it again instead of a silent restore, which cannot work where
    the provider's cookies are third-party. Any answer from the provider ends it: a
    code is single use (§4.1.2), an ErrorResponse is never retried.
    """
    session.pending_code = None
    try:
        if sent is None:
            sent = await send_code(session.provider, transaction, code)
        verified = await finish_code(sent, clock_jump=session.clock_jump)
    except TransportError as exc:
        session.pending_code = (transaction, code)
        # Not a bare raise: Brython loses the active exception when it was raised
        # again from a stored result (finish_code) across awaits.
        raise exc
    else:  # not after the try: tests/server/test_brython_frame_rule.py
        await session.sign_in(verified)
        page.replace_url(transaction.return_to)


async def restore_session(session: Session) -> None:
    """Session restore on reload (DESIGN): silent iframe, then the gated redirect.

    ``session.blind_iframe`` is set when the iframe found no session
    (``login_required``) or no answer (the provider refuses framing) while the hint
    says there was one, just before the redirect; it is cleared when that redirect
    finds no session either (nothing was learned) and when an iframe sees the
    session. The browser withholds the provider's cookies from the iframe
    (third-party cookies blocked, or the cookies are ``SameSite=Lax``), so for
    ``BLIND_IFRAME_MAX_AGE`` ``auto`` goes straight to the redirect: the iframe would
    cost every reload a provider round trip, or the whole ``silent_timeout``.
    """
    mode = session.config.session_restore
    if mode == "none":
        return
    blind = session.blind_iframe.age(timers.now())
    # abs: a stamp from the future (clock set back) still expires.
    skip = mode == "auto" and blind is not None and abs(blind) < BLIND_IFRAME_MAX_AGE
    if mode in ("auto", "iframe") and not skip:
        try:
            await silent(session)
            return
        except NO_SESSION:
            if mode == "iframe" or not session.hint.present():
                return
            session.blind_iframe.set(timers.now())
        except TransportError as exc:
            if mode == "iframe" or not session.hint.present():
                raise exc  # not bare: see redeem
            from . import silent as silent_frame

            if exc.endpoint == silent_frame.ENDPOINT:  # no answer in the frame at all
                session.blind_iframe.set(timers.now())
    if mode in ("auto", "redirect") and session.hint.present():
        # The hint says a session existed; its "restore" transaction clears the
        # hint when the provider answers login_required, so this runs once.
        metadata = await session.provider.discover()
        url, _ = await authorization_request(
            session.config,
            metadata,
            session.transactions,
            kind="restore",
            return_to=page.current_path(),
            prompt="none",
        )
        page.navigate(url)
        await aio.Future()  # the page is leaving; nothing below may run


async def silent(session: Session) -> None:
    """A prompt=none request in a hidden iframe (OIDC Core §3.1.2.1)."""
    metadata = await session.provider.discover()
    url, transaction = await authorization_request(
        session.config, metadata, session.transactions, kind="silent", return_to="/", prompt="none"
    )
    # Imported on use: a page that never restores or renews in an iframe skips it.
    from . import silent as silent_frame

    callback_url = await silent_frame.silent_request(
        url, transaction.state, session.config.silent_timeout
    )
    code = code_from_callback(session.config, metadata, transaction, callback_url)
    session.blind_iframe.clear()  # the provider's session reached the iframe
    verified = await exchange_code(
        session.provider, transaction, code, clock_jump=session.clock_jump
    )
    await session.sign_in(verified)


async def from_sibling(session: Session, known: bool) -> bool:
    """Ask open tabs for the session (no provider round trip)."""
    if not session.channel.available:
        return False
    session.sibling = tabs.SiblingRequest(session.channel)
    payload = await session.sibling.ask(known)
    session.sibling = None
    if payload is not None:
        session.adopt(payload)
    return session.tokens is not None


async def retry_start(session: Session) -> None:
    """After the provider was unreachable at start-up: the pending code, else a restore."""
    try:
        session.provider.forget()
        if session.pending_code is not None:
            await redeem(session, *session.pending_code)
        else:
            await restore_session(session)
        session.last_error = None
        session.renewal.attempt = 0
    except OIDCError as exc:
        session.fail(exc)
