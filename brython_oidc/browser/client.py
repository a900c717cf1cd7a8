"""The protocol engine behind ``handle.Oidc``: one app's session in this tab.

It holds the tokens (in memory only) and sequences the steps that live in their
own modules: start-up (callback, sibling tab, restore), login by redirect or
popup, renewal (``renewal``), cross-tab sync (``tabs``), idle timeout and logout.
"""

from __future__ import annotations

from browser import window

from brython_oidc.core.authorization import (
    safe_return_path,
)
from brython_oidc.core.errors import OIDCError, TransportError, ValidationError
from brython_oidc.core.schedule import settle_clock_jump
from brython_oidc.core.urls import url_origin

from . import keys, logout, page, startup, tabs, timers, webcrypto
from .authorize import authorization_request
from .callback import code_from_callback
from .channel import Channel
from .exchange import exchange_code, refresh
from .jsjson import to_js
from .locks import Election, SharedLock
from .provider import Provider
from .renewal import Renewal
from .storage import Stamp, TransactionStore, blind_iframe_key

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from brython_oidc.core.authorization import Transaction
    from brython_oidc.core.config import ClientConfig
    from brython_oidc.core.discovery import ProviderMetadata
    from brython_oidc.core.messages import Message
    from brython_oidc.core.token import TokenSet

    from .callback import Received
    from .exchange import Verified
    from .handle import Oidc
    from .idle import IdleWatch


