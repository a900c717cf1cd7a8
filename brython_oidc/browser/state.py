"""The page's session state: its one owner, and the only code that writes it.

Tokens (in memory only), the verified ID token's claims, the userinfo claims, the
last error and the status (``keys.STATUSES``). The flows (``startup``, ``renewal``,
``logout``, ``idle``, ``tabs``) read it and change it only through these methods,
which tell the app: ``token_subscribers`` on a sign-in, renewal, adoption or
sign-out; the status goes to the handle's ``Status``, its one holder. Storage and the other tabs are
the composition root's business (``client.Session.set_tokens``).
"""

from __future__ import annotations

from browser import window

from . import keys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Protocol

    from brython_oidc.core.errors import OIDCError
    from brython_oidc.core.token import TokenSet

    class StatusHolder(Protocol):
        """``handle.Status``: the one holder of the status (it writes ``<html>`` too)."""

        value: str

        def set(self, value: str) -> None: ...


class SessionState:
    __slots__ = (
        "claims",
        "last_error",
        "status_holder",
        "token_subscribers",
        "tokens",
        "tokens_clock",
        "userinfo",
    )

    def __init__(
        self,
        token_subscribers: list[Callable[[TokenSet | None], None]],
        status: StatusHolder,
    ) -> None:
        self.tokens: TokenSet | None = None
        #: The verified ID token's claims (``Oidc.decoded_id_token``).
        self.claims: dict[str, object] | None = None
        self.userinfo: dict[str, object] | None = None
        #: The last failure, typed (``OIDCError`` subclasses); ``None`` after a success.
        self.last_error: OIDCError | None = None
        #: The handle's ``Status``: one value for the page, whether the engine is
        #: loaded or not (the boot file set it first); this class changes it only
        #: through ``set_status``.
        self.status_holder = status
        #: The wall-clock jump total when the tokens were set: their stamps
        #: (``expires_at``) are on the clock of that moment (``renewal.on_clock_jump``).
        self.tokens_clock = 0.0
        # The handle's list: subscriptions made before the engine loaded still count.
        self.token_subscribers = token_subscribers

    @property
    def status(self) -> str:
        """One of ``keys.STATUSES``."""
        return self.status_holder.value

    @property
    def user(self) -> dict[str, object] | None:
        """ID token claims with the (sub-checked) userinfo claims on top (OIDC Core §5.3)."""
        if self.claims is None:
            return None
        return {**self.claims, **(self.userinfo or {})}

    def set_tokens(
        self,
        tokens: TokenSet,
        claims: dict[str, object],
        userinfo: dict[str, object] | None,
        *,
        clock: float,
    ) -> None:
        """Verified tokens (a sign-in, renewal or hand-over): signed in, no error.

        The caller tells the app (``notify``) once storage and the tabs know too.
        """
        self.tokens = tokens
        self.tokens_clock = clock
        self.claims = claims
        self.userinfo = userinfo
        self.last_error = None
        self.set_status(keys.SIGNED_IN)

    def clear(self) -> bool:
        """Signed out here; whether someone was signed in (then the app is told)."""
        was_in = self.tokens is not None
        self.tokens = None
        self.claims = None
        self.userinfo = None
        if self.status != keys.SIGNING_OUT:  # this tab's logout: until the page leaves
            self.set_status(keys.SIGNED_OUT)
        if was_in:
            self.notify()
        return was_in

    def fail(self, exc: OIDCError) -> None:
        """Keep the failure for the app (``last_error``) and say it in the console."""
        self.last_error = exc
        # The message is built by core without tokens; safe for the console.
        window.console.warn(f"brython-oidc: {type(exc).__name__}: {exc}")

    def forget_error(self) -> None:
        self.last_error = None

    def set_status(self, status: str) -> None:
        """Tell the holder (it ignores no change, and tells the app of a change)."""
        self.status_holder.set(status)

    def settle(self) -> None:
        """The state is known again: signed in or out."""
        self.set_status(keys.SIGNED_IN if self.tokens is not None else keys.SIGNED_OUT)

    def notify(self) -> None:
        """Tell the app the tokens changed (apps read ``last_error`` then too)."""
        for callback in list(self.token_subscribers):
            try:
                callback(self.tokens)
            except Exception as exc:
                window.console.error(
                    f"brython-oidc: a tokens subscriber failed: {type(exc).__name__}"
                )
