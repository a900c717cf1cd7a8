"""Loopback load on the app server and the TokenValidator; prints figures.

    python bench/load.py [--duration 20] [--concurrency 16] [--max-requests N]
                         [--sample-every 10]

Starts, in this process: the development provider (it signs the access tokens and
serves the JWKS) and the app server for a small app folder, with a demo API route
``/api/me`` protected by ``requires_token(TokenValidator(...))``. Then
``concurrency`` asyncio workers (httpx) cycle through: index.html, the bundle
(gzip), the API with a valid token, without a token (401) and with a forged one
(401) — for ``duration`` seconds or ``max-requests`` requests, loopback only.

An "error" is any unexpected status or a transport failure. RSS comes from
/proc/self/status (servers and load generator share this process), sampled after
a warm-up, every ``--sample-every`` seconds and at the end; latencies go into a
fixed-size histogram, so the generator's own memory does not grow with the run and
what grows is the servers'. "Growth, second half" is what a leak would show: RSS
that keeps climbing once caches and allocator arenas have filled.
tests/security/test_load.py runs a short version.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Run as a script, import this checkout's package (not whichever one site-packages has).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from brython_oidc.devidp.testing import BackgroundServer, RunningProvider
from brython_oidc.server import create_app
from brython_oidc.server.bearer import requires_token
from brython_oidc.server.token_validator import TokenValidator

API_AUDIENCE = "demo-api"


def rss_kib() -> int:
    """Resident set size of this process in KiB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def write_app(root: Path, issuer: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "brython-oidc.toml").write_text(
        f'[oidc]\nissuer = "{issuer}"\nclient_id = "demo-spa"\n\n[app]\nmain = "main"\n'
    )
    (root / "main.py").write_text("from browser import document\ndocument['app'].text = 'hi'\n")
    return root


class Target:
    """One kind of request and the status it must get."""

    def __init__(self, name: str, path: str, expect: int, headers: dict[str, str]) -> None:
        self.name = name
        self.path = path
        self.expect = expect
        self.headers = headers


class LoadReport:
    def __init__(self) -> None:
        self.requests = 0
        self.errors: Counter[str] = Counter()
        self.by_target: Counter[str] = Counter()
        #: Latency histogram: 0.1 ms buckets -> count (bounded: at most one key per bucket).
        self.latencies: Counter[int] = Counter()
        self.elapsed = 0.0
        self.rss_start_kib = 0
        self.rss_end_kib = 0
        #: (seconds since the warm-up ended, RSS KiB)
        self.rss_samples: list[tuple[float, int]] = []

    def record_latency(self, seconds: float) -> None:
        self.latencies[int(seconds * 10_000)] += 1

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def rss_growth_kib(self) -> int:
        return self.rss_end_kib - self.rss_start_kib

    @property
    def rss_growth_second_half_kib(self) -> int:
        """RSS growth over the second half of the run (0 with fewer than 3 samples)."""
        if len(self.rss_samples) < 3:
            return 0
        half = self.rss_samples[-1][0] / 2
        middle = min(self.rss_samples, key=lambda sample: abs(sample[0] - half))
        return self.rss_samples[-1][1] - middle[1]

    def percentile(self, p: float) -> float:
        total = sum(self.latencies.values())
        if not total:
            return 0.0
        rank, seen = min(total - 1, int(p * total)), 0
        for bucket in sorted(self.latencies):
            seen += self.latencies[bucket]
            if seen > rank:
                return (bucket + 1) / 10_000  # the bucket's upper edge
        return 0.0  # pragma: no cover - the loop always reaches rank

    def lines(self) -> list[str]:
        rate = self.requests / self.elapsed if self.elapsed else 0.0
        return [
            f"requests      {self.requests} in {self.elapsed:.1f} s ({rate:.0f} req/s)",
            f"by target     {dict(self.by_target)}",
            f"errors        {self.error_count} {dict(self.errors) if self.errors else ''}",
            f"latency       p50 {self.percentile(0.5) * 1000:.1f} ms, "
            f"p99 {self.percentile(0.99) * 1000:.1f} ms",
            f"RSS           {self.rss_start_kib} KiB after warm-up -> {self.rss_end_kib} KiB "
            f"(growth {self.rss_growth_kib:+d} KiB; "
            f"second half {self.rss_growth_second_half_kib:+d} KiB)",
            "RSS samples   "
            + ", ".join(f"{t:.0f} s: {kib / 1024:.1f} MiB" for t, kib in self.rss_samples),
        ]


