"""``brython-oidc dev-idp`` / ``python -m brython_oidc.devidp``: run the provider."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urlsplit

from brython_oidc.core.errors import ConfigurationError

from .config import Lifetimes, is_loopback_host, load_toml


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = Lifetimes()
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8001, help="port (8001)")
    parser.add_argument("--issuer", help="issuer URL (default http://127.0.0.1:PORT)")
    parser.add_argument("--config", type=Path, help="TOML file with [[users]] and [[clients]]")
    for name, value in (
        ("access-token-ttl", defaults.access_token),
        ("id-token-ttl", defaults.id_token),
        ("refresh-token-ttl", defaults.refresh_token),
        ("session-ttl", defaults.session),
        ("code-ttl", defaults.code),
    ):
        parser.add_argument(f"--{name}", type=int, default=value, help=f"seconds ({value})")
    parser.add_argument(
        "--enable-admin",
        action="store_true",
        help="enable POST /admin/rotate-keys (tests only: anyone can rotate the keys)",
    )
    parser.add_argument(
        "--dpop-nonce",
        action="store_true",
        help="require a server nonce in DPoP proofs (RFC 9449 §8: use_dpop_nonce)",
    )


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from brython_oidc.server.logs import uvicorn_log_config
    from brython_oidc.server.slow_clients import uvicorn_options

    from .app import create_app
    from .provider import Provider

    try:
        lifetimes = Lifetimes(
            access_token=args.access_token_ttl,
            id_token=args.id_token_ttl,
            refresh_token=args.refresh_token_ttl,
            session=args.session_ttl,
            code=args.code_ttl,
        )
        users, clients = load_toml(args.config) if args.config else (None, None)
    except ConfigurationError as exc:
        print(f"dev-idp: {exc}", file=sys.stderr)
        return 2
    issuer = args.issuer or f"http://127.0.0.1:{args.port}"
    provider = Provider(
        issuer,
        users=users,
        clients=clients,
        lifetimes=lifetimes,
        enable_admin=args.enable_admin,
        dpop_nonce=args.dpop_nonce,
    )
    print(f"Development OpenID Provider at {issuer} (users and clients: {issuer}/)")
    host = urlsplit(issuer).hostname
    if issuer.startswith("http://") and not is_loopback_host(host):
        print(
            f"dev-idp: warning: plain http on {host!r}, which is not a loopback name: "
            "tokens and passwords cross the network in clear (development only)",
            file=sys.stderr,
        )
    uvicorn.run(
        create_app(provider),
        host=args.host,
        port=args.port,
        log_level="info",
        log_config=uvicorn_log_config(),
        **uvicorn_options(),  # a deadline on request heads (slow clients)
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m brython_oidc.devidp", description="Development OpenID Provider"
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
