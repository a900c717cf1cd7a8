"""Shared fixtures: a provider with a controllable clock, driven over HTTP by httpx.Client."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from brython_oidc.devidp import Lifetimes, Provider
from brython_oidc.devidp.testing import RunningProvider

REDIRECT_URI = "http://localhost:8000/"
APP_ORIGIN = "http://localhost:8000"


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_provider(clock: Clock, **kwargs: object) -> Callable[[str], Provider]:
    def factory(issuer: str) -> Provider:
        lifetimes = Lifetimes(access_token=120, id_token=120, refresh_token=600, session=900)
        return Provider(
            issuer,
            clock=clock,
            enable_admin=True,
            lifetimes=lifetimes,
            **kwargs,  # type: ignore[arg-type]
        )

    return factory


@pytest.fixture
def running(clock: Clock) -> Iterator[RunningProvider]:
    with RunningProvider(provider_factory=make_provider(clock)) as server:
        yield server


@pytest.fixture
def provider(running: RunningProvider) -> Provider:
    return running.provider


@pytest.fixture
def http(running: RunningProvider) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=running.base_url, follow_redirects=False) as client:
        yield client


def issuer_of(http: httpx.Client) -> str:
    return str(http.base_url).rstrip("/")


class Flow:
    """One authorization request and its PKCE/state/nonce."""

    def __init__(self, **extra: str) -> None:
        self.verifier, self.challenge = pkce_pair()
        self.state = secrets.token_urlsafe(16)
        self.nonce = secrets.token_urlsafe(16)
        self.params = {
            "response_type": "code",
            "client_id": "demo-spa",
            "redirect_uri": REDIRECT_URI,
            "scope": "openid profile",
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": self.challenge,
            "code_challenge_method": "S256",
        }
        self.params.update(extra)


def callback_params(location: str) -> dict[str, str]:
    parts = urlsplit(location)
    assert location.startswith(REDIRECT_URI), location
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


def login(
    http: httpx.Client, flow: Flow, username: str = "alice", password: str | None = None
) -> str:
    """GET the form, POST the credentials; return the code from the redirect."""
    page = http.get("/authorize", params=flow.params)
    assert page.status_code == 200
    assert 'name="username"' in page.text
    answer = http.post(
        "/authorize",
        params=flow.params,
        data={"username": username, "password": password or username},
    )
    assert answer.status_code == 302, answer.text
    params = callback_params(answer.headers["location"])
    assert params["state"] == flow.state
    assert params["iss"] == issuer_of(http)
    return params["code"]


def exchange(http: httpx.Client, flow: Flow, code: str, **override: str) -> dict[str, object]:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": "demo-spa",
        "code_verifier": flow.verifier,
    }
    data.update(override)
    response = http.post("/token", data=data)
    body: dict[str, object] = response.json()
    body["_status"] = response.status_code
    return body
