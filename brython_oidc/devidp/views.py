"""Starlette views of the provider's endpoints (logout lives in logout.py)."""

from __future__ import annotations

from typing import Any

from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import OAuth2Error
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from brython_oidc.core.dpop import DPOP_SCHEME
from brython_oidc.server.dpop import InvalidProof, NonceRequired

from . import templates
from .oauth import StarletteOAuth2Request, response_mode
from .provider import Provider
from .refusals import refused
from .session import read_session_id, set_session_cookies

#: Pages that show a login form must not be framed by other sites (clickjacking),
#: but the silent prompt=none answer (a redirect) may load in the client's iframe.
_FORM_HEADERS = {"X-Frame-Options": "DENY", "Cache-Control": "no-store"}


def provider_of(request: Request) -> Provider:
    provider: Provider = request.app.state.provider
    return provider


def oauth_request(request: Request, params: list[tuple[str, Any]]) -> StarletteOAuth2Request:
    pairs = [(k, v) for k, v in params if isinstance(v, str)]
    return StarletteOAuth2Request(request.method, authlib_uri(request), request.headers, pairs)


def authlib_uri(request: Request) -> str:
    """The request's URL on the configured issuer, never on the ``Host`` header.

    authlib uses this URL only to refuse plain http outside loopback
    (``InsecureTransportError``, which was a 500 for any ``--issuer http://<lan-host>``).
    Whether plain http is acceptable is the provider's configuration (a development
    tool; ``dev-idp`` warns at start-up), so authlib is given the https form.
    """
    issuer = provider_of(request).issuer
    if issuer.startswith("http://"):
        issuer = "https://" + issuer[len("http://") :]
    query = request.url.query
    return issuer + request.url.path + ("?" + query if query else "")


def same_origin_post(request: Request) -> bool:
    """Whether a browser POST came from a page of this provider (login/logout CSRF).

    Browsers send ``Origin`` on every POST (Fetch §3.1) and ``Sec-Fetch-Site``
    (Fetch Metadata). A cross-site page auto-posting a form carries its own origin;
    a client without either header (curl, tests) is not a browser a page can drive.
    """
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    own = {f"{request.url.scheme}://{request.url.netloc}", _origin(provider_of(request).issuer)}
    return origin in own


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


#: RFC 6749 §3.1.1: response-type = response-name *( SP response-name ),
#: response-char = "_" / DIGIT / ALPHA. authlib echoes the value into an error
#: description and raises ValueError (a 500) on characters it cannot carry.
_RESPONSE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ ")


def _bad_response_type(data: dict[str, str]) -> bool:
    value = data.get("response_type", "")
    return not set(value) <= _RESPONSE_CHARS


def _registered_redirects(provider: Provider, oreq: StarletteOAuth2Request) -> list[str]:
    client = provider.clients.get(oreq.payload.data.get("client_id", ""))
    return list(client.redirect_uris) if client is not None else []


def error_page(provider: Provider, oreq: StarletteOAuth2Request, error: str, why: str) -> Response:
    """A 400 page (no redirect: the request cannot be trusted enough for one), logged."""
    data = oreq.payload.data
    refused(
        f"/authorize for client_id={data.get('client_id')!r} "
        f"redirect_uri={data.get('redirect_uri')!r}",
        f"{error}: {why}",
        registered=_registered_redirects(provider, oreq),
    )
    return HTMLResponse(templates.error_page(error, why), status_code=400, headers=_FORM_HEADERS)


async def home(request: Request) -> Response:
    provider = provider_of(request)
    html = templates.home_page(provider.issuer, provider.users.values(), provider.clients.values())
    return HTMLResponse(html)


async def discovery(request: Request) -> Response:
    return JSONResponse(provider_of(request).metadata())


async def jwks(request: Request) -> Response:
    provider = provider_of(request)
    return JSONResponse(
        provider.keys.public_jwks(provider.clock()),
        headers={"Cache-Control": "max-age=60"},
    )


def authorization_error(provider: Provider, oreq: StarletteOAuth2Request, error: Any) -> Response:
    """RFC 6749 §4.1.2.1: redirect only to a validated redirect URI, else show a page."""
    if error.redirect_uri:
        refused(
            f"/authorize for client_id={oreq.payload.data.get('client_id')!r}",
            f"{error.error}: {error.description} (sent back to the app)",
        )
        params = [(k, v) for k, v in error.get_body() if v is not None]
        if oreq.payload.state and not any(k == "state" for k, _ in params):
            params.append(("state", oreq.payload.state))
        params.append(("iss", provider.issuer))  # RFC 9207 §2: errors too
        fragment = response_mode(oreq) == "fragment"
        return RedirectResponse(add_params_to_uri(error.redirect_uri, params, fragment), 302)
    return error_page(provider, oreq, error.error, error.description or "")


