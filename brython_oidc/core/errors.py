"""The error tree, as the specs separate failures.

- ``ErrorResponse``: the provider said no. One subclass per registered ``error``
  code (RFC 6749 §4.1.2.1 and §5.2, OpenID Connect Core §3.1.2.6, RFC 6750 §3.1,
  RFC 7009 §2.2.1, RFC 9449 §12.2), carrying ``error``, ``error_description`` and
  ``error_uri`` exactly as sent.
- ``ValidationError``: a check this client made failed. Carries ``check`` (which
  rule, by its spec name), ``expected`` and ``actual``; never a token.
- ``ConfigurationError``: names the bad field.
- ``TransportError`` / ``RequestTimeout``: which endpoint failed, and whether the
  provider looks down.

Everything derives from ``OIDCError`` so an app can catch the family at once.
This module runs in Brython: built-ins only.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping


class OIDCError(Exception):
    """Base of every error brython_oidc raises."""

    #: A short, stable code the app (and the demo's ``auth-error`` hook) can show.
    code = "oidc_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# --- the provider's answers -----------------------------------------------------------


class ErrorResponse(OIDCError):
    """An OAuth 2.0 / OpenID Connect error response, as the provider sent it.

    ``error`` is the code (RFC 6749 §4.1.2.1 / §5.2); ``error_description`` and
    ``error_uri`` are optional and human-facing. The provider's words are kept
    verbatim, never interpreted.
    """

    code = "error_response"
    #: The spec ``error`` code a subclass stands for (``None`` on the base class).
    error_code: str | None = None

    def __init__(
        self,
        error: str,
        error_description: str | None = None,
        error_uri: str | None = None,
        *,
        endpoint: str | None = None,
        status: int | None = None,
    ) -> None:
        where = f" from the {endpoint} endpoint" if endpoint else ""
        text = f"the provider answered {error!r}{where}"
        if error_description:
            text += f": {error_description}"
        super().__init__(text)
        self.error = error
        self.error_description = error_description
        self.error_uri = error_uri
        self.endpoint = endpoint
        self.status = status
        self.code = error


class InvalidRequest(ErrorResponse):
    """RFC 6749 §4.1.2.1, §5.2."""

    error_code = "invalid_request"


class UnauthorizedClient(ErrorResponse):
    """RFC 6749 §4.1.2.1, §5.2."""

    error_code = "unauthorized_client"


class AccessDenied(ErrorResponse):
    """RFC 6749 §4.1.2.1: the user or the provider refused."""

    error_code = "access_denied"


class UnsupportedResponseType(ErrorResponse):
    """RFC 6749 §4.1.2.1."""

    error_code = "unsupported_response_type"


class InvalidScope(ErrorResponse):
    """RFC 6749 §4.1.2.1, §5.2."""

    error_code = "invalid_scope"


class ServerError(ErrorResponse):
    """RFC 6749 §4.1.2.1."""

    error_code = "server_error"


class TemporarilyUnavailable(ErrorResponse):
    """RFC 6749 §4.1.2.1."""

    error_code = "temporarily_unavailable"


class InvalidClient(ErrorResponse):
    """RFC 6749 §5.2."""

    error_code = "invalid_client"


class InvalidGrant(ErrorResponse):
    """RFC 6749 §5.2: code or refresh token invalid, expired, revoked or reused."""

    error_code = "invalid_grant"


class UnsupportedGrantType(ErrorResponse):
    """RFC 6749 §5.2."""

    error_code = "unsupported_grant_type"


class InteractionRequired(ErrorResponse):
    """OpenID Connect Core §3.1.2.6 (``prompt=none`` could not complete)."""

    error_code = "interaction_required"


class LoginRequired(ErrorResponse):
    """OpenID Connect Core §3.1.2.6: no session at the provider."""

    error_code = "login_required"


class AccountSelectionRequired(ErrorResponse):
    """OpenID Connect Core §3.1.2.6."""

    error_code = "account_selection_required"


class ConsentRequired(ErrorResponse):
    """OpenID Connect Core §3.1.2.6."""

    error_code = "consent_required"


class InvalidRequestUri(ErrorResponse):
    """OpenID Connect Core §3.1.2.6."""

    error_code = "invalid_request_uri"


class InvalidRequestObject(ErrorResponse):
    """OpenID Connect Core §3.1.2.6."""

    error_code = "invalid_request_object"


class RequestNotSupported(ErrorResponse):
    """OpenID Connect Core §3.1.2.6."""

    error_code = "request_not_supported"


class RequestUriNotSupported(ErrorResponse):
    """OpenID Connect Core §3.1.2.6."""

    error_code = "request_uri_not_supported"


class RegistrationNotSupported(ErrorResponse):
    """OpenID Connect Core §3.1.2.6."""

    error_code = "registration_not_supported"


class InvalidToken(ErrorResponse):
    """RFC 6750 §3.1 (a resource server refused the access token)."""

    error_code = "invalid_token"


class InsufficientScope(ErrorResponse):
    """RFC 6750 §3.1."""

    error_code = "insufficient_scope"


class UnsupportedTokenType(ErrorResponse):
    """RFC 7009 §2.2.1 (revocation)."""

    error_code = "unsupported_token_type"


class UseDpopNonce(ErrorResponse):
    """RFC 9449 §8."""

    error_code = "use_dpop_nonce"


class InvalidDpopProof(ErrorResponse):
    """RFC 9449 §12.2."""

    error_code = "invalid_dpop_proof"


ERROR_RESPONSE_CLASSES: dict[str, type[ErrorResponse]] = {
    str(cls.error_code): cls
    for cls in (
        InvalidRequest,
        UnauthorizedClient,
        AccessDenied,
        UnsupportedResponseType,
        InvalidScope,
        ServerError,
        TemporarilyUnavailable,
        InvalidClient,
        InvalidGrant,
        UnsupportedGrantType,
        InteractionRequired,
        LoginRequired,
        AccountSelectionRequired,
        ConsentRequired,
        InvalidRequestUri,
        InvalidRequestObject,
        RequestNotSupported,
        RequestUriNotSupported,
        RegistrationNotSupported,
        InvalidToken,
        InsufficientScope,
        UnsupportedTokenType,
        UseDpopNonce,
        InvalidDpopProof,
    )
}

# An error code, description or URI longer than this is not a provider's answer but
# garbage (or an attack on whatever displays it); it is cut, and the cut is shown.
_MAX_FIELD = 2048


def _clip(value: object) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    if len(text) > _MAX_FIELD:
        return text[:_MAX_FIELD] + "…"
    return text


def error_response_from(
    params: Mapping[str, object],
    *,
    endpoint: str | None = None,
    status: int | None = None,
) -> ErrorResponse:
    """Build the typed ``ErrorResponse`` for an ``error`` parameter set.

    ``params`` is the authorization response's query/fragment or a token endpoint's
    JSON body. Unknown (extension) codes give the base class, with the code kept.
    """
    error = _clip(params.get("error")) or "unknown_error"
    cls = ERROR_RESPONSE_CLASSES.get(error, ErrorResponse)
    return cls(
        error,
        _clip(params.get("error_description")),
        _clip(params.get("error_uri")),
        endpoint=endpoint,
        status=status,
    )


# --- the client's own checks ----------------------------------------------------------


class ValidationError(OIDCError):
    """A check this client made failed.

    ``check`` names the rule by its spec name (``"state"``, ``"iss"``, ``"aud"``,
    ``"azp"``, ``"exp"``, ``"iat"``, ``"nbf"``, ``"nonce"``, ``"signature"``,
    ``"alg"``, ``"kid"``, ``"sub"``, ``"token_type"``, ...). ``expected`` and
    ``actual`` are evidence; callers must never put a token in them.
    """

    code = "validation_error"

    def __init__(
        self,
        check: str,
        message: str,
        *,
        expected: object = None,
        actual: object = None,
    ) -> None:
        super().__init__(f"{check}: {message}")
        self.check = check
        self.expected = expected
        self.actual = actual
        self.code = check


class ConfigurationError(OIDCError):
    """The client configuration is wrong; ``field`` names the field to fix."""

    code = "configuration_error"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"configuration field {field!r}: {message}")
        self.field = field


class TransportError(OIDCError):
    """A request to the provider failed before it gave an OAuth answer.

    ``endpoint`` names the endpoint by its metadata name (``"token_endpoint"``,
    ``"jwks_uri"``, ``"discovery"`` ...), ``status`` the HTTP status if any, and
    ``provider_looks_down`` whether the failure suggests the provider is unreachable
    (network error, 5xx, timeout) rather than a client mistake.
    """

    code = "transport_error"

    def __init__(
        self,
        endpoint: str,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        provider_looks_down: bool = False,
    ) -> None:
        super().__init__(f"{endpoint}: {message}")
        self.endpoint = endpoint
        self.url = url
        self.status = status
        self.provider_looks_down = provider_looks_down


class RequestTimeout(TransportError):
    """The endpoint did not answer in time (``timeout`` seconds)."""

    code = "timeout"

    def __init__(self, endpoint: str, timeout: float, *, url: str | None = None) -> None:
        super().__init__(
            endpoint,
            f"no answer within {timeout:g} s",
            url=url,
            provider_looks_down=True,
        )
        self.timeout = timeout
