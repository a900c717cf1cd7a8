"""The error tree, as the specs separate failures.

- ``ErrorResponse``: the provider said no, carrying ``error``, ``error_description``
  and ``error_uri`` exactly as sent. A subclass for each code a browser client can
  receive and act on (RFC 6749 §4.1.2.1 and §5.2, OpenID Connect Core §3.1.2.6);
  any other code is a plain ``ErrorResponse``.
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


class _CodeFrom:
    """``code`` read from another attribute of the instance (``error``, ``check``); on
    the class itself, the family's name (``ValidationError.code``)."""

    def __init__(self, family: str, field: str) -> None:
        self.family = family
        self.field = field

    def __get__(self, instance: object, owner: object = None) -> str:
        if instance is None:
            return self.family
        value: str = getattr(instance, self.field)
        return value


class OIDCError(Exception):
    """Base of every error brython_oidc raises.

    ``code``: a short, stable code the app (and the demo's ``auth-error`` hook) can
    show; the provider's ``error`` for an ``ErrorResponse``, the ``check`` for a
    ``ValidationError``, the class's own otherwise. ``detail``: the message without
    what it is about (the check, field or endpoint in front), for rewording it.
    """

    code = "oidc_error"

    def __init__(self, detail: str, *, about: str | None = None) -> None:
        message = f"{about}: {detail}" if about else detail
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message


# --- the provider's answers -----------------------------------------------------------


class ErrorResponse(OIDCError):
    """An OAuth 2.0 / OpenID Connect error response, as the provider sent it.

    ``error`` is the code (RFC 6749 §4.1.2.1 / §5.2); ``error_description`` and
    ``error_uri`` are optional and human-facing. The provider's words are kept
    verbatim, never interpreted. A code without a subclass below (one this client
    cannot act on, or an extension) is a plain ``ErrorResponse``; a subclass's
    class attribute ``error`` is the code it stands for.
    """

    code = _CodeFrom("error_response", "error")

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


# Only the codes this client can receive and acts on have a class: the app (and the
# engine's failure policy, core.renewal_policy) branches on them with isinstance.


class AccessDenied(ErrorResponse):
    """RFC 6749 §4.1.2.1: the user or the provider refused; not retried."""

    error = "access_denied"


class InvalidScope(ErrorResponse):
    """RFC 6749 §4.1.2.1, §5.2: a scope the provider does not offer to this client."""

    error = "invalid_scope"


class ServerError(ErrorResponse):
    """RFC 6749 §4.1.2.1: the provider failed; retried later, like no answer."""

    error = "server_error"


class TemporarilyUnavailable(ErrorResponse):
    """RFC 6749 §4.1.2.1: the provider is overloaded or down; retried later."""

    error = "temporarily_unavailable"


class InvalidGrant(ErrorResponse):
    """RFC 6749 §5.2: code or refresh token invalid, expired, revoked or reused."""

    error = "invalid_grant"


class InteractionRequired(ErrorResponse):
    """OpenID Connect Core §3.1.2.6: ``prompt=none`` could not complete; the user must
    act. The base of the three codes below, which say why."""

    error = "interaction_required"


class LoginRequired(InteractionRequired):
    """OpenID Connect Core §3.1.2.6: no session at the provider."""

    error = "login_required"


class AccountSelectionRequired(InteractionRequired):
    """OpenID Connect Core §3.1.2.6: the user must choose an account."""

    error = "account_selection_required"


class ConsentRequired(InteractionRequired):
    """OpenID Connect Core §3.1.2.6: the user must consent."""

    error = "consent_required"


ERROR_RESPONSE_CLASSES: dict[str, type[ErrorResponse]] = {
    cls.error: cls
    for cls in (
        AccessDenied,
        InvalidScope,
        ServerError,
        TemporarilyUnavailable,
        InvalidGrant,
        InteractionRequired,
        LoginRequired,
        AccountSelectionRequired,
        ConsentRequired,
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

    code = _CodeFrom("validation_error", "check")

    def __init__(
        self,
        check: str,
        message: str,
        *,
        expected: object = None,
        actual: object = None,
    ) -> None:
        super().__init__(message, about=check)
        self.check = check
        self.expected = expected
        self.actual = actual


class ConfigurationError(OIDCError):
    """The client configuration is wrong; ``field`` names the field to fix."""

    code = "configuration_error"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, about=f"configuration field {field!r}")
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
        super().__init__(message, about=endpoint)
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
