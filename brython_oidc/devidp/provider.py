"""The provider: configuration, keys, state and the operations the views call.

Subclass ``Provider`` to change behaviour (a hostile test provider overrides
``generate_token`` or ``mint_id_token``); the views only talk to this class.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any

from brython_oidc.core.dpop import DPOP_ALGS, DPOP_SCHEME
from brython_oidc.server.dpop import DPoPNonces, ProofVerifier

from .config import Client, Lifetimes, User, default_clients, default_users
from .keys import KeyRing
from .oauth import DevAuthorizationServer, StarletteOAuth2Request
from .store import AuthorizationCode, MemoryStore, Session, TokenRecord, token_key
from .tokens import TokenMinter

#: Endpoint paths, relative to the issuer.
PATHS = {
    "authorization_endpoint": "/authorize",
    "token_endpoint": "/token",
    "userinfo_endpoint": "/userinfo",
    "jwks_uri": "/jwks",
    "revocation_endpoint": "/revoke",
    "end_session_endpoint": "/logout",
}
DISCOVERY_PATH = "/.well-known/openid-configuration"
ADMIN_ROTATE_PATH = "/admin/rotate-keys"


class Provider:
    """A development OpenID Provider's whole state."""

    def __init__(
        self,
        issuer: str,
        *,
        users: Iterable[User] | None = None,
        clients: Iterable[Client] | None = None,
        lifetimes: Lifetimes | None = None,
        clock: Callable[[], float] = time.time,
        keys: KeyRing | None = None,
        enable_admin: bool = False,
        dpop_nonce: bool = False,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.users = {u.username: u for u in (default_users() if users is None else users)}
        self.clients = {c.client_id: c for c in (default_clients() if clients is None else clients)}
        self.lifetimes = lifetimes or Lifetimes()
        self.clock = clock
        longest = max(self.lifetimes.access_token, self.lifetimes.id_token)
        self.keys = keys or KeyRing(grace=float(longest) + 60.0)
        #: The key-rotation endpoint exists only when this is set (tests, demos).
        self.enable_admin = enable_admin
        self.store = MemoryStore()
        self.minter = TokenMinter(self.issuer, self.keys)
        self.server = DevAuthorizationServer(self)
        #: DPoP proofs at /token and /userinfo (RFC 9449 §4.3): signature, typ, htm/htu,
        #: iat window, jti replay within it; server nonces (§8) when ``dpop_nonce``.
        self.dpop = ProofVerifier(
            clock=clock, nonces=DPoPNonces(clock=clock) if dpop_nonce else None
        )

    # --- discovery (OpenID Connect Discovery 1.0 §3, RFC 8414) -----------------------

    def url(self, key: str) -> str:
        return self.issuer + PATHS[key]

    def metadata(self) -> dict[str, object]:
        doc: dict[str, object] = {"issuer": self.issuer}
        doc.update({key: self.url(key) for key in PATHS})
        algs = list(self.keys.algorithms)
        auth_methods = ["none", "client_secret_basic", "client_secret_post"]
        doc.update(
            {
                "response_types_supported": ["code"],
                "response_modes_supported": ["query", "fragment"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": algs,
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "claims_supported": [
                    "sub",
                    "iss",
                    "aud",
                    "exp",
                    "iat",
                    "auth_time",
                    "nonce",
                    "name",
                    "preferred_username",
                    "email",
                    "email_verified",
                    "sid",
                ],
                "token_endpoint_auth_methods_supported": auth_methods,
                "revocation_endpoint_auth_methods_supported": auth_methods,
                "code_challenge_methods_supported": ["S256"],
                "prompt_values_supported": ["none", "login"],
                "claims_parameter_supported": False,
                "request_parameter_supported": False,
                "authorization_response_iss_parameter_supported": True,
                # RFC 9449 §5.1: DPoP is supported, with these proof algorithms.
                "dpop_signing_alg_values_supported": list(DPOP_ALGS),
            }
        )
        return doc

    # --- users and sessions ----------------------------------------------------------

    def check_password(self, username: str, password: str) -> User | None:
        user = self.users.get(username)
        expected = user.password if user else secrets.token_hex(8)
        ok = hmac.compare_digest(expected.encode(), password.encode())
        return user if (user is not None and ok) else None

    def start_session(self, user: User) -> Session:
        now = self.clock()
        session = Session(
            secrets.token_urlsafe(24), user.username, int(now), now + self.lifetimes.session
        )
        self.store.add_session(session)
        return session

    def find_session(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        return self.store.get_session(sid, self.clock())

    def end_session(self, sid: str) -> None:
        """Sign out: the session ends and its refresh tokens stop working (like Keycloak)."""
        for grant_id in self.store.grants_of_session(sid):
            self.store.revoke_grant(grant_id)
        self.store.end_session(sid)

    # --- codes and tokens (called by the authlib grants) ----------------------------

    def save_authorization_code(self, code: str, request: StarletteOAuth2Request) -> None:
        data = request.payload.data
        item = AuthorizationCode(
            client_id=request.client.client_id,
            username=request.user.username,
            redirect_uri=data.get("redirect_uri", ""),
            scope=request.scope,
            nonce=data.get("nonce"),
            auth_time=request.auth_time if request.auth_time is not None else int(self.clock()),
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
            expires_at=self.clock() + self.lifetimes.code,
            sid=request.sid,
            dpop_jkt=data.get("dpop_jkt"),
        )
        self.store.add_code(code, item)

    def generate_token(
        self,
        client: Client,
        user: User,
        scope: str,
        include_refresh_token: bool,
        *,
        dpop_jkt: str | None = None,
    ) -> dict[str, Any]:
        """RFC 6749 §5.1 token response (the ID token is added by the OpenID extension).

        With ``dpop_jkt`` (a checked proof came with the request) the access token is
        bound to that key and its type is ``DPoP`` (RFC 9449 §5, §6.1).
        """
        access_token = self.minter.access_token(
            client=client,
            username=user.username,
            scope=scope,
            now=self.clock(),
            ttl=self.lifetimes.access_token,
            dpop_jkt=dpop_jkt,
        )
        token: dict[str, Any] = {
            "token_type": DPOP_SCHEME if dpop_jkt else "Bearer",
            "access_token": access_token,
            "expires_in": self.lifetimes.access_token,
            "scope": scope,
        }
        if include_refresh_token:
            token["refresh_token"] = secrets.token_urlsafe(32)
            token["refresh_expires_in"] = self.lifetimes.refresh_token
        return token

    def save_token(self, token: dict[str, Any], request: StarletteOAuth2Request) -> None:
        origin: AuthorizationCode | TokenRecord = (
            request.authorization_code or request.refresh_token
        )
        now = self.clock()
        refresh = token.get("refresh_token")
        self.store.add_token(
            TokenRecord(
                client_id=request.client.client_id,
                username=request.user.username,
                scope=token["scope"],
                grant_id=origin.grant_id,
                sid=origin.sid,
                auth_time=origin.auth_time,
                access_key=token_key(token["access_token"]),
                access_expires_at=now + self.lifetimes.access_token,
                refresh_key=token_key(refresh) if refresh else None,
                refresh_expires_at=now + self.lifetimes.refresh_token if refresh else None,
                dpop_jkt=request.dpop_jkt,
                # RFC 9449 §5: bound for public clients (a confidential client
                # authenticates instead); an unbound one stays unbound.
                refresh_jkt=(request.dpop_jkt if refresh and request.client.is_public else None),
            )
        )

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
    ) -> str:
        return self.minter.id_token(
            client=client,
            user=self.users[username],
            scope=scope,
            now=self.clock(),
            ttl=self.lifetimes.id_token,
            auth_time=auth_time,
            nonce=nonce,
            access_token=access_token,
            sid=sid,
        )

    def active_access_token(self, token: str) -> TokenRecord | None:
        """The record of a live access token (userinfo), or None."""
        record = self.store.by_access_token(token)
        if record is None or record.revoked or record.access_revoked:
            return None
        if self.store.is_grant_revoked(record.grant_id):
            return None
        if record.access_expires_at <= self.clock():
            return None
        return record

    def rotate_keys(self) -> dict[str, str]:
        return self.keys.rotate(self.clock())
