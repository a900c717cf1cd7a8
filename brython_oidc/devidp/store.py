"""In-memory state of the provider: codes, tokens, sessions. A dev tool, so no database.

One lock guards everything: uvicorn runs handlers on one event loop, but tests
drive the provider from other threads and the store must stay consistent.

Token families: every authorization code starts a *grant*; the tokens issued
from that code and every refresh rotation belong to it. Revoking the grant
revokes them all — used for code replay (RFC 6749 §4.1.2) and refresh token
reuse (OAuth 2.0 Security BCP §4.14.2, RFC 9700).
"""

from __future__ import annotations

import hashlib
import secrets
import threading


def token_key(token: str) -> str:
    """Tokens are stored by their SHA-256, never as given (nothing to leak in a dump)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class AuthorizationCode:
    """An issued code; implements authlib's AuthorizationCodeMixin."""

    __slots__ = (
        "auth_time",
        "client_id",
        "code_challenge",
        "code_challenge_method",
        "dpop_jkt",
        "expires_at",
        "grant_id",
        "nonce",
        "redirect_uri",
        "scope",
        "sid",
        "used",
        "username",
    )

    def __init__(
        self,
        *,
        client_id: str,
        username: str,
        redirect_uri: str,
        scope: str,
        nonce: str | None,
        auth_time: int,
        code_challenge: str | None,
        code_challenge_method: str | None,
        expires_at: float,
        sid: str | None,
        dpop_jkt: str | None = None,
    ) -> None:
        self.client_id = client_id
        self.username = username
        self.redirect_uri = redirect_uri
        self.scope = scope
        self.nonce = nonce
        self.auth_time = auth_time
        self.code_challenge = code_challenge
        self.code_challenge_method = code_challenge_method
        self.expires_at = expires_at
        self.sid = sid
        #: RFC 9449 §10: the thumbprint the authorization request bound this code to.
        self.dpop_jkt = dpop_jkt
        self.grant_id = secrets.token_urlsafe(16)
        self.used = False

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str | None:
        return None

    def get_amr(self) -> list[str]:
        return ["pwd"]


class TokenRecord:
    """One issued access token and its refresh token; authlib's TokenMixin."""

    __slots__ = (
        "access_expires_at",
        "access_key",
        "access_revoked",
        "auth_time",
        "client_id",
        "dpop_jkt",
        "grant_id",
        "refresh_expires_at",
        "refresh_jkt",
        "refresh_key",
        "revoked",
        "rotated",
        "scope",
        "sid",
        "username",
    )

    def __init__(
        self,
        *,
        client_id: str,
        username: str,
        scope: str,
        grant_id: str,
        sid: str | None,
        auth_time: int,
        access_key: str,
        access_expires_at: float,
        refresh_key: str | None,
        refresh_expires_at: float | None,
        dpop_jkt: str | None = None,
        refresh_jkt: str | None = None,
    ) -> None:
        self.client_id = client_id
        self.username = username
        self.scope = scope
        self.grant_id = grant_id
        self.sid = sid
        self.auth_time = auth_time
        self.access_key = access_key
        self.access_expires_at = access_expires_at
        self.refresh_key = refresh_key
        self.refresh_expires_at = refresh_expires_at
        #: RFC 9449 §6: the key thumbprint the access token is bound to (its cnf.jkt).
        self.dpop_jkt = dpop_jkt
        #: RFC 9449 §5: the key a public client's refresh token is bound to.
        self.refresh_jkt = refresh_jkt
        self.revoked = False
        #: RFC 7009 §2: the access token alone was revoked.
        self.access_revoked = False
        #: The refresh token was exchanged already; presenting it again is reuse.
        self.rotated = False

    def check_client(self, client: object) -> bool:
        return getattr(client, "client_id", None) == self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return 0

    def is_revoked(self) -> bool:
        return self.revoked

    def is_expired(self) -> bool:
        return False


class Session:
    """A provider login session (the cookie holds ``sid``)."""

    __slots__ = ("auth_time", "expires_at", "sid", "username")

    def __init__(self, sid: str, username: str, auth_time: int, expires_at: float) -> None:
        self.sid = sid
        self.username = username
        self.auth_time = auth_time
        self.expires_at = expires_at


class MemoryStore:
    """Codes, tokens and sessions, guarded by one lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._codes: dict[str, AuthorizationCode] = {}
        self._by_access: dict[str, TokenRecord] = {}
        self._by_refresh: dict[str, TokenRecord] = {}
        self._sessions: dict[str, Session] = {}
        self.revoked_grants: set[str] = set()

    # --- codes (RFC 6749 §4.1.2: short-lived, single use) ------------------------

    def add_code(self, code: str, item: AuthorizationCode) -> None:
        with self.lock:
            self._codes[token_key(code)] = item

    def get_code(self, code: str) -> AuthorizationCode | None:
        with self.lock:
            return self._codes.get(token_key(code))

    def use_code(self, code: str) -> tuple[AuthorizationCode | None, bool]:
        """Mark a code used; returns (code, was it used before). Check-and-set under
        the lock so two concurrent exchanges cannot both succeed (RFC 6749 §4.1.2)."""
        with self.lock:
            item = self._codes.get(token_key(code))
            if item is None:
                return None, False
            replayed = item.used
            item.used = True
            return item, replayed

    # --- tokens ------------------------------------------------------------------

    def add_token(self, record: TokenRecord) -> None:
        with self.lock:
            self._by_access[record.access_key] = record
            if record.refresh_key:
                self._by_refresh[record.refresh_key] = record

    def by_access_token(self, token: str) -> TokenRecord | None:
        with self.lock:
            return self._by_access.get(token_key(token))

    def by_refresh_token(self, token: str) -> TokenRecord | None:
        with self.lock:
            return self._by_refresh.get(token_key(token))

    def rotate_refresh(self, record: TokenRecord) -> bool:
        """Mark a refresh token exchanged; False if it already was (reuse)."""
        with self.lock:
            if record.rotated:
                return False
            record.rotated = True
            return True

    def grants_of_session(self, sid: str) -> set[str]:
        with self.lock:
            return {r.grant_id for r in self._by_access.values() if r.sid == sid}

    def is_grant_revoked(self, grant_id: str) -> bool:
        with self.lock:
            return grant_id in self.revoked_grants

    def revoke_grant(self, grant_id: str) -> int:
        """Revoke every token of a grant (family); returns how many records."""
        with self.lock:
            self.revoked_grants.add(grant_id)
            count = 0
            for record in self._by_access.values():
                if record.grant_id == grant_id and not record.revoked:
                    record.revoked = True
                    count += 1
            return count

    # --- sessions ----------------------------------------------------------------

    def add_session(self, session: Session) -> None:
        with self.lock:
            self._sessions[session.sid] = session

    def get_session(self, sid: str, now: float) -> Session | None:
        with self.lock:
            session = self._sessions.get(sid)
            if session is not None and session.expires_at <= now:
                del self._sessions[sid]
                return None
            return session

    def end_session(self, sid: str) -> None:
        with self.lock:
            self._sessions.pop(sid, None)
