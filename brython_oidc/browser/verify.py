"""ID token checks in the browser: signature with WebCrypto, then claims with core.

OpenID Connect Core §3.1.3.7 step 6: the signature is verified against the
provider's JWKS, which no JavaScript peer does in the browser. On an unknown
``kid`` the JWKS is fetched once more (key rotation, OIDC Core §10.1.1).
"""

from __future__ import annotations

from brython_oidc.core.errors import ValidationError
from brython_oidc.core.id_token import at_hash_from_digest, validate_id_token_claims
from brython_oidc.core.jose import KeyNotFound, parse_compact_jws, select_jwk

from . import http, webcrypto
from .jsjson import parse_json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from brython_oidc.core.config import ClientConfig
    from brython_oidc.core.discovery import ProviderMetadata
    from brython_oidc.core.jose import CompactJWS


class KeySet:
    """The provider's JWKS, fetched on first use and again once on an unknown kid."""

    def __init__(self, metadata: ProviderMetadata, timeout: float) -> None:
        self.metadata = metadata
        self.timeout = timeout
        self.jwks: dict[str, object] | None = None

    async def fetch(self) -> dict[str, object]:
        return self.adopt(await http.get_jwks(self.metadata.jwks_uri, self.timeout))

    def adopt(self, response: http.HttpResponse) -> dict[str, object]:
        """The JWKS in ``response`` (a GET of ``jwks_uri``), kept; TransportError or
        ValidationError when it is unusable."""
        if response.status != 200:
            from brython_oidc.core.errors import TransportError

            raise TransportError(
                "jwks_uri",
                f"HTTP {response.status}",
                url=self.metadata.jwks_uri,
                status=response.status,
                provider_looks_down=response.status >= 500,
            )
        try:
            jwks = parse_json(response.text)
        except ValueError:
            raise ValidationError("jwks", "the JWKS is not JSON") from None
        if not isinstance(jwks, dict):
            raise ValidationError("jwks", "the JWKS is not a JSON object")
        self.jwks = jwks
        return jwks

    async def key_for(self, header: dict[str, object]) -> dict[str, object]:
        fresh = self.jwks is None
        jwks = self.jwks if self.jwks is not None else await self.fetch()
        try:
            return select_jwk(jwks, header)
        except KeyNotFound as exc:
            if fresh:
                raise exc  # not bare: see startup.Startup.redeem
            # The provider may have rotated its keys since we fetched: once more only.
            return select_jwk(await self.fetch(), header)


def parse_id_token(id_token: str) -> CompactJWS:
    """The ID token split and decoded (core.jose, RFC 7515 §5.2), NOT yet verified."""
    return parse_compact_jws(id_token, parse_json=parse_json, b64url_decode=webcrypto.b64url_decode)


async def verify_id_token(
    jws: CompactJWS,
    *,
    config: ClientConfig,
    keys: KeySet,
    nonce: str | None,
    now: float,
    clock_jump: float = 0.0,
    access_token: str | None = None,
    previous_claims: dict[str, object] | None = None,
) -> dict[str, object]:
    """The claims of ``jws`` (``parse_id_token``) once the signature and every
    §3.1.3.7 check passed.

    ``clock_jump``: the page's own measured wall-clock jump (timers.ClockWatch),
    which widens the time checks by exactly that much (core validate_id_token_claims).
    """
    jwk = await keys.key_for(jws.header)
    alg = str(jws.header.get("alg"))
    if not await webcrypto.verify(alg, jwk, jws.signing_input, jws.signature):
        # Step 6: never believe claims whose signature does not verify.
        raise ValidationError("signature", "the ID token signature does not verify", actual=alg)
    at_hash = None
    if access_token is not None and "at_hash" in jws.claims:
        at_hash = at_hash_from_digest(await webcrypto.sha256(access_token.encode("ascii")))
    return validate_id_token_claims(
        jws.claims,
        issuer=config.issuer,
        client_id=config.client_id,
        nonce=nonce,
        now=now,
        leeway=config.clock_leeway,
        clock_jump=clock_jump,
        max_age=config.max_age,
        previous_claims=previous_claims,
        access_token_hash=at_hash,
    )
