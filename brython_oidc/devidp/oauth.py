"""authlib's server components, bound to Starlette and to the provider's in-memory state.

authlib is synchronous and framework-neutral: an integration supplies the request
object, the response factory and the storage hooks. Starlette reads bodies
asynchronously, so the views read the form first and hand authlib a request
built from plain lists of pairs (``StarletteOAuth2Request``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from typing import Any, ClassVar, Protocol

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    InvalidGrantError,
    InvalidRequestError,
    OAuth2Payload,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, RefreshTokenGrant
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants import OpenIDCode
from starlette.responses import JSONResponse, Response

from .config import Client, User
from .store import AuthorizationCode, MemoryStore, TokenRecord, token_key


class Provider(Protocol):
    """What the grants need of ``provider.Provider``.

    A protocol here, so that provider.py imports this module and not the other way
    round (no import circle, type-only imports included).
    """

    issuer: str
    clients: dict[str, Client]
    users: dict[str, User]
    store: MemoryStore
    clock: Callable[[], float]

    def save_authorization_code(self, code: str, request: StarletteOAuth2Request) -> None: ...

    def generate_token(
        self,
        client: Client,
        user: User,
        scope: str,
        include_refresh_token: bool,
        *,
        dpop_jkt: str | None = None,
    ) -> dict[str, Any]: ...

    def save_token(self, token: dict[str, Any], request: StarletteOAuth2Request) -> None: ...

    def mint_id_token(
        self,
        *,
        client: Client,
        username: str,
        scope: str,
        auth_time: int,
        nonce: str | None,
        access_token: str | None,
        sid: str | None,
    ) -> str: ...


#: Client authentication methods at the token and revocation endpoints
#: (RFC 6749 §2.3; "none" is a public client, OAuth 2.0 Dynamic Registration §2).
AUTH_METHODS = ["none", "client_secret_basic", "client_secret_post"]

_B64URL_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

# The DPoP key of the token request being answered (RFC 9449 §5): authlib calls the
# token generator without the request, so the view's checked proof reaches it here.
_DPOP_JKT: ContextVar[str | None] = ContextVar("devidp_dpop_jkt", default=None)


class PairsPayload(OAuth2Payload):  # type: ignore[misc]
    """Request parameters from a list of pairs; ``datalist`` keeps repeats (RFC 6749 §3.1)."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in pairs:
            self._datalist[key].append(value)
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class StarletteOAuth2Request(OAuth2Request):  # type: ignore[misc]
    """An authlib request from what a Starlette view has already read."""

    def __init__(
        self,
        method: str,
        uri: str,
        headers: Mapping[str, str],
        params: Iterable[tuple[str, str]],
    ) -> None:
        super().__init__(method=method, uri=uri, headers=dict(headers))
        self.payload = PairsPayload(params)
        self._form = self.payload.data
        #: Set by the authorization view: when and in which session the user signed in.
        self.auth_time: int | None = None
        self.sid: str | None = None
        #: Set by the token view: the thumbprint of a checked DPoP proof's key (RFC 9449 §5).
        self.dpop_jkt: str | None = None

    @property
    def args(self) -> dict[str, str]:
        return self._form

    @property
    def form(self) -> dict[str, str]:
        return self._form


