"""Fixtures for the node oidc-provider interop tests.

``node_provider`` is one ``node provider.mjs`` for the whole session (about half a
second to start). ``OidcHttpFlow`` drives it like a browser would, with httpx: the
authorization request, its login page (DOM contract: username / password / submit),
auto-consent and the redirect back, then the token endpoint.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import httpx
import pytest

from brython_oidc.testing.node_provider import NodeProvider, start_or_skip

REDIRECT_URI = "http://localhost:8000/"
CLIENT_ORIGIN = "http://localhost:8000"
#: Lifetimes the session provider runs with; tests check the provider honours them.
TTL = {"access_token": 120, "id_token": 90, "refresh_token": 600, "session": 600}


@pytest.fixture(scope="session")
def node_provider() -> Iterator[NodeProvider]:
    provider = start_or_skip(NodeProvider(redirect_uris=[REDIRECT_URI], ttl=TTL))
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture(scope="session")
def discovery(node_provider: NodeProvider) -> dict[str, Any]:
    response = httpx.get(node_provider.discovery_url, timeout=10)
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    return document


@pytest.fixture
def flow(node_provider: NodeProvider, discovery: dict[str, Any]) -> Iterator[OidcHttpFlow]:
    """A fresh user agent (own cookie jar) against the session provider."""
    with OidcHttpFlow(node_provider, discovery) as agent:
        yield agent


# --- an httpx "browser" -------------------------------------------------------------------


class FormParser(HTMLParser):
    """Collects each <form>'s action, method and named inputs (enough for these pages)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {
                    "id": attr.get("id", ""),
                    "action": attr.get("action", ""),
                    "method": attr.get("method", "get").lower(),
                    "inputs": {},
                    "submits": [],
                }
            )
        elif tag == "input" and self.forms and "name" in attr:
            self.forms[-1]["inputs"][attr["name"]] = attr
        elif tag == "button" and attr.get("type") == "submit":
            # Buttons may sit outside their form (form="id"): keep them on the page's last.
            target = attr.get("form")
            form = next((f for f in self.forms if f["id"] == target), None) if target else None
            if form is None and self.forms:
                form = self.forms[-1]
            if form is not None:
                form["submits"].append(attr)


def parse_forms(html: str) -> list[dict[str, Any]]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def s256(code_verifier: str) -> str:
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class LoginFormMissing(AssertionError):
    pass


class OidcHttpFlow:
    """One user agent: a cookie jar plus the steps of Authorization Code + PKCE."""

    def __init__(self, provider: NodeProvider, discovery: dict[str, Any]) -> None:
        self.provider = provider
        self.discovery = discovery
        self.redirect_uri = provider.redirect_uris[0]
        self.http = httpx.Client(follow_redirects=False, timeout=10)
        self.pages: list[str] = []  # URLs visited on the provider, for failure messages

    def __enter__(self) -> OidcHttpFlow:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def new_transaction(self) -> dict[str, str]:
        code_verifier = secrets.token_urlsafe(48)
        return {
            "state": secrets.token_urlsafe(16),
            "nonce": secrets.token_urlsafe(16),
            "code_verifier": code_verifier,
            "code_challenge": s256(code_verifier),
        }

    def authorization_url(self, transaction: dict[str, str], **extra: str) -> str:
        params = {
            "client_id": self.provider.client_id,
            "redirect_uri": self.redirect_uri,
            "response_type": "code",
            "scope": "openid profile email",
            "state": transaction["state"],
            "nonce": transaction["nonce"],
            "code_challenge": transaction["code_challenge"],
            "code_challenge_method": "S256",
        }
        params.update(extra)
        return f"{self.discovery['authorization_endpoint']}?{urlencode(params)}"

    def authorize(
        self,
        transaction: dict[str, str],
        *,
        username: str | None = None,
        password: str | None = None,
        **extra: str,
    ) -> dict[str, str]:
        """Run the front channel; return the callback's query parameters.

        Submits the login form once when the provider shows it and credentials were
        given; raises LoginFormMissing when it shows one otherwise (or shows it again).
        """
        url = self.authorization_url(transaction, **extra)
        submitted = False
        for _hop in range(20):
            if url.startswith(self.redirect_uri):
                return dict(parse_qsl(urlsplit(url).query))
            self.pages.append(url)
            response = self.http.get(url)
            if response.is_redirect:
                url = urljoin(url, response.headers["location"])
                continue
            forms = [f for f in parse_forms(response.text) if "username" in f["inputs"]]
            if response.status_code != 200 or not forms:
                raise AssertionError(f"unexpected page {response.status_code} at {url}")
            if username is None or submitted:
                raise LoginFormMissing(f"login form shown at {url}; body: {response.text[:300]}")
            form = forms[0]
            assert form["method"] == "post"
            assert form["inputs"]["password"].get("type") == "password"
            assert form["submits"], "login form has no type=submit button"
            submitted = True
            response = self.http.post(
                urljoin(url, form["action"]),
                data={"username": username, "password": password or ""},
            )
            if not response.is_redirect:
                raise LoginFormMissing(f"login refused at {url}: {response.text[:300]}")
            url = urljoin(url, response.headers["location"])
        raise AssertionError(f"too many redirects: {self.pages}")

    def login(
        self, username: str = "alice", password: str = "alice", **extra: str
    ) -> dict[str, Any]:
        """A whole login; returns the token response (and the transaction under '_tx')."""
        transaction = self.new_transaction()
        callback = self.authorize(transaction, username=username, password=password, **extra)
        assert callback.get("state") == transaction["state"], callback
        assert "code" in callback, callback
        tokens = self.exchange_code(callback["code"], transaction["code_verifier"]).json()
        tokens["_tx"] = transaction
        tokens["_callback"] = callback
        return tokens

    def token_request(self, data: dict[str, str], origin: str = CLIENT_ORIGIN) -> httpx.Response:
        form = {"client_id": self.provider.client_id, **data}
        return self.http.post(
            self.discovery["token_endpoint"], data=form, headers={"Origin": origin}
        )

    def exchange_code(self, code: str, code_verifier: str) -> httpx.Response:
        return self.token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
                "code_verifier": code_verifier,
            }
        )

    def refresh(self, refresh_token: str) -> httpx.Response:
        return self.token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})
