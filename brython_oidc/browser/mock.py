"""Mock mode: the same API with no provider, for app tests and offline work.

Configured with ``"mock": {"user": {...claims}}`` (signed in as that user) or
``"mock": "logged-out"``. Tokens are obviously fake and never leave the page.
``tests/browser/test_mock_api.py`` holds ``MockOidc`` to ``handle.Oidc``'s public API:
an app written against one runs against the other.
"""

from __future__ import annotations

from browser import window

from . import page, timers
from .handle import Status

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from brython_oidc.core.token import TokenSet


class MockOidc:
    is_mock = True

    def __init__(self, mock: object) -> None:
        self.last_error = None
        self._subscribers: list[Callable[[object], None]] = []
        self.decoded_id_token: dict[str, object] | None = None
        self.tokens: TokenSet | None = None
        self.status_keeper = Status()
        if mock == "logged-out":
            return
        if not isinstance(mock, dict) or not isinstance(mock.get("user"), dict):
            from brython_oidc.core.errors import ConfigurationError

            raise ConfigurationError("mock", 'must be {"user": {claims}} or "logged-out"')
        self._sign_in(dict(mock["user"]))

    def _sign_in(self, claims: dict[str, object]) -> None:
        from brython_oidc.core.token import TokenSet

        claims.setdefault("sub", "mock-user")
        self.decoded_id_token = claims
        self.tokens = TokenSet(
            access_token="mock-access-token",  # noqa: S106 - a placeholder, not a secret
            token_type="Bearer",  # noqa: S106 - a token type name
            expires_at=timers.now() + 3600,
            refresh_token=None,
            id_token=None,
            scope="openid",
            received_at=timers.now(),
        )

    @property
    def user(self) -> dict[str, object] | None:
        """The mock user's claims (no userinfo endpoint in mock mode)."""
        return self.decoded_id_token

    @property
    def is_user_logged_in(self) -> bool:
        return self.tokens is not None

    @property
    def status(self) -> str:
        return self.status_keeper.value

    def subscribe_to_status(self, callback: Callable[[str], None]) -> Callable[[], None]:
        return self.status_keeper.subscribe(callback)

    async def get_tokens(self) -> TokenSet | None:
        return self.tokens

    async def fetch(self, url: str, **init: object) -> object:
        # No token is added: a mock token must never reach a real server.
        from .jsjson import to_js

        return await window.fetch(url, to_js(init))

    async def renew(self) -> None:
        """New mock tokens for the same user (an hour again), told to the subscribers."""
        if self.decoded_id_token is not None:
            self._sign_in(self.decoded_id_token)
            self._notify()

    async def login(
        self, redirect_to: str | None = None, *, popup: bool = False, **_params: object
    ) -> None:
        self._sign_in({"sub": "mock-user", "name": "Mock User"})
        self._notify()
        if redirect_to:
            page.replace_url(redirect_to)

    async def logout(self, redirect_to: str = "home") -> None:
        self.tokens = None
        self.decoded_id_token = None
        self._notify()

    def subscribe_to_tokens_change(self, callback: Callable[[object], None]) -> Callable[[], None]:
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    def subscribe_to_auto_logout_countdown(self, callback: object) -> Callable[[], None]:
        return lambda: None  # no idle timeout in mock mode

    def _notify(self) -> None:
        self.status_keeper.settle(self.tokens is not None)
        for callback in list(self._subscribers):
            callback(self.tokens)