def _require_redirect_uri(oreq: StarletteOAuth2Request) -> Any:
    # OpenID Connect Core §3.1.2.1: redirect_uri is REQUIRED; never guess one.
    from authlib.oauth2.rfc6749 import InvalidRequestError

    if not oreq.payload.data.get("redirect_uri"):
        return InvalidRequestError("Missing 'redirect_uri'.")
    return None


async def authorize(request: Request) -> Response:
    """RFC 6749 §4.1.1 / OpenID Connect Core §3.1.2: the authorization endpoint."""
    provider = provider_of(request)
    oreq = oauth_request(request, request.query_params.multi_items())
    missing = _require_redirect_uri(oreq)
    if missing is not None:
        return authorization_error(provider, oreq, missing)
    data = oreq.payload.data
    if _bad_response_type(data):
        return error_page(
            provider, oreq, "unsupported_response_type",
            "response_type may hold only letters, digits, '_' and spaces (RFC 6749 §3.1.1)",
        )  # fmt: skip
    try:
        return await _authorize(request, provider, oreq, data)
    except ValueError:
        # authlib refuses, with ValueError, to build an error it cannot encode.
        return error_page(
            provider,
            oreq,
            "invalid_request",
            "a parameter has characters that cannot be echoed in an error response (RFC 6749 §5.2)",
        )


async def _authorize(
    request: Request, provider: Provider, oreq: StarletteOAuth2Request, data: dict[str, str]
) -> Response:
    session = provider.find_session(read_session_id(request.cookies))
    username = str(data.get("login_hint") or "")
    new_sid: str | None = None
    if request.method == "POST":
        if not same_origin_post(request):
            # Login CSRF: a cross-site page auto-posting its own credentials would sign
            # the victim in as the attacker on their next "Sign in".
            return error_page(
                provider, oreq, "access_denied",
                "the sign-in form was posted from another site (login CSRF defence)",
            )  # fmt: skip
        form = await request.form()
        username = str(form.get("username") or "")
        user = provider.check_password(username, str(form.get("password") or ""))
        try:
            grant = provider.server.get_consent_grant(oreq, end_user=user)
        except OAuth2Error as error:
            return authorization_error(provider, oreq, error)
        if user is None:
            refused("/authorize sign-in", f"wrong username or password for {username!r}")
            html = templates.login_page(
                action=str(request.url), client_id=oreq.client.client_id, username=username,
                error="Wrong username or password.",
            )  # fmt: skip
            return HTMLResponse(html, status_code=401, headers=_FORM_HEADERS)
        session = provider.start_session(user)
        new_sid = session.sid
    else:
        user = provider.users.get(session.username) if session else None
        if session is not None and _needs_login(provider, data, session.auth_time):
            user = None
        try:
            grant = provider.server.get_consent_grant(oreq, end_user=user)
        except OAuth2Error as error:
            return authorization_error(provider, oreq, error)
        if user is None or grant.prompt == "login":
            html = templates.login_page(
                action=str(request.url), client_id=oreq.client.client_id, username=username
            )
            return HTMLResponse(html, headers=_FORM_HEADERS)
    assert session is not None  # a user was found only through a session
    oreq.auth_time = session.auth_time
    oreq.sid = session.sid
    response: Response = provider.server.create_authorization_response(
        oreq, grant_user=user, grant=grant
    )
    if new_sid is not None:
        set_session_cookies(response, new_sid, provider.lifetimes.session)
    return response


def _needs_login(provider: Provider, data: dict[str, str], auth_time: int) -> bool:
    """OpenID Connect Core §3.1.2.1: prompt=login and max_age force a fresh login."""
    if "login" in str(data.get("prompt") or "").split():
        return True
    max_age = data.get("max_age")
    if max_age is None:
        return False
    try:
        limit = int(max_age)
    except ValueError:
        return True  # an unreadable max_age errs on the side of re-authentication
    return provider.clock() - auth_time > limit


def _dpop_error(error: str, description: str, status: int, nonce: str | None) -> Response:
    # RFC 9449 §5 (token endpoint: 400 with an error code), §8 (use_dpop_nonce + DPoP-Nonce).
    headers = {"Cache-Control": "no-store"}
    if nonce is not None:
        headers["DPoP-Nonce"] = nonce
    # RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E only.
    text = description.replace("§", "section ")
    text = "".join(c for c in text if 0x20 <= ord(c) <= 0x7E and c not in '"\\')
    body = {"error": error, "error_description": text}
    return JSONResponse(body, status_code=status, headers=headers)


