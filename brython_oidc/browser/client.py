"""The in-page OIDC client: ``oidc = await create_oidc()``.

Protocol decisions live in core/; this module sequences them over the platform:
early callback capture, login by redirect, token exchange, ID token verification,
session restore (sibling tab, silent iframe, gated top-level redirect), renewal
under a cross-tab lock, cross-tab sync, idle timeout and logout. Tokens live in
this object's memory only.
"""

from __future__ import annotations

from browser import aio, window

from brython_oidc.core.authorization import (
    Transaction,
    build_authorization_url,
    callback_params,
    process_authorization_response,
    safe_return_path,
    strip_callback_params,
)
from brython_oidc.core.config import ClientConfig
from brython_oidc.core.discovery import discovery_url, process_discovery_response
from brython_oidc.core.errors import (
    ErrorResponse,
    InteractionRequired,
    LoginRequired,
    OIDCError,
    TransportError,
    ValidationError,
)
from brython_oidc.core.pkce import (
    code_challenge_from_digest,
    make_code_verifier,
    make_nonce,
    make_state,
)
from brython_oidc.core.schedule import backoff_delay, renew_at
from brython_oidc.core.token import (
    build_authorization_code_request,
    build_end_session_url,
    build_refresh_token_request,
    build_revocation_request,
    process_token_response,
)
from brython_oidc.core.urls import url_origin

from . import http, keys, page, silent, timers, webcrypto
from .channel import Channel
from .idle import IdleWatch
from .jsjson import parse_json, to_js
from .locks import Election, SharedLock, run_exclusive
from .storage import SignedInHint, TransactionStore
from .verify import KeySet, verify_id_token

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from brython_oidc.core.discovery import ProviderMetadata
    from brython_oidc.core.messages import Message
    from brython_oidc.core.token import TokenSet

    from .handle import Oidc

# How long a new tab waits for a sibling to hand it the session: one known to be
# signed in (it holds the session lock), or a maybe-sibling without Web Locks.
SIBLING_WAIT_KNOWN = 2.0
SIBLING_WAIT = 0.3
# Retries after the provider was unreachable: 2 s, 4 s, ... up to 60 s.
RETRY_BASE = 2.0
RETRY_CAP = 60.0
_NO_SESSION = (LoginRequired, InteractionRequired)


def _rand_unit() -> float:
    return webcrypto.random_bytes(1)[0] / 255.0


