"""Where the sign-in round trip's time goes, on the callback page (dev provider).

For each run: click "log in" on ``ours-login``, wait for the signed-in render, then
read the callback page's own clock: Resource Timing of brython.js, the bundle and
each provider request, and the marks. Prints the median of each phase (ms from the
callback page's navigation start; "click → callback nav" is the redirect leg).

    python bench/signin_profile.py [--runs 7] [--page ours-login|peer-login|floor-login]
                                   [--cold-cache] [--latency MS]

``--cold-cache`` empties the origin's IndexedDB (Brython's compiled-module cache) just
before each click, so the callback page has nothing compiled from an earlier page: a
first sign-in that is quicker than the background warm-up, or a cache evicted since.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import pageload, rig  # noqa: E402
from brython_oidc.testing.browser import make_chrome  # noqa: E402

TIMELINE = """
const out = {};
const nav = performance.getEntriesByType('navigation')[0];
out['click -> callback nav start'] = performance.timeOrigin - arguments[0];
out['response end (html)'] = nav.responseEnd;
for (const e of performance.getEntriesByType('resource')) {
  const u = new URL(e.name);
  let k = u.pathname.split('/').pop().split('.')[0] || u.pathname;
  if (u.pathname.includes('openid-configuration')) k = 'discovery';
  out[k + ' start'] = e.startTime;
  out[k + ' end'] = e.responseEnd;
}
for (const m of performance.getEntriesByType('mark')) out['mark ' + m.name] = m.startTime;
return out;
"""


def profile(
    origin: str, runs: int, *, cold_cache: bool = False, latency_ms: float = 0
) -> dict[str, float]:
    rows: dict[str, list[float]] = {}
    with make_chrome() as driver:
        pageload.sign_in_with_form(driver, origin)
        if latency_ms:
            pageload.emulate_latency(driver, latency_ms)
        for _ in range(runs):
            driver.execute_script("sessionStorage.clear(); localStorage.clear()")
            driver.get(origin + "/")
            pageload.wait_rendered(driver, "logged-out")
            if cold_cache:
                driver.execute_cdp_cmd(
                    "Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "indexeddb"}
                )
            t0 = driver.execute_script(
                "const t = Date.now();"
                "document.querySelector('[data-testid=login-button]').click(); return t"
            )
            pageload.wait_rendered(driver, "logged-in")
            rows.setdefault("click -> rendered", []).append(pageload.since_ms(driver, t0))
            for key, value in driver.execute_script(TIMELINE, t0).items():
                rows.setdefault(key, []).append(float(value))
    return {k: statistics.median(v) for k, v in rows.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--page", default="ours-login")
    parser.add_argument("--cold-cache", action="store_true")
    parser.add_argument("--latency", type=float, default=0, help="emulated ms per request")
    args = parser.parse_args()
    origins = rig.Origins()
    with rig.dev_provider(origins) as idp, rig.pages(idp, origins):
        figures = profile(
            origins.url(args.page), args.runs, cold_cache=args.cold_cache, latency_ms=args.latency
        )
    for key, value in sorted(figures.items(), key=lambda kv: kv[1]):
        print(f"{value:8.1f} ms  {key}")


if __name__ == "__main__":
    main()
