"""Users, clients and lifetimes of the development provider, from TOML or defaults.

A TOML file looks like::

    [[users]]
    username = "carol"
    password = "carol"
    name = "Carol Example"
    email = "carol@example.test"
    groups = ["admin"]

    [[clients]]
    client_id = "my-spa"
    redirect_uris = ["http://localhost:9000/"]
    post_logout_redirect_uris = ["http://localhost:9000/"]
    id_token_signed_response_alg = "ES256"     # RS256 (default) or ES256
    api_audience = "my-api"                    # aud of access tokens

Sections present in the file replace the defaults; absent sections keep them.
"""

from __future__ import annotations

import ipaddress
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from brython_oidc.core.errors import ConfigurationError

#: Signing algorithms the provider has keys for (keys.py).
SIGNING_ALGS = ("RS256", "ES256")

#: Default ``aud`` of access tokens when a client names no ``api_audience`` (RFC 9068 §3).
DEFAULT_API_AUDIENCE = "demo-api"


class User:
    """A resource owner who can sign in with a password (a dev tool: plain text)."""

    __slots__ = ("email", "groups", "name", "password", "username")

    def __init__(
        self,
        username: str,
        password: str,
        name: str,
        email: str,
        groups: Sequence[str] = (),
    ) -> None:
        self.username = username
        self.password = password
        self.name = name
        self.email = email
        self.groups = tuple(groups)

    def get_user_id(self) -> str:  # authlib's UserMixin
        return self.username

    def claims(self, scope: str) -> dict[str, object]:
        """OpenID Connect Core §5.4: claims released per scope."""
        scopes = scope.split()
        claims: dict[str, object] = {"sub": self.username}
        if "profile" in scopes:
            claims["name"] = self.name
            claims["preferred_username"] = self.username
            # Not a standard claim (OIDC Core §5.1.2 allows more): released with
            # `profile` so a client asking for the usual scopes can guard routes on it.
            claims["groups"] = list(self.groups)
        if "email" in scopes:
            claims["email"] = self.email
            claims["email_verified"] = True
        return claims


