"""OpenID Provider metadata: where to fetch it and what to accept (Discovery 1.0).

``process_discovery_response`` turns the parsed ``openid-configuration`` document
into ``ProviderMetadata`` or raises ``ValidationError`` naming the field at fault.
"""

from __future__ import annotations

from brython_oidc.core.errors import ValidationError
from brython_oidc.core.urls import LOOPBACK_HOSTS, split_url, url_host

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

_REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")
_OPTIONAL_ENDPOINTS = ("userinfo_endpoint", "end_session_endpoint", "revocation_endpoint")


def discovery_url(issuer: str) -> str:
    """Discovery §4: issuer, any trailing ``/`` removed, + ``/.well-known/openid-configuration``."""
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


class ProviderMetadata:
    """The subset of provider metadata the client uses; ``raw`` keeps the rest."""

    __slots__ = (
        "authorization_endpoint",
        "authorization_response_iss_parameter_supported",
        "code_challenge_methods_supported",
        "end_session_endpoint",
        "grant_types_supported",
        "issuer",
        "jwks_uri",
        "raw",
        "revocation_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
    )

    def __init__(
        self,
        *,
        issuer: str,
        authorization_endpoint: str,
        token_endpoint: str,
        jwks_uri: str,
        userinfo_endpoint: str | None = None,
        end_session_endpoint: str | None = None,
        revocation_endpoint: str | None = None,
        code_challenge_methods_supported: tuple[str, ...] = ("S256",),
        authorization_response_iss_parameter_supported: bool = False,
        grant_types_supported: tuple[str, ...] = ("authorization_code", "implicit"),
        raw: dict[str, object] | None = None,
    ) -> None:
        self.issuer = issuer
        self.authorization_endpoint = authorization_endpoint
        self.token_endpoint = token_endpoint
        self.jwks_uri = jwks_uri
        self.userinfo_endpoint = userinfo_endpoint
        self.end_session_endpoint = end_session_endpoint
        self.revocation_endpoint = revocation_endpoint
        self.code_challenge_methods_supported = code_challenge_methods_supported
        self.authorization_response_iss_parameter_supported = (
            authorization_response_iss_parameter_supported
        )
        self.grant_types_supported = grant_types_supported
        self.raw = raw if raw is not None else {}

    def __repr__(self) -> str:
        return f"ProviderMetadata(issuer={self.issuer!r})"


def _endpoint(name: str, value: object) -> str:
    # Discovery §3: endpoints are URLs; TLS is required (OAuth 2.0 §3.1, §3.2) except
    # for a provider on this machine during development.
    if not isinstance(value, str) or not value:
        raise ValidationError(name, "must be a URL string", expected="https URL", actual=value)
    scheme = split_url(value)[0]
    try:
        host = url_host(value)
    except ValueError:
        host = ""
    if not host or scheme not in ("https", "http") or "#" in value:
        raise ValidationError(name, "is not an absolute URL", expected="https URL", actual=value)
    if scheme == "http" and host not in LOOPBACK_HOSTS:
        raise ValidationError(
            name,
            "must use https (plain http only on loopback)",
            expected="https",
            actual=value,
        )
    return value


def _all_strings(values: list[object] | tuple[object, ...]) -> bool:
    for value in values:  # a loop: a generator costs about 100 µs in Brython
        if not isinstance(value, str):
            return False
    return True


def _strings(name: str, value: object, *, required: bool) -> tuple[str, ...] | None:
    if value is None and not required:
        return None
    if not isinstance(value, (list, tuple)) or not _all_strings(value):
        raise ValidationError(name, "must be a list of strings", expected="list", actual=value)
    if required and not value:
        raise ValidationError(name, "must not be empty", expected="non-empty list", actual=[])
    return tuple(value)


def process_discovery_response(
    document: Mapping[str, object] | object,
    *,
    issuer: str,
    warn: Callable[[str], None] | None = None,
) -> ProviderMetadata:
    """Validate a parsed discovery document against the configured ``issuer``."""
    if not isinstance(document, dict):
        raise ValidationError(
            "discovery", "the document is not a JSON object", actual=type(document).__name__
        )
    # Discovery §4.3: "The issuer value returned MUST be identical to the Issuer URL
    # that was used as the prefix to /.well-known/openid-configuration" — exactly,
    # not after normalisation; otherwise one provider could impersonate another.
    actual_issuer = document.get("issuer")
    if actual_issuer != issuer:
        raise ValidationError(
            "iss",
            "the discovery document names a different issuer",
            expected=issuer,
            actual=actual_issuer,
        )
    endpoints: dict[str, str | None] = {
        name: _endpoint(name, document.get(name)) for name in _REQUIRED_ENDPOINTS
    }
    for name in _OPTIONAL_ENDPOINTS:
        value = document.get(name)
        endpoints[name] = None if value is None else _endpoint(name, value)
    # Discovery §3 REQUIRED fields; the client needs "code" (RFC 6749 §4.1).
    response_types = _strings(
        "response_types_supported", document.get("response_types_supported"), required=True
    )
    if "code" not in (response_types or ()):
        raise ValidationError(
            "response_types_supported",
            "the provider does not offer the authorization code flow",
            expected="code",
            actual=list(response_types or ()),
        )
    for name in ("subject_types_supported", "id_token_signing_alg_values_supported"):
        _strings(name, document.get(name), required=True)
    methods = _code_challenge_methods(document.get("code_challenge_methods_supported"), warn)
    iss_supported = document.get("authorization_response_iss_parameter_supported", False)
    if not isinstance(iss_supported, bool):
        raise ValidationError(
            "authorization_response_iss_parameter_supported",
            "must be true or false (RFC 9207 §3)",
            actual=iss_supported,
        )
    grant_types = _strings(
        "grant_types_supported", document.get("grant_types_supported"), required=False
    )
    return ProviderMetadata(
        issuer=issuer,
        authorization_endpoint=endpoints["authorization_endpoint"] or "",
        token_endpoint=endpoints["token_endpoint"] or "",
        jwks_uri=endpoints["jwks_uri"] or "",
        userinfo_endpoint=endpoints["userinfo_endpoint"],
        end_session_endpoint=endpoints["end_session_endpoint"],
        revocation_endpoint=endpoints["revocation_endpoint"],
        code_challenge_methods_supported=methods,
        authorization_response_iss_parameter_supported=iss_supported,
        # Discovery §3: the default is ["authorization_code", "implicit"].
        grant_types_supported=grant_types or ("authorization_code", "implicit"),
        raw=dict(document),
    )


def _code_challenge_methods(value: object, warn: Callable[[str], None] | None) -> tuple[str, ...]:
    # RFC 8414 §2: code_challenge_methods_supported; absent means "unknown", not "no".
    methods = _strings("code_challenge_methods_supported", value, required=False)
    if methods is None:
        if warn is not None:
            warn(
                "the provider does not advertise code_challenge_methods_supported; "
                "assuming it supports PKCE S256 (RFC 7636)"
            )
        return ("S256",)
    if "S256" not in methods:
        # RFC 7636 §4.2: S256 is the only method this client sends; plain is refused.
        raise ValidationError(
            "code_challenge_methods_supported",
            "the provider does not support PKCE S256",
            expected="S256",
            actual=list(methods),
        )
    return methods
