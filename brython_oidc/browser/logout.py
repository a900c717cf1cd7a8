"""Logout: local state first, then revocation and RP-Initiated Logout.

Order matters: every tab is signed out before any network call, so a provider
that is down cannot keep anyone signed in. Then the refresh token is revoked
(RFC 7009) where the provider has a revocation endpoint, and the browser goes to
the end_session_endpoint with id_token_hint, client_id and
post_logout_redirect_uri (OIDC RP-Initiated Logout 1.0 §2). The path to land on
afterwards is kept in sessionStorage: the provider only knows the registered URI.
"""

from __future__ import annotations

from browser import window

from brython_oidc.core.authorization import safe_return_path
from brython_oidc.core.errors import OIDCError, TransportError
from brython_oidc.core.token import build_end_session_url

from . import keys, page

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from brython_oidc.core.config import ClientConfig
    from brython_oidc.core.discovery import ProviderMetadata

    from .provider import Provider
    from .state import SessionState


def logout_target(redirect_to: str) -> str:
    """``"home"``, ``"current page"`` or a same-origin path (never an open redirect)."""
    if redirect_to == "home":
        return "/"
    if redirect_to == "current page":
        return page.current_path()
    return safe_return_path(redirect_to)


class Logout:
    """Receives only what it uses; ``sign_out(reason)`` clears this tab and tells the
    others (the composition root's ``client.Session.clear``)."""

    def __init__(
        self,
        *,
        state: SessionState,
        provider: Provider,
        config: ClientConfig,
        namespace: str,
        sign_out: Callable[[str], None],
    ) -> None:
        self.state = state
        self.provider = provider
        self.config = config
        self.namespace = namespace
        self.sign_out = sign_out

    async def run(self, redirect_to: str) -> None:
        tokens = self.state.tokens
        target = logout_target(redirect_to)
        self.state.set_status(keys.SIGNING_OUT)
        self.sign_out("logout")
        metadata = await self._discover(target)
        if metadata is None:
            return
        if tokens is not None and tokens.refresh_token:
            try:
                await self.provider.revoke(tokens.refresh_token)
            except TransportError as exc:
                self.unreachable(exc)
                return
            except OIDCError as exc:
                self.state.fail(exc)  # logout goes on: local state is already gone
        end_session = build_end_session_url(
            metadata,
            id_token_hint=tokens.id_token if tokens is not None else None,
            client_id=self.config.client_id,
            post_logout_redirect_uri=self.config.post_logout_redirect_uri,
        )
        if end_session is None:
            # Loud: without an end_session_endpoint the provider session stays alive.
            window.console.warn(
                "brython-oidc: the provider has no end_session_endpoint; "
                "signed out here only, the provider session remains"
            )
            page.navigate(target)
            return
        window.sessionStorage.setItem(keys.after_logout_key(self.namespace), target)
        page.navigate(end_session)

    async def _discover(self, target: str) -> ProviderMetadata | None:
        """The metadata, or None once a failure is handled (shown, or the page left).

        Apart from ``run`` so its result is not read after a try:
        tests/server/test_brython_frame_rule.py.
        """
        try:
            return await self.provider.discover()
        except TransportError as exc:
            self.unreachable(exc)
        except OIDCError as exc:
            self.state.fail(exc)  # no retry: that would restore the session just ended
            page.navigate(target)
        return None

    def unreachable(self, exc: TransportError) -> None:
        """The provider is down: stay on the page, signed out here, the error shown.

        Navigating to its end_session_endpoint would leave the user on a browser error
        page, and a reload would lose the error. No retry: that would sign in again.
        """
        self.state.fail(exc)
        # Loud: the provider session outlives this logout.
        window.console.warn(
            "brython-oidc: the provider is unreachable; signed out here only, "
            "the provider session remains"
        )
        self.state.set_status(keys.SIGNED_OUT)
        self.state.notify()  # apps show last_error when told of a tokens change


def restore_after_logout(namespace: str) -> None:
    """Back from the provider's logout: land where ``logout(redirect_to=...)`` said."""
    key = keys.after_logout_key(namespace)
    target = window.sessionStorage.getItem(key)
    if isinstance(target, str):
        window.sessionStorage.removeItem(key)
        page.replace_url(safe_return_path(target))
