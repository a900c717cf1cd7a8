"""The engine: one app's session in this tab, as the composition root.

``Session`` is the engine (the one name for it; ``handle.Oidc`` is what the app
holds, and loads the engine when needed). It builds the pieces and wires them:

- ``state.SessionState``: tokens, claims, userinfo, last error, status; the one owner
  and only writer of the session state;
- ``startup.Startup``: callback, sibling tab, restore (``core.startup_plan``);
- ``renewal.Renewal``: scheduled renewal and its failures (``core.renewal_policy``);
- ``login.Login``, ``logout.Logout``, ``idle.IdleWatch``, and the tabs (``tabs``,
  ``channel``, ``locks``).

Each receives only what it uses; none imports this module. What is left here: the
app's calls (``fetch``, and the others forwarded), a sign-in's side effects (userinfo, the
hint, the session lock, the other tabs) and the channel's messages.
"""

from __future__ import annotations

from browser import aio, window

from brython_oidc.core.errors import OIDCError, TransportError, ValidationError
from brython_oidc.core.renewal_policy import REFRESH_TOKEN
from brython_oidc.core.schedule import settle_clock_jump
from brython_oidc.core.urls import url_origin

from . import keys, page, tabs, timers, webcrypto
from .channel import Channel
from .exchange import refresh
from .jsjson import to_js
from .locks import Election, SharedLock
from .login import Login
from .logout import Logout, restore_after_logout
from .provider import Provider
from .renewal import Renewal
from .startup import Startup
from .state import SessionState
from .storage import Stamp, TransactionStore, blind_iframe_key

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from brython_oidc.core.config import ClientConfig
    from brython_oidc.core.messages import Message
    from brython_oidc.core.token import TokenSet

    from .callback import Received
    from .exchange import Verified
    from .idle import IdleWatch
    from .startup import Sibling
    from .state import StatusHolder


