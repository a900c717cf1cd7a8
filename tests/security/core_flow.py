"""The client flow on CPython: core/ plus the CPython signature port, over httpx.

This is what the in-browser runtime does, step by step, with CPython's I/O:
discovery -> JWKS -> authorization URL -> (the provider's login form, driven like a
user) -> process_authorization_response -> token request/response -> JWS parse,
key choice (one JWKS refetch on an unknown kid), signature, claims -> userinfo sub.
Any typed error ends the flow; ``FlowResult`` keeps it and every secret seen, so
tests can check that no secret leaked into it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from typing import Any

import httpx

from brython_oidc.core.authorization import (
    Transaction,
    build_authorization_url,
    callback_params,
    process_authorization_response,
)
from brython_oidc.core.config import ClientConfig
from brython_oidc.core.discovery import ProviderMetadata, discovery_url, process_discovery_response
from brython_oidc.core.errors import OIDCError, RequestTimeout, TransportError, ValidationError
from brython_oidc.core.id_token import (
    at_hash_from_digest,
    validate_id_token_claims,
    validate_userinfo_sub,
)
from brython_oidc.core.jose import KeyNotFound, parse_compact_jws, select_jwk
from brython_oidc.core.pkce import make_code_verifier, make_nonce, make_state, s256_code_challenge
from brython_oidc.core.token import (
    TokenSet,
    build_authorization_code_request,
    process_token_response,
)
from brython_oidc.server.signature import verify

REDIRECT_URI = "http://localhost:8000/"
CLIENT_ID = "demo-spa"


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


class FlowResult:
    """What one run produced: claims on success, else the error; secrets seen on the way."""

    def __init__(self) -> None:
        self.error: OIDCError | None = None
        self.claims: dict[str, object] | None = None
        self.userinfo: dict[str, object] | None = None
        self.jwks_fetches = 0
        self.id_token_alg: str | None = None
        #: Transport failures that a retry got past (a provider 500 then recovering).
        self.recovered_from: list[OIDCError] = []
        self.secrets: list[str] = []


class CoreFlow:
    """One client against one provider; ``run()`` does a whole sign-in."""

    def __init__(
        self,
        issuer: str,
        *,
        request_timeout: float = 10.0,
        username: str = "alice",
    ) -> None:
        self.config = ClientConfig.from_mapping(
            {
                "issuer": issuer,
                "client_id": CLIENT_ID,
                "redirect_uri": REDIRECT_URI,
                "request_timeout": request_timeout,
            }
        )
        self.username = username
        self.http = httpx.Client(follow_redirects=False, timeout=request_timeout)
        self.result = FlowResult()
        self.metadata: ProviderMetadata | None = None
        self.jwks: dict[str, Any] = {}

    def close(self) -> None:
        self.http.close()

    # --- I/O, mapped to the transport errors the browser port raises --------------

    def _send(self, endpoint: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.http.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise RequestTimeout(endpoint, self.config.request_timeout, url=url) from None
        except httpx.HTTPError as exc:
            raise TransportError(
                endpoint, type(exc).__name__, url=url, provider_looks_down=True
            ) from None

    def _get_json(self, endpoint: str, url: str, **kwargs: Any) -> object:
        response = self._send(endpoint, "GET", url, **kwargs)
        if response.status_code != 200:
            raise TransportError(endpoint, f"HTTP {response.status_code}", url=url,
                                 status=response.status_code)  # fmt: skip
        try:
            return response.json()
        except ValueError:
            raise ValidationError(endpoint, "the answer is not JSON") from None

    # --- the steps ----------------------------------------------------------------

    def discover(self) -> ProviderMetadata:
        document = self._get_json("discovery", discovery_url(self.config.issuer))
        self.metadata = process_discovery_response(document, issuer=self.config.issuer)
        return self.metadata

    def fetch_jwks(self) -> None:
        assert self.metadata is not None
        document = self._get_json("jwks_uri", self.metadata.jwks_uri)
        if not isinstance(document, dict):
            raise ValidationError("jwks", "the JWK Set is not an object")
        self.jwks = document
        self.result.jwks_fetches += 1

    def new_transaction(self) -> Transaction:
        return Transaction(
            state=make_state(secrets.token_bytes(16)),
            nonce=make_nonce(secrets.token_bytes(16)),
            code_verifier=make_code_verifier(secrets.token_bytes(32)),
            redirect_uri=self.config.redirect_uri,
            return_to="/",
            created_at=time.time(),
        )

    def authorize(self, transaction: Transaction) -> str:
        """Send the user to the provider, sign in, return the callback URL."""
        assert self.metadata is not None
        challenge = s256_code_challenge(transaction.code_verifier, sha256)
        url = build_authorization_url(self.config, self.metadata, transaction, challenge)
        form = self._send("authorization_endpoint", "GET", url)
        assert form.status_code == 200 and 'name="username"' in form.text, form.status_code
        answer = self._send(
            "authorization_endpoint",
            "POST",
            url,
            data={"username": self.username, "password": self.username},
        )
        assert answer.status_code == 302, answer.status_code
        return answer.headers["location"]

    def callback(self, url: str, transaction: Transaction) -> str:
        assert self.metadata is not None
        params = callback_params(url, self.config.response_mode)
        assert params is not None, "not a callback URL"
        code = process_authorization_response(
            params, transaction, self.metadata, now=time.time(), ttl=self.config.transaction_ttl
        )
        self.result.secrets.append(code.code)
        return code.code

    def exchange(self, code: str, transaction: Transaction) -> TokenSet:
        assert self.metadata is not None
        request = build_authorization_code_request(
            self.config, self.metadata, code, transaction.code_verifier
        )
        response = self._send(
            "token_endpoint", "POST", request.url, content=request.body, headers=request.headers
        )
        self.result.secrets.append(response.text)
        tokens = process_token_response(
            response.status_code,
            response.text,
            parse_json=json.loads,
            now=time.time(),
            content_type=response.headers.get("content-type"),
        )
        for secret in (tokens.access_token, tokens.id_token, tokens.refresh_token):
            if secret:
                self.result.secrets.append(secret)
        return tokens

    def check_id_token(self, tokens: TokenSet, transaction: Transaction) -> dict[str, object]:
        """OIDC Core §3.1.3.7: signature with the JWKS key (one refetch), then claims."""
        if tokens.id_token is None:
            raise ValidationError("id_token", "the token response has no id_token")
        jws = parse_compact_jws(tokens.id_token, parse_json=json.loads)
        try:
            jwk = select_jwk(self.jwks, jws.header)
        except KeyNotFound:
            # OIDC Core §10.1.1: the provider may have rotated; fetch the JWKS once more.
            self.fetch_jwks()
            jwk = select_jwk(self.jwks, jws.header)
        alg = str(jws.header["alg"])
        self.result.id_token_alg = alg
        if not verify(alg, jwk, jws.signing_input, jws.signature):
            raise ValidationError("signature", "the ID token signature does not verify")
        return validate_id_token_claims(
            jws.claims,
            issuer=self.config.issuer,
            client_id=self.config.client_id,
            nonce=transaction.nonce,
            now=time.time(),
            leeway=self.config.clock_leeway,
            access_token_hash=at_hash_from_digest(sha256(tokens.access_token.encode())),
        )

    def userinfo(self, tokens: TokenSet, claims: dict[str, object]) -> dict[str, object]:
        assert self.metadata is not None and self.metadata.userinfo_endpoint
        document = self._get_json(
            "userinfo_endpoint",
            self.metadata.userinfo_endpoint,
            headers={"Authorization": f"Bearer {tokens.access_token}"},
        )
        return validate_userinfo_sub(document, claims)  # type: ignore[arg-type]

    def run(self, *, retries: int = 0) -> FlowResult:
        """A whole sign-in; the token request is retried ``retries`` times on a 5xx."""
        try:
            self.discover()
            self.fetch_jwks()
            transaction = self.new_transaction()
            self.result.secrets.append(transaction.code_verifier)
            code = self.callback(self.authorize(transaction), transaction)
            tokens = self._exchange_with_retries(code, transaction, retries)
            claims = self.check_id_token(tokens, transaction)
            self.result.userinfo = self.userinfo(tokens, claims)
            self.result.claims = claims
        except OIDCError as exc:
            self.result.error = exc
        return self.result

    def _exchange_with_retries(self, code: str, transaction: Transaction, retries: int) -> TokenSet:
        for attempt in range(retries + 1):
            try:
                return self.exchange(code, transaction)
            except TransportError as exc:
                if attempt == retries or not exc.provider_looks_down:
                    raise
                self.result.recovered_from.append(exc)
        raise AssertionError("unreachable")