class DevAuthorizationServer(AuthorizationServer):  # type: ignore[misc]
    """authlib's AuthorizationServer with storage in the provider's memory."""

    def __init__(self, provider: Provider) -> None:
        super().__init__(scopes_supported=None)
        self.provider = provider
        self.register_token_generator("default", self._generate_token)
        self.register_grant(
            S256AuthorizationCodeGrant,
            [S256CodeChallenge(required=True), DevOpenIDCode(provider)],
        )
        self.register_grant(RotatingRefreshTokenGrant)
        self.register_endpoint(DevRevocationEndpoint)

    def query_client(self, client_id: str) -> Any:
        return self.provider.clients.get(client_id)

    def save_token(self, token: dict[str, Any], request: StarletteOAuth2Request) -> None:
        self.provider.save_token(token, request)

    def send_signal(self, name: str, *args: object, **kwargs: object) -> None:
        """No signal system here."""

    def create_token_response(self, request: Any = None) -> Any:
        reset = _DPOP_JKT.set(getattr(request, "dpop_jkt", None))
        try:
            return super().create_token_response(request)
        finally:
            _DPOP_JKT.reset(reset)

    def create_oauth2_request(self, request: Any) -> Any:
        if isinstance(request, OAuth2Request):
            return request
        raise TypeError("the views build StarletteOAuth2Request themselves")

    def handle_response(
        self, status: int, body: object, headers: Iterable[tuple[str, str]]
    ) -> Response:
        header_map = dict(headers)
        if isinstance(body, dict):
            header_map.pop("Content-Type", None)
            # RFC 6749 §5.1: token responses are not cached.
            header_map.setdefault("Cache-Control", "no-store")
            return JSONResponse(body, status_code=status, headers=header_map)
        return Response(str(body or ""), status_code=status, headers=header_map)

    def _generate_token(
        self,
        grant_type: str,
        client: Any,
        user: Any = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        return self.provider.generate_token(
            client, user, scope or "", include_refresh_token, dpop_jkt=_DPOP_JKT.get()
        )


class S256CodeChallenge(CodeChallenge):  # type: ignore[misc]
    """RFC 7636 with the OAuth 2.0 Security BCP's rules: S256 only, required for public clients."""

    SUPPORTED_CODE_CHALLENGE_METHOD: ClassVar[list[str]] = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        challenge = data.get("code_challenge")
        method = data.get("code_challenge_method")
        # RFC 9700 §2.1.1: public clients MUST use PKCE.
        if grant.request.client.is_public and not challenge:
            raise InvalidRequestError("Missing 'code_challenge': PKCE is required (RFC 7636).")
        # RFC 9700 §2.1.1: S256 only; "plain" (or no method, which means plain) refused.
        if challenge and method != "S256":
            raise InvalidRequestError("'code_challenge_method' must be 'S256'.")
        super().validate_code_challenge(grant, redirect_uri)


class DevOpenIDCode(OpenIDCode):  # type: ignore[misc]
    """OpenID Connect Core §3.1: nonce, prompt handling from authlib; our own ID token."""

    def __init__(self, provider: Provider) -> None:
        super().__init__(require_nonce=False)
        self.provider = provider

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return False  # nonce replay is the client's check (Core §3.1.3.7 step 11)

    def encode_id_token(self, token: dict[str, Any], request: Any) -> str:
        code: AuthorizationCode = request.authorization_code
        return self.provider.mint_id_token(
            client=request.client,
            username=code.username,
            scope=token["scope"],
            auth_time=code.auth_time,
            nonce=code.nonce,
            access_token=token.get("access_token"),
            sid=code.sid,
        )


def response_mode(request: Any) -> str:
    return str(request.payload.data.get("response_mode") or "query")


class S256AuthorizationCodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]
    """RFC 6749 §4.1 with single-use, short-lived codes bound to their grant family."""

    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    @property
    def provider(self) -> Provider:
        return self.server.provider  # type: ignore[no-any-return]

    def validate_authorization_request(self) -> str:
        redirect_uri: str = super().validate_authorization_request()
        # OAuth 2.0 Multiple Response Type Encoding Practices §2.1: query or fragment only.
        if response_mode(self.request) not in ("query", "fragment"):
            raise InvalidRequestError(
                "Unsupported 'response_mode'; use query or fragment.", redirect_uri=redirect_uri
            )
        # RFC 9449 section 10: dpop_jkt is a base64url SHA-256 JWK thumbprint (43 characters).
        jkt = self.request.payload.data.get("dpop_jkt")
        if jkt is not None and (len(jkt) != 43 or jkt.strip(_B64URL_CHARS)):
            raise InvalidRequestError(
                "'dpop_jkt' must be a base64url SHA-256 JWK thumbprint.", redirect_uri=redirect_uri
            )
        return redirect_uri

    def create_authorization_response(self, redirect_uri: str, grant_user: Any) -> Any:
        """RFC 6749 §4.1.2 plus RFC 9207 §2: ``iss`` in every authorization response."""
        self.request.user = grant_user
        code = self.generate_authorization_code()
        self.save_authorization_code(code, self.request)
        params = [("code", code)]
        if self.request.payload.state:
            params.append(("state", self.request.payload.state))
        params.append(("iss", self.provider.issuer))
        fragment = response_mode(self.request) == "fragment"
        return 302, "", [("Location", add_params_to_uri(redirect_uri, params, fragment))]

    def save_authorization_code(self, code: str, request: StarletteOAuth2Request) -> None:
        self.provider.save_authorization_code(code, request)

    def query_authorization_code(self, code: str, client: Any) -> AuthorizationCode | None:
        item, replayed = self.provider.store.use_code(code)
        if item is None or item.client_id != client.client_id:
            return None
        if replayed:
            # RFC 6749 §4.1.2: deny, and revoke the tokens issued from this code.
            self.provider.store.revoke_grant(item.grant_id)
            raise InvalidGrantError(
                "Authorization code was already used; tokens issued from it are revoked."
            )
        if item.expires_at <= self.provider.clock():
            raise InvalidGrantError("Authorization code expired.")
        # RFC 9449 §10: a code issued for dpop_jkt is exchanged only with a proof of that key.
        if item.dpop_jkt is not None and self.request.dpop_jkt != item.dpop_jkt:
            raise InvalidGrantError(
                "The code is bound to another DPoP key (dpop_jkt, RFC 9449 section 10); "
                "send a DPoP proof made with that key."
            )
        return item

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        """Codes are marked used in query_authorization_code, atomically."""

    def authenticate_user(self, authorization_code: AuthorizationCode) -> Any:
        return self.provider.users.get(authorization_code.username)


