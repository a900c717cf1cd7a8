"""Start-up and restore: carries out ``core.startup_plan``'s steps.

The callback (received by browser/callback.py), a sibling tab, the silent iframe and
the top-level ``prompt=none`` redirect. DESIGN: the callback is recognised by its
stored transaction and cleaned from the address bar before app code runs; a used
state (reload, Back) is dropped, never an error; an unknown state (or none while a
login is pending) is refused with ValidationError("state") and its code never
exchanged. Which restore steps run, in which order, and what an iframe's failure
leads to is decided in ``core.startup_plan``; this module does the I/O.
"""

from __future__ import annotations

from browser import aio

from brython_oidc.core import startup_plan as plan
from brython_oidc.core.errors import InteractionRequired, OIDCError, TransportError
from brython_oidc.core.renewal_policy import RETRY_BASE, RETRY_CAP
from brython_oidc.core.schedule import backoff_delay

from . import keys, page, tabs, timers, webcrypto
from .authorize import authorization_request
from .callback import code_from_callback, receive
from .exchange import exchange_code, finish_code, send_code

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from brython_oidc.core.authorization import Transaction
    from brython_oidc.core.config import ClientConfig

    from .callback import Received
    from .channel import Channel
    from .exchange import Sent, Verified
    from .provider import Provider
    from .state import SessionState
    from .storage import Stamp, TransactionStore

    #: A signed-in sibling tab: known (bool), unknowable (None), or asked on demand.
    Sibling = bool | None | Callable[[], Awaitable[bool | None]]


