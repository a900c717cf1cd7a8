"""Claims and errors as a person reads them: labels, dates, lists, yes/no, sentences.

Pure Python with no import at module level, so tests run it under CPython; the page
formats dates with the browser's locale (``format_time``).
"""

#: Claims shown first, in this order, with a label (OpenID Connect Core §5.1, §2).
LABELS = (
    ("name", "Name"),
    ("preferred_username", "Username"),
    ("email", "Email"),
    ("email_verified", "Email verified"),
    ("sub", "Subject"),
    ("iss", "Issuer"),
    ("aud", "Audience"),
    ("azp", "Authorized party"),
    ("auth_time", "Signed in at"),
    ("iat", "Issued at"),
    ("exp", "Expires at"),
    ("nbf", "Not before"),
    ("amr", "Sign-in methods"),
    ("acr", "Assurance level"),
    ("sid", "Session"),
)
#: Claims whose value is seconds since the epoch (OpenID Connect Core §2, §5.1).
TIMES = ("auth_time", "iat", "exp", "nbf", "updated_at")
#: Claims not worth showing a person (nonce, hashes of other tokens).
HIDDEN = ("nonce", "at_hash", "c_hash", "s_hash")


def format_time(seconds):
    """The instant, in the browser's locale (the page's only use of the clock's zone)."""
    from browser import window

    return str(window.Date.new(seconds * 1000).toLocaleString())


def display_name(claims):
    for name in ("name", "preferred_username", "sub"):
        if claims.get(name):
            return str(claims[name])
    return ""


def ordered(claims):
    """Claim names: the labelled ones in LABELS order, then the rest sorted."""
    known = [name for name, _label in LABELS if name in claims]
    rest = sorted(name for name in claims if name not in known and name not in HIDDEN)
    return known + rest


def describe(name, value):
    """``(label, text)`` for one claim: a date, a list, yes/no, or the value as text."""
    label = name
    for known, text in LABELS:
        if known == name:
            label = text
    return label, value_text(value, name in TIMES)


def value_text(value, is_time=False):
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if value is None:
        return "—"
    if is_time and isinstance(value, (int, float)):
        return format_time(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(item) for item in value) if value else "(none)"
    if isinstance(value, dict):
        return "; ".join(key + ": " + value_text(value[key]) for key in sorted(value))
    return str(value)


#: What a provider's error code means for the person in front of the page (RFC 6749
#: §4.1.2.1 and §5.2, OpenID Connect Core §3.1.2.6).
PROVIDER_SENTENCES = {
    "access_denied": "Sign-in was cancelled or refused.",
    "login_required": "Please sign in again: your session at the sign-in service has ended.",
    "interaction_required": "Please sign in again: the sign-in service needs you.",
    "consent_required": "Please sign in again to give this app your consent.",
    "invalid_grant": "Your session has ended. Please sign in again.",
    "server_error": "The sign-in service had a problem. Please try again.",
    "temporarily_unavailable": "The sign-in service is busy. Please try again shortly.",
}


def error_sentence(err):
    """A sentence for an error of ``brython_oidc.core.errors`` (or any exception)."""
    from brython_oidc.core.errors import (
        ConfigurationError,
        ErrorResponse,
        TransportError,
        ValidationError,
    )

    if isinstance(err, ErrorResponse):
        code = str(getattr(err, "error", "") or "")
        return PROVIDER_SENTENCES.get(code, "The sign-in service refused the request.")
    if isinstance(err, ValidationError):
        return "A sign-in response failed a security check, so this app did not accept it."
    if isinstance(err, TransportError):
        return "The sign-in service cannot be reached right now. Please try again later."
    if isinstance(err, ConfigurationError):
        return "This app's sign-in settings are wrong; its developer needs to fix them."
    return "Something went wrong with signing in."