class Session:
    def __init__(
        self, config: ClientConfig, handle: Oidc, provider: Provider | None = None
    ) -> None:
        self.config = config
        self.namespace = namespace = keys.namespace(config.issuer, config.client_id)
        self.tab_id = webcrypto.random_bytes(8).hex()
        self.transactions = TransactionStore(namespace)
        self.hint = Stamp(keys.hint_key(namespace))
        self.blind_iframe = Stamp(blind_iframe_key(namespace))
        self.lock_name = keys.renew_lock(namespace)
        self.session_lock = SharedLock(keys.session_lock(namespace))
        #: ``provider``: the one that received the callback (its keys may be in flight).
        self.provider = provider or Provider(config)
        self.tokens: TokenSet | None = None
        #: A callback's code whose exchange found the provider unreachable (retried).
        self.pending_code: tuple[Transaction, str] | None = None
        self.decoded_id_token: dict[str, object] | None = None
        self.userinfo: dict[str, object] | None = None
        #: Provider clock minus local clock, estimated from the last ID token's iat.
        self.clock_offset = 0.0
        #: Adds up the wall clock's jumps since load (set by startup.start_logged_out).
        self.clock: timers.ClockWatch | None = None
        #: The clock jump total when the current tokens were set: their wall-clock
        #: stamps (expires_at) are on the clock of that moment.
        self.tokens_clock = 0.0
        #: The last failure, typed (``OIDCError`` subclasses); ``None`` after a success.
        self.last_error: OIDCError | None = None
        # The handle's lists: subscriptions made before the engine loaded still count.
        self.token_subscribers: list[Callable[[TokenSet | None], None]] = handle.token_subscribers
        self.countdown_subscribers: list[Callable[[int | None], None]] = (
            handle.countdown_subscribers
        )
        #: handle.Status: the renewal says "renewing" (the engine owns its other changes).
        self.status_keeper = handle.status_keeper
        self.renewal = Renewal(self)
        self.sibling: tabs.SiblingRequest | None = None
        self.channel = Channel(config.issuer, config.client_id, self.tab_id)
        self.channel.subscribe(self.on_message)
        self.election = Election(self.channel)
        self.idle: IdleWatch | None = None
        #: start_logged_out ran (watchers set): a login click may load the engine first.
        self.watching = False

    # --- public API (through handle.Oidc) -----------------------------------------------

    @property
    def user(self) -> dict[str, object] | None:
        """ID token claims with the (sub-checked) userinfo claims on top."""
        if self.decoded_id_token is None:
            return None
        return {**self.decoded_id_token, **(self.userinfo or {})}

    async def get_tokens(self) -> TokenSet | None:
        if self.tokens is not None and self.renewal.due():
            await self.renewal.run()
        return self.tokens

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
        """RFC 6749 §4.1.1 with PKCE; by redirect, or in a popup when asked.

        A failure before the redirect (provider down, bad discovery document) is
        raised and kept in ``last_error``: the click must say why nothing happened.
        """
        return_to = safe_return_path(redirect_to or page.current_path())
        prompt, login_hint = params.pop("prompt", None), params.pop("login_hint", None)
        try:
            metadata = await self.provider.discover()
            url, transaction = await authorization_request(
                self.config,
                metadata,
                self.transactions,
                kind="popup" if popup else "login",
                return_to=return_to,
                prompt=str(prompt) if prompt else None,
                login_hint=str(login_hint) if login_hint else None,
                extra_params=params,
            )
        except OIDCError as exc:
            self.fail(exc, retry=False)  # the user retries by clicking again
            raise exc  # not bare: see startup.redeem
        else:  # not after the try: tests/server/test_brython_frame_rule.py
            if not popup:
                page.navigate(url)
                return
            await self._login_in_popup(metadata, url, transaction)
        if redirect_to:
            page.replace_url(return_to)

    async def _login_in_popup(
        self, metadata: ProviderMetadata, url: str, transaction: Transaction
    ) -> None:
        try:
            from .popup import popup_request  # on use: most pages never open a popup

            callback_url = await popup_request(url, transaction.state, self.config.transaction_ttl)
            code = code_from_callback(self.config, metadata, transaction, callback_url)
            verified = await exchange_code(
                self.provider, transaction, code, clock_jump=self.clock_jump
            )
            await self.sign_in(verified)
        except OIDCError as exc:
            self.fail(exc)
            raise exc  # not bare: see startup.redeem

    async def logout(self, redirect_to: str = "home") -> None:
        await logout.logout(self, redirect_to)

    # --- start-up (the steps live in ``startup``) ----------------------------------------

    async def start(
        self, *, sibling: startup.Sibling, restore: bool, received: Received | None = None
    ) -> None:
        await startup.start(self, sibling=sibling, restore=restore, received=received)

    def start_logged_out(self) -> None:
        startup.start_logged_out(self)
        startup.prefetch_discovery(self)

    async def restore(self) -> None:
        await startup.restore_session(self)

    async def silent(self) -> None:
        await startup.silent(self)

    async def retry_start(self) -> None:
        await startup.retry_start(self)

    # --- tokens -------------------------------------------------------------------------

    async def renew_now(self) -> None:
        """One renewal, called by ``renewal`` under the lock."""
        tokens, claims = self.tokens, self.decoded_id_token
        if tokens is None or claims is None:
            return
        status = self.status_keeper
        status.set(keys.RENEWING)
        try:
            await self._renew_now(tokens, claims)
        finally:
            status.settle(self.tokens is not None)

    async def _renew_now(self, tokens: TokenSet, claims: dict[str, object]) -> None:
        if self.config.use_refresh_tokens and tokens.refresh_token:
            verified = await refresh(
                self.provider, tokens, claims, self.clock_offset, clock_jump=self.clock_jump
            )
            await self.sign_in(verified)
        else:
            await self.silent()

    def clock_jump(self) -> float:
        """The net wall-clock jump this page measured since load (0 without a watch)."""
        return self.clock.check() if self.clock is not None else 0.0

    async def sign_in(self, verified: Verified) -> None:
        """New verified tokens: fetch userinfo, keep them, tell the app and the tabs."""
        first = self.tokens is None
        self.clock_offset = verified.clock_offset
        if self.clock is not None:
            # The provider's iat agrees with our clock again: stop widening the checks.
            self.clock.total = settle_clock_jump(
                self.clock.total, verified.clock_offset, leeway=self.config.clock_leeway
            )
        userinfo = self.userinfo
        if self.config.load_userinfo and (first or verified.claims is not self.decoded_id_token):
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
                raise exc  # not bare: see startup.redeem
            self.fail(exc)
            return None
        except OIDCError as exc:
            # Userinfo down or refused: the sign-in stands on the verified ID token.
            self.fail(exc)
            return None

    def set_tokens(
        self,
        tokens: TokenSet,
        claims: dict[str, object],
        userinfo: dict[str, object] | None,
        *,
        broadcast: bool,
    ) -> None:
        self.tokens = tokens
        self.tokens_clock = self.clock_jump()
        self.decoded_id_token = claims
        self.userinfo = userinfo
        self.last_error = None
        self.hint.set(timers.now())
        self.session_lock.hold()
        self.renewal.schedule()
        if broadcast:
            payload = tabs.tokens_payload(tokens, claims, userinfo, self.renewal.generation)
            self.channel.post("tokens", payload)
        self.notify()

    def adopt(self, payload: dict[str, object]) -> None:
        """Tokens handed over by another tab of this app (same origin, in memory)."""
        adopted = tabs.tokens_from_payload(payload)
        if adopted is not None:
            self.renewal.adopted(payload.get("renewal"))
            self.set_tokens(*adopted, broadcast=False)

    def clear(self, reason: str, *, broadcast: bool) -> None:
        was_in = self.tokens is not None
        self.tokens = None
        self.decoded_id_token = None
        self.userinfo = None
        self.renewal.cancel()
        self.hint.clear()
        self.session_lock.release()
        if broadcast:
            self.channel.post("logout", {"reason": reason})
        if was_in:
            self.notify()

    # --- tabs and the app ---------------------------------------------------------------

    def on_message(self, message: Message) -> None:
        kind, payload = message.kind, message.payload
        if kind == "tokens":
            self.adopt(payload)
        elif kind == "logout":
            self.clear(str(payload.get("reason", "logout")), broadcast=False)
        elif kind == "session_request" and self.tokens is not None:
            claims = self.decoded_id_token or {}
            answer = tabs.tokens_payload(
                self.tokens, claims, self.userinfo, self.renewal.generation
            )
            self.channel.post(
                "session_response", {"request_id": payload["request_id"], "tokens": answer}
            )
        elif kind == "session_response" and self.sibling is not None:
            self.sibling.answer(payload.get("request_id"), payload.get("tokens"))
        elif kind == "activity" and self.idle is not None:
            at = payload.get("at")
            if isinstance(at, (int, float)):
                self.idle.seen(float(at))

    def notify(self) -> None:
        for callback in list(self.token_subscribers):
            try:
                callback(self.tokens)
            except Exception as exc:
                window.console.error(
                    f"brython-oidc: a tokens subscriber failed: {type(exc).__name__}"
                )

    def notify_countdown(self, seconds: int | None) -> None:
        for callback in list(self.countdown_subscribers):
            callback(seconds)

    def fail(self, exc: OIDCError, *, retry: bool = True) -> None:
        self.last_error = exc
        # The message is built by core without tokens; safe for the console.
        window.console.warn(f"brython-oidc: {type(exc).__name__}: {exc}")
        if retry and isinstance(exc, TransportError) and self.tokens is None:
            self.renewal.retry_later(self.retry_start)
