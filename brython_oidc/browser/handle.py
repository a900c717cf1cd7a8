"""The object ``create_oidc`` returns: the app's view of the session.

It is cheap to create: the engine (``client.Session``, which imports
core/) is loaded only when needed — at start-up when there is something to
restore, else in the background right after the ready mark, or on the first
``login()``. Its modules come in the engine asset (server/assets.py), not in the
bundle, so each of those first awaits ``load_engine``. Until then the user is
simply logged out.
"""

from __future__ import annotations

from browser import window

from . import keys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from brython_oidc.core.config import ClientConfig
    from brython_oidc.core.errors import OIDCError
    from brython_oidc.core.token import TokenSet

    from .callback import Received
    from .client import Session
    from .provider import Provider

READY_MARK = "brython-oidc:ready"


async def load_engine() -> None:
    """Wait for the engine asset; ``ConnectionError`` if it could not be fetched.

    A page without the boot file's loader has the engine's sources in its bundle.
    """
    load = getattr(window, keys.ENGINE_GLOBAL, None)
    if load is not None and not await load():
        raise ConnectionError(
            "brython-oidc: the engine script (/_brython_oidc/engine.*.js) did not load;"
            " check the network and the Content-Security-Policy, then try again"
        )


def mark_ready() -> None:
    """DESIGN: ``performance.mark("brython-oidc:ready")`` once the auth state is known."""
    if not window.performance.getEntriesByName(READY_MARK).length:
        window.performance.mark(READY_MARK)


class Status:
    """What the page is doing (``keys.STATUSES``): the one owner of that value.

    It starts as the boot file left it on ``<html>`` (set before Brython started, so
    the page can say "signing you in" within milliseconds) and every change is
    written back there (``data-oidc-status``, for CSS and tests) and told to the
    subscribers.
    """

    __slots__ = ("subscribers", "value")

    def __init__(self) -> None:
        found = window.document.documentElement.getAttribute(keys.STATUS_ATTRIBUTE)
        # getAttribute answers JavaScript null when unset: not a str.
        self.value = found if isinstance(found, str) and found in keys.STATUSES else keys.LOADING
        self.subscribers: list[Callable[[str], None]] = []

    def set(self, value: str) -> None:
        if value == self.value:
            return
        self.value = value
        window.document.documentElement.setAttribute(keys.STATUS_ATTRIBUTE, value)
        for callback in list(self.subscribers):
            try:
                callback(value)
            except Exception as exc:
                window.console.error(
                    f"brython-oidc: a status subscriber failed: {type(exc).__name__}"
                )

    def settle(self, signed_in: bool) -> None:
        """The state is known again: signed in or out."""
        self.set(keys.SIGNED_IN if signed_in else keys.SIGNED_OUT)

    def subscribe(self, callback: Callable[[str], None]) -> Callable[[], None]:
        self.subscribers.append(callback)
        return lambda: self.subscribers.remove(callback)


