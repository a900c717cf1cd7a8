"""pytest plugin (entry point ``brython_oidc``): browser regression tests for your app.

Fixtures (session-scoped unless noted)::

    oidc_provider      the development provider on a free port, short token lifetimes
    app_server         your app folder, served against oidc_provider (redirect URI registered)
    mock_app_server    your app folder in mock mode (signed in as brython_oidc_mock_user)
    browser            (per test) the session's headless Chromium, wiped after each test;
                       a screenshot and the console log land in artifacts/ on failure
    expire_tokens      (per test) call it to make the provider's tokens and sessions expire

ini options (pytest.ini / pyproject ``[tool.pytest.ini_options]``): ``brython_oidc_app_dir``
(the app folder, default: the rootdir), ``brython_oidc_token_ttl`` (seconds, default 10),
``brython_oidc_artifacts`` (default ``artifacts``). Each option is also a fixture of the
same name, so a conftest can override it.

When headless Chromium cannot start, browser tests fail (a suite must not stay green
with no browser test run); ``--brython-oidc-skip-without-browser`` (or the ini option
``brython_oidc_skip_without_browser = true``) makes them skip instead.

Helpers: ``brython_oidc.testing.login``, ``logout``, ``wait_for_auth_state``, ``click``,
``text_of``; a failed ``login`` raises ``SignInError`` naming what the page said and
the screenshot it saved.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from .servers import KNOWN_ORIGINS, AppServer, DevProvider, app_server_for

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "brython_oidc_app_dir",
        "brython-oidc: the app folder the app_server fixture serves (default: rootdir)",
        default="",
    )
    parser.addini(
        "brython_oidc_token_ttl",
        "brython-oidc: access/ID token lifetime at the oidc_provider fixture, seconds",
        default="10",
    )
    parser.addini(
        "brython_oidc_skip_without_browser",
        "brython-oidc: skip (instead of fail) browser tests when Chromium cannot start",
        type="bool",
        default=False,
    )
    parser.addoption(
        "--brython-oidc-skip-without-browser",
        action="store_true",
        default=False,
        help="brython-oidc: skip (instead of fail) browser tests when Chromium cannot start",
    )
    parser.addini(
        "brython_oidc_artifacts",
        "brython-oidc: folder for screenshots and console logs of failed browser tests",
        default="artifacts",
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


# --- configuration fixtures (override them in a conftest) ---------------------------------


@pytest.fixture(scope="session")
def brython_oidc_app_dir(pytestconfig: pytest.Config) -> Path:
    value = str(pytestconfig.getini("brython_oidc_app_dir") or "")
    folder = (pytestconfig.rootpath / value) if value else pytestconfig.rootpath
    if not (folder / "brython-oidc.toml").is_file():
        raise pytest.UsageError(
            f"brython-oidc: {folder} has no brython-oidc.toml; set the ini option "
            "brython_oidc_app_dir or override the brython_oidc_app_dir fixture"
        )
    return folder


@pytest.fixture(scope="session")
def brython_oidc_token_ttl(pytestconfig: pytest.Config) -> int:
    raw = str(pytestconfig.getini("brython_oidc_token_ttl"))
    if not raw.isdigit() or int(raw) <= 0:
        raise pytest.UsageError(f"brython_oidc_token_ttl must be a positive integer, not {raw!r}")
    return int(raw)


@pytest.fixture(scope="session")
def brython_oidc_artifacts(pytestconfig: pytest.Config) -> Path:
    return pytestconfig.rootpath / str(pytestconfig.getini("brython_oidc_artifacts"))


@pytest.fixture(scope="session")
def brython_oidc_mock_user() -> dict[str, object]:
    """The claims ``mock_app_server`` signs in with."""
    return {"sub": "mock-user", "name": "Mock User"}


# --- servers ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def oidc_provider(brython_oidc_token_ttl: int) -> Iterator[DevProvider]:
    with DevProvider(token_ttl=brython_oidc_token_ttl) as provider:
        yield provider


@pytest.fixture(scope="session")
def app_server(brython_oidc_app_dir: Path, oidc_provider: DevProvider) -> Iterator[AppServer]:
    with app_server_for(brython_oidc_app_dir, oidc_provider) as server:
        yield server


@pytest.fixture(scope="session")
def mock_app_server(
    brython_oidc_app_dir: Path, brython_oidc_mock_user: dict[str, object]
) -> Iterator[AppServer]:
    with AppServer(brython_oidc_app_dir, mock={"user": brython_oidc_mock_user}) as server:
        yield server


@pytest.fixture
def expire_tokens(oidc_provider: DevProvider) -> Callable[[], int]:
    """``expire_tokens()``: every session and grant at the provider ends now."""
    return oidc_provider.expire_tokens


# --- browser ----------------------------------------------------------------------------


def skip_without_browser(config: pytest.Config) -> bool:
    return bool(
        config.getoption("--brython-oidc-skip-without-browser")
        or config.getini("brython_oidc_skip_without_browser")
    )


@pytest.fixture(scope="session")
def brython_oidc_chromium(pytestconfig: pytest.Config) -> Iterator[Any]:
    """The one headless Chromium of the session (override to share your own)."""
    from .browser import make_chrome

    try:
        chrome = make_chrome()
        driver = chrome.__enter__()
    except Exception as exc:  # no Chromium/ChromeDriver here: a failure unless asked
        reason = f"headless Chromium cannot start: {first_line(exc)}"
        if skip_without_browser(pytestconfig):
            pytest.skip(reason)
        pytest.fail(
            reason + " (install chromium and chromedriver, or pass "
            "--brython-oidc-skip-without-browser to skip browser tests)",
            pytrace=False,
        )
    try:
        yield driver
    finally:
        chrome.__exit__(None, None, None)


@pytest.fixture
def browser(
    brython_oidc_chromium: Any, request: pytest.FixtureRequest, brython_oidc_artifacts: Path
) -> Iterator[Any]:
    """The session's Chromium for one test; artifacts on failure, then wiped clean."""
    from .browser import ConsoleRecorder
    from .helpers import SCREENSHOT_ATTRIBUTE

    driver = brython_oidc_chromium
    recorder = ConsoleRecorder(driver)
    recorder.collect()  # start from an empty console log
    driver.console = recorder
    # Where a failing sign-in helper saves its screenshot: the one this fixture names.
    setattr(driver, SCREENSHOT_ATTRIBUTE, artifact_stem(brython_oidc_artifacts, request.node.name))
    yield driver
    report = request.node.stash.get(_REPORTS, {}).get("call")
    if report is not None and report.failed:
        save_artifacts(driver, recorder, brython_oidc_artifacts, request.node.name)
    reset_browser(driver)


def first_line(exc: BaseException) -> str:
    """Selenium's messages run to dozens of lines; the first says what happened."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0].removeprefix("Message: ")[:300]


def artifact_stem(folder: Path, name: str) -> Path:
    """``folder/<test name>.png``: the screenshot's path (other artifacts share the stem)."""
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return folder / f"{stem}.png"


def save_artifacts(driver: Any, recorder: Any, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    png = artifact_stem(folder, name)
    try:
        driver.save_screenshot(str(png))
        png.with_suffix(".console.txt").write_text(recorder.text(), encoding="utf-8")
    except Exception as exc:  # the browser itself may be what failed
        png.with_suffix(".error.txt").write_text(repr(exc), encoding="utf-8")


def reset_browser(driver: Any) -> None:
    """One blank tab; no cookies; no storage for any origin the test servers served."""
    handles = driver.window_handles
    for handle in handles[1:]:
        driver.switch_to.window(handle)
        driver.close()
    driver.switch_to.window(handles[0])
    driver.get("about:blank")
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    for origin in dict.fromkeys(KNOWN_ORIGINS):
        driver.execute_cdp_cmd(
            "Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"}
        )
