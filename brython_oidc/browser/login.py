"""Login: RFC 6749 §4.1.1 with PKCE, by redirect or in a popup.

A failure before the redirect (provider down, bad discovery document) is raised and
kept in ``last_error``: the click must say why nothing happened.
"""

from __future__ import annotations

from brython_oidc.core.authorization import safe_return_path
from brython_oidc.core.errors import OIDCError

from . import keys, page
from .authorize import authorization_request
from .callback import code_from_callback
from .exchange import exchange_code

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from brython_oidc.core.authorization import Transaction
    from brython_oidc.core.config import ClientConfig
    from brython_oidc.core.discovery import ProviderMetadata

    from .exchange import Verified
    from .provider import Provider
    from .state import SessionState
    from .storage import TransactionStore


class Login:
    """Receives only what it uses: ``sign_in`` keeps verified tokens (the composition
    root's), ``fail`` reports a popup's failure as start-up would (``Startup.fail``)."""

    def __init__(
        self,
        *,
        config: ClientConfig,
        provider: Provider,
        transactions: TransactionStore,
        state: SessionState,
        sign_in: Callable[[Verified], Awaitable[None]],
        fail: Callable[[OIDCError], None],
        clock_jump: Callable[[], float],
    ) -> None:
        self.config = config
        self.provider = provider
        self.transactions = transactions
        self.state = state
        self.sign_in = sign_in
        self.fail = fail
        self.clock_jump = clock_jump

    async def run(
        self, redirect_to: str | None = None, *, popup: bool = False, **params: object
    ) -> None:
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
            self.state.fail(exc)  # the user retries by clicking again
            raise exc  # not bare: see startup.Startup.redeem
        else:  # not after the try: tests/server/test_brython_frame_rule.py
            if not popup:
                self.state.set_status(keys.SIGNING_IN)
                page.navigate(url)
                return
            await self.in_popup(metadata, url, transaction)
        if redirect_to:
            page.replace_url(return_to)

    async def in_popup(
        self, metadata: ProviderMetadata, url: str, transaction: Transaction
    ) -> None:
        self.state.set_status(keys.SIGNING_IN)
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
            raise exc  # not bare: see startup.Startup.redeem
        finally:
            self.state.settle()
