"""Shared fixtures: one headless Chromium per session, and a loopback uvicorn server."""

from __future__ import annotations

import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest

from tests.server.helpers import free_port

with warnings.catch_warnings():
    # Starlette 1.x warns on import that it prefers httpx2 over httpx; pyproject turns
    # warnings into errors. Importing once here caches the module for every test.
    warnings.simplefilter("ignore")
    import starlette.testclient  # noqa: F401

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the whole session (browser tests share it)."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.TemporaryDirectory(prefix="brython-oidc-chromium-")
    options.add_argument(f"--user-data-dir={profile.name}")
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    except Exception as exc:  # no browser on this machine: skip, loudly
        profile.cleanup()
        pytest.skip(f"headless Chromium unavailable: {exc}")
    yield driver
    driver.quit()
    profile.cleanup()


@contextmanager
def _serve(app: Any) -> Iterator[str]:
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    while not started.wait(0.02):  # wait on uvicorn's own flag
        if server.started:
            started.set()
        elif not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live_server() -> Callable[[Any], AbstractContextManager[str]]:
    """``with live_server(app) as base_url:`` runs an ASGI app on a loopback port."""
    return _serve
