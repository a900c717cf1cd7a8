"""The engine asset in the page: the protocol modules run precompiled, never compiled.

The page here is the shell create_app serves (the boot file, ``PageServer.boot_file``).
A hook records every module Brython compiles in the page (``__BRYTHON__.py2js``).
The app's modules ship compiled too (server/compiler.py), so the boot file leaves
Brython's IndexedDB cache off: the page never opens it.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from typing import Any

import pytest

from brython_oidc.server.bundle import framework_modules
from brython_oidc.server.precompiled import MODULES as PRECOMPILED
from brython_oidc.testing.browser import wait_for_js
from brython_oidc.testing.live_server import free_port

if importlib.util.find_spec("brython_oidc.devidp.provider") is None:
    pytest.skip("devidp/ has not landed in this tree", allow_module_level=True)

from tests.browser.runtime_fixtures import open_logged_out_with_discovery, sign_in, wait_state

ENGINE = sorted({m.name for m in framework_modules()} - set(PRECOMPILED))

# Before any page script: records the modules Brython compiles (wrapped at brython.js's
# own load event, which fires once it has run, before the bundle and the boot file that
# calls brython()), whether the engine's modules were there when Brython compiled its
# first script, and what the page had of the engine asset when the ready mark was set.
HOOKS = """(() => {
  window.__compiled = [];
  document.addEventListener("load", (event) => {
    const B = window.__BRYTHON__;
    if (!B || B.py2js.hooked || !String(event.target.src).includes("brython")) return;
    const py2js = B.py2js;
    B.py2js = function (src, module, name) {
      if (window.__engine_at_start === undefined) {
        window.__engine_at_start = Boolean(B.VFS && B.VFS["brython_oidc.browser.client"]);
      }
      window.__compiled.push(String(name));
      return py2js.apply(this, arguments);
    };
    B.py2js.hooked = true;
  }, true);
  const mark = performance.mark.bind(performance);
  performance.mark = (name, options) => {
    if (name === "brython-oidc:ready") {
      window.__engine_at_ready = [
        document.querySelectorAll('script[src*="engine"]').length,
        performance.getEntriesByType("resource").filter((e) => e.name.includes("engine")).length,
      ];
    }
    return mark(name, options);
  };
})();"""

PAGE_STATE = """return {
  compiled: window.__compiled,
  engine_at_start: window.__engine_at_start,
  imported: Object.keys(__BRYTHON__.imported),
  precompiled: Object.keys(__BRYTHON__.precompiled),
  engine_fetched: performance.getEntriesByType("resource")
    .filter((e) => e.name.endsWith("/engine.js")).length,
}"""


@pytest.fixture
def hooked(driver: Any, app: Any) -> Iterator[Any]:
    """The test app served with the boot file, with HOOKS on every new page."""
    app.boot_file = True
    script = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": HOOKS})
    yield app
    driver.execute_cdp_cmd(
        "Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]}
    )


def page_state(driver: Any) -> dict[str, Any]:
    state: dict[str, Any] = driver.execute_script(PAGE_STATE)
    assert state["compiled"], "the hook saw nothing compiled, not even the inline script"
    return state


def compiled_framework(state: dict[str, Any]) -> list[str]:
    return [name for name in state["compiled"] if name.startswith("brython_oidc")]


def wait_engine_warmed_up(driver: Any) -> None:
    # warm_up imports in one task and logs what it cannot raise (a failed import).
    wait_for_js(driver, "__BRYTHON__.imported['brython_oidc.browser.client'] !== undefined", 20)
    assert "brython-oidc: " not in driver.console.text()


def assert_engine_ran_precompiled(driver: Any) -> None:
    state = page_state(driver)
    assert state["engine_fetched"] == 1
    assert "brython_oidc.browser.client" in state["imported"]
    assert set(ENGINE) <= set(state["precompiled"])
    assert compiled_framework(state) == [], "compiled in the page"


def bundle_vfs(content: bytes) -> dict[str, Any]:
    """The VFS of a bundle's first line, ``__BRYTHON__.loadBrythonPackage({...})``."""
    vfs: dict[str, Any] = json.loads(content.decode().split("\n", 1)[0][31:-1])
    return vfs


def compiled_modules(driver: Any, hooked: Any) -> list[str]:
    """Bundle modules (app or framework) Brython compiled in this page: none expected."""
    bundled = set(bundle_vfs(hooked.bundle))
    return [name for name in page_state(driver)["compiled"] if name in bundled]


def assert_no_module_cache(driver: Any, hooked: Any) -> None:
    assert hooked.compiled_at_load
    # brython.js sets idb_cx when it opens its cache (brython.js: $B.idb_open).
    assert driver.execute_script("return __BRYTHON__.idb_cx === undefined") is True


