"""The token endpoint and its neighbours: request builders and the response check.

- ``build_authorization_code_request`` (RFC 6749 §4.1.3, RFC 7636 §4.5) and
  ``build_refresh_token_request`` (RFC 6749 §6) return a ``TokenRequest`` to POST.
- ``process_token_response`` (RFC 6749 §5.1 / §5.2) returns a ``TokenSet`` or
  raises the typed error; no error message ever contains the response body.
- ``build_revocation_request`` (RFC 7009 §2.1) and ``build_end_session_url``
  (OpenID Connect RP-Initiated Logout 1.0 §2) for logout.
"""

from __future__ import annotations

from brython_oidc.core.errors import TransportError, ValidationError, error_response_from
from brython_oidc.core.urls import add_params, form_urlencode

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from brython_oidc.core.config import ClientConfig
    from brython_oidc.core.discovery import ProviderMetadata

#: A token response is a few KB; anything past this is not one (and is not parsed).
MAX_BODY = 1_000_000
#: RFC 6750 §6.1.1 and RFC 9449 §5, in their registered spelling.
TOKEN_TYPES = {"bearer": "Bearer", "dpop": "DPoP"}
TOKEN_TYPE_HINTS = ("access_token", "refresh_token")
_FORM_HEADERS = {
    "Content-Type": "application/x-www-form-urlencoded",
    "Accept": "application/json",
}


class TokenRequest:
    """A POST to make: ``url``, form-encoded ``body`` and ``headers``."""

    __slots__ = ("body", "headers", "url")

    def __init__(self, url: str, body: str, headers: dict[str, str]) -> None:
        self.url = url
        self.body = body
        self.headers = headers

    def __repr__(self) -> str:
        # The body holds a code, verifier or refresh token.
        return f"TokenRequest(url={self.url!r}, body=***)"


class TokenSet:
    """A successful token response (RFC 6749 §5.1); times are epoch seconds."""

    __slots__ = (
        "access_token",
        "expires_at",
        "id_token",
        "received_at",
        "refresh_token",
        "scope",
        "token_type",
    )

    def __init__(
        self,
        *,
        access_token: str,
        token_type: str,
        expires_at: float | None,
        refresh_token: str | None,
        id_token: str | None,
        scope: str | None,
        received_at: float,
    ) -> None:
        self.access_token = access_token
        self.token_type = token_type
        self.expires_at = expires_at
        self.refresh_token = refresh_token
        self.id_token = id_token
        self.scope = scope
        self.received_at = received_at

    def __repr__(self) -> str:
        return (
            f"TokenSet(token_type={self.token_type!r}, expires_at={self.expires_at!r}, "
            f"scope={self.scope!r}, access_token=***, "
            f"refresh_token={'***' if self.refresh_token else None}, "
            f"id_token={'***' if self.id_token else None})"
        )


def _request(url: str, params: list[tuple[str, str]]) -> TokenRequest:
    return TokenRequest(url, form_urlencode(params), dict(_FORM_HEADERS))


def build_authorization_code_request(
    config: ClientConfig, metadata: ProviderMetadata, code: str, code_verifier: str
) -> TokenRequest:
    """RFC 6749 §4.1.3 with RFC 7636 §4.5; a public client sends client_id, no secret."""
    params = [
        ("grant_type", "authorization_code"),
        ("code", code),
        # §4.1.3: REQUIRED, identical to the authorization request's.
        ("redirect_uri", config.redirect_uri),
        ("client_id", config.client_id),
        ("code_verifier", code_verifier),
    ]
    params.extend(config.extra_token_params.items())
    return _request(metadata.token_endpoint, params)


def build_refresh_token_request(
    config: ClientConfig,
    metadata: ProviderMetadata,
    refresh_token: str,
    *,
    scope: str | None = None,
) -> TokenRequest:
    """RFC 6749 §6; ``scope`` may only narrow what was granted."""
    params = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", config.client_id),
    ]
    if scope is not None:
        params.append(("scope", scope))
    params.extend(config.extra_token_params.items())
    return _request(metadata.token_endpoint, params)


def _bad(message: str, **evidence: object) -> ValidationError:
    return ValidationError("token_response", message, **evidence)


def _parse(
    status: int, body: str, parse_json: Callable[[str], object], content_type: str | None
) -> object:
    if not isinstance(body, str):
        raise _bad("the body is not text", actual=type(body).__name__)
    if len(body) > MAX_BODY:
        raise _bad(f"the body is {len(body)} characters; at most {MAX_BODY} are accepted")
    text = body.strip()
    kind = f" ({content_type})" if content_type else ""
    if text.startswith("<"):
        # A proxy's or the provider's error page; its content is not evidence we keep.
        if status >= 500:
            raise TransportError(
                "token_endpoint",
                f"HTTP {status} with an HTML page{kind}",
                status=status,
                provider_looks_down=True,
            )
        raise _bad(f"HTTP {status}: the body is an HTML page, not JSON{kind}", actual=status)
    try:
        return parse_json(text)
    except Exception:  # any parser failure means the same thing here
        # The parser's message may quote the body: dropped.
        if status >= 500:
            raise TransportError(
                "token_endpoint",
                f"HTTP {status} with a body that is not valid JSON{kind}",
                status=status,
                provider_looks_down=True,
            ) from None
        raise _bad(
            f"HTTP {status}: the body is not valid JSON (truncated?){kind}", actual=status
        ) from None


