"""The demo and the scaffold say what is happening, and never show both buttons at once.

A recorder installed before any page script (CDP) notes, on every DOM change, the
status sentence (the ``auth-status`` hook, or before Python runs the placeholder's
CSS text) and which buttons are visible. It keeps its log in sessionStorage, so the
record survives the trips to the provider and back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from brython_oidc import cli
from brython_oidc.testing import login, logout, wait_for_auth_state
from brython_oidc.testing.servers import app_server_for
from tests.e2e.conftest import Stack

RECORDER = """(() => {
  if (window !== window.top) { return; }
  const KEY = "__status_record";
  const visible = (id) => {
    const el = document.querySelector(`[data-testid="${id}"]`);
    return !!el && getComputedStyle(el).display !== "none";
  };
  const note = () => {
    const hook = document.querySelector('[data-testid="auth-status"]');
    const boot = document.querySelector(".boot-status");
    const css = boot ? getComputedStyle(boot, "::after").content : "none";
    if (!hook && (css === "none" || css === "normal")) { return; }  // not parsed/styled yet
    const text = hook ? hook.textContent : css.replace(/^"|"$/g, "");
    const entry = [text, visible("login-button"), visible("logout-button")];
    const log = JSON.parse(sessionStorage.getItem(KEY) || "[]");
    const last = log[log.length - 1];
    if (!last || JSON.stringify(last.slice(0, 3)) !== JSON.stringify(entry)) {
      log.push([...entry, Math.round(performance.now())]);
      sessionStorage.setItem(KEY, JSON.stringify(log));
    }
  };
  new MutationObserver(note).observe(document, {subtree: true, childList: true,
    attributes: true, characterData: true});
  // A stylesheet arriving changes no DOM: poll each frame until the app has started.
  const frame = () => { note(); if (!document.querySelector('[data-testid="auth-status"]')) {
    requestAnimationFrame(frame); } };
  requestAnimationFrame(frame);
})();"""


def record(driver: Any) -> list[list[Any]]:
    text = driver.execute_script("return sessionStorage.getItem('__status_record') || '[]'")
    entries: list[list[Any]] = json.loads(text)
    driver.execute_script("sessionStorage.removeItem('__status_record')")
    return entries


def texts(entries: list[list[Any]]) -> list[str]:
    return [entry[0] for entry in entries]


@pytest.fixture(params=["demo", "scaffold"])
def app_url(
    request: pytest.FixtureRequest, dev_stack: Stack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "demo":
        yield dev_stack.url
        return
    app = tmp_path_factory.mktemp("scaffold") / "status_app"
    assert cli.main(["new", str(app)]) == 0
    assert dev_stack.dev is not None
    with app_server_for(Path(app), dev_stack.dev) as server:
        yield server.url


def test_the_page_says_what_happens_and_shows_one_button(browser: Any, app_url: str) -> None:
    script = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})
    try:
        browser.get(app_url)
        wait_for_auth_state(browser, "logged-out")
        first = record(browser)
        assert first[0][0] == "Loading…", first  # before Python ran: the CSS text
        print(f"first status text {first[0][3]} ms after navigation start")
        login(browser, "alice", "alice")
        signing_in = record(browser)
        assert "Signing you in…" in texts(signing_in), signing_in
        browser.refresh()
        wait_for_auth_state(browser, "logged-in")
        restoring = record(browser)
        assert "Restoring your session…" in texts(restoring), restoring
        logout(browser)
        signing_out = record(browser)
        assert "Signing out…" in texts(signing_out), signing_out
        for entry in first + signing_in + restoring + signing_out:
            assert not (entry[1] and entry[2]), f"both buttons visible: {entry}"
        # Settled: no sentence, the one button that applies.
        assert signing_out[-1][:3] == ["", True, False], signing_out
    finally:
        browser.execute_cdp_cmd(
            "Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]}
        )