class Client:
    """A registered client. Public clients (no secret) must use PKCE S256."""

    __slots__ = (
        "api_audience",
        "client_id",
        "client_secret",
        "id_token_signed_response_alg",
        "post_logout_redirect_uris",
        "redirect_uris",
        "scope",
    )

    def __init__(
        self,
        client_id: str,
        redirect_uris: Sequence[str],
        *,
        post_logout_redirect_uris: Sequence[str] | None = None,
        client_secret: str | None = None,
        scope: str = "openid profile email offline_access",
        id_token_signed_response_alg: str = "RS256",  # noqa: S107 - an algorithm name
        api_audience: str = DEFAULT_API_AUDIENCE,
    ) -> None:
        if id_token_signed_response_alg not in SIGNING_ALGS:
            raise ConfigurationError(
                "id_token_signed_response_alg", f"must be one of {SIGNING_ALGS}"
            )
        for uri in redirect_uris:
            _check_absolute_uri("redirect_uris", uri)
        self.client_id = client_id
        self.redirect_uris = tuple(redirect_uris)
        self.post_logout_redirect_uris = tuple(
            redirect_uris if post_logout_redirect_uris is None else post_logout_redirect_uris
        )
        self.client_secret = client_secret
        self.scope = scope
        self.id_token_signed_response_alg = id_token_signed_response_alg
        self.api_audience = api_audience

    @property
    def is_public(self) -> bool:
        return self.client_secret is None

    def origins(self) -> set[str]:
        """Origins allowed for CORS: those of the registered redirect URIs."""
        return {_origin(uri) for uri in self.redirect_uris}

    def allows_origin(self, origin: str) -> bool:
        """CORS: the origin of a redirect URI this client may use (any loopback port)."""
        return any(uri_matches(origin + "/", _origin(uri) + "/") for uri in self.redirect_uris)

    def allows_post_logout_redirect_uri(self, uri: str) -> bool:
        """RP-Initiated Logout §3: registered, exactly (any port on loopback, as below)."""
        return any(uri_matches(uri, registered) for registered in self.post_logout_redirect_uris)

    # --- authlib's ClientMixin ------------------------------------------------------

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        # RFC 6749 §3.1.2.3: may be omitted only when exactly one is registered.
        return self.redirect_uris[0] if len(self.redirect_uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return ""
        allowed = set(self.scope.split())
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # RFC 6749 §3.1.2.3 / RFC 9700 §4.1.3: exact string match, except the port of
        # a loopback redirect URI (RFC 8252 §7.3), so `serve --port 9000` signs in.
        return any(uri_matches(redirect_uri, registered) for registered in self.redirect_uris)

    def check_client_secret(self, client_secret: str) -> bool:
        return self.client_secret is not None and client_secret == self.client_secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.is_public:
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


class Lifetimes:
    """Lifetimes in seconds; flags make them short so tests can watch expiry."""

    __slots__ = ("access_token", "code", "id_token", "refresh_token", "session")

    def __init__(
        self,
        *,
        access_token: int = 300,
        id_token: int = 300,
        refresh_token: int = 3600,
        session: int = 3600,
        code: int = 60,
    ) -> None:
        for field, value in (
            ("access_token_ttl", access_token),
            ("id_token_ttl", id_token),
            ("refresh_token_ttl", refresh_token),
            ("session_ttl", session),
            ("code_ttl", code),
        ):
            if value <= 0:
                raise ConfigurationError(field, "must be a positive number of seconds")
        self.access_token = access_token
        self.id_token = id_token
        self.refresh_token = refresh_token
        self.session = session
        self.code = code


def default_users() -> list[User]:
    return [
        User("alice", "alice", "Alice Example", "alice@example.test", groups=["admin"]),
        User("bob", "bob", "Bob Example", "bob@example.test"),
    ]


def default_clients() -> list[Client]:
    return [Client("demo-spa", ["http://localhost:8000/"])]


def load_toml(path: Path) -> tuple[list[User], list[Client]]:
    """Read users and clients from ``path``; a missing section keeps the defaults."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError("config", f"cannot read {path}: {exc}") from exc
    users = default_users()
    clients = default_clients()
    if "users" in data:
        users = [_user_from(entry) for entry in _table_list(data, "users")]
    if "clients" in data:
        clients = [_client_from(entry) for entry in _table_list(data, "clients")]
    return users, clients


def _table_list(data: Mapping[str, object], key: str) -> list[Mapping[str, object]]:
    value = data[key]
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigurationError(key, "must be an array of tables ([[...]])")
    return list(value)


def _str(entry: Mapping[str, object], key: str, default: str | None = None) -> str:
    value = entry.get(key, default)
    if not isinstance(value, str) or not value:
        raise ConfigurationError(key, "must be a non-empty string")
    return value


def _str_list(entry: Mapping[str, object], key: str) -> list[str] | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigurationError(key, "must be a list of strings")
    return list(value)


def _user_from(entry: Mapping[str, object]) -> User:
    username = _str(entry, "username")
    return User(
        username,
        _str(entry, "password"),
        _str(entry, "name", username),
        _str(entry, "email", f"{username}@example.test"),
        groups=_str_list(entry, "groups") or [],
    )


def _client_from(entry: Mapping[str, object]) -> Client:
    redirect_uris = _str_list(entry, "redirect_uris")
    if not redirect_uris:
        raise ConfigurationError("redirect_uris", "at least one redirect URI is required")
    secret = entry.get("client_secret")
    if secret is not None and not isinstance(secret, str):
        raise ConfigurationError("client_secret", "must be a string")
    return Client(
        _str(entry, "client_id"),
        redirect_uris,
        post_logout_redirect_uris=_str_list(entry, "post_logout_redirect_uris"),
        client_secret=secret,
        scope=_str(entry, "scope", "openid profile email offline_access"),
        id_token_signed_response_alg=_str(entry, "id_token_signed_response_alg", "RS256"),
        api_audience=_str(entry, "api_audience", DEFAULT_API_AUDIENCE),
    )


def _check_absolute_uri(field: str, uri: str) -> None:
    parts = urlsplit(uri)
    # RFC 6749 §3.1.2: absolute URI, no fragment.
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        raise ConfigurationError(field, f"{uri!r} is not an absolute http(s) URI without fragment")


def is_loopback_host(host: str | None) -> bool:
    """``localhost`` or a loopback IP literal (RFC 8252 §7.3, §8.3)."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def uri_matches(requested: str, registered: str) -> bool:
    """Exact match, or the same loopback http URI on another port (RFC 8252 §7.3).

    RFC 8252 §7.3: "The authorization server MUST allow any port to be specified at
    the time of the request for loopback IP redirect URIs". Scheme, host, path and
    query must still be identical; only the port may differ.
    """
    if requested == registered:
        return True
    try:
        want, have = urlsplit(requested), urlsplit(registered)
        ports_ok = want.port is not None or have.port is not None
    except ValueError:  # a port that is not a number
        return False
    return (
        ports_ok
        and have.scheme == "http"
        and want.scheme == "http"
        and is_loopback_host(have.hostname)
        and want.hostname == have.hostname
        and not want.username
        and not want.password
        and want.path == have.path
        and want.query == have.query
        and not want.fragment
    )


def _origin(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"
