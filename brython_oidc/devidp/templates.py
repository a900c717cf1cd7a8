"""HTML pages of the provider: home, login form, signed-out, error. Everything escaped."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from .config import Client, User

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}"
    "label{display:block;margin:.6rem 0}input{font-size:1rem;padding:.3rem}"
    ".error{color:#a00}code{background:#eee;padding:0 .2rem}"
)


def page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )


def login_page(*, action: str, client_id: str, username: str = "", error: str | None = None) -> str:
    """The login form: inputs name="username" / name="password", a submit button."""
    message = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (
        f"<p>Sign in to continue to <strong>{escape(client_id)}</strong>.</p>{message}"
        f'<form method="post" action="{escape(action)}">'
        '<label>Username <input name="username" autocomplete="username" autofocus '
        f'value="{escape(username)}"></label>'
        '<label>Password <input name="password" type="password" '
        'autocomplete="current-password"></label>'
        '<button type="submit">Sign in</button></form>'
        "<p><small>Development provider: see the home page for the users.</small></p>"
    )
    return page("Sign in", body)


def error_page(error: str, description: str | None) -> str:
    """Shown instead of redirecting when the redirect URI cannot be trusted (RFC 6749 §4.1.2.1)."""
    detail = f"<p>{escape(description)}</p>" if description else ""
    return page(
        "Sign-in request refused",
        f'<p>Error: <code data-error="{escape(error)}">{escape(error)}</code></p>{detail}',
    )


def logout_confirm_page(*, action: str, params: dict[str, str]) -> str:
    """Asks before signing out (RP-Initiated Logout §2) when nothing proves the app asked."""
    hidden = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in params.items()
    )
    body = (
        "<p>Sign out of the development provider?</p>"
        f'<form method="post" action="{escape(action)}">{hidden}'
        '<button type="submit" name="confirm" value="yes">Sign out</button></form>'
    )
    return page("Sign out?", body)


def signed_out_page() -> str:
    return page("Signed out", "<p>You are signed out of the development provider.</p>")


def home_page(issuer: str, users: Iterable[User], clients: Iterable[Client]) -> str:
    user_rows = "".join(
        f"<li><code>{escape(u.username)}</code> / <code>{escape(u.password)}</code>"
        f" — {escape(u.name)}</li>"
        for u in users
    )
    client_rows = "".join(
        f"<li><code>{escape(c.client_id)}</code> "
        f"({'public, PKCE S256' if c.is_public else 'confidential'}), redirect URIs: "
        + ", ".join(f"<code>{escape(uri)}</code>" for uri in c.redirect_uris)
        + "</li>"
        for c in clients
    )
    body = (
        "<p>A development OpenID Provider: for local development and tests only. "
        "Passwords are shown here on purpose.</p>"
        f"<h2>Users</h2><ul>{user_rows}</ul>"
        f"<h2>Clients</h2><ul>{client_rows}</ul>"
        "<h2>How to sign in</h2><p>Point your app at the issuer "
        f"<code>{escape(issuer)}</code> (discovery at "
        f"<code>{escape(issuer)}/.well-known/openid-configuration</code>) and sign in "
        "with one of the users above on the form the provider shows.</p>"
    )
    return page("brython-oidc development provider", body)
