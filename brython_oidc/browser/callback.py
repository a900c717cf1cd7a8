"""The page's authorization response: recognised, checked, and its code sent.

On a callback page this runs before the rest of the engine loads (browser/boot.py):
once state, ``iss`` and ``error`` are checked (RFC 6749 §4.1.2, RFC 9207), the token
request (§4.1.3) and the JWKS fetch are on their way while client, renewal and the
tab machinery are imported and set up (tens of ms in Brython, ``python
bench/signin_profile.py``). ``startup.handle_callback`` then verifies and signs in.
Every failure is kept in ``Received.error`` for start-up to report, so a callback
handled early ends exactly as one handled in order.
"""

from __future__ import annotations

from brython_oidc.core.authorization import (
    HANDLE,
    REJECT,
    Transaction,
    callback_disposition,
    callback_params,
    process_authorization_response,
    strip_callback_params,
)
from brython_oidc.core.config import ClientConfig
from brython_oidc.core.errors import OIDCError, ValidationError

from . import keys, page, timers
from .exchange import send_code
from .provider import Provider
from .storage import TransactionStore

TYPE_CHECKING = False
if TYPE_CHECKING:
    from brython_oidc.core.discovery import ProviderMetadata

    from .exchange import Sent


class Received:
    """What the page's address held: our response (its transaction taken from
    storage, its code sent), nothing of ours (``transaction`` None), or the error
    met on the way (``error``, with the transaction when it is known)."""

    __slots__ = ("code", "config", "error", "provider", "sent", "transaction")

    def __init__(self, config: ClientConfig, provider: Provider) -> None:
        self.config = config
        self.provider = provider
        self.transaction: Transaction | None = None
        self.code = ""
        self.sent: Sent | None = None
        self.error: OIDCError | None = None


async def receive_page(mapping: dict[str, object]) -> Received:
    """``receive`` before the engine exists: the configuration is checked here (a
    ``ConfigurationError`` names the field), and the engine adopts the result."""
    config = ClientConfig.from_mapping(mapping)
    namespace = keys.namespace(config.issuer, config.client_id)
    return await receive(config, Provider(config), TransactionStore(namespace))


async def receive(
    config: ClientConfig, provider: Provider, transactions: TransactionStore
) -> Received:
    """The response in the address, if ours, checked and its code sent."""
    received = Received(config, provider)
    try:
        # Transactions expire (DESIGN: 15 min) before any of them may match.
        transactions.purge(timers.now(), config.transaction_ttl)
        params = our_callback(config, transactions)
        if params is None:
            return received
        stored = transactions.take(params["state"])
        if stored is None:
            raise ValidationError("state", "the transaction for this state is gone")
        received.transaction = transaction = Transaction.from_mapping(stored)
        metadata = await provider.discover()
        received.code = code_from_params(config, metadata, transaction, params)
        received.sent = await send_code(provider, transaction, received.code)
    except OIDCError as exc:
        received.error = exc
    return received


def our_callback(config: ClientConfig, transactions: TransactionStore) -> dict[str, str] | None:
    """Our callback's parameters, with the address bar already cleaned.

    Recognised by the stored transaction (DESIGN: one redirect URI). A state
    already used (reload, Back) is cleaned and ignored, never "no matching state";
    a response this browser did not ask for is cleaned and refused with
    ValidationError("state") (RFC 6749 §10.12), its code never exchanged.
    """
    try:
        params = callback_params(page.loaded_href(), config.response_mode)
    except ValidationError:
        params = None  # a repeated parameter: not a response we can trust or use
    page.forget_loaded_href()  # taken once: a later start-up must not see it again
    state = (params or {}).get("state") or ""
    what = callback_disposition(
        params,
        known=bool(state) and transactions.has(state),
        used=bool(state) and transactions.was_used(state),
        pending=transactions.pending(),
    )
    if what is None:
        return None
    page.replace_url(strip_callback_params(page.href()))
    if what == HANDLE:
        return params
    if what == REJECT:
        # Loud on purpose: a forged or stale callback may be a CSRF attempt.
        raise ValidationError(
            "state",
            "the authorization response's state matches no login started in this browser"
            if state
            else "the authorization response has no state (RFC 6749 §4.1.2)",
        )
    return None  # DROP: already used (reload, Back), nothing to report


def code_from_callback(
    config: ClientConfig, metadata: ProviderMetadata, transaction: Transaction, url: str
) -> str:
    """The authorization code in a callback URL, after core's checks (RFC 6749 §4.1.2)."""
    params = callback_params(url, config.response_mode) or {}
    return code_from_params(config, metadata, transaction, params)


def code_from_params(
    config: ClientConfig,
    metadata: ProviderMetadata,
    transaction: Transaction,
    params: dict[str, str],
) -> str:
    """The code once state, iss and error are checked (RFC 6749 §4.1.2, RFC 9207).

    Here, not beside the request in ``authorize``: the callback page checks the
    response before anything else loads, and the request side (PKCE, random
    values) is not needed for that.
    """
    code = process_authorization_response(
        params, transaction, metadata, now=timers.now(), ttl=config.transaction_ttl
    )
    return code.code
