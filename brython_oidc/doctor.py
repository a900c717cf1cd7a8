"""``brython-oidc doctor ISSUER [--client-id ID] [--app URL]``: will sign-in work here?

Asks a real OpenID Provider, over HTTP, for what this client needs and prints one line
per check (``PASS`` / ``WARN`` / ``FAIL`` / ``SKIP``) with the fix. Exit status 0 when
sign-in can work (no ``FAIL``), 1 when it cannot; 2 for a usage error.

What can be checked without a user or a secret, and what cannot:

- The discovery document, exactly as the page checks it (``core.discovery``), its
  ``issuer`` (OIDC Discovery §4.3), S256 (RFC 7636), signing algorithms and the JWK
  Set (``core.jose``'s policy), and the optional features the client adapts to.
- CORS as the browser sees it: each request carries the app's ``Origin`` and the
  headers the page sends, and preflights go out where the page's request needs one
  (userinfo: ``Authorization``; token: only with DPoP). A provider may answer an
  unknown client without CORS headers, so the token endpoint is judged only with
  ``--client-id``.
- With ``--client-id``: an authorization request with ``prompt=none`` (no cookies, so
  no user is signed in): a registered client and redirect URI get ``login_required``
  back at the app (OIDC Core §3.1.2.6); an unknown one gets an error page, because a
  provider must not redirect to an unverified URI (RFC 6749 §4.1.2.1). The same for
  ``post_logout_redirect_uri`` at ``end_session_endpoint``.
- Not checkable: whether a public client really gets refresh tokens, which algorithm
  it signs this client's ID tokens with, and whether the browser keeps the
  provider's cookies — those show only after a sign-in.

Output is plain text; values the provider sent are clipped and shown escaped.
No token is ever requested, so none can be printed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import re
import secrets
import sys
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from brython_oidc.commands import UsageError
from brython_oidc.core.discovery import (
    ProviderMetadata,
    discovery_url,
    process_discovery_response,
)
from brython_oidc.core.errors import ValidationError
from brython_oidc.core.jose import ALLOWED_ALGS, check_alg, jwk_public_fields, select_jwk
from brython_oidc.core.urls import (
    add_params,
    is_loopback_url,
    parse_params,
    split_url,
    url_host,
    url_origin,
)

Status = Literal["PASS", "WARN", "FAIL", "SKIP"]

DEFAULT_APP = "http://localhost:8000"
DEFAULT_TIMEOUT = 5.0
#: Sent where a request needs a client_id and none was given (never a real client).
PROBE_CLIENT_ID = "brython-oidc-doctor-probe"
#: Sent as the bearer credential on the userinfo CORS probe: not a token.
PROBE_BEARER = "doctor-probe-not-a-token"
#: Answers to a prompt=none request that prove the client and redirect URI were
#: accepted: the provider came back to the app (OIDC Core §3.1.2.6).
_PROMPT_NONE_ERRORS = (
    "login_required",
    "interaction_required",
    "consent_required",
    "account_selection_required",
)
# JWK members that only a private key has (RFC 7518 §6.2.2, §6.3.2).
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


@dataclass(frozen=True)
class Check:
    """One line of the report."""

    status: Status
    name: str
    message: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.status}  {self.name}: {self.message}"
        return text + (f" -> fix: {self.fix}" if self.fix else "")


def shown(value: object, limit: int = 120) -> str:
    """A provider-sent value for the terminal: repr-escaped (no control characters,
    so no escape sequences reach the terminal) and clipped."""
    text = value if isinstance(value, str) else repr(value)
    text = text.encode("unicode_escape").decode("ascii")
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f'"{text}"' if isinstance(value, str) else text


def page_text(page: str, limit: int = 160) -> str:
    """The readable text of an error page, tags dropped, for one report line."""
    body = re.sub(r"(?is)<(script|style|title)\b.*?</\1>", " ", page)
    body = html.unescape(re.sub(r"<[^>]*>", " ", body))
    return shown(" ".join(body.split()), limit)


def site_of(url: str) -> tuple[str, str]:
    """(scheme, site host) of ``url``, as browsers group cookies (schemeful same-site).

    Approximation stated in the docs: the registrable domain is taken as the last two
    labels of a host name (no Public Suffix List), an IP address or ``localhost`` is its
    own site.
    """
    host = url_host(url)
    labels = host.split(".")
    is_ip = host.startswith("[") or host.replace(".", "").isdigit()
    if is_ip or len(labels) <= 2:
        return split_url(url)[0], host
    return split_url(url)[0], ".".join(labels[-2:])


def _cors_problem(response: httpx.Response, origin: str) -> str | None:
    """Why a browser at ``origin`` may not read ``response``, or None (Fetch standard,
    "CORS check"; credentials are omitted, so ``*`` is enough)."""
    allowed = response.headers.get("access-control-allow-origin")
    if allowed is None:
        return f"no Access-Control-Allow-Origin for {origin} (HTTP {response.status_code})"
    if allowed not in ("*", origin):
        return f"Access-Control-Allow-Origin is {shown(allowed)}, not {origin}"
    return None


def _preflight_problem(
    response: httpx.Response, origin: str, method: str, headers: tuple[str, ...]
) -> str | None:
    """Why a CORS preflight fails (Fetch standard, "CORS-preflight fetch"), or None."""
    if not 200 <= response.status_code < 300:
        return f"the preflight (OPTIONS) got HTTP {response.status_code}"
    problem = _cors_problem(response, origin)
    if problem is not None:
        return "preflight: " + problem
    methods = _header_list(response, "access-control-allow-methods")
    # GET, HEAD and POST are CORS-safelisted methods: they need not be listed.
    if method not in ("GET", "HEAD", "POST") and method not in methods and "*" not in methods:
        return f"the preflight does not allow method {method}"
    allowed = _header_list(response, "access-control-allow-headers")
    for name in headers:
        # Fetch standard, "CORS non-wildcard request-header name": "*" does not cover
        # Authorization, which must be named.
        if name not in allowed and ("*" not in allowed or name == "authorization"):
            return f"the preflight does not allow the {name} header"
    return None


def _header_list(response: httpx.Response, name: str) -> list[str]:
    return [item.strip().lower() for item in response.headers.get(name, "").split(",")]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _s256_challenge() -> str:
    # A real S256 code_challenge of a verifier nobody keeps: the probe never gets a code.
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class Doctor:
    """Runs the checks against one provider for one app origin (and client)."""

    def __init__(
        self,
        issuer: str,
        *,
        app: str = DEFAULT_APP,
        client_id: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.issuer = issuer
        self.origin = url_origin(app)
        # DESIGN.md: the redirect URI is the app's own URL (its root when given bare).
        self.redirect_uri = app if split_url(app)[2] else app + "/"
        self.client_id = client_id
        self.http = httpx.Client(timeout=timeout, follow_redirects=False)
        self.checks: list[Check] = []
        self.document: dict[str, object] = {}
        self.metadata: ProviderMetadata | None = None
        self.usable_algs: list[str] = []
        #: The prompt=none probe's answer at the app, when it came back there.
        self.probe_answer: dict[str, str] | None = None

    def close(self) -> None:
        self.http.close()

    def add(self, status: Status, name: str, message: str, fix: str = "") -> None:
        self.checks.append(Check(status, name, message, fix))

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response | str:
        """The response, or why there was none (one phrase)."""
        try:
            return self.http.request(method, url, **kwargs)
        except httpx.TimeoutException:
            return f"no answer within {self.http.timeout.read:g} s"
        except httpx.TransportError as exc:
            return f"cannot connect ({type(exc).__name__})"

    # --- the whole run ---------------------------------------------------------------

    def run(self) -> list[Check]:
        self.secure_context()
        if not self.discovery():
            return self.checks
        self.issuer_match()
        self.provider_metadata()
        self.scopes()
        self.refresh_tokens()
        self.signing_algorithms()
        if self.metadata is not None:
            self.jwks()
            self.token_cors()
            self.userinfo_cors()
            self.revocation_cors()
            self.client_registration()
            self.logout()
        else:
            for name in (
                "jwks",
                "token CORS",
                "userinfo CORS",
                "revocation CORS",
                "client",
                "logout",
            ):
                self.add("SKIP", name, "needs a valid discovery document")
        self.prompt_none()
        self.iss_parameter()
        self.sites()
        return self.checks

    # --- discovery (OIDC Discovery §4) -----------------------------------------------

    def discovery(self) -> bool:
        url = discovery_url(self.issuer)
        response = self.request("GET", url, headers={"Origin": self.origin})
        if isinstance(response, str):
            self.add(
                "FAIL",
                "discovery",
                f"{url}: {response}",
                "is the provider running, and is the issuer URL right?",
            )
            return False
        if response.status_code != 200:
            location = response.headers.get("location")
            moved = f" (a redirect to {shown(location)})" if location else ""
            self.add(
                "FAIL",
                "discovery",
                f"{url} answered HTTP {response.status_code}{moved}",
                "use the provider's issuer URL exactly (discovery is at "
                "ISSUER/.well-known/openid-configuration)",
            )
            return False
        try:
            document = response.json()
        except ValueError:
            document = None
        if not isinstance(document, dict):
            self.add("FAIL", "discovery", f"{url} did not answer a JSON object")
            return False
        self.document = document
        self.add("PASS", "discovery", f"{url} answered")
        self.cors_line("discovery CORS", response)
        return True

    def secure_context(self) -> None:
        # Web Cryptography API: crypto.subtle is [SecureContext]; W3C Secure Contexts: an
        # http origin is "potentially trustworthy" only on this machine. The client needs
        # it for the S256 code_challenge and the ID token's signature.
        if split_url(self.origin)[0] == "https" or is_loopback_url(self.origin):
            self.add("PASS", "app origin", f"{self.origin} is a secure context (crypto.subtle)")
            return
        self.add(
            "FAIL",
            "app origin",
            f"{self.origin} is plain http on another machine: the browser gives the page "
            "no crypto.subtle (PKCE S256, ID token signature)",
            "serve the app over https (plain http only on localhost or 127.0.0.1)",
        )

    def cors_line(self, name: str, response: httpx.Response | str) -> None:
        """A GET the page makes before it can sign in: CORS refused means it cannot."""
        problem = self._read_problem(response)
        if problem is None:
            self.add("PASS", name, f"the browser at {self.origin} may read the answer")
        else:
            self.add("FAIL", name, problem, self._cors_fix())

    def issuer_match(self) -> None:
        # The client's own rule (core.discovery, OIDC Discovery §4.3: identical, no
        # normalisation) decides; this line only explains its answer.
        actual = self.document.get("issuer")
        try:
            process_discovery_response(self.document, issuer=self.issuer)
        except ValidationError as exc:
            if exc.check == "iss":
                self._issuer_differs(actual)
                return
        self.add("PASS", "issuer", f"the document names {shown(actual)}, as configured")

    def _issuer_differs(self, actual: object) -> None:
        if isinstance(actual, str) and actual.rstrip("/") == self.issuer.rstrip("/"):
            self.add(
                "FAIL",
                "issuer",
                f"trailing slash: configured {shown(self.issuer)}, the provider says "
                f"{shown(actual)} (OIDC Discovery §4.3: must be identical)",
                f"set issuer to {shown(actual)} exactly",
            )
            return
        self.add(
            "FAIL",
            "issuer",
            f"configured {shown(self.issuer)}, the provider says {shown(actual)} "
            "(OIDC Discovery §4.3: must be identical)",
            f"set issuer to {shown(actual)} if that is this provider; else fix the "
            "provider's own issuer setting (its public URL behind a proxy)",
        )

    def provider_metadata(self) -> None:
        """The metadata and PKCE S256 lines, both from the client's own checks
        (core.discovery), run on the document's own issuer: a mismatch has its line."""
        issuer = self.document.get("issuer")
        issuer = issuer if isinstance(issuer, str) else self.issuer
        no_s256: ValidationError | None = None
        try:
            self.metadata = process_discovery_response(self.document, issuer=issuer)
        except ValidationError as exc:
            if exc.check != "code_challenge_methods_supported":
                self._metadata_fails(exc)
                self.add("SKIP", "PKCE S256", "needs a valid discovery document")
                return
            no_s256 = exc
            # Core checks PKCE late: the rest of the document is checked without it.
            rest = dict(self.document)
            del rest["code_challenge_methods_supported"]
            try:
                self.metadata = process_discovery_response(rest, issuer=issuer)
            except ValidationError as other:
                self._metadata_fails(other)
        if self.metadata is not None:
            self.add(
                "PASS", "metadata", "required endpoints and fields present (OIDC Discovery §3)"
            )
        if no_s256 is not None:
            self.add(
                "FAIL",
                "PKCE S256",
                f"code_challenge_methods_supported is {shown(no_s256.actual)}: no S256, the "
                "only method this client sends (RFC 7636 §4.2)",
                "enable PKCE with S256 for the client at the provider",
            )
        elif self.document.get("code_challenge_methods_supported") is None:
            # RFC 8414 §2: absent means unknown; core assumes S256 (and says so).
            self.add(
                "WARN",
                "PKCE S256",
                "code_challenge_methods_supported not advertised; the client sends S256 "
                "anyway (RFC 7636 §4.3)",
                "enable PKCE for public clients at the provider if it has a setting",
            )
        else:
            self.add("PASS", "PKCE S256", "listed in code_challenge_methods_supported")

    def _metadata_fails(self, exc: ValidationError) -> None:
        self.add(
            "FAIL",
            "metadata",
            f"{exc.message} (got {shown(exc.actual)})",
            "the provider's discovery document must follow OIDC Discovery §3",
        )

    def scopes(self) -> None:
        scopes = self.document.get("scopes_supported")
        if scopes is None:
            self.add(
                "WARN",
                "scopes",
                "scopes_supported not advertised: whether offline_access is allowed shows "
                "only at sign-in (invalid_scope if not)",
                "if sign-in fails with invalid_scope, remove offline_access from scope",
            )
        elif not isinstance(scopes, list) or "openid" not in scopes:
            self.add(
                "FAIL",
                "scopes",
                f"scopes_supported {shown(scopes)} lacks openid (OIDC Core §3.1.2.1)",
                "this is not an OpenID Provider, or its discovery document is wrong",
            )
        elif "offline_access" in scopes:
            self.add("PASS", "scopes", "openid and offline_access offered")
        else:
            self.add(
                "WARN",
                "scopes",
                "no offline_access in scopes_supported: asking for it gets invalid_scope",
                "leave offline_access out of scope in brython-oidc.toml",
            )

    def refresh_tokens(self) -> None:
        grants = self.document.get("grant_types_supported")
        if isinstance(grants, list) and "refresh_token" in grants:
            self.add(
                "PASS",
                "refresh tokens",
                "refresh_token grant offered (whether this public client gets one shows "
                "only after a sign-in)",
            )
        else:
            self.add(
                "WARN",
                "refresh tokens",
                "refresh_token not in grant_types_supported: renewal uses a silent "
                "prompt=none request, which needs the provider's cookies (see sites)",
                "allow the refresh_token grant for public clients at the provider",
            )

    def signing_algorithms(self) -> None:
        algs = self.document.get("id_token_signing_alg_values_supported")
        values = algs if isinstance(algs, list) else []
        refused: list[str] = []
        for alg in values:
            try:
                check_alg(alg)  # the client's own policy (OIDC Core §3.1.3.7 steps 7-8)
            except ValidationError:
                refused.append(str(alg))
            else:
                self.usable_algs.append(alg)
        if not self.usable_algs:
            self.add(
                "FAIL",
                "signing algorithms",
                f"id_token_signing_alg_values_supported is {shown(algs)}: none of "
                f"{', '.join(ALLOWED_ALGS)}",
                "have the provider sign this client's ID tokens with RS256, PS256 or ES256",
            )
            return
        note = f" (refused by this client: {', '.join(refused)})" if refused else ""
        self.add(
            "PASS",
            "signing algorithms",
            f"{', '.join(self.usable_algs)} usable{note}",
            "register the client with one of the usable ones" if refused else "",
        )

    # --- JWK Set (RFC 7517) ----------------------------------------------------------

    def jwks(self) -> None:
        assert self.metadata is not None
        url = self.metadata.jwks_uri
        response = self.request("GET", url, headers={"Origin": self.origin})
        self.cors_line("jwks CORS", response)
        if isinstance(response, str):
            return
        if not self.usable_algs:
            self.add("SKIP", "jwks", "no usable signing algorithm to look for keys of")
            return
        try:
            jwks = response.json() if response.status_code == 200 else None
        except ValueError:
            jwks = None
        keys = jwks.get("keys") if isinstance(jwks, dict) else None
        if not isinstance(keys, list):
            self.add(
                "FAIL",
                "jwks",
                f"{url} (HTTP {response.status_code}) is not a JWK Set (RFC 7517 §5)",
            )
            return
        for key in keys:
            if isinstance(key, dict) and any(member in key for member in _PRIVATE_MEMBERS):
                self.add(
                    "FAIL",
                    "jwks",
                    f"key {shown(key.get('kid'))} publishes private or secret key material",
                    "publish public keys only: anyone can sign tokens with these",
                )
                return
        usable: list[str] = []
        for key in keys:
            for alg in self.usable_algs:
                try:
                    # The key choice the page makes (core.jose), one key at a time.
                    jwk_public_fields(select_jwk({"keys": [key]}, {"alg": alg}))
                except ValidationError:
                    continue
                usable.append(f"{alg} {shown(key.get('kid'))}")
        if usable:
            self.add("PASS", "jwks", f"{_count(len(keys), 'key')}; usable: {', '.join(usable)}")
        else:
            self.add(
                "FAIL",
                "jwks",
                f"{_count(len(keys), 'key')}, none usable for {', '.join(self.usable_algs)}",
                "the provider must publish its signing key(s) at jwks_uri",
            )

    # --- CORS on the endpoints the page calls with fetch (Fetch standard §3.2) -------

    def token_cors(self) -> None:
        assert self.metadata is not None
        url = self.metadata.token_endpoint
        dpop = self.document.get("dpop_signing_alg_values_supported")
        if dpop:
            # RFC 9449: a DPoP header makes the token request non-simple: a preflight.
            preflight = self.request(
                "OPTIONS", url, headers=self._preflight_headers("POST", "dpop")
            )
            problem = (
                preflight
                if isinstance(preflight, str)
                else _preflight_problem(preflight, self.origin, "POST", ("dpop",))
            )
            if problem is not None:
                self.add("FAIL", "token CORS", f"{problem} (DPoP is advertised)", self._cors_fix())
                return
        # A form POST with Accept is a CORS "simple" request: no preflight, but the
        # answer needs Access-Control-Allow-Origin. The code is made up: the answer is
        # an error (invalid_grant), and only its headers matter.
        data = {
            "grant_type": "authorization_code",
            "code": "doctor-probe",
            "redirect_uri": self.redirect_uri,
            "client_id": self.client_id or PROBE_CLIENT_ID,
            "code_verifier": secrets.token_urlsafe(48),
        }
        response = self.request(
            "POST", url, data=data, headers={"Origin": self.origin, "Accept": "application/json"}
        )
        if isinstance(response, str):
            self.add("FAIL", "token CORS", f"{url}: {response}")
            return
        problem = _cors_problem(response, self.origin)
        if problem is None:
            self.add("PASS", "token CORS", f"the browser at {self.origin} may read the answer")
        elif self.client_id is None:
            # Providers with per-client CORS (node oidc-provider) say nothing to an
            # unknown client: not evidence either way.
            self.add(
                "WARN",
                "token CORS",
                f"{problem} for an unknown client",
                "run again with --client-id to check with your client",
            )
        else:
            self.add("FAIL", "token CORS", problem, self._cors_fix())

    def userinfo_cors(self) -> None:
        assert self.metadata is not None
        url = self.metadata.userinfo_endpoint
        if not url:
            self.add("PASS", "userinfo CORS", "no userinfo_endpoint: claims come from the ID token")
            return
        fix = self._cors_fix() + ", or set load_userinfo = false"
        # Authorization is no CORS-safelisted request-header (Fetch standard): the browser
        # preflights.
        preflight = self.request(
            "OPTIONS", url, headers=self._preflight_headers("GET", "authorization")
        )
        problem = (
            preflight
            if isinstance(preflight, str)
            else _preflight_problem(preflight, self.origin, "GET", ("authorization",))
        )
        if problem is None:
            response = self.request(
                "GET",
                url,
                headers={"Origin": self.origin, "Authorization": f"Bearer {PROBE_BEARER}"},
            )
            problem = (
                response if isinstance(response, str) else _cors_problem(response, self.origin)
            )
        if problem is None:
            self.add("PASS", "userinfo CORS", f"the browser at {self.origin} may read the answer")
        else:
            # The sign-in stands on the ID token; only the userinfo claims are lost.
            self.add("WARN", "userinfo CORS", f"{problem}: user claims from userinfo lost", fix)

    def revocation_cors(self) -> None:
        assert self.metadata is not None
        url = self.metadata.revocation_endpoint
        if not url:
            self.add(
                "WARN",
                "revocation CORS",
                "no revocation_endpoint: sign-out cannot revoke the refresh token (RFC 7009)",
            )
            return
        response = self.request(
            "POST",
            url,
            data={
                "token": "doctor-probe",
                "token_type_hint": "refresh_token",
                "client_id": self.client_id or PROBE_CLIENT_ID,
            },
            headers={"Origin": self.origin, "Accept": "application/json"},
        )
        problem = self._read_problem(response)
        if problem is None:
            self.add("PASS", "revocation CORS", f"the browser at {self.origin} may read the answer")
        else:
            self.add(
                "WARN",
                "revocation CORS",
                f"{problem}: sign-out cannot revoke the refresh token"
                + ("" if self.client_id else " (run with --client-id to be sure)"),
                self._cors_fix(),
            )

    def _read_problem(self, response: httpx.Response | str) -> str | None:
        return response if isinstance(response, str) else _cors_problem(response, self.origin)

    def _preflight_headers(self, method: str, header: str) -> dict[str, str]:
        return {
            "Origin": self.origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": header,
        }

    def _cors_fix(self) -> str:
        return (
            f"allow the origin {self.origin} at the provider (often: register "
            f"{self.redirect_uri} as the client's redirect URI or web origin)"
        )

    # --- the client, probed without secrets ------------------------------------------

    def client_registration(self) -> None:
        assert self.metadata is not None
        if self.client_id is None:
            self.add("SKIP", "client", "no --client-id: client and redirect URI not checked")
            return
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": "openid",
            "state": secrets.token_urlsafe(16),
            "nonce": secrets.token_urlsafe(16),
            "code_challenge": _s256_challenge(),
            "code_challenge_method": "S256",
            # No cookies are sent, so nobody is signed in: a provider that accepted the
            # request answers login_required at the redirect URI, without a login page.
            "prompt": "none",
        }
        url = add_params(self.metadata.authorization_endpoint, params)
        fix = (
            f"register client {shown(self.client_id)} (public, no secret) with redirect URI "
            f"{self.redirect_uri} exactly"
        )
        for _hop in range(6):  # a provider may bounce on its own pages first
            response = self.request("GET", url)
            if isinstance(response, str):
                self.add("WARN", "client", f"authorization endpoint: {response}")
                return
            location = response.headers.get("location")
            if response.is_redirect and location:
                url = str(httpx.URL(url).join(location))
                if url.startswith(self.redirect_uri) and url_origin(url) == self.origin:
                    self._probe_answer(url, fix)
                    return
                continue
            break
        else:
            self.add("WARN", "client", "too many redirects on the provider's own pages")
            return
        if 'type="password"' in response.text:
            self.add(
                "PASS",
                "client",
                "client_id and redirect URI accepted (a login page, where prompt=none "
                "should have answered login_required)",
            )
        elif response.status_code < 400:
            # A page built by script, or a page in between: not evidence either way.
            self.add(
                "WARN",
                "client",
                f"the provider showed a page (HTTP {response.status_code}) that is neither "
                f"an answer at the app nor an error status: {page_text(response.text)}",
                f"check by hand that {self.redirect_uri} is registered for the client",
            )
        else:
            self.add(
                "FAIL",
                "client",
                f"the provider refused the authorization request (HTTP "
                f"{response.status_code}): {page_text(response.text)}",
                fix,
            )

    def _probe_answer(self, url: str, fix: str) -> None:
        query, fragment = split_url(url)[3:]
        try:
            answer = parse_params(fragment or query)
        except ValidationError as exc:  # a repeated parameter (RFC 6749 §3.1)
            self.add("FAIL", "client", f"the answer at the app is malformed: {exc.message}")
            return
        self.probe_answer = answer
        error = answer.get("error")
        if error in _PROMPT_NONE_ERRORS or "code" in answer:
            self.add(
                "PASS",
                "client",
                f"client_id and redirect URI {self.redirect_uri} accepted (prompt=none "
                f"answered {shown(error or 'code')} at the app)",
            )
        else:
            description = answer.get("error_description", "")
            self.add(
                "FAIL",
                "client",
                f"the provider answered {shown(error)} {shown(description)} at the app "
                "(RFC 6749 §4.1.2.1)",
                fix if error in ("unauthorized_client", "invalid_client") else "",
            )

    def logout(self) -> None:
        assert self.metadata is not None
        url = self.metadata.end_session_endpoint
        if not url:
            self.add(
                "WARN",
                "logout",
                "no end_session_endpoint: sign-out clears the app only; the provider "
                "session stays, so the next sign-in is silent",
                "enable RP-initiated logout at the provider if users share devices",
            )
            return
        if self.client_id is None:
            self.add(
                "PASS",
                "logout",
                "end_session_endpoint present (post_logout_redirect_uri: needs --client-id)",
            )
            return
        # RP-Initiated Logout §3: post_logout_redirect_uri with client_id, no
        # id_token_hint. Without the provider's cookies no session ends.
        probe = add_params(
            url, {"client_id": self.client_id, "post_logout_redirect_uri": self.redirect_uri}
        )
        response = self.request("GET", probe)
        if isinstance(response, str):
            self.add("WARN", "logout", f"end_session_endpoint: {response}")
        elif response.is_redirect or response.status_code == 200:
            how = "redirects back" if response.is_redirect else "asks the user to confirm"
            self.add(
                "PASS",
                "logout",
                f"post_logout_redirect_uri {self.redirect_uri} accepted (the provider {how})",
            )
        else:
            self.add(
                "WARN",
                "logout",
                f"post_logout_redirect_uri {self.redirect_uri} refused "
                f"(HTTP {response.status_code}): {page_text(response.text)}",
                f"register {self.redirect_uri} as a post_logout_redirect_uri of the client",
            )

    # --- features the client adapts to -----------------------------------------------

    def prompt_none(self) -> None:
        answer = self.probe_answer
        if answer is not None and answer.get("error") in _PROMPT_NONE_ERRORS:
            self.add(
                "PASS",
                "prompt=none",
                f"answered {shown(answer['error'])} without a page (OIDC Core §3.1.2.6)",
            )
            return
        values = self.document.get("prompt_values_supported")
        if values is None:
            self.add(
                "WARN" if self.client_id else "PASS",
                "prompt=none",
                "prompt_values_supported not advertised"
                + ("" if self.client_id else " (run with --client-id to try it)"),
            )
        elif isinstance(values, list) and "none" in values:
            self.add("PASS", "prompt=none", "listed in prompt_values_supported")
        else:
            self.add(
                "WARN",
                "prompt=none",
                f"prompt_values_supported is {shown(values)}: no silent session restore "
                "or renewal without refresh tokens",
            )

    def iss_parameter(self) -> None:
        advertised = self.document.get("authorization_response_iss_parameter_supported") is True
        answer = self.probe_answer
        iss = answer.get("iss") if answer is not None else None
        if answer is not None and iss is not None and iss != self.document.get("issuer"):
            self.add(
                "FAIL",
                "iss parameter",
                f"the authorization response's iss {shown(iss)} is not the issuer (RFC 9207 §2.4)",
            )
        elif advertised and answer is not None and iss is None:
            self.add(
                "WARN",
                "iss parameter",
                "advertised but missing from the error response (RFC 9207 §2): the "
                "client refuses such answers, so silent restore fails",
            )
        elif advertised:
            self.add("PASS", "iss parameter", "sent in authorization responses (RFC 9207)")
        else:
            self.add(
                "WARN",
                "iss parameter",
                "authorization_response_iss_parameter_supported is not true: mix-up "
                "attacks (RFC 9207) are not ruled out by the provider",
                "nothing to do in the app; enable it at the provider if it can",
            )

    def sites(self) -> None:
        app_site = site_of(self.origin)
        provider_site = site_of(self.issuer)
        if app_site == provider_site:
            self.add("PASS", "sites", "the app and the provider are the same site")
            return
        self.add(
            "WARN",
            "sites",
            f"the app ({self.origin}) and the provider ({url_origin(self.issuer)}) are "
            "different sites: browsers that block third-party cookies keep the provider's "
            "session from the hidden iframe, so a reload restores the session with a "
            "top-level prompt=none redirect",
            "serve the provider on the app's site (login.example.com for "
            "app.example.com) to restore without a redirect",
        )