class Session:
    """The engine. ``token_subscribers`` and ``countdown_subscribers`` are the
    handle's lists (subscriptions made before the engine loaded still count);
    ``status`` is the handle's ``Status``, the one holder of the page's status."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        token_subscribers: list[Callable[[TokenSet | None], None]],
        countdown_subscribers: list[Callable[[int | None], None]],
        status: StatusHolder,
        provider: Provider | None = None,
    ) -> None:
        self.config = config
        self.namespace = namespace = keys.namespace(config.issuer, config.client_id)
        self.state = state = SessionState(token_subscribers, status)
        self.countdown_subscribers = countdown_subscribers
        self.transactions = TransactionStore(namespace)
        self.hint = Stamp(keys.hint_key(namespace))
        self.session_lock = SharedLock(keys.session_lock(namespace))
        #: ``provider``: the one that received the callback (its keys may be in flight).
        self.provider = provider or Provider(config)
        #: Provider clock minus local clock, estimated from the last ID token's iat.
        self.clock_offset = 0.0
        #: Adds up the wall clock's jumps since load (set by ``watch``).
        self.clock: timers.ClockWatch | None = None
        self.channel = Channel(config.issuer, config.client_id, webcrypto.random_bytes(8).hex())
        self.channel.subscribe(self.on_message)
        self.renewal = Renewal(
            state=state,
            config=config,
            namespace=namespace,
            election=Election(self.channel),
            renew=self.renew_with,
            sign_out=self.sign_out,
            clock_jump=self.clock_jump,
        )
        self.startup = Startup(
            config=config,
            provider=self.provider,
            transactions=self.transactions,
            hint=self.hint,
            blind_iframe=Stamp(blind_iframe_key(namespace)),
            channel=self.channel,
            state=state,
            sign_in=self.sign_in,
            adopt=self.adopt,
            clock_jump=self.clock_jump,
        )
        self.logins = Login(
            config=config,
            provider=self.provider,
            transactions=self.transactions,
            state=state,
            sign_in=self.sign_in,
            fail=self.startup.fail,
            clock_jump=self.clock_jump,
        )
        self.logouts = Logout(
            state=state,
            provider=self.provider,
            config=config,
            namespace=namespace,
            sign_out=self.sign_out,
        )
        self.idle: IdleWatch | None = None
        #: ``watch`` ran (watchers set): a login click may load the engine first.
        self.watching = False

    # --- what the handle reads ----------------------------------------------------------

    @property
    def tokens(self) -> TokenSet | None:
        return self.state.tokens

    @property
    def decoded_id_token(self) -> dict[str, object] | None:
        return self.state.claims

    @property
    def user(self) -> dict[str, object] | None:
        return self.state.user

    @property
    def last_error(self) -> OIDCError | None:
        return self.state.last_error

    @property
    def status(self) -> str:
        """One of ``keys.STATUSES``."""
        return self.state.status

    # --- public API (through handle.Oidc) -----------------------------------------------

    async def get_tokens(self) -> TokenSet | None:
        if self.state.tokens is not None and self.renewal.due():
            await self.renewal.run()
        return self.state.tokens

    async def renew(self) -> None:
        await self.renewal.run()

    async def fetch(self, url: str, **init: object) -> object:
        """``window.fetch`` with ``Authorization`` for own/allowed origins only (RFC 6750 §2.1).

        Any other origin gets the request untouched: a token must not reach a server
        that was not meant to receive it.
        """
        absolute = str(window.URL.new(url, window.location.href).href)
        raw_headers = init.pop("headers", None)
        headers = {str(k): str(v) for k, v in dict(raw_headers or {}).items()}  # type: ignore[call-overload]
        allowed = {page.origin(), *self.config.allowed_fetch_origins}
        if url_origin(absolute) in allowed:
            tokens = await self.get_tokens()
            if tokens is not None:
                headers["Authorization"] = f"{tokens.token_type} {tokens.access_token}"
        js_init = to_js(dict(init))
        js_init["headers"] = to_js(headers)
        return await window.fetch(absolute, js_init)

    async def login(
        self, redirect_to: str | None = None, *, popup: bool = False, **params: object
    ) -> None:
        await self.logins.run(redirect_to, popup=popup, **params)

    async def logout(self, redirect_to: str = "home") -> None:
        await self.logouts.run(redirect_to)

    # --- start-up -----------------------------------------------------------------------

    async def start(
        self, *, sibling: Sibling, restore: bool, received: Received | None = None
    ) -> None:
        self.watch()
        await self.startup.start(sibling=sibling, restore=restore, received=received)

    def start_logged_out(self) -> None:
        """The engine loaded after the ready mark (nothing to restore): watch, and have
        the discovery document before any click."""
        self.watch()
        if self.state.status == keys.LOADING:
            self.state.settle()
        self.startup.prefetch_discovery()

    def watch(self) -> None:
        """The part of start-up that needs no provider: storage upkeep and watchers (once)."""
        if self.watching:
            return
        self.watching = True
        self.transactions.purge(timers.now(), self.config.transaction_ttl)
        restore_after_logout(self.namespace)
        timers.on_wake(self.on_wake)
        self.clock = timers.ClockWatch(self.on_clock_jump)
        if self.config.idle_timeout is not None:
            from .idle import IdleWatch  # only with an idle timeout configured

            self.idle = IdleWatch(
                state=self.state,
                config=self.config,
                channel=self.channel,
                countdown=self.notify_countdown,
                logout=lambda: self.logout(redirect_to="current page"),
            )

    def on_wake(self, _reason: str) -> None:
        """The tab woke (visibilitychange, online, pageshow) or the clock jumped."""
        if self.state.tokens is not None:
            self.renewal.on_wake()
        elif isinstance(self.state.last_error, TransportError):
            aio.run(self.startup.retry())

    def on_clock_jump(self, jump: float) -> None:
        """The wall clock jumped ``jump`` s (timers.ClockWatch)."""
        if self.idle is not None:
            self.idle.on_clock_jump(jump)
        if self.state.tokens is None:
            self.on_wake("clock")
        else:
            self.renewal.on_clock_jump()

    # --- tokens -------------------------------------------------------------------------

    async def renew_with(self, grant: str) -> None:
        """One renewal with ``grant`` (core.renewal_policy); ``renewal`` calls it under the lock."""
        tokens, claims = self.state.tokens, self.state.claims
        if tokens is None or claims is None:
            return
        if grant == REFRESH_TOKEN and tokens.refresh_token:
            verified = await refresh(
                self.provider, tokens, claims, self.clock_offset, clock_jump=self.clock_jump
            )
            await self.sign_in(verified)
        else:
            await self.startup.silent()

    def clock_jump(self) -> float:
        """The net wall-clock jump this page measured since load (0 without a watch)."""
        return self.clock.check() if self.clock is not None else 0.0

    async def sign_in(self, verified: Verified) -> None:
        """New verified tokens: fetch userinfo, keep them, tell the app and the tabs."""
        state = self.state
        first = state.tokens is None
        self.clock_offset = verified.clock_offset
        if self.clock is not None:
            # The provider's iat agrees with our clock again: stop widening the checks.
            self.clock.total = settle_clock_jump(
                self.clock.total, verified.clock_offset, leeway=self.config.clock_leeway
            )
        userinfo = state.userinfo
        if self.config.load_userinfo and (first or verified.claims is not state.claims):
            userinfo = await self.fetch_userinfo(verified)
        self.renewal.mark_renewed()
        self.set_tokens(verified.tokens, verified.claims, userinfo, broadcast=True)
        if first:
            self.channel.post("login", {"sub": str(verified.claims.get("sub"))})

    async def fetch_userinfo(self, verified: Verified) -> dict[str, object] | None:
        tokens = verified.tokens
        try:
            return await self.provider.userinfo(
                tokens.access_token, tokens.token_type, verified.claims
            )
        except ValidationError as exc:
            if exc.check == "sub":
                # OIDC Core §5.3.4: another user's claims for this token. Loud: the
                # sign-in is refused (the provider or the response is not to be trusted).
                raise exc  # not bare: see startup.Startup.redeem
            self.startup.fail(exc)
            return None
        except OIDCError as exc:
            # Userinfo down or refused: the sign-in stands on the verified ID token.
            self.startup.fail(exc)
            return None

    def set_tokens(
        self,
        tokens: TokenSet,
        claims: dict[str, object],
        userinfo: dict[str, object] | None,
        *,
        broadcast: bool,
    ) -> None:
        self.state.set_tokens(tokens, claims, userinfo, clock=self.clock_jump())
        self.hint.set(timers.now())
        self.session_lock.hold()
        self.renewal.schedule()
        if broadcast:
            payload = tabs.tokens_payload(tokens, claims, userinfo, self.renewal.generation)
            self.channel.post("tokens", payload)
        self.state.notify()

    def adopt(self, payload: dict[str, object]) -> None:
        """Tokens handed over by another tab of this app (same origin, in memory)."""
        adopted = tabs.tokens_from_payload(payload)
        if adopted is not None:
            self.renewal.adopted(payload.get("renewal"))
            self.set_tokens(*adopted, broadcast=False)

    def sign_out(self, reason: str) -> None:
        """Signed out here and in every tab (``reason`` goes to the others)."""
        self.clear(reason, broadcast=True)

    def clear(self, reason: str, *, broadcast: bool) -> None:
        self.renewal.cancel()
        self.hint.clear()
        self.session_lock.release()
        if broadcast:
            self.channel.post("logout", {"reason": reason})
        self.state.clear()

    # --- tabs and the app ---------------------------------------------------------------

    def on_message(self, message: Message) -> None:
        kind, payload = message.kind, message.payload
        state = self.state
        if kind == "tokens":
            self.adopt(payload)
        elif kind == "logout":
            self.clear(str(payload.get("reason", "logout")), broadcast=False)
        elif kind == "session_request" and state.tokens is not None:
            answer = tabs.tokens_payload(
                state.tokens, state.claims or {}, state.userinfo, self.renewal.generation
            )
            self.channel.post(
                "session_response", {"request_id": payload["request_id"], "tokens": answer}
            )
        elif kind == "session_response" and self.startup.sibling is not None:
            self.startup.sibling.answer(payload.get("request_id"), payload.get("tokens"))
        elif kind == "activity" and self.idle is not None:
            at = payload.get("at")
            if isinstance(at, (int, float)):
                self.idle.seen(float(at))

    def notify_countdown(self, seconds: int | None) -> None:
        for callback in list(self.countdown_subscribers):
            callback(seconds)