def test_logged_out_first_visit_fetches_the_engine_after_the_ready_mark(
    driver: Any, hooked: Any
) -> None:
    hooked.app_module = "minimal_page"
    driver.get(hooked.origin + "/")
    wait_state(driver, "logged-out")
    # Nothing of the engine asset before the mark: no script element, no fetch, and
    # Brython started without waiting for it.
    assert driver.execute_script("return window.__engine_at_ready") == [0, 0]
    assert page_state(driver)["engine_at_start"] is False
    # handle.Oidc.warm_up: the engine asset first, then the engine imported from it.
    wait_engine_warmed_up(driver)
    assert_engine_ran_precompiled(driver)
    assert compiled_modules(driver, hooked) == []
    assert_no_module_cache(driver, hooked)


def test_callback_and_restore_run_the_engine_precompiled(driver: Any, hooked: Any) -> None:
    driver.get(hooked.origin + "/")
    wait_state(driver, "logged-out")
    # app_page imports the router (and with it core/) at module level: the bundle
    # ships them compiled, and the warm-up's precompiled imports work on top of those.
    wait_engine_warmed_up(driver)
    state = page_state(driver)
    assert "brython_oidc.browser.router" in state["imported"]
    assert compiled_modules(driver, hooked) == []
    driver.execute_script("window.app_login('/')")
    sign_in(driver)
    # The callback page: the boot file loaded the engine, then started Brython.
    wait_state(driver, "logged-in")
    assert_engine_ran_precompiled(driver)
    assert page_state(driver)["engine_at_start"] is True
    # A restore: the "was signed in" hint makes the boot file load it.
    driver.refresh()
    wait_state(driver, "logged-in")
    assert_engine_ran_precompiled(driver)
    assert page_state(driver)["engine_at_start"] is True
    assert compiled_modules(driver, hooked) == []
    assert_no_module_cache(driver, hooked)


DISCOVERY_ENTRIES = """return performance.getEntriesByType("resource")
  .filter((e) => e.name.endsWith("/.well-known/openid-configuration"))
  .map((e) => e.startTime)"""
JWKS_ENTRIES = """return performance.getEntriesByType("resource")
  .filter((e) => e.name.endsWith("/jwks")).map((e) => e.startTime)"""
ENGINE_START = """return performance.getEntriesByType("resource")
  .filter((e) => e.name.endsWith("/engine.js")).map((e) => e.startTime)[0]"""


def test_the_boot_file_starts_the_discovery_and_jwks_requests_and_the_engine_takes_them(
    driver: Any, hooked: Any, idp: Any
) -> None:
    # The stored document: the engine took the boot file's response and core checked it.
    open_logged_out_with_discovery(driver, hooked.origin)
    starts = driver.execute_script(DISCOVERY_ENTRIES)
    assert len(starts) == 1, starts  # one request: not one more from the engine
    assert starts[0] < driver.execute_script(ENGINE_START)  # sent before the engine loaded
    assert len(idp.app.requests("/.well-known/openid-configuration")) == 1
    taken = "return window.__brython_oidc_early_get === undefined"
    assert driver.execute_script(taken) is True
    # The callback page finds the document stored: its boot file asks for the JWKS
    # instead, and send_code takes that response rather than asking again.
    jwks_before = len(idp.app.requests("/jwks"))
    driver.execute_script("window.app_login('/')")
    sign_in(driver)
    wait_state(driver, "logged-in")
    assert driver.execute_script(DISCOVERY_ENTRIES) == []
    jwks = driver.execute_script(JWKS_ENTRIES)
    assert len(jwks) == 1, jwks
    assert jwks[0] < driver.execute_script(ENGINE_START)  # sent before the engine loaded
    assert driver.execute_script(taken) is True
    assert len(idp.app.requests("/jwks")) == jwks_before + 1
    assert len(idp.app.requests("/.well-known/openid-configuration")) == 1


def test_an_issuer_passed_in_code_leaves_the_boot_files_request_alone(
    driver: Any, hooked: Any, idp: Any
) -> None:
    # The page's configuration names an issuer nobody answers for; the app passes the
    # real one to create_oidc. The boot file asks the first; the engine must not take
    # that answer for the second (browser/http.py take_started compares the URL).
    unused = f"http://127.0.0.1:{free_port()}"
    real = hooked.config["issuer"]
    hooked.config = {**hooked.config, "issuer": unused}
    overrides = json.dumps(json.dumps({"issuer": real}))
    script = driver.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument",
        {"source": f"window.app_overrides = {overrides};"},
    )
    try:
        open_logged_out_with_discovery(driver, hooked.origin)
        started = driver.execute_script("return window.__brython_oidc_early_get.url")
        assert started == unused + "/.well-known/openid-configuration"  # left untaken
        assert len(idp.app.requests("/.well-known/openid-configuration")) == 1  # the engine's
        driver.execute_script("window.app_login('/')")
        sign_in(driver)
        wait_state(driver, "logged-in")
    finally:
        driver.execute_cdp_cmd(
            "Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]}
        )


