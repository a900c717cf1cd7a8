"""RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2, §3).

``id_token_hint`` must be an ID token this provider signed (expired is fine, §2),
checked with the provider's own key for its ``kid`` and that key's algorithm, never
the algorithm the token's header names; ``client_id`` must agree with its ``aud``;
``post_logout_redirect_uri`` must match one of that client's registered values
exactly (any port on loopback, RFC 8252 §7.3), else an error page is shown and
nobody is redirected. ``state`` is echoed on the redirect.

Logout CSRF: the session ends at once only when the hint names this browser's
session (its ``sid``) or its user (``sub``), or nothing is signed in; otherwise (a plain cross-site
``GET /logout``, a hint from someone else's session) the user is asked, §2 "the OP
SHOULD ask the End-User whether to log out", with a form that only a page of the
provider can post (``views.same_origin_post``).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from brython_oidc.core.errors import ValidationError
from brython_oidc.core.jose import parse_compact_jws
from brython_oidc.server import strict_json
from brython_oidc.server.signature import verify

from . import templates
from .config import Client
from .provider import Provider
from .refusals import refused
from .session import clear_session_cookies, read_session_id
from .views import provider_of, same_origin_post


class LogoutError(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def hint_claims(provider: Provider, id_token_hint: str) -> dict[str, object]:
    """The claims of an ID token we issued; signature and iss checked, exp not (§2)."""
    try:
        token = parse_compact_jws(id_token_hint, parse_json=strict_json.loads)
    except ValidationError as exc:
        message = f"id_token_hint is not a valid ID token: {exc}"
        raise LogoutError("invalid_request", message) from None
    kid = token.header.get("kid")
    key = provider.keys.find_public(kid, provider.clock()) if isinstance(kid, str) else None
    if key is None:
        raise LogoutError("invalid_request", "id_token_hint was not signed by this provider")
    # The algorithm is the provider's key's, never the header's (RFC 8725 §3.1).
    alg = str(key.alg)
    if token.header.get("alg") != alg:
        raise LogoutError("invalid_request", "id_token_hint was not signed by this provider")
    try:
        good = verify(alg, key.as_dict(private=False), token.signing_input, token.signature)
    except ValidationError:
        good = False
    if not good:
        raise LogoutError("invalid_request", "id_token_hint was not signed by this provider")
    if token.claims.get("iss") != provider.issuer:
        raise LogoutError("invalid_request", "id_token_hint was not issued by this provider")
    return token.claims


def hint_audience(claims: dict[str, object]) -> str:
    """The client an ID token was for (``aud``, or ``azp`` among several)."""
    aud = claims.get("aud")
    if isinstance(aud, list):
        aud = aud[0] if len(aud) == 1 else claims.get("azp")
    if not isinstance(aud, str):
        raise LogoutError("invalid_request", "id_token_hint has no usable aud")
    return aud


def resolve_client(
    provider: Provider, claims: dict[str, object] | None, client_id: str | None
) -> Client | None:
    audience = hint_audience(claims) if claims is not None else None
    if audience and client_id and audience != client_id:
        raise LogoutError("invalid_request", "client_id does not match the id_token_hint audience")
    chosen = client_id or audience
    if chosen is None:
        return None
    client = provider.clients.get(chosen)
    if client is None:
        raise LogoutError("invalid_request", "unknown client_id")
    return client


async def end_session(request: Request) -> Response:
    provider = provider_of(request)
    params = dict(request.query_params)
    if request.method == "POST":
        form = await request.form()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    redirect_to = params.get("post_logout_redirect_uri")
    hint = params.get("id_token_hint")
    try:
        claims = hint_claims(provider, hint) if hint else None
        client = resolve_client(provider, claims, params.get("client_id"))
        if redirect_to is not None:
            if client is None:
                raise LogoutError(
                    "invalid_request",
                    "post_logout_redirect_uri needs id_token_hint or client_id (§3)",
                )
            if not client.allows_post_logout_redirect_uri(redirect_to):
                raise LogoutError(
                    "invalid_request",
                    f"post_logout_redirect_uri {redirect_to!r} is not registered for "
                    f"client {client.client_id!r}",
                )
    except LogoutError as error:
        registered = client_uris(provider, params.get("client_id"))
        refused("/logout", f"{error.error}: {error.description}", registered=registered)
        return HTMLResponse(templates.error_page(error.error, error.description), status_code=400)
    sid = read_session_id(request.cookies)
    session = provider.find_session(sid)
    confirmed = request.method == "POST" and params.get("confirm") == "yes"
    if confirmed and not same_origin_post(request):
        refused("/logout", "the confirmation was posted from another site (logout CSRF defence)")
        return HTMLResponse(
            templates.error_page("access_denied", "sign-out confirmed from another site"),
            status_code=403,
        )
    # Only the signed-in user's own app holds an ID token of this session or this user;
    # an attacker can only send one of their own (another sub, another sid).
    hint_is_ours = (
        claims is not None
        and session is not None
        and (claims.get("sid") == session.sid or claims.get("sub") == session.username)
    )
    if session is not None and not (hint_is_ours or confirmed):
        # Logout CSRF: nothing proves this request came from the user's own app.
        shown = {k: v for k, v in params.items() if k != "confirm"}
        page = templates.logout_confirm_page(action=str(request.url.path), params=shown)
        return HTMLResponse(page, headers={"X-Frame-Options": "DENY", "Cache-Control": "no-store"})
    if session is not None:
        provider.end_session(session.sid)
    response: Response
    if redirect_to is not None:
        from authlib.common.urls import add_params_to_uri

        state = params.get("state")
        target = add_params_to_uri(redirect_to, [("state", state)]) if state else redirect_to
        response = RedirectResponse(target, status_code=302)
    else:
        response = HTMLResponse(templates.signed_out_page())
    clear_session_cookies(response)
    return response


def client_uris(provider: Provider, client_id: str | None) -> list[str]:
    client = provider.clients.get(client_id or "")
    return list(client.post_logout_redirect_uris) if client is not None else []
