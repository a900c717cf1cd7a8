"""Interleaved A/B of checkouts: the sign-in callback page and a cold logged-out start.

    python bench/ab.py [--runs 15] [--cold-runs 20] [--restore-runs 0] [--latency MS] A B [C ...]

Each of A, B, ... is a directory holding a checkout, or a git revision of this
repository (checked out into a temporary worktree). Every variant's
``bench/ours_app`` is served by its own process running that variant's code; one
development provider (this checkout's) and one browser serve them all. Runs
alternate between the variants, so the drift of a shared machine (tens of ms over
a few minutes, see docs/performance.md) falls on all of them alike; compare.py's
figures come from separate phases of one long run and move more.

Printed per variant (medians, ms from the callback page's navigation start):
token request sent, ``brython-oidc:ready``, and the whole round trip from the
login click to the signed-in page rendered (``--click-at-once``: the click comes
as soon as the logged-out page renders, as in compare.py, not once the engine has
loaded in idle time); with ``--restore-runs``, reload start
to the signed-in page rendered (a restore at the provider); then the cold logged-out start
(a fresh browser profile per load, ``session_restore = "none"``): ready mark, and
the median of the run-by-run differences against the first variant.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import pageload, rig  # noqa: E402
from brython_oidc.devidp import Client, Lifetimes, Provider  # noqa: E402
from brython_oidc.devidp import create_app as create_idp_app  # noqa: E402
from brython_oidc.testing.browser import make_chrome, wait_for_js  # noqa: E402
from brython_oidc.testing.live_server import free_port, free_ports, serve_in_thread  # noqa: E402

#: Runs in the variant's directory with its own code: only APIs older checkouts have.
SERVE = """
import sys
sys.path.insert(0, ".")
import uvicorn
from bench import rig
from brython_oidc.server import create_app
issuer, port, restore = sys.argv[1], int(sys.argv[2]), sys.argv[3]
overrides = {"issuer": issuer, "client_id": rig.CLIENT_ID,
             "redirect_uri": f"http://localhost:{port}/", "session_restore": restore}
app = create_app(rig.OURS_APP, oidc_overrides=overrides)
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
"""

CALLBACK_TIMES = """
const o = {};
for (const e of performance.getEntriesByType('resource')) {
  if (new URL(e.name).pathname.endsWith('/token')) o.token = e.startTime;
}
o.ready = performance.getEntriesByName('brython-oidc:ready')[0].startTime;
return o;
"""
READY = "performance.getEntriesByName('brython-oidc:ready')"


@contextlib.contextmanager
def checkouts(names: list[str]) -> Iterator[list[Path]]:
    """Directories as given; revisions as temporary worktrees (removed on exit)."""
    made: list[Path] = []
    try:
        paths = []
        for name in names:
            if Path(name).is_dir():
                paths.append(Path(name).resolve())
                continue
            path = Path(tempfile.mkdtemp(prefix="brython-oidc-ab-")) / "tree"
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(path), name],
                check=True,
            )
            made.append(path)
            paths.append(path)
        yield paths
    finally:
        for path in made:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)], check=False
            )


@contextlib.contextmanager
def servers(dirs: list[Path], issuer: str, restore: str) -> Iterator[list[str]]:
    ports = free_ports(len(dirs))
    procs = [
        subprocess.Popen([sys.executable, "-c", SERVE, issuer, str(port), restore], cwd=d)
        for d, port in zip(dirs, ports, strict=True)
    ]
    origins = [f"http://localhost:{port}" for port in ports]
    try:
        for origin in origins:
            for _ in range(300):
                try:
                    urllib.request.urlopen(origin + "/", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
        yield origins
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait()


@contextlib.contextmanager
def stack(dirs: list[Path], restore: str, ttl: int) -> Iterator[tuple[list[str], Any]]:
    """Every variant's server, one development provider knowing them all, one browser."""
    idp_port = free_port()
    issuer = f"http://127.0.0.1:{idp_port}"
    with servers(dirs, issuer, restore) as origins:
        client = Client(rig.CLIENT_ID, [o + "/" for o in origins], scope=rig.SCOPE)
        lifetimes = Lifetimes(access_token=ttl, id_token=ttl)
        provider = Provider(issuer, clients=[client], lifetimes=lifetimes)
        with serve_in_thread(create_idp_app(provider), port=idp_port), make_chrome() as driver:
            yield origins, driver


