"""The client's configuration: one frozen object, checked once, field by field.

Field names are the specs' where a spec names the thing (``issuer``, ``client_id``,
``redirect_uri``, ``scope``, ``post_logout_redirect_uri``, ``max_age``,
``ui_locales``, ``response_mode``). Every mistake is a ``ConfigurationError`` naming
the field, raised when the config is built rather than at the first login.
"""

from __future__ import annotations

from brython_oidc.core.errors import ConfigurationError
from brython_oidc.core.urls import LOOPBACK_HOSTS, split_url, url_host, url_origin

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

SESSION_RESTORE_MODES = ("auto", "iframe", "redirect", "none")
RESPONSE_MODES = ("query", "fragment")

#: Authorization request parameters the client sets itself (RFC 6749 §4.1.1, OpenID
#: Connect Core §3.1.2.1, RFC 7636 §4.3). Letting extra parameters replace them would
#: switch off CSRF protection (state), replay protection (nonce) or PKCE. ``request``
#: and ``request_uri`` (Core §6) would replace all of them at once.
PROTOCOL_AUTHORIZATION_PARAMS = frozenset(
    (
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "response_mode",
        "request",
        "request_uri",
    )
)
#: Token request parameters the client sets itself (RFC 6749 §4.1.3, §6, RFC 7636
#: §4.5). ``client_secret``: a browser cannot keep one (RFC 6749 §2.1, public client).
PROTOCOL_TOKEN_PARAMS = frozenset(
    (
        "grant_type",
        "code",
        "redirect_uri",
        "client_id",
        "code_verifier",
        "refresh_token",
        "client_secret",
    )
)

_REQUIRED = ("issuer", "client_id", "redirect_uri")
_DEFAULTS: dict[str, object] = {
    "scope": "openid profile",
    "post_logout_redirect_uri": None,
    "clock_leeway": 60.0,
    "renew_before_expiry": 60.0,
    "renew_jitter": 10.0,
    "silent_timeout": 10.0,
    "request_timeout": 10.0,
    "idle_timeout": None,
    "idle_warning": 60.0,
    "transaction_ttl": 900.0,
    "session_restore": "auto",
    "use_refresh_tokens": True,
    "load_userinfo": True,
    "max_age": None,
    "ui_locales": None,
    "extra_authorization_params": None,
    "extra_token_params": None,
    "allowed_fetch_origins": (),
    "response_mode": "query",
}
FIELDS = _REQUIRED + tuple(_DEFAULTS)
# Durations that may be zero (a zero leeway or jitter is strict, not broken) ...
_NON_NEGATIVE = ("clock_leeway", "renew_before_expiry", "renew_jitter", "idle_warning")
# ... and those where zero would make every request or transaction fail at once.
_POSITIVE = ("silent_timeout", "request_timeout", "transaction_ttl")


