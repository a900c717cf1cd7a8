"""The router in Chromium: link clicks stay in the page, not-found, protected routes."""

from __future__ import annotations

from typing import Any


def test_router(run_page: Any) -> None:
    out = run_page("router_page")
    assert out["after_click"] == "/a"
    assert out["seen"] == ["start", "a", "404:/nope", "404:/"]
    assert out["logins"] == ["/secret?x=1"]
    # An off-site target is refused (no open redirect): it falls back to "/".
    assert out["final"] == "/"