async def _worker(
    client: httpx.AsyncClient,
    targets: list[Target],
    report: LoadReport,
    deadline: float,
    max_requests: int,
    offset: int,
) -> None:
    i = offset
    while time.monotonic() < deadline and report.requests < max_requests:
        target = targets[i % len(targets)]
        i += 1
        report.requests += 1
        started = time.perf_counter()
        try:
            response = await client.get(target.path, headers=target.headers)
            await response.aread()
        except httpx.HTTPError as exc:
            report.errors[f"{target.name}: {type(exc).__name__}"] += 1
            continue
        report.record_latency(time.perf_counter() - started)
        report.by_target[target.name] += 1
        if response.status_code != target.expect:
            report.errors[f"{target.name}: HTTP {response.status_code}"] += 1


async def run_load(
    base_url: str,
    targets: list[Target],
    *,
    duration: float,
    concurrency: int,
    max_requests: int,
    warmup: float = 1.0,
    sample_every: float = 10.0,
) -> LoadReport:
    """Drive ``targets`` round-robin; RSS measured after ``warmup`` seconds of load,
    then every ``sample_every`` seconds."""
    report = LoadReport()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=10.0) as client:
        warm = LoadReport()
        warm_deadline = time.monotonic() + warmup
        await asyncio.gather(
            *(_worker(client, targets, warm, warm_deadline, max_requests, n)
              for n in range(concurrency))
        )  # fmt: skip
        report.errors.update(warm.errors)
        report.rss_start_kib = rss_kib()
        started = time.monotonic()
        report.rss_samples.append((0.0, report.rss_start_kib))
        deadline = started + duration

        async def sample() -> None:
            while True:
                await asyncio.sleep(sample_every)
                report.rss_samples.append((time.monotonic() - started, rss_kib()))

        sampler = asyncio.create_task(sample())
        await asyncio.gather(
            *(_worker(client, targets, report, deadline, max_requests, n)
              for n in range(concurrency))
        )  # fmt: skip
        sampler.cancel()
        report.elapsed = time.monotonic() - started
    report.rss_end_kib = rss_kib()
    report.rss_samples.append((report.elapsed, report.rss_end_kib))
    return report


@contextmanager
def servers(workdir: Path) -> Iterator[tuple[str, list[Target]]]:
    """The provider and the app server with its protected API; yields (base URL, targets)."""
    with RunningProvider() as idp:
        provider = idp.provider
        validator = TokenValidator(provider.issuer, API_AUDIENCE)

        @requires_token(validator)
        async def me(request: Request) -> Response:
            return JSONResponse({"sub": request.state.token_claims["sub"]})

        app = create_app(write_app(workdir / "app", provider.issuer),
                         extra_routes=[Route("/api/me", me)])  # fmt: skip
        with BackgroundServer(app) as server:
            client = provider.clients["demo-spa"]
            token = provider.minter.access_token(
                client=client, username="alice", scope="openid", now=time.time(), ttl=3600
            )
            head, body, sig = token.split(".")
            forged = f"{head}.{body}.{sig[:-4]}AAAA"
            page = httpx.get(server.base_url + "/").text
            bundle = next(u for u in re.findall(r'src="([^"]+)"', page) if "bundle" in u)
            gz = {"Accept-Encoding": "gzip"}
            targets = [
                Target("index", "/", 200, gz),
                Target("deep-link", "/some/deep/link?x=1", 200, gz),
                Target("bundle", bundle, 200, gz),
                Target("api-valid", "/api/me", 200, {"Authorization": f"Bearer {token}"}),
                Target("api-none", "/api/me", 401, {}),
                Target("api-forged", "/api/me", 401, {"Authorization": f"Bearer {forged}"}),
            ]
            yield server.base_url, targets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    parser.add_argument(
        "--sample-every", type=float, default=10.0, help="seconds between RSS samples"
    )
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="brython-oidc-load-") as tmp,
        servers(Path(tmp)) as (base_url, targets),
    ):
        report = asyncio.run(
            run_load(
                base_url,
                targets,
                duration=args.duration,
                concurrency=args.concurrency,
                max_requests=args.max_requests,
                sample_every=args.sample_every,
            )
        )
    print(f"loopback load, {args.concurrency} workers, targets: {[t.name for t in targets]}")
    for line in report.lines():
        print(line)
    return 1 if report.error_count else 0


if __name__ == "__main__":
    sys.exit(main())