def _str(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise ConfigurationError(field, f"must be a string, not {type(value).__name__}")
    if not value.strip():
        raise ConfigurationError(field, "must not be empty")
    return value


def _http_url(field: str, value: object, *, allow_query: bool) -> str:
    url = _str(field, value)
    scheme, _, _, query, _ = split_url(url)
    if "#" in url:
        # RFC 6749 §3.1.2 (redirect URIs), OpenID Connect Discovery §3 (issuer).
        raise ConfigurationError(field, "must not contain a fragment ('#')")
    if query and not allow_query:
        # OpenID Connect Discovery §3: the issuer has no query or fragment.
        raise ConfigurationError(field, "must not contain a query ('?')")
    try:
        host = url_host(url)
        url_origin(url)
    except ValueError as exc:
        raise ConfigurationError(field, f"is not a valid http(s) URL ({exc})") from None
    if scheme == "http" and host not in LOOPBACK_HOSTS:
        raise ConfigurationError(
            field,
            "must use https (plain http is allowed only on localhost, 127.0.0.1 or [::1]; "
            "RFC 6749 §3.1.2.1, OpenID Connect Discovery §3)",
        )
    # url_origin() above refused every other scheme. Plain http on loopback is for
    # development on this machine only; security_warnings() says so.
    return url


def _duration(field: str, value: object, *, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigurationError(field, f"must be a number of seconds, not {type(value).__name__}")
    if value != value or value in (float("inf"), float("-inf")):
        raise ConfigurationError(field, "must be a finite number of seconds")
    if value < 0 or (positive and value == 0):
        raise ConfigurationError(field, f"must be {'> 0' if positive else '>= 0'} seconds")
    return float(value)


def _scope(value: object) -> str:
    if isinstance(value, (list, tuple)):
        if not all(isinstance(v, str) for v in value):
            raise ConfigurationError("scope", "every scope must be a string")
        items = [s for v in value for s in v.split()]
    else:
        items = _str("scope", value).split()
    for item in items:
        # RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ): printable ASCII
        # but '"' and '\\' (no space: split() took them). String methods, not a
        # per-character generator, which costs tens of µs a character in Brython.
        if not (item.isascii() and item.isprintable()) or '"' in item or "\\" in item:
            raise ConfigurationError("scope", f"{item!r} is not a valid scope token")
    # OpenID Connect Core §3.1.2.1: "openid" MUST be present; it is added, not required.
    ordered = ["openid"]
    for item in items:
        if item not in ordered:
            ordered.append(item)
    return " ".join(ordered)


def _params(field: str, value: object, refused: frozenset[str]) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ConfigurationError(field, f"must be a dict, not {type(value).__name__}")
    pairs = []
    for name, item in value.items():
        if not isinstance(name, str) or not isinstance(item, str):
            raise ConfigurationError(field, f"{name!r} must map a string to a string")
        if name in refused:
            raise ConfigurationError(
                field, f"must not set {name!r}: the client sets it (it is a protocol parameter)"
            )
        pairs.append((name, item))
    return tuple(pairs)


def _origins(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ConfigurationError("allowed_fetch_origins", "must be a list or tuple of origins")
    origins = []
    for item in value:
        url = _str("allowed_fetch_origins", item)
        _, netloc, path, _, _ = split_url(url)
        try:
            origin = url_origin(url)
        except ValueError:
            origin = ""
        # An origin is scheme, host and port only (RFC 6454 §4): a path, query or
        # credentials would suggest a narrower rule than the one applied.
        if not origin or path not in ("", "/") or "?" in url or "#" in url or "@" in netloc:
            raise ConfigurationError(
                "allowed_fetch_origins",
                f"{item!r} is not an origin like 'https://api.example.com' (no path)",
            )
        origins.append(origin)
    return tuple(origins)


class ClientConfig:
    """Frozen, validated client configuration (see ``_DEFAULTS`` for defaults)."""

    __slots__ = (
        "_extra_authorization_params",
        "_extra_token_params",
        "_post_logout_given",
        "allowed_fetch_origins",
        "client_id",
        "clock_leeway",
        "idle_timeout",
        "idle_warning",
        "issuer",
        "load_userinfo",
        "max_age",
        "post_logout_redirect_uri",
        "redirect_uri",
        "renew_before_expiry",
        "renew_jitter",
        "request_timeout",
        "response_mode",
        "scope",
        "session_restore",
        "silent_timeout",
        "transaction_ttl",
        "ui_locales",
        "use_refresh_tokens",
    )

    issuer: str
    client_id: str
    redirect_uri: str
    scope: str
    post_logout_redirect_uri: str
    clock_leeway: float
    renew_before_expiry: float
    renew_jitter: float
    silent_timeout: float
    request_timeout: float
    idle_timeout: float | None
    idle_warning: float
    transaction_ttl: float
    session_restore: str
    use_refresh_tokens: bool
    load_userinfo: bool
    max_age: int | None
    ui_locales: str | None
    allowed_fetch_origins: tuple[str, ...]
    response_mode: str
    _extra_authorization_params: tuple[tuple[str, str], ...]
    _extra_token_params: tuple[tuple[str, str], ...]
    _post_logout_given: bool

    def __init__(self, **fields: object) -> None:
        for name in fields:
            if name not in FIELDS:
                raise ConfigurationError(name, "unknown field")
        for name in _REQUIRED:
            if name not in fields:
                raise ConfigurationError(name, "is required")
        values = dict(_DEFAULTS)
        values.update(fields)
        put = object.__setattr__
        put(self, "issuer", _http_url("issuer", values["issuer"], allow_query=False))
        put(self, "client_id", _str("client_id", values["client_id"]))
        redirect_uri = _http_url("redirect_uri", values["redirect_uri"], allow_query=True)
        put(self, "redirect_uri", redirect_uri)
        put(self, "scope", _scope(values["scope"]))
        post_logout = values["post_logout_redirect_uri"]
        put(self, "_post_logout_given", post_logout is not None)
        if post_logout is None:
            put(self, "post_logout_redirect_uri", redirect_uri)
        else:
            put(
                self,
                "post_logout_redirect_uri",
                _http_url("post_logout_redirect_uri", post_logout, allow_query=True),
            )
        for name in _NON_NEGATIVE:
            put(self, name, _duration(name, values[name], positive=False))
        for name in _POSITIVE:
            put(self, name, _duration(name, values[name], positive=True))
        idle = values["idle_timeout"]
        put(
            self,
            "idle_timeout",
            None if idle is None else _duration("idle_timeout", idle, positive=True),
        )
        put(
            self,
            "session_restore",
            _choice("session_restore", values["session_restore"], SESSION_RESTORE_MODES),
        )
        put(
            self, "response_mode", _choice("response_mode", values["response_mode"], RESPONSE_MODES)
        )
        for name in ("use_refresh_tokens", "load_userinfo"):
            if not isinstance(values[name], bool):
                raise ConfigurationError(name, "must be True or False")
            put(self, name, values[name])
        put(self, "max_age", _max_age(values["max_age"]))
        put(self, "ui_locales", _ui_locales(values["ui_locales"]))
        put(
            self,
            "_extra_authorization_params",
            _params(
                "extra_authorization_params",
                values["extra_authorization_params"],
                PROTOCOL_AUTHORIZATION_PARAMS,
            ),
        )
        put(
            self,
            "_extra_token_params",
            _params("extra_token_params", values["extra_token_params"], PROTOCOL_TOKEN_PARAMS),
        )
        put(self, "allowed_fetch_origins", _origins(values["allowed_fetch_origins"]))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"ClientConfig is frozen; use .replace({name}=...)")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("ClientConfig is frozen")

    @property
    def extra_authorization_params(self) -> dict[str, str]:
        """A copy: mutating it cannot bypass the checks above."""
        return dict(self._extra_authorization_params)

    @property
    def extra_token_params(self) -> dict[str, str]:
        return dict(self._extra_token_params)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, object]) -> ClientConfig:
        """Build from a mapping (a JSON config, keyword arguments ...)."""
        if not hasattr(mapping, "keys") or not hasattr(mapping, "__getitem__"):
            raise ConfigurationError("config", "must be a mapping of field names to values")
        for name in mapping:
            if not isinstance(name, str):
                raise ConfigurationError(str(name), "field names must be strings")
        return cls(**{name: mapping[name] for name in mapping})

    def to_mapping(self) -> dict[str, object]:
        """Every field with its effective value (tuples and dicts are copies)."""
        return {name: getattr(self, name) for name in FIELDS}

    def replace(self, **changes: object) -> ClientConfig:
        """A new config with ``changes`` applied and checked again."""
        values = self.to_mapping()
        if not self._post_logout_given:
            # Still the default: follow a changed redirect_uri.
            values["post_logout_redirect_uri"] = None
        values.update(changes)
        return ClientConfig.from_mapping(values)

    def security_warnings(self) -> dict[str, str]:
        """Settings that weaken security, by field: ``brython-oidc build`` prints them
        (a deployed build against plain http is a mistake; on this machine it is not)."""
        found = {}
        for name in ("issuer", "redirect_uri", "post_logout_redirect_uri"):
            url = getattr(self, name)
            if split_url(url)[0] == "http":
                found[name] = (
                    f"uses plain http ({url}): acceptable for local development "
                    "only; tokens cross the network unencrypted"
                )
        return found

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ClientConfig):
            return NotImplemented
        return self.to_mapping() == other.to_mapping()

    def __hash__(self) -> int:
        return hash((self.issuer, self.client_id, self.redirect_uri))

    def __repr__(self) -> str:
        return f"ClientConfig(issuer={self.issuer!r}, client_id={self.client_id!r})"


def _choice(field: str, value: object, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ConfigurationError(field, f"must be one of {', '.join(allowed)}; got {value!r}")
    return value


def _max_age(value: object) -> int | None:
    # OpenID Connect Core §3.1.2.1: max_age is a non-negative number of seconds.
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError("max_age", f"must be None or an integer >= 0, not {value!r}")
    return value


def _ui_locales(value: object) -> str | None:
    # OpenID Connect Core §3.1.2.1: space-separated BCP47 tags.
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        if not all(isinstance(v, str) and v and " " not in v for v in value):
            raise ConfigurationError("ui_locales", "must be language tags like 'en-GB'")
        value = " ".join(value)
    return " ".join(_str("ui_locales", value).split())
