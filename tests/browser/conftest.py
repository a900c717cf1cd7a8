"""Browser-test fixtures: ONE Chromium and ONE loopback page server per session.

The page server serves brython.js, one bundle (framework modules plus the test-page
modules in ``pages/``), a runner page that awaits a page module's ``main()``, and
an app shell whose injected configuration each test sets; with ``boot_file`` set, the
shell is create_app's (the boot file, which loads the engine asset on demand).
"""

from __future__ import annotations

import asyncio
import html
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import brython
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from brython_oidc.server.assets import boot_script
from brython_oidc.server.bundle import (
    build_bundle,
    build_engine,
    framework_modules,
    iter_app_modules,
)
from brython_oidc.testing.browser import ConsoleRecorder, storage_snapshot, wait_for_js
from brython_oidc.testing.live_server import serve_in_thread

PAGES = Path(__file__).parent / "pages"
BRYTHON_JS = Path(brython.__file__).parent / "data" / "brython.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
NO_STORE = {"Cache-Control": "no-store"}

RUNNER_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>run {name}</title>
<script src="/brython.js"></script><script src="/bundle.js"></script>
</head><body>
<script type="text/python">
import runner
runner.start({name_json})
</script>
</body></html>
"""

APP_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>test app</title>
<script type="application/json" id="brython-oidc-config">{config}</script>
<script src="/brython.js"></script><script src="/bundle.js"></script>
</head><body>
<div id="app"></div>
<script type="text/python">
import {module}
</script>
</body></html>
"""


#: The app shell as create_app serves it: deferred scripts and the boot file, which
#: starts Brython and loads the engine asset (server/assets.py).
BOOT_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>test app</title>
<script type="application/json" id="brython-oidc-config">{config}</script>
<script defer src="/boot.js"></script>
<script defer src="/brython.js"></script><script defer src="/bundle.js"></script>
</head><body>
<div id="app"></div>
<script type="text/python">
import {module}
</script>
</body></html>
"""


class PageServer:
    """The test page server's state; tests change ``config`` and ``app_module``."""

    def __init__(self) -> None:
        self.port = 0
        self.bundle = b""
        self.boot_bundle = b""
        self.config: dict[str, Any] = {}
        self.app_module = "app_page"
        #: Serve the app shell with the boot file and the engine asset (BOOT_HTML).
        self.boot_file = False
        self.engine = b""
        self.compiled_at_load = False
        self.rebuild()

    @property
    def origin(self) -> str:
        return f"http://localhost:{self.port}"

    def rebuild(self) -> None:
        modules = [*framework_modules(), *iter_app_modules(PAGES)]
        bundle = build_bundle(modules)
        self.bundle = bundle.content
        # The app shell gets the bundle create_app serves: the engine's modules come
        # in the engine asset. The runner pages import any module from the bundle.
        self.boot_bundle = build_bundle(modules, engine=True).content
        self.engine = build_engine(framework_modules())
        self.compiled_at_load = bundle.compiled_at_load

    def app(self) -> Starlette:
        async def brython_js(request: Request) -> Response:
            return FileResponse(BRYTHON_JS, media_type="text/javascript")

        async def bundle_js(request: Request) -> Response:
            content = self.boot_bundle if self.boot_file else self.bundle
            return Response(content, media_type="text/javascript", headers=NO_STORE)

        async def engine_js(request: Request) -> Response:
            return Response(self.engine, media_type="text/javascript", headers=NO_STORE)

        async def boot_js(request: Request) -> Response:
            # As server/assets.py makes it for the configuration the page has now;
            # no IndexedDB cache when nothing compiles at load.
            boot = boot_script(
                debug=1,
                engine_url="/engine.js",
                indexeddb=not self.compiled_at_load,
                oidc=self.config,
            )
            return Response(boot, media_type="text/javascript", headers=NO_STORE)

        async def run(request: Request) -> Response:
            name = request.path_params["name"]
            if not name.isidentifier():
                return Response("bad module name", status_code=400)
            body = RUNNER_HTML.format(name=name, name_json=json.dumps(name))
            return HTMLResponse(body, headers=NO_STORE)

        async def shell(request: Request) -> Response:
            # The same shell for every path: the app's one redirect URI is "/",
            # and deep links are the router's business (SPA fallback).
            config = json.dumps(self.config).replace("</", "<\\/")
            shell = BOOT_HTML if self.boot_file else APP_HTML
            body = shell.format(config=config, module=html.escape(self.app_module))
            return HTMLResponse(body, headers=NO_STORE)

        async def slow(request: Request) -> Response:
            # A provider that accepts the connection and then stalls.
            await asyncio.sleep(float(request.query_params.get("s", "3")))
            return Response("late")

        async def echo(request: Request) -> Response:
            body = (await request.body()).decode()
            return JSONResponse(
                {
                    "method": request.method,
                    "body": body,
                    "content_type": request.headers.get("content-type"),
                    "authorization": request.headers.get("authorization"),
                },
                headers={"Access-Control-Allow-Origin": "*"},
            )

        return Starlette(
            routes=[
                Route("/test/slow", slow),
                Route("/test/echo", echo, methods=["GET", "POST"]),
                Route("/brython.js", brython_js),
                Route("/bundle.js", bundle_js),
                Route("/engine.js", engine_js),
                Route("/boot.js", boot_js),
                Route("/run/{name}", run),
                Route("/{path:path}", shell),
            ]
        )


