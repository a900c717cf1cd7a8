"""The demo's claims and errors as a person reads them (demo_app/claims.py, under CPython)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from brython_oidc.core.errors import (
    ConfigurationError,
    ErrorResponse,
    TransportError,
    ValidationError,
    error_response_from,
)

PATH = Path(__file__).resolve().parents[2] / "demo_app" / "claims.py"


@pytest.fixture
def claims(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo_claims", PATH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # The page formats with the browser's locale; here a fixed, visible stand-in.
    monkeypatch.setattr(module, "format_time", lambda seconds: f"<time {seconds}>")
    monkeypatch.setitem(sys.modules, "demo_claims", module)
    return module


def test_values_read_as_a_person_reads_them(claims: ModuleType) -> None:
    assert claims.describe("email_verified", True) == ("Email verified", "Yes")
    assert claims.describe("email_verified", False) == ("Email verified", "No")
    assert claims.describe("exp", 1700000000) == ("Expires at", "<time 1700000000>")
    assert claims.describe("amr", ["pwd", "otp"]) == ("Sign-in methods", "pwd, otp")
    assert claims.describe("aud", []) == ("Audience", "(none)")
    assert claims.describe("address", {"locality": "Lyon", "country": "FR"}) == (
        "address",
        "country: FR; locality: Lyon",
    )
    assert claims.describe("custom", None) == ("custom", "—")
    assert claims.describe("name", "<b>Ann</b>") == ("Name", "<b>Ann</b>")  # text as is


def test_known_claims_first_then_the_rest_sorted_and_noise_hidden(claims: ModuleType) -> None:
    token = {"zeta": 1, "sub": "u1", "nonce": "n", "at_hash": "h", "name": "Ann", "alpha": 2}
    assert claims.ordered(token) == ["name", "sub", "alpha", "zeta"]


def test_display_name_falls_back_to_username_then_sub(claims: ModuleType) -> None:
    assert claims.display_name({"sub": "u1", "preferred_username": "ann"}) == "ann"
    assert claims.display_name({"sub": "u1", "name": ""}) == "u1"
    assert claims.display_name({}) == ""


def test_errors_become_sentences_by_type_and_provider_code(claims: ModuleType) -> None:
    invalid_grant = error_response_from({"error": "invalid_grant"})
    assert claims.error_sentence(invalid_grant).startswith("Your session has ended.")
    unknown = error_response_from({"error": "x_custom"})
    assert isinstance(unknown, ErrorResponse)
    assert claims.error_sentence(unknown) == "The sign-in service refused the request."
    check = ValidationError("nonce", "mismatch", expected="a", actual="b")
    assert "security check" in claims.error_sentence(check)
    down = TransportError("token_endpoint", "connection refused")
    assert "cannot be reached" in claims.error_sentence(down)
    assert "settings" in claims.error_sentence(ConfigurationError("issuer", "must be https"))
    assert claims.error_sentence(RuntimeError()) == "Something went wrong with signing in."
