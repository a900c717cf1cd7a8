"""The brython-oidc command: help, errors, new, serve, build (served by a plain static server)."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium.webdriver.support.ui import WebDriverWait
from starlette.testclient import TestClient

from brython_oidc import cli
from brython_oidc.server import create_app
from brython_oidc.testing.live_server import free_port
from tests.server.helpers import ISSUER, injected_config, make_app, script_url, script_urls

ROOT = Path(__file__).resolve().parents[2]


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, *needles: str) -> None:
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("brython-oidc: error: "), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)


def wait_for_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 20) -> httpx.Response:
    """Poll until the server answers (a condition, not a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"server exited early: {proc.stderr.read() if proc.stderr else ''!r}"
            )
        try:
            return httpx.get(url, timeout=1)
        except httpx.TransportError:
            continue
    raise AssertionError(f"no answer from {url}")


def subprocess_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


# --- help and argument errors ------------------------------------------------------------


@pytest.mark.parametrize("command", ["serve", "build", "new", "demo", "dev-idp"])
def test_every_subcommand_has_help(capsys: pytest.CaptureFixture[str], command: str) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main([command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: brython-oidc {command}")
    assert len(out.splitlines()) > 3


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys)
    assert code == 2
    for command in ("serve", "build", "new", "demo", "dev-idp"):
        assert command in out


def test_python_dash_m_works() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "brython_oidc.cli", "--help"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0 and "serve" in done.stdout


def test_missing_folder_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for argv in (
        ["serve", str(tmp_path / "nope")],
        ["build", str(tmp_path / "nope"), "--out", "x"],
    ):
        code, _, err = run_cli(capsys, *argv)
        assert_one_line_error(code, err, "app folder not found", "nope")


def test_bad_config_names_file_and_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    app = make_app(tmp_path / "app")
    (app / "brython-oidc.toml").write_text('[oidc]\nissuer = "https://x"\nclient_id = 5\n')
    for argv in (["serve", str(app)], ["build", str(app), "--out", str(tmp_path / "o")]):
        code, _, err = run_cli(capsys, *argv)
        assert_one_line_error(code, err, "brython-oidc.toml", "oidc.client_id")


def test_port_in_use_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    app = make_app(tmp_path / "app")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run_cli(capsys, "serve", str(app), "--port", str(port))
    assert_one_line_error(code, err, f"port {port}", "in use")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    import brython

    import brython_oidc

    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out == f"brython-oidc {brython_oidc.__version__} (Brython {brython.__version__})\n"


# --- Ctrl-C ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["serve", "demo", "dev-idp"])
def test_ctrl_c_before_a_server_listens_is_a_clean_stop(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    command: str,
) -> None:
    """Ctrl-C while loading or building (before uvicorn handles signals) stops cleanly."""

    def interrupted(*args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "cmd_serve", interrupted)
    monkeypatch.setattr(cli, "_load_cli", lambda name: types.SimpleNamespace(run=interrupted))
    argv = [command, str(make_app(tmp_path / "app"))] if command == "serve" else [command]
    code, _, err = run_cli(capsys, *argv)
    assert (code, err) == (0, f"brython-oidc {command}: stopped\n")


def test_ctrl_c_in_build_is_an_abort(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from brython_oidc.server import static_build

    def interrupted(*args: object) -> list[Path]:
        raise KeyboardInterrupt

    monkeypatch.setattr(static_build, "build_static_site", interrupted)
    code, _, err = run_cli(capsys, "build", str(make_app(tmp_path / "app")))
    assert (code, err) == (cli.EXIT_INTERRUPTED, "")


@pytest.mark.parametrize("command", ["serve", "dev-idp", "demo"])
def test_ctrl_c_stops_a_running_server_with_status_0_and_a_closing_line(
    tmp_path: Path, command: str
) -> None:
    port, other = free_port(), free_port()
    args = {
        "serve": [str(make_app(tmp_path / "app")), "--port", str(port)],
        "dev-idp": ["--port", str(port)],
        "demo": ["--no-browser", "--port", str(port), "--idp-port", str(other)],
    }[command]
    proc = subprocess.Popen(
        [sys.executable, "-m", "brython_oidc.cli", command, *args],
        cwd=ROOT,
        env=subprocess_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", proc)  # type: ignore[arg-type]
    finally:
        proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        code = proc.wait(timeout=15)
    stderr = proc.stderr.read()  # type: ignore[union-attr]
    assert code == 0, stderr
    assert "Traceback" not in stderr and "Event loop is closed" not in stderr, stderr
    assert stderr.splitlines()[-1] == f"brython-oidc {command}: stopped"


# --- demo / dev-idp delegation -----------------------------------------------------------


def test_demo_without_devidp_is_a_clear_message(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(name: str) -> Any:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    monkeypatch.setattr(cli.importlib, "import_module", missing)
    for command, module in (
        ("demo", "brython_oidc.demo.cli"),
        ("dev-idp", "brython_oidc.devidp.cli"),
    ):
        code, _, err = run_cli(capsys, command)
        assert_one_line_error(code, err, command, module)


def test_demo_and_dev_idp_delegate_to_devidp_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, int]] = []
    for module, default in (("brython_oidc.devidp.cli", 8001), ("brython_oidc.demo.cli", 8000)):
        fake = type(sys)(module)
        fake.add_arguments = lambda parser, d=default: parser.add_argument(  # type: ignore[attr-defined]
            "--port", type=int, default=d
        )
        fake.run = lambda args: calls.append((args.command, args.port)) or 7  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, module, fake)
    assert cli.main(["dev-idp", "--port", "9001"]) == 7
    assert cli.main(["demo"]) == 7
    assert calls == [("dev-idp", 9001), ("demo", 8000)]


# --- new ----------------------------------------------------------------------------------


def test_new_scaffolds_an_app_that_serves_and_passes_its_test(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "hello_app"
    code, out, _ = run_cli(capsys, "new", str(target))
    assert code == 0 and "brython-oidc serve" in out
    assert (target / "server" / "api.py").is_file() and (target / "static" / "app.css").is_file()
    config = (target / "brython-oidc.toml").read_text()
    assert 'issuer = "http://127.0.0.1:8001"' in config and 'client_id = "demo-spa"' in config
    main = (target / "main.py").read_text()
    assert "from brython_oidc.browser import create_oidc" in main
    compile(main, "main.py", "exec")

    client = TestClient(create_app(target))
    page = client.get("/protected")
    assert page.status_code == 200
    assert injected_config(page.text)["client_id"] == "demo-spa"
    bundle = client.get(script_url(page.text, "bundle")).text
    assert '"main":' in bundle and '"tests.test_app"' not in bundle

    # The scaffold's own test passes (imported and run in-process: same assertions).
    spec = importlib.util.spec_from_file_location(
        "scaffold_test_app", target / "tests" / "test_app.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.test_page_and_bundle_are_served()
    module.test_the_api_wants_an_access_token()

    code, _, err = run_cli(capsys, "new", str(target))
    assert_one_line_error(code, err, "already exists")


def test_new_prints_next_steps_that_work_when_pasted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "my app"
    code, out, _ = run_cli(capsys, "new", str(target))
    assert code == 0
    serve = next(line for line in out.splitlines() if "brython-oidc serve" in line)
    assert shlex.split(serve, comments=True) == ["brython-oidc", "serve", str(target)]
    cd = next(line for line in out.splitlines() if line.strip().startswith("cd "))
    assert shlex.split(cd, comments=True)[:2] == ["cd", str(target)]


@pytest.mark.parametrize("name", ['say "hi"', "a<b", "x\\y", "tab\there"])
def test_new_refuses_names_the_templates_cannot_carry(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    code, _, err = run_cli(capsys, "new", str(tmp_path / name))
    assert_one_line_error(code, err, "not a usable folder name")


def test_new_then_serve_answers_over_http(tmp_path: Path) -> None:
    target = tmp_path / "served"
    assert cli.main(["new", str(target)]) == 0
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "brython_oidc.cli", "serve", str(target), "--port", str(port)],
        cwd=ROOT,
        env=subprocess_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        response = wait_for_http(f"http://127.0.0.1:{port}/protected?code=a&state=b", proc)
        assert response.status_code == 200
        assert "import main" in response.text
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        bundle = httpx.get(f"http://127.0.0.1:{port}{script_url(response.text, 'bundle')}")
        assert bundle.status_code == 200 and '"main":' in bundle.text
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# --- build --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A built app, served by a plain `python -m http.server` on a loopback port."""
    base = tmp_path_factory.mktemp("build")
    app = make_app(base / "app")
    (app / "static" / "sub").mkdir()
    (app / "static" / "sub" / "img.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (app / "static" / ".secret").write_text("no")
    out = base / "out"
    assert cli.main(["build", str(app), "--out", str(out)]) == 0
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            str(port),
            "--bind",
            "127.0.0.1",
            "--directory",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", proc)
        yield out, f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_build_writes_shell_hashed_scripts_static_and_nginx(built: tuple[Path, str]) -> None:
    out, _ = built
    page = (out / "index.html").read_text()
    assert injected_config(page) == {"issuer": ISSUER, "client_id": "demo-spa"}
    urls = script_urls(page)
    assert [re.sub(r"\.[0-9a-f]{16}\.js$", "", u) for u in urls] == [
        "/_brython_oidc/boot",
        "/_brython_oidc/brython",
        "/_brython_oidc/bundle",
    ]
    for url in urls:
        assert (out / url.lstrip("/")).is_file()
        assert (out / (url.lstrip("/") + ".gz")).is_file()
    assert (out / "static" / "style.css").is_file()
    assert (out / "static" / "sub" / "img.svg").is_file()
    assert not (out / "static" / ".secret").exists()
    # Issue 24: beside the deployed folder, not inside it; no `always` on the year-long cache.
    assert not (out / "nginx.conf").exists()
    nginx = out.with_name(out.name + ".nginx.conf").read_text()
    assert "try_files /index.html =404;" in nginx
    assert 'add_header Cache-Control "public, max-age=31536000, immutable";' in nginx
    assert 'add_header Cache-Control "no-store" always;' in nginx
    assert f'root "{out.resolve()}";' in nginx
    assert nginx.count("add_header Content-Security-Policy") == 4  # server level + 3 locations
    assert 'add_header Referrer-Policy "no-referrer" always;' in nginx
    assert "return 405;" in nginx


def test_plain_static_server_serves_the_build(built: tuple[Path, str]) -> None:
    out, base = built
    page = httpx.get(base + "/")
    assert page.status_code == 200 and "import main" in page.text
    for url in script_urls(page.text):
        response = httpx.get(base + url)
        assert response.status_code == 200
        assert response.content == (out / url.lstrip("/")).read_bytes()
    assert httpx.get(base + "/static/style.css").status_code == 200


def test_build_warns_of_plain_http_settings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    app = make_app(tmp_path / "app", oidc='post_logout_redirect_uri = "https://app.example/"')
    code, _, err = run_cli(capsys, "build", str(app), "--out", str(tmp_path / "out"))
    assert code == 0
    # The issuer only: the redirect URI is the page's own, the post-logout URI https.
    assert err.splitlines() == [
        f"brython-oidc: warning: oidc.issuer uses plain http ({ISSUER}): acceptable for"
        " local development only; tokens cross the network unencrypted"
    ]
    args = ("--out", str(tmp_path / "out2"), "--issuer", "https://idp.example.com")
    code, _, err = run_cli(capsys, "build", str(app), *args)
    assert (code, err) == (0, "")


def test_build_refuses_a_folder_that_is_not_a_build(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    app = make_app(tmp_path / "app")
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.tex").write_text("keep me")
    code, _, err = run_cli(capsys, "build", str(app), "--out", str(out))
    assert_one_line_error(code, err, "not empty")
    assert (out / "thesis.tex").read_text() == "keep me"
    code, _, err = run_cli(capsys, "build", str(app), "--out", str(app / "static" / "x"))
    assert_one_line_error(code, err, "overlaps")


def test_build_defaults_to_dist_and_counts_every_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    app = make_app(tmp_path / "app")
    code, out, _ = run_cli(capsys, "build", str(app))
    assert code == 0
    on_disk = [p for p in (app / "dist").rglob("*") if p.is_file()]
    assert len(on_disk) == 11  # 4 scripts + 4 .gz, index.html, 2 static files
    conf = app / "dist.nginx.conf"  # beside the folder, not in it
    assert conf.is_file()
    wrote = f"wrote {len(on_disk) + 1} files to {app / 'dist'} (sample nginx config: {conf})"
    assert out == f"brython-oidc: {wrote}\n"
    # The build folder is not part of the next build (not bundled, not copied).
    assert run_cli(capsys, "build", str(app))[0] == 0
    assert len([p for p in (app / "dist").rglob("*") if p.is_file()]) == 11


def test_rebuild_replaces_the_previous_hashed_files(tmp_path: Path) -> None:
    app = make_app(tmp_path / "app")
    out = tmp_path / "out"
    assert cli.main(["build", str(app), "--out", str(out)]) == 0
    first = {p.name for p in (out / "_brython_oidc").iterdir()}
    (app / "main.py").write_text("X = 2\n")
    assert cli.main(["build", str(app), "--out", str(out), "--client-id", "other"]) == 0
    second = {p.name for p in (out / "_brython_oidc").iterdir()}
    assert len(second) == 8 and first != second  # runtime, bundle, boot, engine (+ .gz)
    assert injected_config((out / "index.html").read_text())["client_id"] == "other"


@pytest.mark.browser
def test_built_app_runs_in_chromium(chrome: Any, built: tuple[Path, str]) -> None:
    _, base = built
    chrome.get(base + "/")
    WebDriverWait(chrome, 20).until(
        lambda d: (
            d.execute_script("return document.getElementById('app').textContent")
            == "main imported ok validation_error"
        )
    )
