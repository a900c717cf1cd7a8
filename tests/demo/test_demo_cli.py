"""``brython-oidc demo`` as a user runs it: a subprocess on free ports, stopped by a signal."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from brython_oidc.testing.live_server import free_port, free_ports

ROOT = Path(__file__).resolve().parents[2]
DEMO = (sys.executable, "-m", "brython_oidc.cli", "demo", "--no-browser")


def read_lines(stream: object, into: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        into.put(line)


def test_demo_serves_the_app_and_its_provider_then_stops_cleanly() -> None:
    port, idp_port = free_ports(2)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "brython_oidc.cli",
            "demo",
            "--no-browser",
            "--port",
            str(port),
            "--idp-port",
            str(idp_port),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=read_lines, args=(proc.stdout, lines), daemon=True).start()
    try:
        printed = []
        url = f"http://localhost:{port}/"
        while not any(url in line for line in printed):
            try:
                printed.append(lines.get(timeout=30))  # the banner comes once the app listens
            except queue.Empty:
                raise AssertionError(f"no URL line; stderr: {proc.stderr.read()!r}") from None  # type: ignore[union-attr]
        banner = "".join(printed) + "".join(lines.get(timeout=5) for _ in range(3))
        assert "alice (password alice)" in banner and "bob (password bob)" in banner
        issuer = f"http://127.0.0.1:{idp_port}"
        assert issuer in banner

        page = httpx.get(f"http://127.0.0.1:{port}/profile", timeout=5)
        assert page.status_code == 200
        assert f'"issuer":"{issuer}"' in page.text and '"client_id":"demo-spa"' in page.text
        discovery = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()
        assert discovery["issuer"] == issuer
        assert httpx.get(f"http://127.0.0.1:{port}/api/notes", timeout=5).status_code == 401
    finally:
        proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        code = proc.wait(timeout=15)
    # Ctrl-C is how a server is stopped: status 0 and a closing line, as serve and dev-idp.
    assert code == 0
    stderr = proc.stderr.read()  # type: ignore[union-attr]
    assert "Traceback" not in stderr, stderr
    assert stderr.splitlines()[-1] == "brython-oidc demo: stopped"
    # Both servers are gone: the ports are free again.
    for p in (port, idp_port):
        try:
            httpx.get(f"http://127.0.0.1:{p}/", timeout=1)
        except httpx.TransportError:
            continue
        raise AssertionError(f"port {p} still answers after the demo stopped")


def run_demo(*args: str) -> subprocess.CompletedProcess[str]:
    """``brython-oidc demo --no-browser ARGS`` to the end (for arguments it refuses)."""
    return subprocess.run(
        [*DEMO, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_issuer_without_client_id_is_one_line() -> None:
    done = run_demo("--issuer", "https://op.example", "--port", str(free_port()))
    assert done.returncode == 2
    assert (
        done.stderr
        == "brython-oidc: error: --issuer needs --client-id (the client registered there)\n"
    )


def test_same_port_for_app_and_provider_is_one_line() -> None:
    port = str(free_port())
    done = run_demo("--port", port, "--idp-port", port)
    assert done.returncode == 2
    assert done.stderr == (
        f"brython-oidc: error: --port and --idp-port are both {port}; give them different ports\n"
    )


def test_free_ports_are_different_from_each_other() -> None:
    ports = free_ports(64)
    assert len(set(ports)) == 64
