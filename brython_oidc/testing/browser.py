"""Selenium helpers for browser tests: one headless Chromium, waits on conditions.

The flags are the set measured to work on a machine with loopback-only network
(no sandbox inside containers, no background traffic that would hang or leak).
Browser console output is captured (``goog:loggingPrefs``) so tests can prove no
token was ever printed.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)

_BINARY_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
_DRIVER_CANDIDATES = ("/usr/bin/chromedriver",)


def _first_existing(candidates: tuple[str, ...], name: str) -> str | None:
    for candidate in candidates:
        if Path(candidate).exists():
            return candidate
    return shutil.which(name)


def chrome_options(user_data_dir: str) -> webdriver.ChromeOptions:
    """Headless Chromium options with a fresh profile and console logging on."""
    options = webdriver.ChromeOptions()
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={user_data_dir}")
    options.add_argument("--window-size=1280,900")
    binary = _first_existing(_BINARY_CANDIDATES, "chromium")
    if binary:
        options.binary_location = binary
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return options


@contextmanager
def make_chrome() -> Iterator[webdriver.Chrome]:
    """A headless Chromium with a throw-away profile; quit and cleaned up on exit."""
    user_data_dir = tempfile.mkdtemp(prefix="brython-oidc-chrome-")
    driver_path = _first_existing(_DRIVER_CANDIDATES, "chromedriver")
    service = Service(executable_path=driver_path) if driver_path else Service()
    driver = webdriver.Chrome(options=chrome_options(user_data_dir), service=service)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(user_data_dir, ignore_errors=True)


def wait_for_js(driver: webdriver.Chrome, expr: str, timeout: float = 10.0) -> Any:
    """Wait until the JavaScript expression ``expr`` is truthy; return its value.

    On timeout, the TimeoutException names the expression so the failure says what
    was awaited.
    """
    script = f"return ({expr});"
    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(
        lambda d: d.execute_script(script),
        message=f"timed out after {timeout:g} s waiting for JS: {expr}",
    )


def console_logs(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """Browser console entries since the last call (Chromium drains the buffer)."""
    get_log: Any = driver.get_log  # selenium leaves it unannotated
    entries: list[dict[str, Any]] = get_log("browser")
    return entries


class ConsoleRecorder:
    """Accumulates console output across a test, since reading the log drains it."""

    __slots__ = ("driver", "entries")

    def __init__(self, driver: webdriver.Chrome) -> None:
        self.driver = driver
        self.entries: list[dict[str, Any]] = []

    def collect(self) -> list[dict[str, Any]]:
        self.entries.extend(console_logs(self.driver))
        return self.entries

    def text(self) -> str:
        return "\n".join(str(e.get("message", "")) for e in self.collect())


def storage_snapshot(driver: webdriver.Chrome) -> dict[str, str]:
    """Every key and value of localStorage and sessionStorage, and the URL."""
    snapshot: dict[str, str] = driver.execute_script(
        """
        const out = {url: location.href};
        for (const [name, store] of [["local", localStorage], ["session", sessionStorage]]) {
            for (let i = 0; i < store.length; i++) {
                const k = store.key(i);
                out[name + ":" + k] = store.getItem(k);
            }
        }
        return out;
        """
    )
    return snapshot