def process_token_response(
    status: int,
    body: str,
    *,
    parse_json: Callable[[str], object],
    now: float,
    content_type: str | None = None,
) -> TokenSet:
    """Check a token endpoint answer; return a ``TokenSet`` or raise the typed error."""
    data = _parse(status, body, parse_json, content_type)
    if not isinstance(data, dict):
        if status >= 500:
            raise TransportError(
                "token_endpoint",
                f"HTTP {status} without an OAuth error",
                status=status,
                provider_looks_down=True,
            )
        raise _bad("the body is JSON but not an object", actual=type(data).__name__)
    # RFC 6749 §5.2: an error response carries "error" (HTTP 400 usually, 401 for
    # invalid_client); kept verbatim and typed.
    if isinstance(data.get("error"), str):
        raise error_response_from(data, endpoint="token", status=status)
    if status >= 500:
        raise TransportError(
            "token_endpoint",
            f"HTTP {status} without an OAuth error",
            status=status,
            provider_looks_down=True,
        )
    if not 200 <= status < 300:
        raise _bad(f"HTTP {status} without an OAuth error body", expected=200, actual=status)
    return _token_set(data, now)


def _optional_str(data: dict[str, object], name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise _bad(f"{name} must be a non-empty string", expected="string")
    return value


def _token_set(data: dict[str, object], now: float) -> TokenSet:
    # RFC 6749 §5.1: access_token and token_type REQUIRED.
    access_token = data.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise _bad("access_token is missing or not a string", expected="access_token")
    token_type = data.get("token_type")
    # §5.1: token_type is case insensitive (§7.1); only Bearer and DPoP are usable.
    canonical = TOKEN_TYPES.get(token_type.lower()) if isinstance(token_type, str) else None
    if canonical is None:
        raise ValidationError(
            "token_type",
            "the token type is not Bearer or DPoP",
            expected="Bearer",
            actual=token_type if isinstance(token_type, str) else type(token_type).__name__,
        )
    return TokenSet(
        access_token=access_token,
        token_type=canonical,
        expires_at=_expires_at(data.get("expires_in"), now),
        refresh_token=_optional_str(data, "refresh_token"),
        id_token=_optional_str(data, "id_token"),
        scope=_optional_str(data, "scope"),
        received_at=now,
    )


def _expires_at(expires_in: object, now: float) -> float | None:
    # §5.1: expires_in RECOMMENDED, lifetime in seconds. Absent: unknown (None).
    if expires_in is None:
        return None
    value: float | None = None
    if isinstance(expires_in, (int, float)) and not isinstance(expires_in, bool):
        value = float(expires_in)
    elif isinstance(expires_in, str) and expires_in.isdigit():
        # Some providers (older Azure AD) send the number as a string.
        value = float(expires_in)
    if value is None or value != value or value <= 0 or value == float("inf"):
        raise ValidationError(
            "expires_in",
            "must be a positive number of seconds",
            expected="> 0",
            actual=expires_in
            if isinstance(expires_in, (int, float))
            else type(expires_in).__name__,
        )
    return now + value


def build_revocation_request(
    config: ClientConfig,
    metadata: ProviderMetadata,
    token: str,
    token_type_hint: str | None,
) -> TokenRequest | None:
    """RFC 7009 §2.1, or ``None`` when the provider has no revocation endpoint."""
    if metadata.revocation_endpoint is None:
        return None
    params = [("token", token)]
    if token_type_hint is not None:
        if token_type_hint not in TOKEN_TYPE_HINTS:
            raise ValueError(f"token_type_hint must be one of {TOKEN_TYPE_HINTS}")
        params.append(("token_type_hint", token_type_hint))
    # RFC 7009 §2.1: public clients identify themselves (RFC 6749 §2.3) by client_id.
    params.append(("client_id", config.client_id))
    return _request(metadata.revocation_endpoint, params)


def build_end_session_url(
    metadata: ProviderMetadata,
    *,
    id_token_hint: str | None,
    client_id: str,
    post_logout_redirect_uri: str | None,
    state: str | None = None,
) -> str | None:
    """RP-Initiated Logout 1.0 §2, or ``None`` when there is no end_session_endpoint.

    ``id_token_hint`` is the one token that goes into a URL: the spec defines it so
    (§2, RECOMMENDED) and an ID token grants no access to anything.
    """
    if metadata.end_session_endpoint is None:
        return None
    params = []
    if id_token_hint:
        params.append(("id_token_hint", id_token_hint))
    params.append(("client_id", client_id))
    if post_logout_redirect_uri:
        params.append(("post_logout_redirect_uri", post_logout_redirect_uri))
        if state is not None:
            # §2: state is returned with the redirect to post_logout_redirect_uri.
            params.append(("state", state))
    return add_params(metadata.end_session_endpoint, params)
