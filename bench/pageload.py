"""Browser figures for one page: bytes, time to auth state, restore, sign-in, renewals.

Every function drives the shared headless Chromium set-up (``make_chrome``) and waits
on page conditions, never on fixed sleeps. Times are read from the page's own clock:
a mark's ``startTime`` (from navigation start), or ``timeOrigin + startTime`` minus a
``Date.now()`` taken just before the action when the action spans navigations.
"""

from __future__ import annotations

import contextlib
import statistics
import threading
from typing import Any

from selenium.webdriver.support.ui import WebDriverWait

from bench.rig import RENEW_BEFORE, TOKEN_TTL
from brython_oidc.testing.browser import make_chrome, wait_for_js

RENDERED = "bench:rendered"
STATE = "document.querySelector('[data-testid=auth-state]').textContent"
RENEWALS = "Number(document.querySelector('[data-testid=renewals]').textContent)"
ENTRIES = """
const origin = location.origin;
const list = [...performance.getEntriesByType('navigation'),
              ...performance.getEntriesByType('resource')];
const own = list.filter((e) => e.name.startsWith(origin));
const sum = (k) => own.reduce((a, e) => a + (e[k] || 0), 0);
return {requests: own.length, transfer: sum('transferSize'),
        encoded: sum('encodedBodySize'), decoded: sum('decodedBodySize')};
"""


def ready_mark(page: str) -> str:
    return "peer:ready" if page.startswith("peer") else "brython-oidc:ready"


def wait_rendered(driver: Any, state: str | None = None, timeout: float = 30) -> None:
    cond = f"performance.getEntriesByName('{RENDERED}').length"
    if state:
        cond += f" && {STATE} === '{state}'"
    wait_for_js(driver, cond, timeout)


def mark_ms(driver: Any, name: str) -> float:
    value: float = driver.execute_script(
        f"return performance.getEntriesByName('{name}')[0].startTime"
    )
    return value


def since_ms(driver: Any, t0: float) -> float:
    value: float = driver.execute_script(
        f"return performance.timeOrigin + performance.getEntriesByName('{RENDERED}')[0].startTime"
    )
    return value - t0


def load(driver: Any, url: str, page: str) -> float:
    driver.get(url)
    wait_rendered(driver)
    return mark_ms(driver, ready_mark(page))


def entries(driver: Any) -> dict[str, int]:
    value: dict[str, int] = driver.execute_script(ENTRIES)
    return value


def load_figures(url: str, page: str, runs: int) -> dict[str, Any]:
    """Bytes (cold, repeat, repeat without cache) and time to auth state, logged out."""
    cold: list[float] = []
    warm: list[float] = []
    wire: dict[str, dict[str, int]] = {}
    for run in range(runs):
        with make_chrome() as driver:
            cold.append(load(driver, url, page))
            if run == 0:
                wire["cold"] = entries(driver)
            warm.append(load(driver, url, page))
            if run == 0:
                wire["repeat"] = entries(driver)
                driver.execute_cdp_cmd("Network.enable", {})
                driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
                load(driver, url, page)
                wire["repeat_no_cache"] = entries(driver)
    return {
        "ready_cold_ms": statistics.median(cold),
        "ready_warm_ms": statistics.median(warm),
        "runs": runs,
        "bytes": wire,
    }


def interleaved_ready(urls: dict[str, str], page: str, runs: int) -> dict[str, Any]:
    """Navigation start -> ready mark for several pages, run ``i`` of each taken back to
    back in its own fresh browser, so the pages share the machine's state run by run.

    Returns per page the cold and warm samples (``cold[i]`` pairs across pages).
    """
    out: dict[str, dict[str, list[float]]] = {n: {"cold": [], "warm": []} for n in urls}
    for _ in range(runs):
        for name, url in urls.items():
            with make_chrome() as driver:
                out[name]["cold"].append(load(driver, url, page))
                out[name]["warm"].append(load(driver, url, page))
    return out


def paired_ms(a: list[float], b: list[float]) -> float:
    """Median of the run-by-run differences ``a[i] - b[i]``: drift between runs cancels."""
    return statistics.median(x - y for x, y in zip(a, b, strict=True))


def sign_in_with_form(driver: Any, origin: str) -> None:
    """Log in through the provider's form (DESIGN contract: username/password/submit)."""
    driver.get(origin + "/")
    wait_rendered(driver, "logged-out")
    driver.execute_script("document.querySelector('[data-testid=login-button]').click()")
    wait_for_js(driver, "document.querySelector('input[name=username]')", 20)
    driver.find_element("name", "username").send_keys("alice")
    driver.find_element("name", "password").send_keys("alice")
    driver.find_element("css selector", "button[type=submit]").click()
    wait_rendered(driver, "logged-in")


