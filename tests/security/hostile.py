"""A hostile OpenID Provider for tests: the development provider, misbehaving on demand.

``HostileProvider`` subclasses ``brython_oidc.devidp.Provider``; ``create_hostile_app``
wraps the provider's own views. One misbehaviour is active at a time, chosen at run
time either through the Python handle (``provider.misbehave("id_token-wrong-nonce")``,
for in-process tests) or ``POST /admin/misbehave {"name": ...}`` (for a browser test
that only has the URL). ``provider.reset()`` goes back to honest behaviour.

Every name in ``MISBEHAVIOURS`` is documented there; the case table in ``cases.py``
refers to them by name, so the CPython runner and the browser runner share them.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from joserfc import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from brython_oidc.devidp import Provider
from brython_oidc.devidp import views as honest
from brython_oidc.devidp.app import create_app
from brython_oidc.devidp.keys import KeyRing
from brython_oidc.devidp.provider import PATHS
from brython_oidc.devidp.testing import BackgroundServer
from brython_oidc.testing.live_server import free_port

ADMIN_MISBEHAVE_PATH = "/admin/misbehave"
#: Misbehaviours that switch the clients to ES256 ID tokens while they are on.
ES256_MISBEHAVIOURS = ("id_token-sig-es256", "id_token-bad-sig-es256")
#: A claim value big enough that the ID token exceeds core.jose's 16 KB limit.
HUGE_CLAIM = "x" * 40_000
#: A token response bigger than core.token.MAX_BODY.
HUGE_BODY_CHARS = 1_200_000

#: name -> what the provider does wrong (shown in docs/security.md).
MISBEHAVIOURS: dict[str, str] = {
    # ID token claims (OIDC Core §3.1.3.7)
    "id_token-wrong-nonce": "ID token nonce is not the one the client sent",
    "id_token-wrong-aud": "ID token aud is another client",
    "id_token-wrong-iss": "ID token iss is another issuer",
    "id_token-missing-iat": "ID token has no iat",
    "id_token-missing-sub": "ID token has no sub",
    "id_token-expired": "ID token exp is 10 minutes in the past",
    "id_token-not-yet-valid": "ID token nbf is 10 minutes in the future",
    "id_token-iat-future": "ID token iat is one hour in the future",
    "id_token-huge-claims": "ID token carries a 40 KB claim",
    # ID token signature and keys (OIDC Core §10.1, RFC 7515)
    "id_token-bad-sig-rs256": "RS256 ID token with one signature byte flipped",
    "id_token-sig-es256": "ID token signed with ES256 (the client is switched to ES256)",
    "id_token-bad-sig-es256": "ES256 ID token with one signature byte flipped",
    "id_token-sig-none": "unsigned ID token, alg none",
    "id_token-hs256": "ID token HMAC-signed with the provider's public key (alg confusion)",
    "id_token-kid-absent-single-key": "ID token without kid; the JWKS has one RSA key",
    "id_token-kid-absent-multiple-keys": "ID token without kid; the JWKS has two RSA keys",
    "id_token-kid-unknown": "ID token names a kid that is in no JWKS, even after a refetch",
    "rotate-keys-before-token": "signing keys rotate just before the token is issued",
    # userinfo (OIDC Core §5.3.4)
    "userinfo-wrong-sub": "userinfo sub is another user's",
    # discovery (Discovery 1.0 §4.3)
    "discovery-wrong-issuer": "discovery document names another issuer",
    # authorization response (RFC 6749 §4.1.2, RFC 9207)
    "authz-wrong-state": "callback echoes a different state",
    "authz-missing-state": "callback has no state",
    "authz-wrong-iss": "callback iss is another issuer (mix-up)",
    "authz-missing-iss": "callback has no iss although the provider advertises RFC 9207",
    "authz-access-denied": "callback carries error=access_denied",
    # token endpoint transport (RFC 6749 §5.1/§5.2)
    "token-non-json": "token endpoint answers 200 with a body that is not JSON",
    "token-truncated": "token endpoint answers 200 with the JSON cut in half",
    "token-html-error": "token endpoint answers 400 with an HTML error page",
    "token-huge-body": "token endpoint answers 200 with 1.2 MB of JSON",
    "token-500-once": "token endpoint answers 500 (HTML) once, then works",
    "token-slow": "token endpoint answers only after the client's timeout",
}


class HostileProvider(Provider):
    """The development provider with one switchable misbehaviour (``misbehaviour``)."""

    def __init__(self, issuer: str, **kwargs: Any) -> None:
        kwargs.setdefault("enable_admin", True)
        super().__init__(issuer, **kwargs)
        self._lock = threading.Lock()
        self.misbehaviour: str | None = None
        #: How many times the misbehaviour has fired (e.g. 500s sent).
        self.fired = 0
        #: Released on reset, so a held-back slow answer finishes instead of hanging.
        self.release = threading.Event()
        self._keys_dirty = False
        self._client_algs = {
            c.client_id: c.id_token_signed_response_alg for c in self.clients.values()
        }
        self.slow_seconds = 5.0

    # --- the handle a test holds --------------------------------------------------

    def misbehave(self, name: str | None) -> None:
        """Switch to misbehaviour ``name`` (``None``: honest). Unknown names raise."""
        if name is not None and name not in MISBEHAVIOURS:
            raise ValueError(f"unknown misbehaviour {name!r}; see MISBEHAVIOURS")
        self.reset()
        with self._lock:
            self.misbehaviour = name
            self.fired = 0
            self.release.clear()
        if name in ES256_MISBEHAVIOURS:
            for client in self.clients.values():
                client.id_token_signed_response_alg = "ES256"
        if name == "id_token-kid-absent-multiple-keys":
            # A second RSA key in the JWKS before the client reads it: the retired key
            # stays published (grace), the new one signs.
            self.keys.rotate(self.clock(), ("RS256",))
            self._keys_dirty = True

    def reset(self) -> None:
        """Honest again, with fresh keys if a case rotated them."""
        with self._lock:
            self.misbehaviour = None
            self.release.set()
            for client, alg in self._client_algs.items():
                self.clients[client].id_token_signed_response_alg = alg
            if self._keys_dirty:
                self.keys = KeyRing(grace=self.keys.grace)
                self.minter.keys = self.keys
                self._keys_dirty = False

    @contextmanager
    def misbehaving(self, name: str | None) -> Iterator[HostileProvider]:
        self.misbehave(name)
        try:
            yield self
        finally:
            self.reset()

    def is_(self, name: str) -> bool:
        return self.misbehaviour == name

    def fire(self) -> int:
        with self._lock:
            self.fired += 1
            return self.fired

    # --- discovery ----------------------------------------------------------------

    def metadata(self) -> dict[str, object]:
        doc = super().metadata()
        if self.is_("discovery-wrong-issuer"):
            self.fire()
            doc["issuer"] = "https://op.example.com"  # Discovery §4.3: must be refused
        return doc

    # --- ID tokens ----------------------------------------------------------------

    def mint_id_token(self, **kwargs: Any) -> str:
        if self.is_("rotate-keys-before-token"):
            self.keys.rotate(self.clock())
            self._keys_dirty = True
            self.fire()
        honest_token: str = super().mint_id_token(**kwargs)
        name = self.misbehaviour
        if name is None or not name.startswith("id_token-"):
            return honest_token
        self.fire()
        return self._tamper(name, honest_token)

    def _tamper(self, name: str, token: str) -> str:
        head_b64, body_b64, sig_b64 = token.split(".")
        header: dict[str, Any] = json.loads(_b64decode(head_b64))
        claims: dict[str, Any] = json.loads(_b64decode(body_b64))
        now = int(self.clock())
        if name == "id_token-sig-es256":
            return token
        if name in ("id_token-bad-sig-rs256", "id_token-bad-sig-es256"):
            sig = bytearray(_b64decode(sig_b64))
            sig[len(sig) // 2] ^= 0x01
            return f"{head_b64}.{body_b64}.{_b64encode(bytes(sig))}"
        if name == "id_token-sig-none":
            return _unsigned({"alg": "none", "typ": "JWT"}, claims)
        if name == "id_token-hs256":
            public_jwk = dict(self.keys.signing_key("RS256").as_dict(private=False))
            secret = json.dumps(public_jwk, sort_keys=True).encode()
            return _hmac_signed(
                {"alg": "HS256", "typ": "JWT", "kid": header["kid"]}, claims, secret
            )
        mutate: dict[str, Callable[[dict[str, Any]], None]] = {
            "id_token-wrong-nonce": lambda c: c.update(nonce="not-the-nonce-you-sent"),
            "id_token-wrong-aud": lambda c: c.update(aud="another-client", azp="another-client"),
            "id_token-wrong-iss": lambda c: c.update(iss="https://op.example.com"),
            "id_token-missing-iat": lambda c: c.pop("iat"),
            "id_token-missing-sub": lambda c: c.pop("sub"),
            "id_token-expired": lambda c: c.update(iat=now - 1200, exp=now - 600),
            "id_token-not-yet-valid": lambda c: c.update(nbf=now + 600),
            "id_token-iat-future": lambda c: c.update(iat=now + 3600, exp=now + 7200),
            "id_token-huge-claims": lambda c: c.update(huge=HUGE_CLAIM),
        }
        if name in mutate:
            mutate[name](claims)
        if name.startswith("id_token-kid-absent"):
            header.pop("kid")
        if name == "id_token-kid-unknown":
            header["kid"] = "kid-that-no-jwks-has"
        key = self.keys.signing_key(header["alg"])
        return jwt.encode(header, claims, key, algorithms=[header["alg"]])


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _segments(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return _b64encode(json.dumps(header).encode()) + "." + _b64encode(json.dumps(claims).encode())


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return _segments(header, claims) + "."


def _hmac_signed(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    signing_input = _segments(header, claims)
    mac = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + _b64encode(mac)


# --- the views, wrapped -------------------------------------------------------------


def _provider(request: Request) -> HostileProvider:
    provider: HostileProvider = request.app.state.provider
    return provider


def _rewrite_callback(location: str, change: Callable[[list[tuple[str, str]]], None]) -> str:
    parts = urlsplit(location)
    params = parse_qsl(parts.query, keep_blank_values=True)
    change(params)
    return urlunsplit(parts._replace(query=urlencode(params)))


def _set(params: list[tuple[str, str]], name: str, value: str | None) -> None:
    params[:] = [(k, v) for k, v in params if k != name]
    if value is not None:
        params.append((name, value))


async def authorize(request: Request) -> Response:
    provider = _provider(request)
    response = await honest.authorize(request)
    location = response.headers.get("location")
    name = provider.misbehaviour
    if response.status_code != 302 or location is None or name is None:
        return response
    changes: dict[str, Callable[[list[tuple[str, str]]], None]] = {
        "authz-wrong-state": lambda p: _set(p, "state", "forged-state"),
        "authz-missing-state": lambda p: _set(p, "state", None),
        "authz-wrong-iss": lambda p: _set(p, "iss", "https://op.example.com"),
        "authz-missing-iss": lambda p: _set(p, "iss", None),
        "authz-access-denied": lambda p: (
            _set(p, "code", None),
            _set(p, "error", "access_denied"),
            _set(p, "error_description", "The user said no"),
        ),
    }
    if name not in changes:
        return response
    provider.fire()
    redirect = RedirectResponse(_rewrite_callback(location, changes[name]), 302)
    for key, value in response.headers.items():
        if key.lower() == "set-cookie":
            redirect.headers.append(key, value)
    return redirect


async def token(request: Request) -> Response:
    provider = _provider(request)
    name = provider.misbehaviour
    if name == "token-500-once" and provider.fired == 0:
        provider.fire()  # the code is not consumed: the retry can use it
        return HTMLResponse("<html><body><h1>500 Internal Server Error</h1></body></html>", 500)
    if name == "token-slow":
        provider.fire()
        # Hold the answer until the test resets the provider (or slow_seconds pass):
        # a wait on an event, not a fixed sleep.
        await asyncio.get_running_loop().run_in_executor(
            None, provider.release.wait, provider.slow_seconds
        )
    response = await honest.token(request)
    if response.status_code != 200 or name is None or not name.startswith("token-"):
        return response
    body = bytes(response.body)
    if name == "token-non-json":
        provider.fire()
        return Response(b"access_token=abc&token_type=Bearer", 200, media_type="application/json")
    if name == "token-truncated":
        provider.fire()
        return Response(body[: len(body) // 2], 200, media_type="application/json")
    if name == "token-html-error":
        provider.fire()
        return HTMLResponse("<!doctype html><title>Bad Request</title><p>Oops</p>", 400)
    if name == "token-huge-body":
        provider.fire()
        data = json.loads(body)
        data["padding"] = "p" * HUGE_BODY_CHARS
        return JSONResponse(data)
    return response


async def userinfo(request: Request) -> Response:
    provider = _provider(request)
    response = await honest.userinfo(request)
    if response.status_code == 200 and provider.is_("userinfo-wrong-sub"):
        provider.fire()
        data = json.loads(bytes(response.body))
        data["sub"] = "mallory"
        return JSONResponse(data, headers={"Cache-Control": "no-store"})
    return response


async def misbehave(request: Request) -> Response:
    """Test-only admin endpoint: ``{"name": <misbehaviour or null>}``."""
    provider = _provider(request)
    try:
        data = await request.json()
        provider.misbehave(data.get("name") if isinstance(data, dict) else None)
    except ValueError as exc:
        return JSONResponse({"error": "invalid_request", "error_description": str(exc)}, 400)
    return JSONResponse({"misbehaviour": provider.misbehaviour})


def create_hostile_app(provider: HostileProvider) -> Starlette:
    """The development provider's app with the hostile views routed first."""
    app = create_app(provider)
    hostile = [
        Route(PATHS["authorization_endpoint"], authorize, methods=["GET", "POST"]),
        Route(PATHS["token_endpoint"], token, methods=["POST"]),
        Route(PATHS["userinfo_endpoint"], userinfo, methods=["GET", "POST"]),
        Route(ADMIN_MISBEHAVE_PATH, misbehave, methods=["POST"]),
    ]
    # Discovery needs no wrapper: its view calls Provider.metadata, overridden above.
    app.router.routes[0:0] = hostile
    return app


class RunningHostileProvider(BackgroundServer):
    """A ``HostileProvider`` on a free loopback port (in-process, a daemon thread)."""

    def __init__(self, **provider_kwargs: Any) -> None:
        port = free_port()
        self.provider = HostileProvider(f"http://127.0.0.1:{port}", **provider_kwargs)
        super().__init__(create_hostile_app(self.provider), port=port)

    def stop(self) -> None:
        self.provider.reset()  # lets a held-back slow answer finish first
        super().stop()
