"""Run the certified node ``oidc-provider`` as a subprocess, for interop tests.

``tests/interop/provider.mjs`` configures panva's ``oidc-provider`` (OpenID Certified)
with a public client and a login page that follows the project's DOM contract. This
module starts it on a free loopback port (the script binds port 0 itself, so there is
no pick-then-bind race), waits for its ``READY <issuer>`` line and stops it again::

    with NodeProvider(redirect_uris=["http://localhost:8000/"]) as op:
        op.issuer, op.client_id

Missing ``node`` is the one reason to skip (``start_or_skip``); anything else — no
``node_modules``, a crash, no READY line in time — raises ``NodeProviderError`` with the
provider's stderr, so a broken harness fails the run instead of hiding.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Literal

#: The harness script in a source checkout (it is not shipped in the wheel).
DEFAULT_SCRIPT = Path(__file__).resolve().parents[2] / "tests" / "interop" / "provider.mjs"

#: provider.mjs environment variable for each token lifetime name.
TTL_ENV = {
    "access_token": "OIDC_TTL_ACCESS_TOKEN",
    "id_token": "OIDC_TTL_ID_TOKEN",
    "refresh_token": "OIDC_TTL_REFRESH_TOKEN",
    "session": "OIDC_TTL_SESSION",
}

RefreshTokenMode = Literal["always", "offline_access"]
CookieSameSite = Literal["lax", "none"]


class NodeProviderError(RuntimeError):
    """The node provider could not be started (its stderr is in the message)."""


class NodeNotFound(NodeProviderError):
    """No ``node`` executable: the only condition under which tests may skip."""


def find_node(node: str = "node") -> str | None:
    """The path of the node executable, or None when it is not installed."""
    return shutil.which(node)


class NodeProvider:
    """One ``node provider.mjs`` process on ``http://127.0.0.1:<free port>``."""

    def __init__(
        self,
        *,
        script: str | os.PathLike[str] = DEFAULT_SCRIPT,
        client_id: str = "demo-spa",
        redirect_uris: Iterable[str] = ("http://localhost:8000/",),
        ttl: Mapping[str, int] | None = None,
        refresh_tokens: RefreshTokenMode = "always",
        cookie_samesite: CookieSameSite = "lax",
        port: int = 0,
        node: str = "node",
        cors: bool = True,
        issuer_host: str = "127.0.0.1",
        discovery_overrides: Mapping[str, object] | None = None,
        startup_timeout: float = 30.0,
        dpop: bool = False,
    ) -> None:
        unknown = set(ttl or {}) - set(TTL_ENV)
        if unknown:
            raise ValueError(f"unknown ttl names {sorted(unknown)}; known: {sorted(TTL_ENV)}")
        self.script = Path(script)
        self.client_id = client_id
        self.redirect_uris = tuple(redirect_uris)
        self.ttl = dict(ttl or {})
        self.refresh_tokens = refresh_tokens
        # "none" weakens CSRF protection of the provider's cookies: a test setting that lets
        # a cross-site hidden iframe see the session (the provider warns on stderr).
        self.cookie_samesite = cookie_samesite
        self.port = port
        self.node = node
        # Defects on purpose, for `brython-oidc doctor` tests: no CORS for any origin, an
        # issuer host other than the 127.0.0.1 it listens on, discovery members replaced.
        self.cors = cors
        self.issuer_host = issuer_host
        self.discovery_overrides = dict(discovery_overrides or {})
        self.startup_timeout = startup_timeout
        #: oidc-provider's features.dPoP (RFC 9449).
        self.dpop = dpop
        self.issuer = ""
        self._process: subprocess.Popen[str] | None = None
        self._stderr: IO[str] | None = None

    # --- lifecycle ------------------------------------------------------------------

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env["OIDC_CLIENT_ID"] = self.client_id
        env["OIDC_REDIRECT_URIS"] = " ".join(self.redirect_uris)
        env["OIDC_REFRESH_TOKENS"] = self.refresh_tokens
        env["OIDC_COOKIE_SAMESITE"] = self.cookie_samesite
        env["OIDC_CORS"] = "on" if self.cors else "off"
        env["OIDC_DPOP"] = "on" if self.dpop else "off"
        env["OIDC_ISSUER_HOST"] = self.issuer_host
        env["OIDC_DISCOVERY_OVERRIDES"] = json.dumps(self.discovery_overrides)
        for name, seconds in self.ttl.items():
            env[TTL_ENV[name]] = str(int(seconds))
        return env

    def start(self) -> NodeProvider:
        """Start the process and return once it printed ``READY <issuer>``."""
        if self._process is not None:
            raise NodeProviderError("the node provider is already running")
        node = find_node(self.node)
        if node is None:
            raise NodeNotFound(f"{self.node!r} is not on PATH; the node interop provider needs it")
        if not self.script.is_file():
            raise NodeProviderError(f"provider script not found: {self.script}")
        if not (self.script.parent / "node_modules" / "oidc-provider").is_dir():
            raise NodeProviderError(
                f"oidc-provider is not installed; run `npm ci` in {self.script.parent}"
            )
        # stderr goes to a file: nothing has to drain it, and it is there for diagnostics.
        self._stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
        self._process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [node, str(self.script), "--port", str(self.port)],
            cwd=self.script.parent,
            env=self._environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            encoding="utf-8",
        )
        try:
            self.issuer = self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> str:
        assert self._process is not None and self._process.stdout is not None
        lines: queue.Queue[str | None] = queue.Queue()
        stdout = self._process.stdout

        def pump() -> None:
            # Keeps draining stdout for the process's lifetime; None marks EOF.
            for line in stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, name="node-provider-stdout", daemon=True).start()
        deadline = time.monotonic() + self.startup_timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                line = lines.get(timeout=max(remaining, 0.0))
            except queue.Empty:
                raise NodeProviderError(
                    f"no READY line within {self.startup_timeout} s\n{self.stderr_text()}"
                ) from None
            if line is None:
                code = self._process.wait()
                raise NodeProviderError(
                    f"node provider exited with status {code} before READY\n{self.stderr_text()}"
                )
            if line.startswith("READY "):
                return line.removeprefix("READY ").strip()

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL after 5 s); safe to call twice."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            if process.stdout is not None:
                process.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stderr_text(self) -> str:
        """What the provider wrote on stderr so far (warnings, errors)."""
        if self._stderr is None:
            return ""
        self._stderr.flush()
        self._stderr.seek(0)
        text = self._stderr.read()
        self._stderr.seek(0, os.SEEK_END)
        return text

    def __enter__(self) -> NodeProvider:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- what a client needs ------------------------------------------------------------

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"NodeProvider(issuer={self.issuer!r}, client_id={self.client_id!r}, {state})"


def start_or_skip(provider: NodeProvider) -> NodeProvider:
    """Start ``provider``; ``pytest.skip`` only when node is not installed."""
    import pytest  # a test-time dependency; imported only where tests call this

    try:
        return provider.start()
    except NodeNotFound as exc:
        pytest.skip(str(exc))
