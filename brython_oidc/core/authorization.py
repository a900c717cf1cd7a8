"""The authorization request and response (RFC 6749 §4.1.1-§4.1.2, OIDC Core §3.1.2).

``build_authorization_url`` writes the request; ``callback_params`` recognises a
callback URL; ``process_authorization_response`` checks it against the stored
``Transaction`` and yields the ``code``; ``strip_callback_params`` gives the URL to
put back in the address bar.
"""

from __future__ import annotations

from brython_oidc.core.config import PROTOCOL_AUTHORIZATION_PARAMS
from brython_oidc.core.errors import ConfigurationError, ValidationError, error_response_from
from brython_oidc.core.urls import (
    add_params,
    is_same_origin_path,
    parse_params,
    split_once,
    unquote,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from brython_oidc.core.config import ClientConfig
    from brython_oidc.core.discovery import ProviderMetadata

TRANSACTION_KINDS = ("login", "silent", "restore")
#: OIDC Core §3.1.2.1 prompt values.
PROMPT_VALUES = ("none", "login", "consent", "select_account")
#: What a callback may carry that must leave the address bar (RFC 6749 §4.1.2,
#: §4.1.2.1, RFC 9207 §2, OIDC Session Management §3).
CALLBACK_PARAMS = (
    "code",
    "state",
    "iss",
    "session_state",
    "error",
    "error_description",
    "error_uri",
)
_TRANSACTION_FIELDS = (
    "state",
    "nonce",
    "code_verifier",
    "redirect_uri",
    "return_to",
    "created_at",
    "kind",
)


class Transaction:
    """One in-flight authorization request, kept in sessionStorage until the callback."""

    __slots__ = _TRANSACTION_FIELDS

    def __init__(
        self,
        *,
        state: str,
        nonce: str,
        code_verifier: str,
        redirect_uri: str,
        return_to: str,
        created_at: float,
        kind: str = "login",
    ) -> None:
        self.state = state
        self.nonce = nonce
        self.code_verifier = code_verifier
        self.redirect_uri = redirect_uri
        self.return_to = return_to
        self.created_at = created_at
        self.kind = kind

    def to_mapping(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in _TRANSACTION_FIELDS}

    @classmethod
    def from_mapping(cls, data: object) -> Transaction:
        """Rebuild from storage; anything malformed is ``ValidationError("transaction")``.

        Storage is writable by any script on the origin and survives upgrades, so
        its content is checked like any other input.
        """
        if not isinstance(data, dict):
            raise ValidationError("transaction", "the stored transaction is not an object")
        values: dict[str, object] = {}
        for name in _TRANSACTION_FIELDS:
            value = data.get(name)
            if name == "created_at":
                ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            elif name == "kind":
                ok = value in TRANSACTION_KINDS
            else:
                ok = isinstance(value, str) and bool(value)
            if not ok:
                raise ValidationError(
                    "transaction", f"the stored transaction has a bad {name!r}", expected=name
                )
            values[name] = value
        return cls(
            state=str(values["state"]),
            nonce=str(values["nonce"]),
            code_verifier=str(values["code_verifier"]),
            redirect_uri=str(values["redirect_uri"]),
            return_to=safe_return_path(str(values["return_to"])),
            created_at=float(values["created_at"]),  # type: ignore[arg-type]
            kind=str(values["kind"]),
        )

    def __repr__(self) -> str:
        # The code_verifier is the PKCE secret; state and nonce are not shown either.
        return f"Transaction(kind={self.kind!r}, return_to={self.return_to!r}, code_verifier=***)"


class AuthorizationCode:
    """A checked authorization response: the ``code`` and the ``iss`` it came with."""

    __slots__ = ("code", "iss")

    def __init__(self, code: str, iss: str | None) -> None:
        self.code = code
        self.iss = iss

    def __repr__(self) -> str:
        return f"AuthorizationCode(code=***, iss={self.iss!r})"


def build_authorization_url(
    config: ClientConfig,
    metadata: ProviderMetadata,
    transaction: Transaction,
    code_challenge: str,
    *,
    prompt: str | None = None,
    login_hint: str | None = None,
    max_age: int | None = None,
    ui_locales: str | None = None,
    extra_params: Mapping[str, str] | None = None,
) -> str:
    """The URL to send the browser to (RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC 7636 §4.3)."""
    scope = config.scope.split()
    if "openid" not in scope:
        scope.insert(0, "openid")  # OIDC Core §3.1.2.1: REQUIRED.
    params: dict[str, str] = {
        "response_type": "code",
        "client_id": config.client_id,
        "redirect_uri": transaction.redirect_uri,
        "scope": " ".join(scope),
        "state": transaction.state,
        "nonce": transaction.nonce,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    if config.response_mode != "query":
        # OAuth 2.0 Multiple Response Type Encoding Practices §2.1; query is the default.
        params["response_mode"] = config.response_mode
    if prompt is not None:
        params["prompt"] = _prompt(prompt)
    if login_hint is not None:
        params["login_hint"] = login_hint
    max_age = config.max_age if max_age is None else max_age
    if max_age is not None:
        if isinstance(max_age, bool) or not isinstance(max_age, int) or max_age < 0:
            raise ConfigurationError("max_age", "must be an integer >= 0 (OIDC Core §3.1.2.1)")
        params["max_age"] = str(max_age)
    ui_locales = config.ui_locales if ui_locales is None else ui_locales
    if ui_locales:
        params["ui_locales"] = ui_locales
    _merge_extra(params, config.extra_authorization_params, "extra_authorization_params")
    _merge_extra(params, extra_params or {}, "extra_params")
    return add_params(metadata.authorization_endpoint, params)


def _prompt(prompt: str) -> str:
    values = prompt.split()
    if not values or any(v not in PROMPT_VALUES for v in values):
        raise ConfigurationError("prompt", f"must be among {', '.join(PROMPT_VALUES)}")
    if "none" in values and len(values) > 1:
        # OIDC Core §3.1.2.1: "none" MUST NOT be combined with another value.
        raise ConfigurationError("prompt", "'none' cannot be combined with other values")
    return " ".join(values)


def _merge_extra(params: dict[str, str], extra: Mapping[str, str], field: str) -> None:
    for name, value in extra.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise ConfigurationError(field, f"{name!r} must map a string to a string")
        if name in PROTOCOL_AUTHORIZATION_PARAMS or name in params:
            raise ConfigurationError(
                field, f"must not set {name!r}: the client sets it (it is a protocol parameter)"
            )
        params[name] = value


def callback_params(url: str, response_mode: str) -> dict[str, str] | None:
    """The authorization response in ``url``, or ``None`` if it is not a callback.

    RFC 6749 §4.1.2: the response is in the query; with ``response_mode=fragment``
    (Multiple Response Type Encoding Practices §2.1) it is in the fragment.
    A repeated parameter raises ``ValidationError`` (RFC 6749 §3.1).
    """
    base, fragment = split_once(url, "#")
    part = fragment if response_mode == "fragment" else split_once(base, "?")[1]
    params = parse_params(part)
    if "code" in params or "error" in params or "state" in params:
        return params
    return None


#: What to do with a callback-shaped URL (see ``callback_disposition``).
HANDLE, DROP, REJECT = "handle", "drop", "reject"


def callback_disposition(
    params: Mapping[str, str] | None, *, known: bool, used: bool, pending: bool
) -> str | None:
    """What a page load must do with the authorization response in its URL.

    ``known``: a stored transaction has this ``state``; ``used``: the state was
    consumed before (reload or Back on the callback URL: DESIGN says that must not
    break anything, so ``DROP`` = clean the URL silently); ``pending``: some
    transaction is in flight. ``REJECT`` = a response this browser did not ask for
    (RFC 6749 §10.12, CSRF): clean the URL, never exchange the code, report
    ValidationError("state"). A response without a state is ours to reject only
    while a login is pending (RFC 6749 §4.1.2: state is REQUIRED when sent);
    otherwise ``None``: a ``code`` parameter that belongs to the app.
    """
    if params is None or not ("code" in params or "error" in params):
        return None
    state = params.get("state")
    if not state:
        return REJECT if pending else None
    if known:
        return HANDLE
    return DROP if used else REJECT


def process_authorization_response(
    params: Mapping[str, str],
    transaction: Transaction,
    metadata: ProviderMetadata,
    *,
    now: float,
    ttl: float,
) -> AuthorizationCode:
    """Check a callback against its transaction; return the code or raise.

    Order matters: state first (a response we did not ask for is refused before
    anything in it is believed), then age, then the issuer (RFC 9207 applies to
    error responses too), then the provider's error, then the code.
    """
    # RFC 6749 §10.12 / §4.1.2: state binds the response to this browser's request.
    state = params.get("state")
    if state != transaction.state:
        raise ValidationError(
            "state",
            "the response does not belong to the pending login (possible CSRF)",
            expected="the state of the pending transaction",
            actual="missing" if state is None else "a different value",
        )
    # DESIGN.md: transactions expire (15 min default), so an old tab cannot replay one.
    age = now - transaction.created_at
    if age > ttl:
        raise ValidationError(
            "transaction_expired",
            f"the login was started {age:.0f} s ago; the limit is {ttl:.0f} s",
            expected=ttl,
            actual=age,
        )
    # RFC 9207 §2.4: iss, when present, must be the provider's issuer; when the
    # provider advertises the parameter, a response without it is refused (mix-up).
    iss = params.get("iss")
    if iss is not None and iss != metadata.issuer:
        raise ValidationError(
            "iss", "the response comes from another issuer", expected=metadata.issuer, actual=iss
        )
    if iss is None and metadata.authorization_response_iss_parameter_supported:
        raise ValidationError(
            "iss",
            "the provider advertises RFC 9207 but the response has no iss",
            expected=metadata.issuer,
            actual=None,
        )
    if "error" in params:
        raise error_response_from(params, endpoint="authorization")
    code = params.get("code")
    if not code:
        raise ValidationError("code", "the response has no code (RFC 6749 §4.1.2)", actual=None)
    return AuthorizationCode(code, iss)


def safe_return_path(path: object, default: str = "/") -> str:
    """``path`` if it is a same-origin path, else ``default`` (no open redirect)."""
    if isinstance(path, str) and is_same_origin_path(path):
        return path
    return default


def _strip(part: str) -> str:
    kept = []
    for item in part.split("&"):
        name = unquote(split_once(item, "=")[0], plus=True)
        if item and name not in CALLBACK_PARAMS:
            kept.append(item)
    return "&".join(kept)


def strip_callback_params(url: str) -> str:
    """``url`` without the authorization response's parameters, others kept verbatim."""
    base, fragment = split_once(url, "#")
    path, query = split_once(base, "?")
    query = _strip(query)
    fragment = _strip(fragment)
    result = path + ("?" + query if query else "")
    return result + ("#" + fragment if fragment else "")