def run_checks(
    issuer: str,
    *,
    app: str = DEFAULT_APP,
    client_id: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[Check]:
    doctor = Doctor(issuer, app=app, client_id=client_id, timeout=timeout)
    try:
        return doctor.run()
    finally:
        doctor.close()


def sign_in_can_work(checks: list[Check]) -> bool:
    return all(check.status != "FAIL" for check in checks)


def report(checks: list[Check]) -> str:
    lines = [check.line() for check in checks]
    failed = sum(check.status == "FAIL" for check in checks)
    warned = sum(check.status == "WARN" for check in checks)
    if failed:
        lines.append(f"sign-in cannot work: {failed} failed, {_count(warned, 'warning')}")
    else:
        lines.append(f"sign-in can work ({_count(warned, 'warning')})")
    return "\n".join(lines)


# --- the subcommand (brython_oidc/cli.py DELEGATED) -----------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("issuer", metavar="ISSUER", help="the provider's issuer URL")
    parser.add_argument(
        "--client-id", help="the app's client_id: also checks its registration and redirect URI"
    )
    parser.add_argument(
        "--app",
        default=DEFAULT_APP,
        metavar="URL",
        help=f"the app's URL, its redirect URI and CORS origin ({DEFAULT_APP})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds per request ({DEFAULT_TIMEOUT:g})",
    )


def run(args: argparse.Namespace) -> int:
    for name, value in (("ISSUER", args.issuer), ("--app", args.app)):
        try:
            url_origin(value)
        except ValueError:
            raise UsageError(f"{name} must be an absolute http(s) URL: {value!r}") from None
    client = f", client {args.client_id}" if args.client_id else ""
    print(f"brython-oidc doctor: {args.issuer} for the app at {url_origin(args.app)}{client}")
    checks = run_checks(args.issuer, app=args.app, client_id=args.client_id, timeout=args.timeout)
    print(report(checks))
    sys.stdout.flush()
    return 0 if sign_in_can_work(checks) else 1