def sign_in(
    dirs: list[Path], runs: int, latency_ms: float = 0, click_at_once: bool = False
) -> dict[Path, dict[str, list[float]]]:
    results: dict[Path, dict[str, list[float]]] = {
        d: {"token": [], "ready": [], "click": []} for d in dirs
    }
    with stack(dirs, "none", 60) as (origins, driver):
        pageload.sign_in_with_form(driver, origins[0])
        if latency_ms:
            pageload.emulate_latency(driver, latency_ms)
        for i in range(runs + 1):  # the first round warms every cache up
            for d, origin in zip(dirs, origins, strict=True):
                driver.execute_script("sessionStorage.clear(); localStorage.clear()")
                driver.get(origin + "/")
                pageload.wait_rendered(driver, "logged-out")
                if not click_at_once:
                    # The logged-out page loads the engine in idle time: let it.
                    wait_for_js(
                        driver, "__BRYTHON__.imported['brython_oidc.browser.client'] !== undefined"
                    )
                t0 = driver.execute_script(
                    "const t = Date.now();"
                    "document.querySelector('[data-testid=login-button]').click(); return t"
                )
                pageload.wait_rendered(driver, "logged-in")
                times: dict[str, Any] = driver.execute_script(CALLBACK_TIMES)
                times["click"] = pageload.since_ms(driver, t0)
                if i:
                    for key in ("token", "ready", "click"):
                        results[d][key].append(float(times[key]))
    return results


def restore(dirs: list[Path], runs: int) -> dict[Path, list[float]]:
    """Reload start -> signed-in page rendered, one tab per variant (different origins,
    so no sibling tab): a restore at the provider each time."""
    results: dict[Path, list[float]] = {d: [] for d in dirs}
    with stack(dirs, "auto", 600) as (origins, driver):
        tabs = []
        for k, origin in enumerate(origins):
            if k == 0:
                pageload.sign_in_with_form(driver, origin)
            else:
                driver.switch_to.new_window("tab")
                driver.get(origin + "/")
                pageload.wait_rendered(driver, "logged-out")
                driver.execute_script(
                    "document.querySelector('[data-testid=login-button]').click()"
                )
                pageload.wait_rendered(driver, "logged-in")
            tabs.append(driver.current_window_handle)
        for i in range(runs + 1):  # the first reload may also try the iframe
            for d, tab in zip(dirs, tabs, strict=True):
                driver.switch_to.window(tab)
                t0: float = driver.execute_script("return Date.now()")
                driver.refresh()
                pageload.wait_rendered(driver, "logged-in")
                if i:
                    results[d].append(pageload.since_ms(driver, t0))
    return results


def cold_start(dirs: list[Path], runs: int) -> dict[Path, list[float]]:
    results: dict[Path, list[float]] = {d: [] for d in dirs}
    # No provider needed: session_restore "none" knows the state without one.
    with servers(dirs, "http://127.0.0.1:9", "none") as origins:
        pairs = list(zip(dirs, origins, strict=True))
        for i in range(runs):
            for d, origin in pairs if i % 2 == 0 else reversed(pairs):
                with make_chrome() as driver:
                    driver.get(origin + "/")
                    wait_for_js(driver, READY + ".length", 30)
                    results[d].append(float(driver.execute_script(f"return {READY}[0].startTime")))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("variants", nargs="+", help="checkout directories or git revisions")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--cold-runs", type=int, default=20)
    parser.add_argument("--restore-runs", type=int, default=0)
    parser.add_argument(
        "--latency", type=float, default=0, help="emulated ms per request on the sign-in runs"
    )
    parser.add_argument(
        "--click-at-once",
        action="store_true",
        help="click as soon as the logged-out page renders (compare.py does), not once"
        " the engine has loaded in idle time",
    )
    args = parser.parse_args()
    if len(args.variants) < 2:
        parser.error("give at least two variants")
    with checkouts(args.variants) as dirs:
        names = dict(zip(dirs, args.variants, strict=True))
        signed = sign_in(dirs, args.runs, args.latency, args.click_at_once)
        latency = f", {args.latency:g} ms latency per request" if args.latency else ""
        print(
            f"sign-in, callback page (ms from its navigation start, {args.runs} runs each{latency})"
        )
        for d in dirs:
            token, ready, click = (
                statistics.median(signed[d][k]) for k in ("token", "ready", "click")
            )
            print(
                f"  {names[d]:>24}  token request {token:6.1f}  ready {ready:6.1f}"
                f"  click -> rendered {click:6.1f}"
            )
        if args.restore_runs:
            restored = restore(dirs, args.restore_runs)
            print(f"restore on reload, reload start -> rendered ({args.restore_runs} runs each)")
            for d in dirs:
                paired = statistics.median(
                    b - a for a, b in zip(restored[dirs[0]], restored[d], strict=True)
                )
                print(
                    f"  {names[d]:>24}  rendered {statistics.median(restored[d]):6.1f}"
                    f"  vs {args.variants[0]}: {paired:+6.1f}"
                )
        if not args.cold_runs:
            return
        cold = cold_start(dirs, args.cold_runs)
        first = cold[dirs[0]]
        print(f"cold logged-out start, ready mark ({args.cold_runs} fresh profiles each)")
        for d in dirs:
            paired = statistics.median(b - a for a, b in zip(first, cold[d], strict=True))
            print(
                f"  {names[d]:>24}  ready {statistics.median(cold[d]):6.1f}"
                f"  vs {args.variants[0]}: {paired:+6.1f}"
            )


if __name__ == "__main__":
    main()