class Oidc:
    """One app's OIDC session in this tab. Create it with ``create_oidc``."""

    #: ``MockOidc`` says True: an app may tell mock mode apart (tests/browser/test_mock_api.py).
    is_mock = False

    def __init__(self, mapping: dict[str, object]) -> None:
        self._mapping = mapping
        self._session: Session | None = None
        self._load_error: OIDCError | None = None
        self.status_keeper = Status()
        # First in the list the engine notifies: the status follows every login,
        # renewal and logout, whichever tab or timer caused it.
        self.token_subscribers: list[Callable[[TokenSet | None], None]] = [self._tokens_changed]
        self.countdown_subscribers: list[Callable[[int | None], None]] = []

    def _tokens_changed(self, tokens: TokenSet | None) -> None:
        if tokens is None and self.status_keeper.value == keys.SIGNING_OUT:
            return  # our own logout: signing out until the page leaves (``logout``)
        self.status_keeper.settle(tokens is not None)

    # --- loading the engine -------------------------------------------------------------

    def load(self, received: Received | None = None) -> Session:
        """The protocol engine, imported and created on first use.

        A configuration error is raised here (and remembered, so a background load
        that failed is reported again by the next call that needs the engine).
        ``received``: a callback received before the engine loaded (browser/boot.py),
        whose configuration and provider the engine takes over.
        """
        if self._session is not None:
            return self._session
        if self._load_error is not None:
            raise self._load_error
        from brython_oidc.core.config import ClientConfig
        from brython_oidc.core.errors import OIDCError

        from .client import Session

        if received is not None:
            self._session = self._create(Session, received.config, received.provider)
            return self._session
        try:
            config = ClientConfig.from_mapping(self._mapping)
        except OIDCError as exc:
            self._load_error = exc
            raise exc  # not bare: see startup.redeem
        self._session = self._create(Session, config, None)
        return self._session

    def _create(
        self, engine: type[Session], config: ClientConfig, provider: Provider | None
    ) -> Session:
        # The handle's lists: subscriptions made before the engine loaded still count.
        return engine(
            config,
            token_subscribers=self.token_subscribers,
            countdown_subscribers=self.countdown_subscribers,
            # One holder of the status: the engine's state changes it (restoring,
            # renewing, signing in or out); ``Status`` writes it to <html> and tells
            # the app.
            status=self.status_keeper,
            provider=provider,
        )

    async def _engine(self) -> Session:
        """``load()``, once the engine asset is there (``load_engine``)."""
        if self._session is None:
            await load_engine()
        return self.load()

    def warm_up(self) -> None:
        """Load the engine when the page is idle (cross-tab login, faster login click)."""
        if self._session is not None:
            return

        def run(*_args: object) -> None:
            # A login click may have loaded the engine meanwhile; the watchers still
            # need starting (start_logged_out runs once).
            try:
                self.load().start_logged_out()
            except Exception as exc:
                # Nobody to raise to here: the app sees it in last_error / on login().
                window.console.error(f"brython-oidc: {type(exc).__name__}: {exc}")

        # The boot file's engine loader (server/js/boot.js) is requestIdleCallback run
        # once the engine asset (its modules precompiled) has loaded; after a failed
        # load it never calls back, and the next login() fetches the asset again.
        idle = getattr(window, keys.IDLE_GLOBAL, None) or getattr(
            window, "requestIdleCallback", None
        )
        if idle:
            idle(run, {"timeout": 2000})
        else:
            window.setTimeout(run, 50)

    # --- state --------------------------------------------------------------------------

    @property
    def status(self) -> str:
        """What the page is doing: one of ``keys.STATUSES`` (``"loading"``,
        ``"signing-in"``, ``"restoring"``, ``"signing-out"``, ``"signed-in"``,
        ``"signed-out"``, ``"renewing"``), also on ``<html data-oidc-status>``."""
        return self.status_keeper.value

    @property
    def is_user_logged_in(self) -> bool:
        return self._session is not None and self._session.tokens is not None

    @property
    def tokens(self) -> TokenSet | None:
        return self._session.tokens if self._session is not None else None

    @property
    def decoded_id_token(self) -> dict[str, object] | None:
        return self._session.decoded_id_token if self._session is not None else None

    @property
    def user(self) -> dict[str, object] | None:
        """ID token claims merged with the userinfo response (OIDC Core §5.3)."""
        return self._session.user if self._session is not None else None

    @property
    def last_error(self) -> OIDCError | None:
        """The last failure, typed (``OIDCError`` subclasses); ``None`` after a success."""
        if self._session is not None:
            return self._session.last_error
        return self._load_error

    # --- actions ------------------------------------------------------------------------

    async def get_tokens(self) -> TokenSet | None:
        """Current tokens, renewed first when they are about to expire."""
        if self._session is None:
            return None
        return await self._session.get_tokens()

    async def fetch(self, url: str, **init: object) -> object:
        """``window.fetch`` with ``Authorization`` added for own/allowed origins only."""
        return await (await self._engine()).fetch(url, **init)

    async def login(
        self, redirect_to: str | None = None, *, popup: bool = False, **params: object
    ) -> None:
        """Sign in: a redirect to the provider, or a popup window with ``popup=True``."""
        self.status_keeper.set(keys.SIGNING_IN)
        try:
            await (await self._engine()).login(redirect_to, popup=popup, **params)
        except Exception as exc:
            self.status_keeper.settle(self.is_user_logged_in)
            raise exc  # not bare: see startup.redeem
        # By redirect the page is leaving for the provider: still signing in.
        if popup:
            self.status_keeper.settle(self.is_user_logged_in)

    async def logout(self, redirect_to: str = "home") -> None:
        """Sign out here, in every tab, and at the provider."""
        self.status_keeper.set(keys.SIGNING_OUT)
        try:
            await (await self._engine()).logout(redirect_to)
        except Exception as exc:
            self.status_keeper.settle(self.is_user_logged_in)
            raise exc  # not bare: see startup.redeem
        # Without an error the page is leaving (to the provider or the target): still
        # signing out. With one (provider unreachable) it stays, signed out here.
        if self.last_error is not None:
            self.status_keeper.settle(self.is_user_logged_in)

    async def renew(self) -> None:
        """Renew the tokens now (normally scheduled before expiry)."""
        if self._session is not None:
            await self._session.renew()

    def subscribe_to_tokens_change(
        self, callback: Callable[[TokenSet | None], None]
    ) -> Callable[[], None]:
        """``callback(tokens_or_None)`` on every login, renewal and logout."""
        self.token_subscribers.append(callback)
        return lambda: self.token_subscribers.remove(callback)

    def subscribe_to_status(self, callback: Callable[[str], None]) -> Callable[[], None]:
        """``callback(status)`` on every change of ``status``; returns the unsubscribe."""
        return self.status_keeper.subscribe(callback)

    def subscribe_to_auto_logout_countdown(
        self, callback: Callable[[int | None], None]
    ) -> Callable[[], None]:
        """``callback(seconds_left)`` during the idle warning, ``None`` when it ends."""
        self.countdown_subscribers.append(callback)
        return lambda: self.countdown_subscribers.remove(callback)