@pytest.fixture(scope="session")
def page_server() -> Iterator[PageServer]:
    server = PageServer()
    with serve_in_thread(server.app()) as port:
        server.port = port
        yield server


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def driver(chrome: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """The session's Chromium, reset to one blank tab; artifacts saved on failure."""
    recorder = ConsoleRecorder(chrome)
    recorder.collect()  # drop the previous test's console output
    chrome.console = recorder
    yield chrome
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        stem = request.node.name.replace("/", "_")
        try:
            chrome.save_screenshot(str(ARTIFACTS / f"{stem}.png"))
            (ARTIFACTS / f"{stem}.console.txt").write_text(recorder.text(), encoding="utf-8")
        except Exception as exc:  # the browser itself may be the failure
            (ARTIFACTS / f"{stem}.error.txt").write_text(repr(exc), encoding="utf-8")
    # Close every extra tab, then leave the first on a blank page for the next test.
    handles = chrome.window_handles
    for handle in handles[1:]:
        chrome.switch_to.window(handle)
        chrome.close()
    chrome.switch_to.window(handles[0])
    chrome.get("about:blank")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def run_page(driver: Any, page_server: PageServer) -> Any:
    """Load the runner for a page module; return its ``main()`` result.

    A Python exception in the page fails the test with the page's error text.
    """

    def run(name: str, timeout: float = 20.0) -> Any:
        driver.get(f"{page_server.origin}/run/{name}")
        text = wait_for_js(driver, "window.__result", timeout)
        result = json.loads(text)
        if not result["ok"]:
            pytest.fail(f"page {name} raised {result['error']}: {result['message']}")
        return result["value"]

    return run


# --- runtime tests against the development provider ------------------------------------


@pytest.fixture(scope="module")
def idp(page_server: PageServer) -> Iterator[Any]:
    """The development provider with short token lifetimes (one per test module)."""
    from tests.browser.runtime_fixtures import running_idp

    yield from running_idp(page_server.origin)


@pytest.fixture
def app(page_server: PageServer, idp: Any, driver: Any) -> PageServer:
    """The test app configured for the provider, with cookies and storage wiped first.

    Wiped before, not after: the leak check below must see what the test left.
    """
    from tests.browser.runtime_fixtures import CLIENT_ID

    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    for origin in (page_server.origin, idp.issuer):
        driver.execute_cdp_cmd(
            "Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"}
        )
    page_server.app_module = "app_page"
    page_server.boot_file = False
    page_server.config = {
        "issuer": idp.issuer,
        "client_id": CLIENT_ID,
        "redirect_uri": page_server.origin + "/",
        "renew_before_expiry": 5,
        "renew_jitter": 0.5,
        "scope": "openid profile offline_access",
    }
    idp.provider.tamper = False
    idp.app.down = idp.app.dead = False
    idp.app.hold = None
    idp.app.held = 0
    idp.app.grants.clear()
    idp.app.seen.clear()
    return page_server


@pytest.fixture(autouse=True)
def no_token_leak(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every runtime test: no token the provider issued is in any tab's
    localStorage, sessionStorage or URL, nor in the console (issue 5, "Done when")."""
    if "idp" not in request.fixturenames:
        yield
        return
    # Requested here, so they are torn down after this check (tabs still open).
    idp = request.getfixturevalue("idp")
    driver = request.getfixturevalue("driver")
    yield
    report = getattr(request.node, "rep_call", None)
    if report is None or report.failed:
        return  # the test's own failure is the news
    issued = list(idp.provider.issued)
    tails = [token[-24:] for token in issued]
    places: dict[str, str] = {}
    for handle in driver.window_handles:
        driver.switch_to.window(handle)
        for where, text in storage_snapshot(driver).items():
            places[f"{handle[-6:]} {where}"] = text
    places["console"] = driver.console.text()
    for where, text in places.items():
        leaked = [tail for tail in tails if tail in text]
        assert not leaked, f"a token issued by the provider appears in {where}"