class Startup:
    """Finds out the auth state at load, and again after the provider was unreachable.

    Receives only what it uses; signs in through ``sign_in`` (verified tokens) and
    ``adopt`` (a sibling's tokens), both the composition root's (``client.Session``).
    """

    def __init__(
        self,
        *,
        config: ClientConfig,
        provider: Provider,
        transactions: TransactionStore,
        hint: Stamp,
        blind_iframe: Stamp,
        channel: Channel,
        state: SessionState,
        sign_in: Callable[[Verified], Awaitable[None]],
        adopt: Callable[[dict[str, object]], None],
        clock_jump: Callable[[], float],
    ) -> None:
        self.config = config
        self.provider = provider
        self.transactions = transactions
        self.hint = hint
        self.blind_iframe = blind_iframe
        self.channel = channel
        self.state = state
        self.sign_in = sign_in
        self.adopt = adopt
        self.clock_jump = clock_jump
        #: A callback's code whose exchange found the provider unreachable (retried).
        self.pending_code: tuple[Transaction, str] | None = None
        #: The question to the other tabs in flight (their answers come through here).
        self.sibling: tabs.SiblingRequest | None = None
        self.retry_timer: timers.Timer | None = None
        self.attempt = 0

    async def start(
        self, *, sibling: Sibling, restore: bool, received: Received | None = None
    ) -> None:
        """Find out the auth state: callback, sibling tab, restore at the provider.

        ``sibling``: a signed-in tab is known to exist (True), known not to (False),
        or cannot be known without Web Locks (None: ask, with a short wait); or an
        async callable answering one of those, awaited only when no callback of ours
        is handled (the boot's Web Locks query is an IPC round trip of 5-10 ms).
        ``received``: the callback already received (browser/callback.py), its code
        sent before the engine loaded.
        """
        state = self.state
        try:
            if received is None:
                received = await receive(self.config, self.provider, self.transactions)
            callback = received.transaction is not None or received.error is not None
            if callback:
                state.set_status(plan_status(plan.CALLBACK))
                await self.handle_callback(received)
                return
            if callable(sibling):
                sibling = await sibling()
            steps = start_steps_now(self, sibling, restore)
            if steps:
                state.set_status(plan_status(steps[0]))
            if plan.SIBLING in steps and await self.from_sibling(sibling is True):
                return
            await self.restore(steps)
        except OIDCError as exc:
            self.fail(exc)
        finally:
            state.settle()

    def prefetch_discovery(self) -> None:
        """Have the discovery document on a logged-out page before any click.

        The boot file has usually sent the request already (server/assets.py); this
        takes its response (``Provider.discover``). The login click then goes straight
        to the provider, and the callback page finds the document in sessionStorage. A
        failure is dropped here on purpose: the click asks again and reports it
        (``Session.login``).
        """
        if self.provider.metadata is not None:
            return

        async def run() -> None:
            try:
                await self.provider.discover()
            except OIDCError:
                return  # no contextlib in Brython; login() asks again and reports it

        aio.run(run())

    async def handle_callback(self, received: Received) -> None:
        transaction, error = received.transaction, received.error
        if (
            transaction is not None
            and transaction.kind == "restore"
            and isinstance(error, InteractionRequired)
        ):
            # The prompt=none redirect found no session: stop trying (never a loop).
            # The iframe may have been right, so it is not known to be blind.
            self.hint.clear()
            self.blind_iframe.clear()
            page.replace_url(transaction.return_to)
            return
        if error is not None:
            raise error
        if transaction is not None:
            await self.redeem(transaction, received.code, received.sent)

    async def redeem(self, transaction: Transaction, code: str, sent: Sent | None = None) -> None:
        """Exchange the code (``sent``: already on its way); kept for ``retry``
        while the provider is unreachable.

        A 5xx or no answer did not redeem the code (RFC 6749 §5.2 has no such error),
        so the retry presents it again instead of a silent restore, which cannot work
        where the provider's cookies are third-party. Any answer from the provider
        ends it: a code is single use (§4.1.2), an ErrorResponse is never retried.
        """
        self.pending_code = None
        try:
            if sent is None:
                sent = await send_code(self.provider, transaction, code)
            verified = await finish_code(sent, clock_jump=self.clock_jump)
        except TransportError as exc:
            self.pending_code = (transaction, code)
            # Not a bare raise: Brython loses the active exception when it was raised
            # again from a stored result (finish_code) across awaits.
            raise exc
        else:  # not after the try: tests/server/test_brython_frame_rule.py
            await self.sign_in(verified)
            page.replace_url(transaction.return_to)

    async def restore(self, steps: tuple[str, ...]) -> None:
        """Session restore on reload (DESIGN): the plan's iframe and top-level steps.

        ``blind_iframe`` is set when the iframe found no session (``login_required``)
        or no answer (the provider refuses framing) while the hint says there was one,
        just before the redirect; it is cleared when that redirect finds no session
        either (nothing was learned) and when an iframe sees the session. The browser
        withholds the provider's cookies from the iframe (third-party cookies blocked,
        or the cookies are ``SameSite=Lax``), so for ``BLIND_IFRAME_MAX_AGE`` ``auto``
        goes straight to the redirect.
        """
        for step in steps:
            if step == plan.SILENT_IFRAME:
                if await self.silent_iframe_step():
                    return
            elif step == plan.PROVIDER_ANSWERS:
                # A stored discovery document is no answer: ask (a failure raises,
                # and the page stays, signed out, with the error; retried with backoff).
                await self.provider.confirm_answers()
            elif step == plan.TOP_LEVEL_PROMPT_NONE:
                await self.top_level_prompt_none()

    async def silent_iframe_step(self) -> bool:
        """The silent iframe; whether the auth state is known after it
        (``core.startup_plan.after_silent_iframe`` on a failure)."""
        # Bound before the try: tests/server/test_brython_frame_rule.py.
        failure = plan.NO_SESSION
        error: TransportError | None = None
        try:
            await self.silent()
            return True
        except InteractionRequired:
            failure = plan.NO_SESSION
        except TransportError as exc:
            failure = plan.NO_ANSWER if is_silent_timeout(exc) else plan.UNREACHABLE
            error = exc
        then, blind = plan.after_silent_iframe(
            failure, session_restore=self.config.session_restore, hint=self.hint.present()
        )
        if blind:
            self.blind_iframe.set(timers.now())
        if then == plan.RAISE and error is not None:
            raise error  # not bare: see redeem
        return then == plan.STOP

    async def top_level_prompt_none(self) -> None:
        """The hint says a session existed; its "restore" transaction clears the
        hint when the provider answers login_required, so this runs once."""
        metadata = await self.provider.discover()
        url, _ = await authorization_request(
            self.config,
            metadata,
            self.transactions,
            kind="restore",
            return_to=page.current_path(),
            prompt="none",
        )
        page.navigate(url)
        await aio.Future()  # the page is leaving; nothing below may run

    async def silent(self) -> None:
        """A prompt=none request in a hidden iframe (OIDC Core §3.1.2.1)."""
        metadata = await self.provider.discover()
        url, transaction = await authorization_request(
            self.config,
            metadata,
            self.transactions,
            kind="silent",
            return_to="/",
            prompt="none",
        )
        # Imported on use: a page that never restores or renews in an iframe skips it.
        from . import silent as silent_frame

        callback_url = await silent_frame.silent_request(
            url, transaction.state, self.config.silent_timeout
        )
        # Whatever it says (login_required too), the provider answered this page: a
        # top-level redirect may follow without asking it again (PROVIDER_ANSWERS).
        self.provider.heard_from()
        code = code_from_callback(self.config, metadata, transaction, callback_url)
        self.blind_iframe.clear()  # the provider's session reached the iframe
        verified = await exchange_code(self.provider, transaction, code, clock_jump=self.clock_jump)
        await self.sign_in(verified)

    async def from_sibling(self, known: bool) -> bool:
        """Ask open tabs for the session (no provider round trip)."""
        if not self.channel.available:
            return False
        self.sibling = tabs.SiblingRequest(self.channel)
        payload = await self.sibling.ask(known)
        self.sibling = None
        if payload is not None:
            self.adopt(payload)
        return self.state.tokens is not None

    def fail(self, exc: OIDCError) -> None:
        """A start-up failure: kept for the app; the provider unreachable is retried."""
        self.state.fail(exc)
        if isinstance(exc, TransportError) and self.state.tokens is None:
            self.retry_later()

    def retry_later(self) -> None:
        jitter = webcrypto.random_bytes(1)[0] / 255.0
        delay = backoff_delay(self.attempt, base=RETRY_BASE, cap=RETRY_CAP, jitter=jitter)
        self.attempt += 1
        if self.retry_timer is not None:
            self.retry_timer.cancel()
        self.retry_timer = timers.Timer(delay, lambda: aio.run(self.retry()))

    async def retry(self) -> None:
        """After the provider was unreachable at start-up: the pending code, else a restore."""
        if self.state.tokens is not None:
            return  # signed in meanwhile (another tab, a login)
        try:
            self.provider.forget()
            if self.pending_code is not None:
                await self.redeem(*self.pending_code)
            else:
                await self.restore(start_steps_now(self, False, True))
            self.state.forget_error()
            self.attempt = 0
        except OIDCError as exc:
            self.fail(exc)


def start_steps_now(startup: Startup, sibling: bool | None, restore: bool) -> tuple[str, ...]:
    """``core.startup_plan.start_steps`` with what this tab knows now."""
    return plan.start_steps(
        callback=False,
        sibling=sibling,
        restore=restore,
        session_restore=startup.config.session_restore,
        hint=startup.hint.present(),
        iframe_blind=plan.iframe_known_blind(startup.blind_iframe.age(timers.now())),
        provider_answered=startup.provider.answered,
        prompt_none=plan.prompt_none_offered(
            startup.provider.metadata.raw if startup.provider.metadata is not None else None
        ),
    )


def plan_status(step: str) -> str:
    """The status (``keys.STATUSES``) while ``step`` runs."""
    return keys.SIGNING_IN if step == plan.CALLBACK else keys.RESTORING


def is_silent_timeout(exc: TransportError) -> bool:
    """No answer in the frame at all (not the provider down on another endpoint)."""
    from . import silent as silent_frame

    return exc.endpoint == silent_frame.ENDPOINT
