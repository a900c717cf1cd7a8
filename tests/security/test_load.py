"""A short run of bench/load.py: zero error responses, bounded memory growth.

Bounded in time (3 s of load after a 1 s warm-up) and in count; loopback only.
The figures are printed by ``python bench/load.py``; this only checks correctness
under concurrency (every request answered as expected) and that memory does not run
away (RSS growth under a generous bound, /proc/self/status).
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.load import run_load, servers

#: RSS may grow a little (caches, allocator arenas); a leak per request would not fit.
MAX_RSS_GROWTH_KIB = 40 * 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_short_load_has_no_errors_and_stable_memory(tmp_path: Path) -> None:
    with servers(tmp_path) as (base_url, targets):
        report = asyncio.run(
            run_load(base_url, targets, duration=3.0, concurrency=8, max_requests=20_000)
        )
    print("\n".join(report.lines()))
    assert report.error_count == 0, dict(report.errors)
    # Every kind of request was exercised, the 401 paths included.
    assert set(report.by_target) == {t.name for t in targets}
    assert min(report.by_target.values()) >= 5
    assert report.rss_growth_kib < MAX_RSS_GROWTH_KIB


# --- issue 24: a bounded mixed load of valid and hostile requests, no 5xx ------------------


class Probe:
    """One request of the mixed load and the status class it must get."""

    def __init__(
        self,
        name: str,
        method: str,
        path: str,
        expect: tuple[int, ...],
        *,
        headers: dict[str, Any] | None = None,
        body: bytes | None = None,
        forged: bool = False,
    ) -> None:
        self.name = name
        self.method = method
        self.path = path
        self.expect = expect
        self.headers = headers or {}
        self.body = body
        self.forged = forged


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hostile_probes(provider: Any) -> list[Probe]:
    client = provider.clients["demo-spa"]
    now = time.time()
    good = provider.minter.access_token(
        client=client, username="alice", scope="openid", now=now, ttl=3600
    )
    key = provider.keys.signing_key("RS256")
    base_claims = {
        "iss": provider.issuer, "aud": "demo-api", "sub": "alice", "client_id": "demo-spa",
        "iat": int(now), "exp": int(now) + 3600, "jti": "j",
    }  # fmt: skip

    def signed(header: dict[str, object], payload: str) -> str:
        from joserfc.jws import JWSRegistry

        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(payload.encode())}"
        signature = JWSRegistry().get_alg("RS256").sign(signing_input.encode(), key)
        return f"{signing_input}.{_b64(signature)}"

    head = {"alg": "RS256", "typ": "at+jwt", "kid": key.kid}
    claims_json = json.dumps(base_claims)
    forged_tokens: dict[str, str] = {
        "sig-flipped": good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"),
        "alg-none": _b64(b'{"alg":"none","typ":"at+jwt"}') + "." + good.split(".")[1] + ".",
        "exp-nan": signed(head, json.dumps({**base_claims, "exp": float("nan")})),
        "exp-infinity": signed(head, json.dumps({**base_claims, "exp": float("inf")})),
        "nbf-text": signed(head, json.dumps({**base_claims, "nbf": "soon"})),
        "deep": signed(head, claims_json[:-1] + ', "x": ' + "[" * 3000 + "]" * 3000 + "}"),
        "surrogate": signed(head, claims_json[:-1] + ', "name": "\\ud800"}'),
        "garbage": "not-a-token",
        "eyJ-crit-1": "eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCIsImNyaXQiOjF9.e30.AAAA",
    }  # fmt: skip
    for missing in ("sub", "client_id", "iat", "jti"):
        forged_tokens[f"no-{missing}"] = signed(
            head, json.dumps({k: v for k, v in base_claims.items() if k != missing})
        )
    for member in ("crit", "alg", "kid", "typ"):
        # crit [] is accepted (RFC 7515 §4.1.11 binds producers; tests/core/test_jose.py).
        for value in (None, 1, True, [1], {}, "x"):
            forged_tokens[f"{member}={json.dumps(value)}"] = signed(
                {**head, member: value}, claims_json
            )
    auth = {"Authorization": f"Bearer {good}", "Content-Type": "application/json"}
    probes = [
        Probe("index", "GET", "/", (200,)),
        Probe("deep-link", "GET", "/notes/7?code=x&state=y", (200,)),
        Probe("static-missing", "GET", "/static/nope.css", (404,)),
        Probe("asset-missing", "GET", "/_brython_oidc/nope.0000.js", (404,)),
        Probe("put-index", "PUT", "/", (405,), forged=True),
        Probe("long-path", "GET", "/" + "a" * 5000, (414,), forged=True),
        Probe("notes-valid", "GET", "/api/notes", (200,), headers=auth),
        Probe("me-valid", "GET", "/api/me", (200,), headers=auth),
        Probe("note-valid", "POST", "/api/notes", (201, 400), headers=auth,
              body=b'{"text": "hello"}'),  # 400 once the per-user cap is reached
        Probe("no-token", "GET", "/api/me", (401,)),
        Probe("bad-scheme", "GET", "/api/me", (401,), headers={"Authorization": "Basic eA=="},
              forged=True),
        Probe("latin1-token", "GET", "/api/me", (401,),
              headers={"Authorization": b"Bearer \xe9\xff.\x7f.x"}, forged=True),
    ]  # fmt: skip
    for name, token in forged_tokens.items():
        probes.append(Probe(f"token:{name}", "GET", "/api/me", (401,),
                            headers={"Authorization": f"Bearer {token}"}, forged=True))  # fmt: skip
    bodies = {
        "surrogate": b'{"text": "\\ud800"}',
        "deep-3.8KB": b'{"text": ' + b"[" * 1900 + b"]" * 1900 + b"}",
        "nan": b'{"text": NaN}',
        "not-json": b"\xff\xfe",
        "array": b"[1]",
        "oversized": b'{"text": "' + b"x" * 6000 + b'"}',
    }
    for name, body in bodies.items():
        probes.append(Probe(f"body:{name}", "POST", "/api/notes", (400,), headers=auth,
                            body=body, forged=True))  # fmt: skip
    return probes


async def _hammer(
    base_url: str, probes: list[Probe], total: int, concurrency: int
) -> tuple[Counter[int], Counter[str], int]:
    statuses: Counter[int] = Counter()
    wrong: Counter[str] = Counter()
    sent = 0
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=20) as client:

        async def worker(offset: int) -> None:
            nonlocal sent
            for i in range(offset, total, concurrency):
                probe = probes[i % len(probes)]
                try:
                    response = await client.request(
                        probe.method, probe.path, headers=probe.headers, content=probe.body
                    )
                    status = response.status_code
                except httpx.RemoteProtocolError:
                    status = 0  # the server refused to read a body it said it would not
                sent += 1
                statuses[status] += 1
                if status not in probe.expect and not (status == 0 and probe.forged):
                    wrong[f"{probe.name}: {status}"] += 1

        await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return statuses, wrong, sent


def test_mixed_hostile_load_on_serve_and_the_demo_api_has_no_5xx() -> None:
    """A few thousand requests, valid and forged, against the demo app and API (dev mode)."""
    from brython_oidc.demo.api import NoteStore, notes_routes
    from brython_oidc.demo.server import demo_app_dir
    from brython_oidc.devidp import Client, Provider
    from brython_oidc.devidp.testing import BackgroundServer, RunningProvider
    from brython_oidc.server import create_app
    from brython_oidc.server.token_validator import TokenValidator

    started = time.monotonic()
    factory = lambda iss: Provider(iss, clients=[Client("demo-spa", ["http://localhost:8000/"])])  # noqa: E731
    with RunningProvider(provider_factory=factory) as idp:
        issuer = idp.provider.issuer
        # What `brython-oidc serve` runs (dev mode) plus the demo's API routes.
        app = create_app(
            demo_app_dir(), dev=True,
            oidc_overrides={"issuer": issuer, "client_id": "demo-spa"},
            extra_routes=notes_routes(TokenValidator(issuer, "demo-api"), NoteStore()),
        )  # fmt: skip
        with BackgroundServer(app) as server:
            probes = _hostile_probes(idp.provider)
            statuses, wrong, sent = asyncio.run(
                _hammer(server.base_url, probes, total=3000, concurrency=12)
            )
    elapsed = time.monotonic() - started
    forged = sum(1 for p in probes if p.forged)
    print(
        f"\nhostile load: {sent} requests, {len(probes)} kinds ({forged} forged or malformed) "
        f"in {elapsed:.1f} s; statuses {dict(sorted(statuses.items()))}; "
        f"5xx seen: {sum(n for s, n in statuses.items() if s >= 500)}"
    )
    assert sent == 3000
    assert not [s for s in statuses if s >= 500], statuses
    assert not wrong, wrong
    assert elapsed < 60