# The page's own compiler, called as Brython's VFS loader calls it (server/compiler.py's
# _COMPILE, without the seeding): with its running counters, in real Chromium.
COMPILE_IN_PAGE = """
const [name, source, is_package] = arguments, $B = __BRYTHON__;
const parts = name.split(".");
if (!is_package) { parts.pop(); }
const module = $B.module.$factory(name, "", parts.join("."));
const path = "VFS." + name + (is_package ? "/__init__.py" : ".py");
$B.module_setattr(module, "__file__", path);
$B.url2name[path] = name;
$B.file_cache[path] = source;
return $B.py2js({src: source, filename: path, imported: true}, module, name,
                $B.builtins_scope).to_js();
"""


def test_the_server_compiler_makes_what_the_page_compiler_makes(driver: Any, hooked: Any) -> None:
    # precompiled.json and the app's compiled modules come from server/compiler.py
    # (brython.js in mini-racer, behind a stand-in for the browser): the same
    # programs as Brython in the page makes, its generated names aside.
    from brython_oidc.server.bundle import prepare_source
    from brython_oidc.server.compiler import get_compiler
    from tests.server.test_compiler import same_program

    tool = get_compiler()
    assert tool is not None
    hooked.app_module = "minimal_page"
    driver.get(hooked.origin + "/")
    wait_state(driver, "logged-out")
    renamed = 0
    for module in framework_modules():
        source = prepare_source(module.path.read_text("utf-8"))
        in_page = driver.execute_script(COMPILE_IN_PAGE, module.name, source, module.is_package)
        ours = tool.compile(module.name, source, is_package=module.is_package)
        assert same_program(ours, in_page), module.name
        renamed += ours != in_page
    assert renamed > 30  # the page's generated names differ: the comparison is real


def block_engine(driver: Any, blocked: bool) -> None:
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*engine.js*"] if blocked else []})


def test_bundle_holds_no_engine_module(driver: Any, hooked: Any) -> None:
    hooked.app_module = "minimal_page"
    driver.get(hooked.origin + "/")
    wait_state(driver, "logged-out")
    vfs_at_start = bundle_vfs(hooked.boot_bundle)
    assert "brython_oidc.browser.boot" in vfs_at_start
    # The test pages import a few engine modules at load (the router, core/): those
    # stay in the bundle, compiled; the rest are left to the engine asset.
    lazy = {"brython_oidc.browser.client", "brython_oidc.core.jose", "brython_oidc.browser.tabs"}
    assert lazy <= set(ENGINE)
    assert not lazy & set(vfs_at_start)
    # The engine asset adds them when it loads (warm_up).
    wait_engine_warmed_up(driver)
    vfs_now = driver.execute_script("return Object.keys(__BRYTHON__.VFS)")
    assert set(ENGINE) <= set(vfs_now)


def test_login_waits_for_the_engine_and_a_failed_load_is_reported_then_retried(
    driver: Any, hooked: Any
) -> None:
    hooked.app_module = "engine_page"
    block_engine(driver, True)
    try:
        driver.get(hooked.origin + "/")
        wait_state(driver, "logged-out")  # the ready mark needs no engine
        driver.execute_script("window.app_try_login()")
        wait_for_js(driver, "window.app_login_error !== ''", 20)
        error = driver.execute_script("return window.app_login_error")
        assert error.startswith("ConnectionError: brython-oidc: the engine script"), error
        assert "try again" in error
        assert driver.current_url.startswith(hooked.origin)  # the user stays where they were
        # The network is back: the next login fetches the engine again and goes.
        block_engine(driver, False)
        driver.execute_script("window.app_try_login()")
        sign_in(driver)
        wait_state(driver, "logged-in")
    finally:
        block_engine(driver, False)
    assert_engine_ran_precompiled(driver)


def test_mock_mode_loads_the_engine_at_start(driver: Any, hooked: Any) -> None:
    hooked.app_module = "minimal_page"
    hooked.config = {"mock": {"user": {"sub": "u1", "name": "Mock Alice"}}}
    driver.get(hooked.origin + "/")
    wait_state(driver, "logged-in")
    # The boot file loaded it, then started Brython.
    assert driver.execute_script("return window.__engine_at_ready")[1] == 1
    assert compiled_framework(page_state(driver)) == []
