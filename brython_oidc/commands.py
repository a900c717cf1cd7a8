"""What every ``brython-oidc`` command shares: the usage error and the port check.

``UsageError`` is the one class for a problem the user fixes by changing what they
typed or pointed at (a folder, an option, a port): ``cli.main`` prints it as one
line, ``brython-oidc: error: ...``, and exits with ``EXIT_USAGE``. The scaffold, the
static build and the demo raise it too. A bad ``brython-oidc.toml`` is a
``ConfigurationError`` (it names the file and field), printed the same way.

This module imports nothing of the commands, so each of them (``cli``,
``demo/cli``, ``scaffold``, ``server/static_build``) can import it without a circle.
"""

from __future__ import annotations

import errno
import socket

EXIT_USAGE = 2


class UsageError(Exception):
    """A user-fixable problem: printed as one line, exit status ``EXIT_USAGE``."""


def check_port_free(host: str, port: int) -> None:
    """Bind once before starting uvicorn, so "in use" is one clear line."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As uvicorn binds: connections of a just-stopped server (TIME_WAIT) do not make
        # the port "in use"; a live listener still does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise UsageError(f"port {port} on {host} is in use (try --port)") from None
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