def _checked_proof_jkt(
    request: Request, provider: Provider, url: str, access_token: str | None = None
) -> tuple[str | None, Response | None]:
    """The thumbprint of the request's DPoP proof's key (None without a proof), or a refusal.

    RFC 9449 §4.3: one ``DPoP`` header at most, checked against this endpoint's URL on
    the issuer (never the Host header), the request's method and, at a resource, the
    access token (``ath``); its ``jti`` is spent.
    """
    proofs = request.headers.getlist("dpop")
    if not proofs:
        return None, None
    status = 401 if access_token is not None else 400
    if len(proofs) > 1:
        return None, _dpop_error("invalid_dpop_proof", "more than one DPoP header", status, None)
    try:
        checked = provider.dpop.verify(
            proofs[0], method=request.method, url=url, access_token=access_token
        )
    except NonceRequired as exc:
        refused(request.url.path, "the DPoP proof lacks the current nonce (use_dpop_nonce)")
        return None, _dpop_error("use_dpop_nonce", str(exc), status, exc.nonce)
    except InvalidProof as exc:
        refused(request.url.path, f"DPoP proof refused: {exc}")
        return None, _dpop_error("invalid_dpop_proof", str(exc), status, None)
    return checked.jkt, None


async def token(request: Request) -> Response:
    """RFC 6749 §3.2: POST, form-encoded; authlib does the grant logic.

    A ``DPoP`` proof (RFC 9449 §5) is checked first; its key binds what is issued.
    """
    provider = provider_of(request)
    form = await request.form()
    oreq = oauth_request(request, form.multi_items())
    jkt, refusal = _checked_proof_jkt(request, provider, provider.url("token_endpoint"))
    if refusal is not None:
        return refusal
    oreq.dpop_jkt = jkt
    response: Response = provider.server.create_token_response(oreq)
    if provider.dpop.nonces is not None:
        # RFC 9449 §8: a fresh nonce with every answer, for the client's next proof.
        response.headers["DPoP-Nonce"] = provider.dpop.nonces.current()
    _log_error_answer("/token", oreq, response)
    return response


def _log_error_answer(path: str, oreq: StarletteOAuth2Request, response: Response) -> None:
    if response.status_code < 400:
        return
    error = bytes(response.body).decode("utf-8", "replace")[:300]
    grant = oreq.payload.data.get("grant_type")
    client_id = oreq.payload.data.get("client_id")
    refused(f"{path} (grant_type={grant!r}, client_id={client_id!r})", error)


async def revoke(request: Request) -> Response:
    """RFC 7009 §2."""
    form = await request.form()
    oreq = oauth_request(request, form.multi_items())
    response: Response = provider_of(request).server.create_endpoint_response("revocation", oreq)
    _log_error_answer("/revoke", oreq, response)
    return response


def bearer_token(request: Request) -> str | None:
    """RFC 6750 §2.1: ``Authorization: Bearer <token>``."""
    scheme, token_value = _authorization(request)
    return token_value if scheme == "bearer" else None


def _authorization(request: Request) -> tuple[str, str | None]:
    """The scheme (lower case) and credentials of ``Authorization`` (RFC 9110 §11.6.2)."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return scheme.lower(), value.strip() or None


async def userinfo(request: Request) -> Response:
    """OpenID Connect Core §5.3; errors per RFC 6750 §3 and RFC 9449 §7.1."""
    provider = provider_of(request)
    scheme, token_value = _authorization(request)
    if scheme not in ("bearer", "dpop") or token_value is None:
        return Response(
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="devidp", DPoP realm="devidp"'},
        )
    record = provider.active_access_token(token_value)
    if record is not None and record.dpop_jkt is not None:
        # RFC 9449 §7: a DPoP-bound token comes with a proof of its key, for this request.
        if scheme != "dpop":
            refused("/userinfo", "a DPoP-bound access token was sent as a bearer token")
            return _dpop_error("invalid_token", "the access token is DPoP-bound", 401, None)
        url = provider.url("userinfo_endpoint")
        jkt, refusal = _checked_proof_jkt(request, provider, url, token_value)
        if refusal is not None:
            return refusal
        if jkt != record.dpop_jkt:
            refused("/userinfo", "the DPoP proof's key is not the token's (cnf.jkt)")
            return _dpop_error("invalid_dpop_proof", "no proof of the token's key", 401, None)
    elif record is not None and scheme == "dpop":
        return _dpop_error(
            "invalid_token", f"the access token is not {DPOP_SCHEME}-bound", 401, None
        )
    if record is None:
        refused("/userinfo", "the access token is unknown, expired or revoked")
        challenge = (
            'Bearer error="invalid_token", '
            'error_description="The access token is unknown, expired or revoked"'
        )
        return JSONResponse(
            {"error": "invalid_token"}, status_code=401, headers={"WWW-Authenticate": challenge}
        )
    return JSONResponse(
        provider.users[record.username].claims(record.scope),
        headers={"Cache-Control": "no-store"},
    )


async def rotate_keys(request: Request) -> Response:
    """Test/admin only: rotate signing keys (OpenID Connect Core §10.1.1)."""
    provider = provider_of(request)
    if not provider.enable_admin:
        return JSONResponse({"error": "not_found"}, status_code=404)
    return JSONResponse({"kids": provider.rotate_keys()})