def restore_figures(origin: str, runs: int) -> float | None:
    """Median ms from a reload's start to the signed-in page rendered; None when the
    page comes back signed out (the session could not be restored)."""
    times = []
    with make_chrome() as driver:
        sign_in_with_form(driver, origin)
        for _ in range(runs):
            t0: float = driver.execute_script("return Date.now()")
            driver.refresh()
            wait_rendered(driver)
            if driver.execute_script(f"return {STATE}") != "logged-in":
                return None
            times.append(since_ms(driver, t0))
    return statistics.median(times)


def emulate_latency(driver: Any, latency_ms: float) -> None:
    """Add ``latency_ms`` to every request of this tab from now on (DevTools network
    emulation: navigations and fetches alike; what the HTTP cache serves takes none)."""
    driver.execute_cdp_cmd("Network.enable", {})
    conditions = {"offline": False, "latency": latency_ms}
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {**conditions, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def sign_in_once(driver: Any, origin: str) -> float:
    """One login click on a fresh logged-out page → signed-in page rendered, in ms."""
    driver.execute_script("sessionStorage.clear(); localStorage.clear()")
    driver.get(origin + "/")
    wait_rendered(driver, "logged-out")
    t0: float = driver.execute_script(
        "const t = Date.now();"
        "document.querySelector('[data-testid=login-button]').click(); return t"
    )
    wait_rendered(driver, "logged-in")
    return since_ms(driver, t0)


def sign_in_figures(origins: dict[str, str], runs: int, latency_ms: float = 0) -> dict[str, Any]:
    """Per page, the median ms from the login click to the signed-in page rendered,
    provider session already there (no form: the provider answers at once).

    One browser per page, the pages taking turns run by run, so a machine that slows
    down during the run slows both alike. ``latency_ms``: emulated network latency
    per request (0: loopback as it is). ``paired``: for each page but the peer, its
    time over the peer's in the same run, as [first quartile, median, third
    quartile]: steadier than the ratio of two medians when the machine drifts.
    """
    times: dict[str, list[float]] = {name: [] for name in origins}
    with contextlib.ExitStack() as stack:
        drivers = {name: stack.enter_context(make_chrome()) for name in origins}
        for name, driver in drivers.items():
            sign_in_with_form(driver, origins[name])
            if latency_ms:
                emulate_latency(driver, latency_ms)
        for _ in range(runs):
            for name, driver in drivers.items():
                times[name].append(sign_in_once(driver, origins[name]))
    out: dict[str, Any] = {name: statistics.median(t) for name, t in times.items()}
    if "peer" in times and runs >= 2:
        out["paired"] = {
            name: quartiles([mine / peer for mine, peer in zip(t, times["peer"], strict=True)])
            for name, t in times.items()
            if name != "peer"
        }
    return out


def quartiles(values: list[float]) -> list[float]:
    """[first quartile, median, third quartile] of ``values`` (at least two)."""
    q1, q2, q3 = statistics.quantiles(values, n=4)
    return [q1, q2, q3]


def more_windows_than(count: int) -> Any:
    """A WebDriverWait condition: the browser has more than ``count`` windows."""
    return lambda driver: len(driver.window_handles) > count


def renewal_figures(origin: str, tabs: int, idp: Any, cycles: int = 3) -> dict[str, Any]:
    """Token requests at the provider per renewal cycle with ``tabs`` tabs open."""
    with make_chrome() as driver:
        sign_in_with_form(driver, origin)
        first = driver.current_window_handle
        for _ in range(tabs - 1):
            # window.open keeps the opener's sessionStorage (the peer's default store).
            driver.switch_to.window(first)
            before = set(driver.window_handles)
            driver.execute_script(f"window.open('{origin}/', '_blank')")
            count = len(before)
            WebDriverWait(driver, 10, 0.05).until(more_windows_than(count))
            new = (set(driver.window_handles) - before).pop()
            driver.switch_to.window(new)
            wait_rendered(driver, None, 30)
        driver.switch_to.window(first)
        start_requests = idp.token_requests()
        start_failed = idp.failed_token_requests()
        start_rounds = int(driver.execute_script(f"return {RENEWALS}"))
        # A measurement window, not a wait for a condition: the peer's tabs may stop
        # renewing (rotated refresh tokens racing), so there is nothing to wait on.
        window = cycles * (TOKEN_TTL - RENEW_BEFORE)
        threading.Event().wait(window)
        requests = idp.token_requests() - start_requests
        failed = idp.failed_token_requests()
        # Cycles as the first tab lived them (new tokens it got), not the window divided
        # by the nominal period: with jitter, whichever tab's timer fires first renews for
        # all, so 10 tabs renew more often than 1, and requests / window overcounted.
        driver.switch_to.window(first)
        rounds = int(driver.execute_script(f"return {RENEWALS}")) - start_rounds
        signed_in = 0
        for handle in driver.window_handles:
            driver.switch_to.window(handle)
            signed_in += driver.execute_script(f"return {STATE}") == "logged-in"
    return {
        "tabs": tabs,
        "cycles": rounds,
        "token_requests": requests,
        "per_cycle": requests / rounds if rounds else None,
        "failed": None if failed is None or start_failed is None else failed - start_failed,
        "tabs_signed_in_after": signed_in,
    }
