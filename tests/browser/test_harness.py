"""The harness itself: pages load the bundle, results and console come back."""

from __future__ import annotations

from typing import Any

from brython_oidc.testing.browser import storage_snapshot, wait_for_js


def test_runner_returns_the_page_result(run_page: Any) -> None:
    assert run_page("smoke") == {"b64": "-_8", "answer": 42}


def test_console_output_is_captured(driver: Any, page_server: Any) -> None:
    driver.get(f"{page_server.origin}/run/smoke")
    wait_for_js(driver, "window.__result")
    driver.execute_script("console.log('harness-probe-123')")
    assert "harness-probe-123" in driver.console.text()


def test_storage_snapshot_sees_both_stores(driver: Any, page_server: Any) -> None:
    driver.get(f"{page_server.origin}/run/smoke")
    driver.execute_script("localStorage.setItem('a', '1'); sessionStorage.setItem('b', '2')")
    snap = storage_snapshot(driver)
    driver.execute_script("localStorage.clear(); sessionStorage.clear()")
    assert snap["local:a"] == "1" and snap["session:b"] == "2"
    assert snap["url"].endswith("/run/smoke")