class RotatingRefreshTokenGrant(RefreshTokenGrant):  # type: ignore[misc]
    """RFC 6749 §6 with rotation and reuse detection (RFC 9700 §4.14.2)."""

    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    @property
    def provider(self) -> Provider:
        return self.server.provider  # type: ignore[no-any-return]

    def authenticate_refresh_token(self, refresh_token: str) -> TokenRecord | None:
        store = self.provider.store
        record = store.by_refresh_token(refresh_token)
        if record is None or record.revoked or store.is_grant_revoked(record.grant_id):
            return None
        # RFC 9449 §5: a public client's DPoP-bound refresh token is used only with a
        # proof of its key. Checked first: a holder without the key changes nothing.
        if record.refresh_jkt is not None and self.request.dpop_jkt != record.refresh_jkt:
            raise InvalidGrantError(
                "The refresh token is bound to a DPoP key (RFC 9449 section 5); "
                "send a DPoP proof made with that key."
            )
        if record.rotated:
            # RFC 9700 §4.14.2: a rotated refresh token came back; one of the two
            # holders is an attacker, so the whole family is revoked.
            store.revoke_grant(record.grant_id)
            raise InvalidGrantError("Refresh token reuse detected; the token family is revoked.")
        if record.refresh_expires_at is None or record.refresh_expires_at <= self.provider.clock():
            raise InvalidGrantError("Refresh token expired.")
        return record

    def authenticate_user(self, refresh_token: TokenRecord) -> Any:
        return self.provider.users.get(refresh_token.username)

    def revoke_old_credential(self, refresh_token: TokenRecord) -> None:
        if not self.provider.store.rotate_refresh(refresh_token):
            self.provider.store.revoke_grant(refresh_token.grant_id)
            raise InvalidGrantError("Refresh token reuse detected; the token family is revoked.")

    def create_token_response(self) -> Any:
        status, token, headers = super().create_token_response()
        record: TokenRecord = self.request.refresh_token
        if "openid" in token.get("scope", "").split():
            # OpenID Connect Core §12.2: a fresh ID token, same sub/auth_time, no nonce.
            token["id_token"] = self.provider.mint_id_token(
                client=self.request.client,
                username=record.username,
                scope=token["scope"],
                auth_time=record.auth_time,
                nonce=None,
                access_token=token.get("access_token"),
                sid=record.sid,
            )
        return status, token, headers


class DevRevocationEndpoint(RevocationEndpoint):  # type: ignore[misc]
    """RFC 7009. Public clients identify themselves with client_id (§2.1)."""

    CLIENT_AUTH_METHODS = AUTH_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> TokenRecord | None:
        store: MemoryStore = self.server.provider.store
        # RFC 7009 §2.1: the hint is only a hint; look in both places.
        record = store.by_refresh_token(token_string)
        if record is not None and record.refresh_key == token_key(token_string):
            return record
        return store.by_access_token(token_string)

    def revoke_token(self, token: TokenRecord, request: StarletteOAuth2Request) -> None:
        store = self.server.provider.store
        if token.access_key == token_key(request.form["token"]):
            token.access_revoked = True
        else:
            # RFC 7009 §2.1: revoking a refresh token SHOULD revoke its grant's access tokens.
            store.revoke_grant(token.grant_id)