class Session:
    """The protocol engine behind ``handle.Oidc``: one app's session in this tab."""

    def __init__(self, config: ClientConfig, handle: Oidc) -> None:
        self.config = config
        self.namespace = namespace = keys.namespace(config.issuer, config.client_id)
        self.tab_id = webcrypto.random_bytes(8).hex()
        self.transactions = TransactionStore(namespace)
        self.hint = SignedInHint(namespace)
        self.lock_name = keys.renew_lock(namespace)
        self._session_lock = SharedLock(keys.session_lock(namespace))
        self.userinfo: dict[str, object] | None = None
        self.metadata: ProviderMetadata | None = None
        self.keys: KeySet | None = None
        self.tokens: TokenSet | None = None
        self.decoded_id_token: dict[str, object] | None = None
        #: The last failure, typed (``OIDCError`` subclasses); ``None`` after a success.
        self.last_error: OIDCError | None = None
        # The handle's lists: subscriptions made before the engine loaded still count.
        self._token_subscribers = handle.token_subscribers
        self._countdown_subscribers = handle.countdown_subscribers
        self._renew_timer: timers.Timer | None = None
        self._retry_attempt = 0
        self._renewing = False
        self._pending_session: dict[str, object] = {}
        self.channel = Channel(config.issuer, config.client_id, self.tab_id)
        self.channel.subscribe(self._on_message)
        self.election = Election(self.channel)
        self.idle: IdleWatch | None = None
        self._last_transaction: Transaction | None = None

    # --- public API -------------------------------------------------------------------

    @property
    def is_user_logged_in(self) -> bool:
        return self.tokens is not None

    @property
    def user(self) -> dict[str, object] | None:
        if self.decoded_id_token is None:
            return None
        return {**self.decoded_id_token, **(self.userinfo or {})}

    async def get_tokens(self) -> TokenSet | None:
        """Current tokens, renewed first when they are about to expire."""
        if self.tokens is None:
            return None
        expires_at = self.tokens.expires_at
        if expires_at is not None and expires_at - timers.now() < self.config.renew_before_expiry:
            await self.renew()
        return self.tokens

    async def fetch(self, url: str, **init: object) -> object:
        """``window.fetch`` with ``Authorization`` added for own/allowed origins only.

        RFC 6750 §2.1. Any other origin gets the request untouched: a token must not
        reach a server that was not meant to receive it.
        """
        absolute = str(window.URL.new(url, window.location.href).href)
        headers = dict(init.pop("headers", None) or {})
        allowed = {page.origin(), *self.config.allowed_fetch_origins}
        if url_origin(absolute) in allowed:
            tokens = await self.get_tokens()
            if tokens is not None:
                headers["Authorization"] = f"{tokens.token_type} {tokens.access_token}"
        js_init = to_js({k: v for k, v in init.items()})
        js_init["headers"] = to_js(headers)
        return await window.fetch(absolute, js_init)

    async def login(
        self, redirect_to: str | None = None, *, popup: bool = False, **params: object
    ) -> None:
        """Send the browser to the provider (RFC 6749 §4.1.1 with PKCE, RFC 7636)."""
        metadata = await self._metadata()
        return_to = safe_return_path(redirect_to or page.current_path())
        url = await self._authorization_url(metadata, "login", return_to, **params)
        page.navigate(url)

    async def logout(self, redirect_to: str = "home") -> None:
        """Sign out here, in every tab, and at the provider (RP-Initiated Logout §2)."""
        tokens = self.tokens
        id_token = tokens.id_token if tokens else None
        target = self._logout_target(redirect_to)
        self._clear("logout", broadcast=True)
        metadata = self.metadata
        if metadata is None:
            try:
                metadata = await self._metadata()
            except OIDCError:
                metadata = None
        if metadata is not None and tokens is not None and tokens.refresh_token:
            await self._revoke(metadata, tokens.refresh_token)
        end_session = None
        if metadata is not None:
            end_session = build_end_session_url(
                metadata,
                id_token_hint=id_token,
                client_id=self.config.client_id,
                post_logout_redirect_uri=self.config.post_logout_redirect_uri,
            )
        if end_session is None:
            # No end_session_endpoint: local logout only; the provider session remains.
            window.console.warn("brython-oidc: the provider has no end_session_endpoint")
            page.navigate(target)
            return
        window.sessionStorage.setItem(self._after_logout_key(), target)
        page.navigate(end_session)

    def subscribe_to_tokens_change(self, callback: Callable[[object], None]) -> Callable[[], None]:
        """``callback(tokens_or_None)`` on every login, renewal and logout."""
        self._token_subscribers.append(callback)
        return lambda: self._token_subscribers.remove(callback)

    def subscribe_to_auto_logout_countdown(
        self, callback: Callable[[int | None], None]
    ) -> Callable[[], None]:
        """``callback(seconds_left)`` during the idle warning, ``None`` when it ends."""
        self._countdown_subscribers.append(callback)
        return lambda: self._countdown_subscribers.remove(callback)

    # --- start-up ---------------------------------------------------------------------

    async def start(self, *, sibling: bool | None, restore: bool) -> None:
        """Find out the auth state: callback, sibling tab, restore at the provider.

        ``sibling``: a signed-in tab is known to exist (True), known not to (False),
        or cannot be known without Web Locks (None: ask, with a short wait).
        """
        self._start_common()
        params = self._our_callback()
        try:
            if params is not None:
                await self._handle_callback(params)
            elif sibling is not False and await self._from_sibling(sibling is True):
                pass
            elif restore:
                await self._restore()
        except OIDCError as exc:
            self._fail(exc)
        self._watch()

    def start_logged_out(self) -> None:
        """Start when boot already knows nobody is signed in (no provider contact)."""
        self._start_common()
        self._watch()

    def _start_common(self) -> None:
        self.transactions.purge(timers.now(), self.config.transaction_ttl)
        self._restore_after_logout()

    def _watch(self) -> None:
        timers.on_wake(self._on_wake)
        timers.ClockWatch(lambda _jump: self._on_wake("clock"))
        if self.config.idle_timeout is not None:
            self.idle = IdleWatch(self)

    def _our_callback(self) -> dict[str, str] | None:
        """Our callback's parameters, with the address bar already cleaned.

        Recognised by the stored transaction (DESIGN: one redirect URI). A callback
        whose state was already used (reload, Back) is cleaned and ignored, so it
        can never fail with "no matching state".
        """
        try:
            params = callback_params(page.href(), self.config.response_mode)
        except ValidationError:
            return None
        state = params.get("state") if params else None
        if not state:
            return None
        if self.transactions.has(state):
            page.replace_url(strip_callback_params(page.href()))
            return params
        if self.transactions.was_used(state):
            page.replace_url(strip_callback_params(page.href()))
        return None

    async def _handle_callback(self, params: dict[str, str]) -> None:
        stored = self.transactions.take(params["state"])
        transaction = Transaction.from_mapping(stored)
        metadata = await self._metadata()
        try:
            code = process_authorization_response(
                params, transaction, metadata, now=timers.now(), ttl=self.config.transaction_ttl
            )
        except _NO_SESSION:
            if transaction.kind == "restore":
                # The prompt=none redirect found no session: stop trying (never a loop).
                self.hint.clear()
                page.replace_url(transaction.return_to)
                return
            raise
        await self._exchange_code(metadata, transaction, code.code)
        page.replace_url(transaction.return_to)

    async def _restore(self) -> None:
        """Session restore on reload (DESIGN): silent iframe, then the gated redirect."""
        mode = self.config.session_restore
        if mode == "none":
            return
        metadata = await self._metadata()
        if mode in ("auto", "iframe"):
            try:
                await self._silent(metadata)
                return
            except _NO_SESSION:
                if mode == "iframe" or not self.hint.present():
                    return
            except TransportError:
                if mode == "iframe" or not self.hint.present():
                    raise
        if mode in ("auto", "redirect") and self.hint.present():
            # The hint says a session existed; its "restore" transaction clears the
            # hint when the provider answers login_required, so this runs once.
            url = await self._authorization_url(
                metadata, "restore", page.current_path(), prompt="none"
            )
            page.navigate(url)
            await aio.Future()  # the page is leaving; nothing below may run

    async def _from_sibling(self, known: bool) -> bool:
        """Ask open tabs for the session (no provider round trip).

        When the session lock shows a signed-in sibling (``known``) it gets time to
        answer; otherwise (no Web Locks) the wait is short.
        """
        if not self.channel.available:
            return False
        request_id = webcrypto.random_bytes(8).hex()
        done = aio.Future()
        self._pending_session = {"id": request_id, "future": done}
        self.channel.post("session_request", {"request_id": request_id})
        timer = timers.Timer(
            SIBLING_WAIT_KNOWN if known else SIBLING_WAIT,
            lambda: None if done.done() else done.set_result(None),
        )
        payload = await done
        timer.cancel()
        self._pending_session = {}
        if not payload:
            return False
        self._adopt(payload)
        return self.tokens is not None

    # --- protocol steps -----------------------------------------------------------------

    async def _metadata(self) -> ProviderMetadata:
        if self.metadata is not None:
            return self.metadata
        url = discovery_url(self.config.issuer)
        response = await http.request(
            url, endpoint="discovery", timeout=self.config.request_timeout
        )
        if response.status != 200:
            raise TransportError(
                "discovery",
                f"HTTP {response.status}",
                url=url,
                status=response.status,
                provider_looks_down=response.status >= 500,
            )
        try:
            document = parse_json(response.text)
        except ValueError:
            raise ValidationError("discovery", "the discovery document is not JSON") from None
        self.metadata = process_discovery_response(
            document, issuer=self.config.issuer, warn=lambda m: window.console.warn(m)
        )
        self.keys = KeySet(self.metadata, self.config.request_timeout)
        return self.metadata

    async def _authorization_url(
        self, metadata: ProviderMetadata, kind: str, return_to: str, **params: object
    ) -> str:
        transaction = Transaction(
            state=make_state(webcrypto.random_bytes(32)),
            nonce=make_nonce(webcrypto.random_bytes(32)),
            code_verifier=make_code_verifier(webcrypto.random_bytes(32)),
            redirect_uri=self.config.redirect_uri,
            return_to=safe_return_path(return_to),
            created_at=timers.now(),
            kind=kind,
        )
        digest = await webcrypto.sha256(transaction.code_verifier.encode("ascii"))
        url = build_authorization_url(
            self.config, metadata, transaction, code_challenge_from_digest(digest), **params
        )
        if kind != "silent":
            self.transactions.save(transaction.state, transaction.to_mapping())
        self._last_transaction = transaction
        return url

    async def _silent(self, metadata: ProviderMetadata) -> None:
        url = await self._authorization_url(metadata, "silent", "/", prompt="none")
        transaction = self._last_transaction
        callback_url = await silent.silent_request(
            url, transaction.state, self.config.silent_timeout
        )
        params = callback_params(callback_url, self.config.response_mode) or {}
        code = process_authorization_response(
            params, transaction, metadata, now=timers.now(), ttl=self.config.transaction_ttl
        )
        await self._exchange_code(metadata, transaction, code.code)

    async def _exchange_code(
        self, metadata: ProviderMetadata, transaction: Transaction, code: str
    ) -> None:
        request = build_authorization_code_request(
            self.config, metadata, code, transaction.code_verifier
        )
        tokens = await self._token_request(request)
        claims = await self._verify(tokens, nonce=transaction.nonce)
        self._set_tokens(tokens, claims, broadcast=True)
        self.channel.post("login", {"sub": str(claims.get("sub"))})

    async def _token_request(self, request: object) -> TokenSet:
        response = await http.post_form(
            request.url,
            request.body,
            endpoint="token_endpoint",
            timeout=self.config.request_timeout,
            headers=request.headers,
        )
        return process_token_response(
            response.status,
            response.text,
            parse_json=parse_json,
            now=timers.now(),
            content_type=response.content_type,
        )

    async def _verify(
        self, tokens: TokenSet, *, nonce: str | None, previous: dict | None = None
    ) -> dict:
        if not tokens.id_token:
            if previous is not None:
                return previous  # OIDC Core §12.2: a refresh may omit the ID token.
            raise ValidationError(
                "id_token", "the token response has no id_token (OIDC Core §3.1.3.3)"
            )
        return await verify_id_token(
            tokens.id_token,
            config=self.config,
            keys=self.keys,
            nonce=nonce,
            now=timers.now(),
            access_token=tokens.access_token,
            previous_claims=previous,
        )

    async def _revoke(self, metadata: ProviderMetadata, refresh_token: str) -> None:
        request = build_revocation_request(self.config, metadata, refresh_token, "refresh_token")
        if request is None:
            return
        try:
            await http.post_form(
                request.url,
                request.body,
                endpoint="revocation_endpoint",
                timeout=self.config.request_timeout,
                headers=request.headers,
            )
        except TransportError as exc:
            self.last_error = exc  # logout goes on: local state is already gone

    # --- renewal ------------------------------------------------------------------------

    def _schedule_renewal(self) -> None:
        if self._renew_timer is not None:
            self._renew_timer.cancel()
            self._renew_timer = None
        if self.tokens is None or self.tokens.expires_at is None:
            return
        now = timers.now()
        at = renew_at(
            self.tokens.expires_at,
            renew_before=self.config.renew_before_expiry,
            jitter=_rand_unit() * self.config.renew_jitter,
            now=now,
        )
        self._renew_timer = timers.Timer(at - now, lambda: aio.run(self._renew_quietly()))

    async def _renew_quietly(self) -> None:
        # renew() records failures in last_error; a timer has nobody to raise to.
        try:
            await self.renew()
        except OIDCError as exc:
            self.last_error = exc

    async def renew(self) -> None:
        """Renew now: one tab at a time, the result handed to the others."""
        if self.tokens is None or self._renewing:
            return
        seen = self.tokens
        self._renewing = True

        async def task() -> None:
            if self.tokens is not seen or self.tokens is None:
                return  # another tab renewed while we waited for the lock
            await self._renew_now()

        try:
            await run_exclusive(self.lock_name, task, self.election)
            self._retry_attempt = 0
        except _NO_SESSION as exc:
            self._fail(exc)
            self._clear("session_ended", broadcast=True)
        except ErrorResponse as exc:
            self._fail(exc)
            if exc.error == "invalid_grant":
                self._clear("invalid_grant", broadcast=True)
        except OIDCError as exc:
            # Provider down during renewal: keep the tokens until they expire, retry.
            self._fail(exc)
            self._retry_later(self.renew)
        finally:
            self._renewing = False

    async def _renew_now(self) -> None:
        metadata = await self._metadata()
        previous = self.decoded_id_token
        if self.config.use_refresh_tokens and self.tokens.refresh_token:
            request = build_refresh_token_request(self.config, metadata, self.tokens.refresh_token)
            tokens = await self._token_request(request)
            if not tokens.refresh_token:
                tokens.refresh_token = self.tokens.refresh_token  # RFC 6749 §6: kept
            claims = await self._verify(tokens, nonce=None, previous=previous)
        else:
            await self._silent(metadata)
            return
        self._set_tokens(tokens, claims, broadcast=True)

    def _retry_later(self, step: Callable[[], object]) -> None:
        delay = backoff_delay(
            self._retry_attempt, base=RETRY_BASE, cap=RETRY_CAP, jitter=_rand_unit()
        )
        self._retry_attempt += 1
        timers.Timer(delay, lambda: aio.run(step()))

    def _on_wake(self, reason: str) -> None:
        # Timers may have slept through the renewal time: check against the clock now.
        if self.tokens is not None and self.tokens.expires_at is not None:
            left = self.tokens.expires_at - timers.now()
            if left < self.config.renew_before_expiry:
                aio.run(self._renew_quietly())
            else:
                self._schedule_renewal()
        elif self.last_error is not None and isinstance(self.last_error, TransportError):
            aio.run(self._retry_start())

    async def _retry_start(self) -> None:
        try:
            self.metadata = None
            await self._restore()
            self.last_error = None
            self._retry_attempt = 0
        except OIDCError as exc:
            self._fail(exc)

    # --- state and tabs -----------------------------------------------------------------

    def _set_tokens(self, tokens: TokenSet, claims: dict, *, broadcast: bool) -> None:
        self.tokens = tokens
        self.decoded_id_token = claims
        self.last_error = None
        self.hint.set(timers.now())
        self._session_lock.hold()
        self._schedule_renewal()
        if broadcast:
            self.channel.post("tokens", self._tokens_payload())
        self._notify()

    def _tokens_payload(self) -> dict[str, object]:
        t = self.tokens
        payload: dict[str, object] = {
            "access_token": t.access_token,
            "token_type": t.token_type,
            "expires_at": t.expires_at if t.expires_at is not None else timers.now() + 3600,
            "received_at": t.received_at,
            "claims": self.decoded_id_token or {},
        }
        for name in ("id_token", "refresh_token", "scope"):
            if getattr(t, name):
                payload[name] = getattr(t, name)
        return payload

    def _adopt(self, payload: dict[str, object]) -> None:
        """Tokens handed over by another tab of this app (same origin, in memory)."""
        from brython_oidc.core.token import TokenSet

        claims = payload.get("claims")
        tokens = TokenSet(
            access_token=str(payload["access_token"]),
            token_type=str(payload["token_type"]),
            expires_at=payload.get("expires_at"),
            refresh_token=payload.get("refresh_token"),
            id_token=payload.get("id_token"),
            scope=payload.get("scope"),
            received_at=payload.get("received_at") or timers.now(),
        )
        if tokens.expires_at is not None and tokens.expires_at <= timers.now():
            return
        self._set_tokens(tokens, claims if isinstance(claims, dict) else {}, broadcast=False)

    def _clear(self, reason: str, *, broadcast: bool) -> None:
        was_in = self.tokens is not None
        self.tokens = None
        self.decoded_id_token = None
        if self._renew_timer is not None:
            self._renew_timer.cancel()
            self._renew_timer = None
        self.userinfo = None
        self.hint.clear()
        self._session_lock.release()
        if broadcast:
            self.channel.post("logout", {"reason": reason})
        if was_in:
            self._notify()

    def _on_message(self, message: Message) -> None:
        kind = message.kind
        if kind == "tokens":
            self._adopt(message.payload)
        elif kind == "logout":
            self._clear(str(message.payload.get("reason", "logout")), broadcast=False)
        elif kind == "session_request" and self.tokens is not None:
            payload = {
                "request_id": message.payload["request_id"],
                "tokens": self._tokens_payload(),
            }
            self.channel.post("session_response", payload)
        elif kind == "session_response":
            pending = self._pending_session
            if pending and pending.get("id") == message.payload.get("request_id"):
                future = pending["future"]
                if not future.done():
                    future.set_result(message.payload["tokens"])
        elif kind == "activity" and self.idle is not None:
            self.idle.seen(float(message.payload["at"]))

    def _notify(self) -> None:
        for callback in list(self._token_subscribers):
            try:
                callback(self.tokens)
            except Exception as exc:
                window.console.error(
                    f"brython-oidc: a tokens subscriber failed: {type(exc).__name__}"
                )

    def _notify_countdown(self, seconds: int | None) -> None:
        for callback in list(self._countdown_subscribers):
            callback(seconds)

    def _fail(self, exc: OIDCError) -> None:
        self.last_error = exc
        # The message is built by core without tokens; safe for the console.
        window.console.warn(f"brython-oidc: {type(exc).__name__}: {exc}")
        if isinstance(exc, TransportError) and self.tokens is None:
            self._retry_later(self._retry_start)

    # --- logout target ------------------------------------------------------------------

    def _after_logout_key(self) -> str:
        return keys.after_logout_key(self.namespace)

    def _logout_target(self, redirect_to: str) -> str:
        if redirect_to == "home":
            return "/"
        if redirect_to == "current page":
            return page.current_path()
        return safe_return_path(redirect_to)

    def _restore_after_logout(self) -> None:
        key = self._after_logout_key()
        target = window.sessionStorage.getItem(key)
        if isinstance(target, str):
            window.sessionStorage.removeItem(key)
            page.replace_url(safe_return_path(target))
