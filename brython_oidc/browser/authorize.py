"""Authorization requests: the transaction (PKCE, state, nonce) and the URL to send.

RFC 6749 §4.1.1 with PKCE (RFC 7636 §4.1-4.2, S256 only) and the OIDC nonce
(Core §3.1.2.1). Randomness comes from ``crypto.getRandomValues`` only (DESIGN).
A redirect or restore transaction is stored in sessionStorage (the page is
leaving); a silent or popup one stays in memory (this page handles the answer).
"""

from __future__ import annotations

from brython_oidc.core.authorization import (
    Transaction,
    build_authorization_url,
    safe_return_path,
)
from brython_oidc.core.pkce import (
    code_challenge_from_digest,
    make_code_verifier,
    make_nonce,
    make_state,
)

from . import timers, webcrypto

TYPE_CHECKING = False
if TYPE_CHECKING:
    from brython_oidc.core.config import ClientConfig
    from brython_oidc.core.discovery import ProviderMetadata

    from .storage import TransactionStore

#: Kinds whose answer comes back to this very page (not through a page load).
IN_MEMORY_KINDS = ("silent", "popup")


async def authorization_request(
    config: ClientConfig,
    metadata: ProviderMetadata,
    store: TransactionStore,
    *,
    kind: str,
    return_to: str,
    prompt: str | None = None,
    login_hint: str | None = None,
    extra_params: dict[str, object] | None = None,
) -> tuple[str, Transaction]:
    """A new transaction and the authorization URL that starts it."""
    transaction = Transaction(
        state=make_state(webcrypto.random_bytes(32)),
        nonce=make_nonce(webcrypto.random_bytes(32)),
        code_verifier=make_code_verifier(webcrypto.random_bytes(32)),
        redirect_uri=config.redirect_uri,
        return_to=safe_return_path(return_to),
        created_at=timers.now(),
        kind=kind,
    )
    digest = await webcrypto.sha256(transaction.code_verifier.encode("ascii"))
    params = {str(k): str(v) for k, v in (extra_params or {}).items()}
    url = build_authorization_url(
        config,
        metadata,
        transaction,
        code_challenge_from_digest(digest),
        prompt=prompt,
        login_hint=login_hint,
        extra_params=params or None,
    )
    if kind not in IN_MEMORY_KINDS:
        store.save(transaction.state, transaction.to_mapping())
    return url, transaction
