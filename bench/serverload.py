"""The app server under a loopback load generator: requests/s and p99 latency.

A bounded asyncio + httpx generator (``CONCURRENCY`` connections, ``DURATION`` s per
URL) against brython_oidc's ``create_app`` and against a plain Starlette
``StaticFiles`` app serving the same bytes. Each server runs in its own process
(uvicorn, one worker) so the generator does not share its interpreter.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from brython_oidc.server import create_app
from brython_oidc.testing.live_server import free_port

HERE = Path(__file__).resolve().parent
CONCURRENCY = 32
DURATION = 3.0
HEADERS = {"Accept-Encoding": "gzip"}


async def hammer(url: str, duration: float, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, headers=HEADERS, timeout=10) as client:
        await client.get(url)  # warm-up: connection, caches
        deadline = time.perf_counter() + duration

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = await client.get(url)
                await response.aread()
                latencies.append(time.perf_counter() - start)
                errors += response.status_code != 200

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "requests_per_s": len(latencies) / elapsed,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "median_ms": statistics.median(latencies) * 1000,
        "requests": len(latencies),
        "errors": errors,
    }


def wait_up(url: str, process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server for {url} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=0.5)
            return
        except httpx.TransportError:
            time.sleep(0.05)  # the server is starting; nothing to wait on but the socket
    raise TimeoutError(f"{url} did not come up in {timeout} s")


def export_static(app_dir: Path, out: Path) -> tuple[str, str]:
    """Write ours' index.html and bundle as files; return their paths (URL paths)."""
    from starlette.testclient import TestClient

    spa = create_app(app_dir).state.spa
    bundle_path = spa.assets.bundle.url
    target = out / bundle_path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(spa.assets.bundle.content)
    with TestClient(create_app(app_dir)) as client:
        (out / "index.html").write_bytes(client.get("/").content)
    return "/", bundle_path


def server_figures(app_dir: Path, duration: float = DURATION) -> dict[str, Any]:
    results: dict[str, Any] = {"concurrency": CONCURRENCY, "duration_s": duration}
    with tempfile.TemporaryDirectory() as tmp:
        index_path, bundle_path = export_static(app_dir, Path(tmp))
        for kind in ("ours", "static"):
            port = free_port()
            argv = [sys.executable, str(HERE / "serve_target.py"), kind, str(app_dir), tmp]
            process = subprocess.Popen([*argv, str(port)])
            try:
                base = f"http://127.0.0.1:{port}"
                wait_up(base + index_path, process)
                for name, path in (("index.html", index_path), ("bundle", bundle_path)):
                    figures = asyncio.run(hammer(base + path, duration, CONCURRENCY))
                    results[f"{kind}:{name}"] = figures
            finally:
                process.terminate()
                process.wait(timeout=10)
    return results
