"""brython_oidc side by side with oidc-client-ts: one run, one machine, one Chromium.

Prints a table of figures (nothing passes or fails) and writes
docs/performance/results.json, docs/performance/page-load.png and docs/performance.md.
Needs: ``npm ci`` in bench/peer and tests/interop, matplotlib (the 'bench' extra).

    python bench/compare.py [--runs 10] [--cost-runs 30] [--tabs 1 3 10] [--latency 20 50]
                            [--providers dev node] [--no-docs]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import platform
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure this checkout's code, not an installed copy

from bench import pageload, report, rig, serverload, validator  # noqa: E402
from bench.peer.server import LIBRARY, library_version  # noqa: E402
from brython_oidc.server.bundle import build_bundle, framework_modules  # noqa: E402


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    chromium = subprocess.run(
        ["/usr/bin/chromium", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    import brython

    return {
        "nproc": len(__import__("os").sched_getaffinity(0)),
        "cpu": cpu,
        "chromium": chromium,
        "python": platform.python_version(),
        "brython": brython.__version__ if hasattr(brython, "__version__") else "?",
        "oidc_client_ts": library_version(),
    }


def sizes() -> dict[str, int]:
    spa = rig.ours_app_assets()
    return {
        "framework_bundle_gzip": len(
            gzip.compress(build_bundle(framework_modules(), engine=True).content, 9)
        ),
        "app_bundle_gzip": len(spa.bundle.gzipped),
        "engine_gzip": len(spa.engine.gzipped),
        "brython_js_gzip": len(spa.runtime.gzipped),
        "peer_library_gzip": len(gzip.compress(LIBRARY.read_bytes(), 9)),
    }


def provider_figures(
    key: str,
    runs: int,
    tabs: list[int],
    latencies: list[int],
    log: Any,
    cost_runs: int,
    sign_in_runs: int,
) -> dict[str, Any]:
    origins = rig.Origins()
    out: dict[str, Any] = {
        "load": {},
        "restore": {},
        "sign_in": {},
        "sign_in_latency": {},
        "renewal": {},
    }
    with rig.PROVIDERS[key](origins) as idp, rig.pages(idp, origins):
        out["name"] = idp.name
        for page in ("ours", "peer"):
            log(f"{key}: page load, {page}")
            out["load"][page] = pageload.load_figures(origins.url(page) + "/", page, runs)
        if key == "dev":
            # Framework cost over bare Brython: no provider round trip on either page.
            # Interleaved run by run, and compared in pairs: cold loads drift by tens
            # of ms over a run on a shared machine, more than the cost measured here.
            log(f"{key}: page load, bare Brython / same page without framework / ours")
            base = origins.url("ours-login")
            paths = {"bare-brython": "/bare", "bare-app": "/bare-app", "ours-no-restore": "/"}
            samples = pageload.interleaved_ready(
                {name: base + path for name, path in paths.items()}, "ours", cost_runs
            )
            for name, s in samples.items():
                out["load"][name] = {
                    "ready_cold_ms": statistics.median(s["cold"]),
                    "ready_warm_ms": statistics.median(s["warm"]),
                    "samples": s,
                }
            ours = samples["ours-no-restore"]
            out["framework_cost"] = {
                name: {
                    temp: pageload.paired_ms(ours[temp], samples[name][temp])
                    for temp in ("cold", "warm")
                }
                for name in ("bare-brython", "bare-app")
            }
        for page in ("ours", "peer", "peer-memory"):
            log(f"{key}: restore on reload, {page}")
            out["restore"][page] = pageload.restore_figures(origins.url(page), runs)
        # "floor": the peer's page rendered by Brython (bench/peer/server.py).
        login = {page: origins.url(page + "-login") for page in ("ours", "peer", "floor")}
        log(f"{key}: sign-in round trip, ours, peer and floor in turn")
        out["sign_in"] = pageload.sign_in_figures(login, sign_in_runs)
        for latency in latencies:
            # Round trips cost what the network charges: the pages make different
            # numbers of them in a row (docs/performance.md).
            log(f"{key}: sign-in round trip, {latency} ms latency, the three pages in turn")
            out["sign_in_latency"][str(latency)] = pageload.sign_in_figures(
                login, sign_in_runs, latency_ms=latency
            )
        for page in ("ours", "peer"):
            out["renewal"][page] = []
            for count in tabs:
                log(f"{key}: renewal with {count} tabs, {page}")
                figures = pageload.renewal_figures(origins.url(page), count, idp)
                out["renewal"][page].append(figures)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--sign-in-runs",
        type=int,
        default=20,
        help="runs per page of each sign-in round trip (the figure with a target left open)",
    )
    parser.add_argument(
        "--cost-runs",
        type=int,
        default=30,
        help="fresh-browser runs of the framework-cost pages (cold loads spread widely)",
    )
    parser.add_argument("--tabs", type=int, nargs="+", default=[1, 3, 10])
    parser.add_argument(
        "--latency",
        type=int,
        nargs="*",
        default=[20, 50],
        help="also time sign-in with this emulated latency per request, ms",
    )
    parser.add_argument(
        "--providers", nargs="+", choices=sorted(rig.PROVIDERS), default=["dev", "node"]
    )
    parser.add_argument("--load-seconds", type=float, default=serverload.DURATION)
    parser.add_argument("--no-docs", action="store_true", help="print only; write nothing")
    args = parser.parse_args()
    began = time.monotonic()

    def log(message: str) -> None:
        print(f"[{time.monotonic() - began:6.0f} s] {message}", file=sys.stderr, flush=True)

    results: dict[str, Any] = {"machine": machine(), "command": report.command(sys.argv[1:])}
    results["sizes"] = sizes()
    results["providers"] = {
        key: provider_figures(
            key, args.runs, args.tabs, args.latency, log, args.cost_runs, args.sign_in_runs
        )
        for key in args.providers
    }
    log("app server under load")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's TestClient-on-httpx notice
        results["server"] = serverload.server_figures(rig.OURS_APP, args.load_seconds)
    log("token validator")
    results["validator"] = validator.measure(2000)
    results["elapsed_s"] = round(time.monotonic() - began)
    print(report.table(results))
    if not args.no_docs:
        report.write_all(results)


if __name__ == "__main__":
    main()
