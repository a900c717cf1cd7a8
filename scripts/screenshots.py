"""Screenshots of the demo and of a fresh scaffold, for the docs, in headless Chromium.

    python scripts/screenshots.py

Starts the development provider, the demo and a new ``brython-oidc new`` app on
free ports, signs in as alice in each, and writes the PNGs the docs show
(``docs/images/``). Run it after changing how either looks, and commit the PNGs.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from brython_oidc import cli  # noqa: E402
from brython_oidc.demo.server import create_demo_app, demo_app_dir  # noqa: E402
from brython_oidc.testing.browser import make_chrome  # noqa: E402
from brython_oidc.testing.helpers import (  # noqa: E402
    click,
    login,
    testid,
    wait_for_auth_state,
    wait_for_testid,
)
from brython_oidc.testing.servers import AppServer, DevProvider, app_server_for  # noqa: E402

OUT = ROOT / "docs" / "images"
SIZE = (1100, 720)


def shoot(driver: object, name: str) -> Path:
    path = OUT / name
    driver.save_screenshot(str(path))  # type: ignore[attr-defined]
    print(f"wrote {path.relative_to(ROOT)}")
    return path


def demo(driver: object, provider: DevProvider) -> None:
    app = create_demo_app(issuer=provider.issuer, client_id="demo-spa")
    with AppServer(demo_app_dir(), app=app) as server:
        provider.register_client("demo-spa", server.url)
        d: object = driver
        d.get(server.url)  # type: ignore[attr-defined]
        wait_for_auth_state(d, "logged-out")
        shoot(d, "demo-home.png")
        d.get(server.url + "profile")  # type: ignore[attr-defined]
        login(d, "alice", "alice")
        wait_for_testid(d, "claims")
        shoot(d, "demo-profile.png")
        d.find_element("link text", "Notes").click()  # type: ignore[attr-defined]
        field = d.find_element("css selector", testid("note-input"))  # type: ignore[attr-defined]
        field.send_keys("Water the plants")
        click(d, "add-note-button")
        wait_for_testid(d, "api-result", "t.includes('1 note')")
        shoot(d, "demo-notes.png")
        d.find_element("link text", "Admin").click()  # type: ignore[attr-defined]
        wait_for_testid(d, "admin-page")
        shoot(d, "demo-admin.png")


def scaffold(driver: object, provider: DevProvider) -> None:
    with tempfile.TemporaryDirectory() as folder:
        app_dir = Path(folder) / "my-app"
        assert cli.main(["new", str(app_dir)]) == 0
        with app_server_for(app_dir, provider) as server:
            d: object = driver
            d.get(server.url + "protected")  # type: ignore[attr-defined]
            login(d, "alice", "alice")
            click(d, "call-api-button")
            wait_for_testid(d, "api-result")
            shoot(d, "scaffold-protected.png")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with DevProvider(token_ttl=600) as provider, make_chrome() as driver:
        driver.set_window_size(*SIZE)
        demo(driver, provider)
        # A new sign-in, not the provider session of the demo's.
        driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        scaffold(driver, provider)


if __name__ == "__main__":
    main()
