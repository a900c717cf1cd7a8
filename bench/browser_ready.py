"""Time from navigation start to ``brython-oidc:ready``: framework vs bare Brython.

Prints figures, asserts nothing (speed targets live here, not in tests). Pages:
- bare: brython.js and an inline script that records the mark (no framework);
- bare-app: the same app shape without the framework: brython.js and a one-module
  bundle whose module records the mark from a coroutine, as the app does;
- logged-out: brython.js + the framework bundle, ``await create_oidc()`` with
  ``session_restore="none"`` (the state is known without a provider round trip);
- logged-out-mock: the same in mock mode;
- logged-out-iframe (``--with-provider``): the default ``auto`` restore against the
  development provider, i.e. discovery plus a silent prompt=none iframe.
Cold = a fresh browser profile per run; warm = reloads in one profile (Brython's
IndexedDB cache of compiled modules). Also prints the bundle's gzipped size.

    python bench/browser_ready.py [--runs 7] [--with-provider]
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

# Measure this checkout's code, not an installed copy.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import brython
from starlette.applications import Starlette
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route

from bench.pageload import paired_ms as paired
from brython_oidc.server.bundle import build_bundle, framework_modules, iter_app_modules
from brython_oidc.testing.browser import make_chrome, wait_for_js
from brython_oidc.testing.live_server import serve_in_thread

BRYTHON_JS = Path(brython.__file__).parent / "data" / "brython.js"
MARK = "brython-oidc:ready"
HEAD = '<!doctype html><html><head><meta charset="utf-8"><script src="/brython.js"></script>'
BARE = (
    HEAD
    + """</head><body><script type="text/python">
from browser import window
window.performance.mark("brython-oidc:ready")
</script></body></html>"""
)
APP = (
    HEAD
    + """<script src="/bundle.js"></script>
<script type="application/json" id="brython-oidc-config">{config}</script>
</head><body><script type="text/python">
import bench_app
</script></body></html>"""
)
BARE_APP = (
    HEAD
    + """<script src="/bare-bundle.js"></script>
</head><body><script type="text/python">
import bench_app
</script></body></html>"""
)
BARE_APP_MODULE = """from browser import aio, window


async def boot():
    window.performance.mark("brython-oidc:ready")


aio.run(boot())
"""
APP_MODULE = """from browser import aio
from brython_oidc.browser import create_oidc


async def boot():
    await create_oidc()


aio.run(boot())
"""


def build(app_dir: Path) -> tuple[bytes, int]:
    (app_dir / "bench_app.py").write_text(APP_MODULE)
    bundle = build_bundle([*framework_modules(), *iter_app_modules(app_dir)])
    framework_only = build_bundle(framework_modules(), engine=True)
    return bundle.content, len(gzip.compress(framework_only.content, 9))


def build_bare(app_dir: Path) -> bytes:
    (app_dir / "bench_app.py").write_text(BARE_APP_MODULE)
    return build_bundle(iter_app_modules(app_dir)).content


def make_app(
    bundle: bytes, configs: dict[str, dict[str, Any]], bare_bundle: bytes = b""
) -> Starlette:
    async def brython_js(request: Any) -> Response:
        return FileResponse(BRYTHON_JS, media_type="text/javascript")

    async def bundle_js(request: Any) -> Response:
        return Response(bundle, media_type="text/javascript")

    async def bare_bundle_js(request: Any) -> Response:
        return Response(bare_bundle, media_type="text/javascript")

    async def page(request: Any) -> Response:
        name = request.path_params["name"]
        if name == "bare":
            return HTMLResponse(BARE)
        if name == "bare-app":
            return HTMLResponse(BARE_APP)
        return HTMLResponse(APP.format(config=json.dumps(configs[name])))

    return Starlette(
        routes=[
            Route("/brython.js", brython_js),
            Route("/bundle.js", bundle_js),
            Route("/bare-bundle.js", bare_bundle_js),
            Route("/p/{name}", page),
            # The redirect URI: the silent iframe's callback lands here.
            Route(
                "/",
                lambda request: HTMLResponse(
                    APP.format(config=json.dumps(configs["logged-out-iframe"]))
                ),
            ),
        ]
    )


def ready_ms(driver: Any, url: str) -> float:
    driver.get(url)
    wait_for_js(driver, f"performance.getEntriesByName('{MARK}').length", 30)
    value: float = driver.execute_script(
        f"return performance.getEntriesByName('{MARK}')[0].startTime"
    )
    return value


def measure(origin: str, names: list[str], runs: int) -> dict[str, dict[str, list[float]]]:
    """Per page, the cold and warm samples; run ``i`` of every page is taken back to
    back (pages interleaved), so ``cold[i]`` of two pages can be compared in pairs."""
    out: dict[str, dict[str, list[float]]] = {n: {"cold": [], "warm": []} for n in names}
    for _ in range(runs):
        for name in names:
            with make_chrome() as driver:
                out[name]["cold"].append(ready_ms(driver, f"{origin}/p/{name}"))
                warm = [ready_ms(driver, f"{origin}/p/{name}") for _ in range(3)]
                out[name]["warm"].append(statistics.median(warm))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--with-provider", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as bare_tmp:
        bundle, framework_gzip = build(Path(tmp))
        bare_bundle = build_bare(Path(bare_tmp))
    with serve_in_thread(Starlette()) as probe_port:
        pass
    origin = f"http://localhost:{probe_port}"
    base = {"issuer": "http://127.0.0.1:9", "client_id": "bench", "redirect_uri": origin + "/"}
    configs: dict[str, dict[str, Any]] = {
        "logged-out": {**base, "session_restore": "none"},
        "logged-out-mock": {"mock": "logged-out", **base},
    }
    names = ["bare", "bare-app", "logged-out", "logged-out-mock"]
    idp_ctx = None
    if args.with_provider:
        from brython_oidc.devidp import Client, Provider, create_app
        from brython_oidc.testing.live_server import free_port

        idp_port = free_port()
        issuer = f"http://127.0.0.1:{idp_port}"
        provider = Provider(issuer, clients=[Client("bench", [origin + "/"])])
        idp_ctx = serve_in_thread(create_app(provider), port=idp_port)
        idp_ctx.__enter__()
        configs["logged-out-iframe"] = {**base, "issuer": issuer}
        names.append("logged-out-iframe")
    try:
        with serve_in_thread(make_app(bundle, configs, bare_bundle), port=probe_port):
            samples = measure(origin, names, args.runs)
    finally:
        if idp_ctx is not None:
            idp_ctx.__exit__(None, None, None)
    print(f"navigation start -> {MARK}, median of {args.runs} cold / {args.runs} warm runs")
    print(
        "+ms: median of the run-by-run differences (pages interleaved) with the bare page"
        " (inline script) / with bare-app (same app shape, no framework)"
    )
    print(f"{'page':<20}{'cold ms':>9}{'warm ms':>9}{'cold +ms':>16}{'warm +ms':>16}")
    bare, bare_app = samples["bare"], samples["bare-app"]
    for name in names:
        r = samples[name]
        cold = f"{paired(r['cold'], bare['cold']):.0f} / {paired(r['cold'], bare_app['cold']):.0f}"
        warm = f"{paired(r['warm'], bare['warm']):.0f} / {paired(r['warm'], bare_app['warm']):.0f}"
        print(
            f"{name:<20}{statistics.median(r['cold']):>9.0f}{statistics.median(r['warm']):>9.0f}"
            f"{cold:>16}{warm:>16}"
        )
    print(f"framework bundle (core + browser): {framework_gzip} B gzip -9")


if __name__ == "__main__":
    main()
