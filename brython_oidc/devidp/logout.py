"""RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2, §3).

``id_token_hint`` must be an ID token this provider signed (expired is fine, §2);
``client_id`` must agree with its ``aud``; ``post_logout_redirect_uri`` must match
one of that client's registered values exactly (§3), else an error page is shown
and nobody is redirected. ``state`` is echoed on the redirect.
"""

from __future__ import annotations

from joserfc import jws
from joserfc.errors import JoseError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from . import templates
from .config import Client
from .provider import Provider
from .session import clear_session_cookies, read_session_id
from .views import provider_of


class LogoutError(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def hint_audience(provider: Provider, id_token_hint: str) -> str:
    """The client an ID token we issued was for; signature and iss checked, exp not."""
    import json

    try:
        header = jws.extract_compact(id_token_hint.encode("ascii")).headers()
        key = provider.keys.find_public(str(header.get("kid")), provider.clock())
        if key is None:
            raise LogoutError("invalid_request", "id_token_hint was not signed by this provider")
        obj = jws.deserialize_compact(id_token_hint, key, algorithms=[str(header.get("alg"))])
        claims = json.loads(obj.payload)
    except (JoseError, ValueError, UnicodeError) as exc:
        raise LogoutError("invalid_request", "id_token_hint is not a valid ID token") from exc
    if not isinstance(claims, dict) or claims.get("iss") != provider.issuer:
        raise LogoutError("invalid_request", "id_token_hint was not issued by this provider")
    aud = claims.get("aud")
    if isinstance(aud, list):
        aud = aud[0] if len(aud) == 1 else claims.get("azp")
    if not isinstance(aud, str):
        raise LogoutError("invalid_request", "id_token_hint has no usable aud")
    return aud


def resolve_client(
    provider: Provider, id_token_hint: str | None, client_id: str | None
) -> Client | None:
    audience = hint_audience(provider, id_token_hint) if id_token_hint else None
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
    try:
        client = resolve_client(provider, params.get("id_token_hint"), params.get("client_id"))
        if redirect_to is not None:
            if client is None:
                raise LogoutError(
                    "invalid_request",
                    "post_logout_redirect_uri needs id_token_hint or client_id (§3)",
                )
            if redirect_to not in client.post_logout_redirect_uris:
                raise LogoutError(
                    "invalid_request", "post_logout_redirect_uri is not registered for this client"
                )
    except LogoutError as error:
        return HTMLResponse(templates.error_page(error.error, error.description), status_code=400)
    sid = read_session_id(request.cookies)
    if sid:
        provider.end_session(sid)
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
