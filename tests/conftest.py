"""Shared fixtures: one headless Chromium per session (``chrome``), loopback servers."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest

from brython_oidc.testing.live_server import serve_in_thread

with warnings.catch_warnings():
    # Starlette 1.x warns on import that it prefers httpx2 over httpx; pyproject turns
    # warnings into errors. Importing once here caches the module for every test.
    warnings.simplefilter("ignore")
    import starlette.testclient  # noqa: F401


@pytest.fixture(scope="session")
def chrome() -> Iterator[Any]:
    """The one headless Chromium of the session; every browser test shares it."""
    from brython_oidc.testing.browser import make_chrome

    with make_chrome() as driver:
        yield driver


@contextmanager
def _serve(app: Any) -> Iterator[str]:
    with serve_in_thread(app) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def live_server() -> Callable[[Any], AbstractContextManager[str]]:
    """``with live_server(app) as base_url:`` runs an ASGI app on a loopback port."""
    return _serve
