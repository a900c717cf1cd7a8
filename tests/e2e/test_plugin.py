"""The pytest plugin as a user meets it: ``brython-oidc new`` then ``pytest`` in that folder.

The scaffold's generated tests use the plugin's fixtures (development provider, app
server, mock mode, browser) and helpers; they run in a subprocess, as a user's suite.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

from brython_oidc import cli

ROOT = Path(__file__).resolve().parents[2]


def plugin_args() -> list[str]:
    """``-p`` the plugin unless its entry point is installed (then pytest loads it)."""
    names = {e.value for e in importlib.metadata.entry_points(group="pytest11")}
    return [] if "brython_oidc.testing.plugin" in names else ["-p", "brython_oidc.testing.plugin"]


def run_pytest(app: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugin_args(), *args],
        cwd=app,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def app_with_one_test(folder: Path, source: str) -> Path:
    """A scaffolded app whose only test file is ``tests/test_login.py`` holding ``source``."""
    assert cli.main(["new", str(folder)]) == 0
    (folder / "tests" / "test_app.py").unlink()
    (folder / "tests" / "test_login.py").write_text(source)
    return folder


def test_the_scaffolded_app_passes_its_generated_browser_tests(tmp_path: Path) -> None:
    app = tmp_path / "notes_app"
    assert cli.main(["new", str(app)]) == 0
    generated = (app / "tests" / "test_login.py").read_text()
    assert "def test_sign_in_call_the_api_and_sign_out(browser, app_server)" in generated
    done = run_pytest(app)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "5 passed" in done.stdout, done.stdout[-2000:]


def test_a_failing_browser_test_leaves_a_screenshot_and_the_console(tmp_path: Path) -> None:
    app = app_with_one_test(
        tmp_path / "failing_app",
        "from brython_oidc.testing import wait_for_auth_state\n\n\n"
        "def test_expects_the_wrong_state(browser, mock_app_server):\n"
        "    browser.get(mock_app_server.url)\n"
        "    wait_for_auth_state(browser, 'logged-out', timeout=3)\n",
    )
    done = run_pytest(app)
    assert done.returncode == 1, done.stdout[-3000:]
    artifacts = app / "artifacts"
    assert (artifacts / "test_expects_the_wrong_state.png").stat().st_size > 0
    assert (artifacts / "test_expects_the_wrong_state.console.txt").exists()


#: A conftest that makes Chromium fail to start, as on a machine without it.
NO_CHROMIUM = """\
import brython_oidc.testing.browser as browser


def make_chrome():
    raise RuntimeError("Message: no chrome binary at /nope\\nStacktrace:\\n#0 0x5555 <unknown>")


browser.make_chrome = make_chrome
"""


def test_browser_tests_fail_when_chromium_cannot_start_unless_asked_to_skip(
    tmp_path: Path,
) -> None:
    app = tmp_path / "no_browser_app"
    assert cli.main(["new", str(app)]) == 0
    (app / "tests" / "conftest.py").write_text(NO_CHROMIUM)
    done = run_pytest(app)
    assert done.returncode == 1, done.stdout[-3000:]
    assert "headless Chromium cannot start: no chrome binary at /nope" in done.stdout
    assert "2 passed, 3 errors" in done.stdout, done.stdout[-2000:]
    skipped = run_pytest(app, "--brython-oidc-skip-without-browser")
    assert skipped.returncode == 0, skipped.stdout[-3000:]
    assert "2 passed, 3 skipped" in skipped.stdout, skipped.stdout[-2000:]


def test_a_failed_sign_in_names_the_provider_error_and_the_screenshot(tmp_path: Path) -> None:
    app = app_with_one_test(
        tmp_path / "wrong_password_app",
        "from brython_oidc.testing import login\n\n\n"
        "def test_wrong_password(browser, app_server):\n"
        "    browser.get(app_server.url)\n"
        "    login(browser, 'alice', 'not-her-password', timeout=5)\n",
    )
    done = run_pytest(app)
    assert done.returncode == 1, done.stdout[-3000:]
    shot = app / "artifacts" / "test_wrong_password.png"
    line = next(x for x in done.stdout.splitlines() if x.startswith("E "))
    assert "SignInError: sign-in as 'alice' did not finish within 5 s" in line, line
    assert "Wrong username or password." in line and f"screenshot: {shot}" in line, line
    assert shot.stat().st_size > 0
    failure = done.stdout.split("FAILURES")[1].split("short test summary")[0]
    assert len(failure.splitlines()) < 20, failure  # not Selenium's source and docstrings
