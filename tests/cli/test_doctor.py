"""`brython-oidc doctor` against real providers: the development provider (in a thread)
and node oidc-provider (a subprocess), healthy and each with a defect on purpose.

Each defect test asserts that the line naming that defect fails, that the lines the
defect does not touch still pass (so a doctor that fails everything cannot pass), and
the exit status.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from brython_oidc import cli, doctor
from brython_oidc.devidp import Client, Provider
from brython_oidc.devidp.cors import ALLOW_HEADERS
from brython_oidc.devidp.keys import KeyRing
from brython_oidc.devidp.testing import RunningProvider
from brython_oidc.testing.live_server import free_port, serve_in_thread
from brython_oidc.testing.node_provider import NodeProvider, start_or_skip

ROOT = Path(__file__).resolve().parents[2]
APP = "http://localhost:8000"
LINE = re.compile(r"^(PASS|WARN|FAIL|SKIP)  ([^:]+): (.*)$")


def run_doctor(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, str], str]:
    """Exit status, {check name: status} and the whole output of `brython-oidc doctor`."""
    code = cli.main(["doctor", *argv])
    out, err = capsys.readouterr()
    statuses: dict[str, str] = {}
    for line in out.splitlines():
        match = LINE.match(line)
        if match:
            assert match[2] not in statuses, f"two lines for {match[2]}:\n{out}"
            statuses[match[2]] = match[1]
    assert err == "", err
    return code, statuses, out


def line_of(out: str, name: str) -> str:
    return next(line for line in out.splitlines() if LINE.match(line) and f"  {name}: " in line)


#: What a healthy provider passes, with --client-id (the sites line warns: the default
#: addresses are different sites on purpose).
HEALTHY = (
    "app origin",
    "discovery",
    "discovery CORS",
    "issuer",
    "metadata",
    "PKCE S256",
    "scopes",
    "refresh tokens",
    "signing algorithms",
    "jwks CORS",
    "jwks",
    "token CORS",
    "userinfo CORS",
    "revocation CORS",
    "client",
    "logout",
    "prompt=none",
    "iss parameter",
)


# --- providers --------------------------------------------------------------------------


def devidp(factory: Callable[[str], Provider] | None = None) -> RunningProvider:
    return RunningProvider(provider_factory=factory)


@pytest.fixture(scope="module")
def healthy_devidp() -> Iterator[str]:
    with devidp() as server:
        yield server.provider.issuer


@pytest.fixture(scope="module")
def healthy_node() -> Iterator[str]:
    provider = start_or_skip(NodeProvider(redirect_uris=[APP + "/"]))
    try:
        yield provider.issuer
    finally:
        provider.stop()


class ChangeableProvider(Provider):
    """The development provider with members of its discovery document replaced
    (``None`` removes one): one running server for every document-level defect."""

    def __init__(self, issuer: str) -> None:
        super().__init__(issuer)
        self.changes: dict[str, object] = {}

    def metadata(self) -> dict[str, object]:
        document = super().metadata()
        for key, value in self.changes.items():
            if value is None:
                document.pop(key, None)
            else:
                document[key] = value
        return document


@pytest.fixture(scope="module")
def changeable_server() -> Iterator[RunningProvider]:
    with devidp(ChangeableProvider) as server:
        yield server


@pytest.fixture
def with_document(
    changeable_server: RunningProvider,
) -> Iterator[Callable[..., str]]:
    """``with_document(member=value, ...)``: the issuer of a provider whose discovery
    document has those members (``None``: removed) for this test."""
    provider = changeable_server.provider
    assert isinstance(provider, ChangeableProvider)

    def change(**changes: object) -> str:
        provider.changes = changes
        return provider.issuer

    yield change
    provider.changes = {}


#: Issue 23 item 3: a compliant provider without offline_access.
NO_OFFLINE_ACCESS = {"scopes_supported": ["openid", "profile", "email"]}
#: DPoP (RFC 9449) advertised while the development provider's CORS allows only
#: Authorization and Content-Type: a token request with a DPoP header fails its preflight.
DPOP_ADVERTISED = {"dpop_signing_alg_values_supported": ["ES256"]}
#: A terminal escape sequence in the issuer: it must not reach the terminal.
ESCAPE_ISSUER = {"issuer": "http://evil\x1b[2J\x1b]0;owned\x07"}


# --- healthy ----------------------------------------------------------------------------


def test_devidp_passes_with_its_client(
    capsys: pytest.CaptureFixture[str], healthy_devidp: str
) -> None:
    code, statuses, out = run_doctor(capsys, healthy_devidp, "--client-id", "demo-spa")
    assert code == 0, out
    assert {name: statuses.get(name) for name in HEALTHY} == dict.fromkeys(HEALTHY, "PASS"), out
    assert statuses["sites"] == "WARN"  # localhost vs 127.0.0.1: different sites
    assert "prompt=none redirect" in line_of(out, "sites")
    assert out.rstrip().endswith("sign-in can work (1 warning)")


def test_node_oidc_provider_passes_with_its_client(
    capsys: pytest.CaptureFixture[str], healthy_node: str
) -> None:
    code, statuses, out = run_doctor(capsys, healthy_node, "--client-id", "demo-spa")
    assert code == 0, out
    assert {name: statuses.get(name) for name in HEALTHY} == dict.fromkeys(HEALTHY, "PASS"), out
    # oidc-provider asks the user to confirm a logout; its login_required came back at the app.
    assert "asks the user to confirm" in line_of(out, "logout")
    assert '"login_required"' in line_of(out, "prompt=none")


def test_without_client_id_the_client_is_skipped_not_guessed(
    capsys: pytest.CaptureFixture[str], healthy_devidp: str
) -> None:
    code, statuses, out = run_doctor(capsys, healthy_devidp)
    assert code == 0, out
    assert statuses["client"] == "SKIP"
    assert "needs --client-id" in line_of(out, "logout")


# --- defects: CORS off ------------------------------------------------------------------


def test_devidp_without_cors_for_the_app_fails(capsys: pytest.CaptureFixture[str]) -> None:
    # The development provider allows exactly its clients' redirect-URI origins; with the
    # client registered for another origin, nothing is allowed for the app.
    clients = [Client("demo-spa", ["https://app.example.test/"])]
    with devidp(lambda issuer: Provider(issuer, clients=clients)) as server:
        code, statuses, out = run_doctor(
            capsys, server.provider.issuer, "--client-id", "demo-spa", "--app", APP
        )
    assert code == 1, out
    for name in ("discovery CORS", "jwks CORS", "token CORS", "client"):
        assert statuses[name] == "FAIL", (name, out)
    assert statuses["userinfo CORS"] == "WARN"  # the sign-in stands on the ID token
    assert statuses["issuer"] == statuses["PKCE S256"] == "PASS"
    # The provider advertises DPoP, so the doctor tries the preflight first: refused (403).
    token_cors = line_of(out, "token CORS")
    assert "preflight (OPTIONS) got HTTP 403" in token_cors
    assert "allow the origin http://localhost:8000" in token_cors
    assert "redirect URI http://localhost:8000/ exactly" in line_of(out, "client")
    assert out.rstrip().endswith("sign-in cannot work: 4 failed, 4 warnings")


def test_node_provider_with_cors_off_fails_on_the_token_endpoint(
    capsys: pytest.CaptureFixture[str],
) -> None:
    provider = start_or_skip(NodeProvider(redirect_uris=[APP + "/"], cors=False))
    try:
        code, statuses, out = run_doctor(capsys, provider.issuer, "--client-id", "demo-spa")
    finally:
        provider.stop()
    assert code == 1, out
    assert statuses["token CORS"] == "FAIL", out
    assert statuses["revocation CORS"] == "WARN", out
    # Stock oidc-provider serves discovery and JWKS to any origin; the client is known.
    for name in ("discovery CORS", "jwks CORS", "client", "issuer", "PKCE S256"):
        assert statuses[name] == "PASS", (name, out)
    assert "allow the origin http://localhost:8000" in line_of(out, "token CORS")


# --- defects: no S256 -------------------------------------------------------------------


def test_devidp_without_s256_fails(
    capsys: pytest.CaptureFixture[str], with_document: Callable[..., str]
) -> None:
    # PKCE plain only (RFC 7636 §4.2), as a misconfigured provider would advertise.
    issuer = with_document(code_challenge_methods_supported=["plain"])
    code, statuses, out = run_doctor(capsys, issuer, "--client-id", "demo-spa")
    assert code == 1, out
    assert statuses["PKCE S256"] == "FAIL"
    assert "is ['plain']: no S256" in line_of(out, "PKCE S256")
    assert "RFC 7636" in line_of(out, "PKCE S256")
    for name in ("issuer", "metadata", "token CORS", "client"):
        assert statuses[name] == "PASS", (name, out)


def test_node_provider_without_s256_fails(capsys: pytest.CaptureFixture[str]) -> None:
    provider = start_or_skip(
        NodeProvider(
            redirect_uris=[APP + "/"],
            discovery_overrides={"code_challenge_methods_supported": ["plain"]},
        )
    )
    try:
        code, statuses, out = run_doctor(capsys, provider.issuer, "--client-id", "demo-spa")
    finally:
        provider.stop()
    assert code == 1, out
    assert statuses["PKCE S256"] == "FAIL"
    for name in ("issuer", "metadata", "token CORS", "client"):
        assert statuses[name] == "PASS", (name, out)


def test_pkce_not_advertised_is_a_warning(
    capsys: pytest.CaptureFixture[str], with_document: Callable[..., str]
) -> None:
    # RFC 8414 §2: absent means unknown, not "no".
    code, statuses, out = run_doctor(capsys, with_document(code_challenge_methods_supported=None))
    assert code == 0, out
    assert statuses["PKCE S256"] == "WARN"
    assert "not advertised" in line_of(out, "PKCE S256")


# --- defects: an issuer that differs ----------------------------------------------------


def test_devidp_with_another_issuer_fails_naming_both(capsys: pytest.CaptureFixture[str]) -> None:
    # `dev-idp --issuer http://localhost:PORT` reached at 127.0.0.1 (issue 23 item 4).
    def factory(issuer: str) -> Provider:
        return Provider(issuer.replace("127.0.0.1", "localhost"))

    with devidp(factory) as server:
        reached = server.base_url.rstrip("/")
        code, statuses, out = run_doctor(capsys, reached, "--client-id", "demo-spa")
    assert code == 1, out
    assert statuses["issuer"] == "FAIL"
    line = line_of(out, "issuer")
    assert f'configured "{reached}"' in line
    assert f'says "{reached.replace("127.0.0.1", "localhost")}"' in line
    assert "OIDC Discovery §4.3" in line
    # The rest is still checked, on the provider's own issuer.
    assert statuses["metadata"] == statuses["PKCE S256"] == statuses["client"] == "PASS", out


def test_node_provider_with_another_issuer_fails(capsys: pytest.CaptureFixture[str]) -> None:
    provider = start_or_skip(NodeProvider(redirect_uris=[APP + "/"], issuer_host="localhost"))
    try:
        assert provider.issuer.startswith("http://localhost:")
        reached = provider.issuer.replace("localhost", "127.0.0.1")
        code, statuses, out = run_doctor(capsys, reached, "--client-id", "demo-spa")
    finally:
        provider.stop()
    assert code == 1, out
    assert statuses["issuer"] == "FAIL"
    assert f'says "{provider.issuer}"' in line_of(out, "issuer")
    assert statuses["PKCE S256"] == "PASS"


def test_trailing_slash_is_named(capsys: pytest.CaptureFixture[str], healthy_devidp: str) -> None:
    code, statuses, out = run_doctor(capsys, healthy_devidp + "/")
    assert code == 1, out
    assert statuses["issuer"] == "FAIL"
    line = line_of(out, "issuer")
    assert line.startswith("FAIL  issuer: trailing slash")
    assert f'set issuer to "{healthy_devidp}" exactly' in line


# --- other cases ------------------------------------------------------------------------


def test_provider_not_running(capsys: pytest.CaptureFixture[str]) -> None:
    issuer = f"http://127.0.0.1:{free_port()}"
    code, statuses, out = run_doctor(capsys, issuer, "--timeout", "2")
    assert code == 1, out
    assert statuses == {"app origin": "PASS", "discovery": "FAIL"}, out
    assert "is the provider running" in line_of(out, "discovery")


def test_provider_that_accepts_and_stalls_times_out(capsys: pytest.CaptureFixture[str]) -> None:
    # A listening socket nobody reads: the connection opens, no answer ever comes.
    with socket.socket() as stalled:
        stalled.bind(("127.0.0.1", 0))
        stalled.listen()
        issuer = f"http://127.0.0.1:{stalled.getsockname()[1]}"
        code, statuses, out = run_doctor(capsys, issuer, "--timeout", "0.5")
    assert code == 1, out
    assert statuses == {"app origin": "PASS", "discovery": "FAIL"}, out
    assert "no answer within 0.5 s" in line_of(out, "discovery")


def test_unknown_client_fails_on_both_providers(
    capsys: pytest.CaptureFixture[str], healthy_devidp: str, healthy_node: str
) -> None:
    for issuer in (healthy_devidp, healthy_node):
        code, statuses, out = run_doctor(capsys, issuer, "--client-id", "no-such-client")
        assert code == 1, out
        assert statuses["client"] == "FAIL", out
        assert "invalid_client" in line_of(out, "client"), out
        assert statuses["logout"] == "WARN", out


def test_app_on_an_unregistered_port_fails_the_client_line(
    capsys: pytest.CaptureFixture[str], healthy_node: str
) -> None:
    code, statuses, out = run_doctor(
        capsys, healthy_node, "--client-id", "demo-spa", "--app", "http://localhost:8123"
    )
    assert code == 1, out
    assert statuses["client"] == "FAIL"
    assert "http://localhost:8123/" in line_of(out, "client")


def test_an_app_on_plain_http_elsewhere_cannot_sign_in(
    capsys: pytest.CaptureFixture[str], healthy_devidp: str
) -> None:
    # No secure context, no crypto.subtle: neither PKCE S256 nor the signature check.
    code, statuses, out = run_doctor(capsys, healthy_devidp, "--app", "http://app.example.test")
    assert code == 1, out
    assert statuses["app origin"] == "FAIL"
    assert "serve the app over https" in line_of(out, "app origin")
    code, statuses, out = run_doctor(capsys, healthy_devidp, "--app", "https://app.example.test")
    assert statuses["app origin"] == "PASS", out


def test_no_offline_access_is_a_warning_with_the_fix(
    capsys: pytest.CaptureFixture[str], with_document: Callable[..., str]
) -> None:
    issuer = with_document(**NO_OFFLINE_ACCESS)
    code, statuses, out = run_doctor(capsys, issuer, "--client-id", "demo-spa")
    assert code == 0, out
    assert statuses["scopes"] == "WARN"
    assert "leave offline_access out of scope" in line_of(out, "scopes")


def test_hmac_only_signing_fails(
    capsys: pytest.CaptureFixture[str], with_document: Callable[..., str]
) -> None:
    issuer = with_document(id_token_signing_alg_values_supported=["HS256", "none"])
    code, statuses, out = run_doctor(capsys, issuer)
    assert code == 1, out
    assert statuses["signing algorithms"] == "FAIL"
    assert "['HS256', 'none']: none of RS256, PS256, ES256" in line_of(out, "signing algorithms")
    assert statuses["jwks"] == "SKIP"


def test_dpop_needs_the_header_in_the_token_endpoint_preflight(
    capsys: pytest.CaptureFixture[str],
    with_document: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The development provider allows the DPoP header (test_devidp_passes_with_its_client
    # runs the doctor against it, DPoP advertised); here its preflight forgets it.
    assert "dpop" in ALLOW_HEADERS.lower()
    monkeypatch.setattr("brython_oidc.devidp.cors.ALLOW_HEADERS", "Authorization, Content-Type")
    issuer = with_document(**DPOP_ADVERTISED)
    code, statuses, out = run_doctor(capsys, issuer, "--client-id", "demo-spa")
    assert code == 1, out
    assert statuses["token CORS"] == "FAIL"
    assert "does not allow the dpop header (DPoP is advertised)" in line_of(out, "token CORS")
    assert statuses["userinfo CORS"] == "PASS"  # its preflight names Authorization


class LeakyKeyRing(KeyRing):
    """Publishes a private member with the public key (a provider bug worth a FAIL)."""

    def public_jwks(self, now: float) -> dict[str, list[dict[str, object]]]:
        jwks = super().public_jwks(now)
        jwks["keys"][0]["d"] = "private-exponent"
        return jwks


@pytest.mark.parametrize(
    ("changes", "name", "status", "needle"),
    [
        ({"scopes_supported": ["profile"]}, "scopes", "FAIL", "lacks openid"),
        ({"scopes_supported": None}, "scopes", "WARN", "not advertised"),
        ({"grant_types_supported": ["authorization_code"]}, "refresh tokens", "WARN", "silent"),
        ({"end_session_endpoint": None}, "logout", "WARN", "no end_session_endpoint"),
        ({"revocation_endpoint": None}, "revocation CORS", "WARN", "no revocation_endpoint"),
        ({"prompt_values_supported": ["login"]}, "prompt=none", "WARN", "['login']"),
        (
            {"authorization_response_iss_parameter_supported": None},
            "iss parameter",
            "WARN",
            "mix-up",
        ),
        ({"token_endpoint": "http://idp.example.test/token"}, "metadata", "FAIL", "https"),
        ({"response_types_supported": ["id_token"]}, "metadata", "FAIL", "code flow"),
    ],
)
def test_discovery_document_variants(
    capsys: pytest.CaptureFixture[str],
    with_document: Callable[..., str],
    changes: dict[str, object],
    name: str,
    status: str,
    needle: str,
) -> None:
    code, statuses, out = run_doctor(capsys, with_document(**changes))
    assert statuses[name] == status, out
    assert needle in line_of(out, name), out
    assert code == (1 if status == "FAIL" else 0), out
    if name == "metadata":
        # Nothing that needs the endpoints is guessed from a document the client refuses.
        for skipped in ("jwks", "token CORS", "client", "PKCE S256"):
            assert statuses[skipped] == "SKIP", (skipped, out)


def test_jwks_with_private_key_material_fails(capsys: pytest.CaptureFixture[str]) -> None:
    with devidp(lambda issuer: Provider(issuer, keys=LeakyKeyRing())) as server:
        code, statuses, out = run_doctor(capsys, server.provider.issuer)
    assert code == 1, out
    assert statuses["jwks"] == "FAIL"
    assert "private or secret key material" in line_of(out, "jwks")
    assert "private-exponent" not in out


def test_discovery_not_found_names_the_url(
    capsys: pytest.CaptureFixture[str], healthy_devidp: str
) -> None:
    code, statuses, out = run_doctor(capsys, healthy_devidp + "/realms/nope")
    assert code == 1, out
    assert statuses == {"app origin": "PASS", "discovery": "FAIL"}, out
    line = line_of(out, "discovery")
    assert (
        f"{healthy_devidp}/realms/nope/.well-known/openid-configuration answered HTTP 404" in line
    )


def test_provider_text_cannot_drive_the_terminal(
    capsys: pytest.CaptureFixture[str], with_document: Callable[..., str]
) -> None:
    code, statuses, out = run_doctor(capsys, with_document(**ESCAPE_ISSUER))
    assert code == 1
    assert statuses["issuer"] == "FAIL"
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[2J" in line_of(out, "issuer")


def test_help_names_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["doctor", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: brython-oidc doctor [-h] [--client-id CLIENT_ID] [--app URL]")
    assert "ISSUER" in out and "exit 1 when it cannot work" in out


def test_usage_errors_are_one_line_and_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["doctor", "not-a-url"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == "brython-oidc: error: ISSUER must be an absolute http(s) URL: 'not-a-url'\n"


def test_the_command_exits_1_when_sign_in_cannot_work(healthy_devidp: str) -> None:
    # The installed entry point's path: `python -m brython_oidc.cli`, a real process.
    result = subprocess.run(
        [sys.executable, "-m", "brython_oidc.cli", "doctor", healthy_devidp + "/"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 1, result
    assert "FAIL  issuer: trailing slash" in result.stdout


# --- the CORS lines agree with Chromium ----------------------------------------------------

PROBE_JS = (Path(__file__).parent / "doctor_cors_probe.js").read_text(encoding="utf-8")
#: The doctor's line for each request the probe page makes.
CORS_LINES = {
    "discovery": "discovery CORS",
    "jwks": "jwks CORS",
    "token": "token CORS",
    "userinfo": "userinfo CORS",
}


async def _blank_page(scope: Any, receive: Any, send: Any) -> None:
    # Only an origin for the probe to run at: an empty HTML page at every path.
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/html; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": b"<!DOCTYPE html><title>app</title>"})


@pytest.mark.browser
def test_cors_verdicts_match_what_chromium_does(
    capsys: pytest.CaptureFixture[str], chrome: Any
) -> None:
    with serve_in_thread(_blank_page) as port:
        app = f"http://localhost:{port}"
        chrome.get(app + "/")
        registered = [Client("demo-spa", [app + "/"])]
        elsewhere = [Client("demo-spa", ["https://app.example.test/"])]
        cases = [
            ("devidp, app registered", devidp(lambda iss: Provider(iss, clients=registered))),
            ("devidp, app not registered", devidp(lambda iss: Provider(iss, clients=elsewhere))),
            ("node, CORS off", NodeProvider(redirect_uris=[app + "/"], cors=False)),
        ]
        seen: set[str] = set()
        for label, server in cases:
            if isinstance(server, NodeProvider):
                start_or_skip(server)
                issuer = server.issuer
            else:
                server.start()
                issuer = server.provider.issuer
            try:
                _code, statuses, out = run_doctor(
                    capsys, issuer, "--client-id", "demo-spa", "--app", app
                )
                document = httpx.get(issuer + "/.well-known/openid-configuration").json()
                urls = {
                    "discovery": issuer + "/.well-known/openid-configuration",
                    "jwks": document["jwks_uri"],
                    "token": document["token_endpoint"],
                    "userinfo": document["userinfo_endpoint"],
                    "clientId": "demo-spa",
                    "redirectUri": app + "/",
                }
                chrome.set_script_timeout(20)
                browser = chrome.execute_async_script(PROBE_JS, urls)
            finally:
                server.stop()
            for request, line in CORS_LINES.items():
                doctor_says = "readable" if statuses[line] == "PASS" else "blocked"
                assert doctor_says == browser[request], (label, request, browser, out)
                seen.add(browser[request])
    # Both verdicts occurred, so the comparison could have gone either way.
    assert seen == {"readable", "blocked"}


# --- pure helpers -----------------------------------------------------------------------


def response(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers)


def test_preflight_rules() -> None:
    ok = {
        "access-control-allow-origin": APP,
        "access-control-allow-methods": "GET, POST",
        "access-control-allow-headers": "Authorization",
    }
    check = doctor._preflight_problem
    assert check(response(204, **ok), APP, "GET", ("authorization",)) is None
    # Fetch §4.8: a wildcard does not cover Authorization.
    star = {**ok, "access-control-allow-headers": "*"}
    assert "authorization" in str(check(response(204, **star), APP, "GET", ("authorization",)))
    assert check(response(204, **star), APP, "POST", ("dpop",)) is None
    other = {**ok, "access-control-allow-origin": "http://elsewhere.test"}
    assert "not http://localhost:8000" in str(check(response(204, **other), APP, "GET", ()))
    assert "HTTP 403" in str(check(response(403, **ok), APP, "GET", ()))


def test_sites() -> None:
    assert doctor.site_of("https://app.example.com") == doctor.site_of("https://login.example.com")
    assert doctor.site_of("http://app.example.com") != doctor.site_of("https://app.example.com")
    assert doctor.site_of("http://localhost:8000") != doctor.site_of("http://127.0.0.1:8001")
    assert doctor.site_of("http://127.0.0.1:8000") == doctor.site_of("http://127.0.0.1:8001")
