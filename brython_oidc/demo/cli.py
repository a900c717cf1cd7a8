"""``brython-oidc demo``: the notes demo, with its own development provider by default.

Without ``--issuer`` the development provider runs in a background thread on
``--idp-port`` (DESIGN.md: ``http://127.0.0.1:8001``, a different site from the app
at ``http://localhost:8000`` on purpose) with client ``demo-spa`` registered for the
app's URL. The app runs in the foreground; Ctrl-C (or SIGTERM) stops both (``cli.main`` prints the
closing line).
"""

from __future__ import annotations

import argparse
import webbrowser
from typing import Any

import uvicorn

from brython_oidc.commands import UsageError, check_port_free
from brython_oidc.devidp import Client, Lifetimes, Provider, create_app
from brython_oidc.devidp.testing import BackgroundServer
from brython_oidc.server.slow_clients import uvicorn_options

from .api import DEFAULT_API_AUDIENCE
from .server import create_demo_app

APP_HOST = "127.0.0.1"
DEMO_CLIENT_ID = "demo-spa"
#: Short enough that a visitor sees a renewal within a minute or two.
DEFAULT_TOKEN_TTL = 120


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8000, help="the app's port (8000)")
    parser.add_argument(
        "--idp-port", type=int, default=8001, help="the development provider's port (8001)"
    )
    parser.add_argument(
        "--issuer", help="use this OpenID Provider instead of the development provider"
    )
    parser.add_argument(
        "--client-id", help="the client registered at --issuer (redirect http://localhost:PORT/)"
    )
    parser.add_argument(
        "--api-audience",
        default=DEFAULT_API_AUDIENCE,
        help=f"the aud the notes API requires in access tokens ({DEFAULT_API_AUDIENCE})",
    )
    parser.add_argument(
        "--token-ttl",
        type=int,
        default=DEFAULT_TOKEN_TTL,
        help=f"access/ID token lifetime at the development provider ({DEFAULT_TOKEN_TTL} s)",
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")


class AnnouncingServer(uvicorn.Server):
    """Prints the banner (and opens the browser) once the socket listens, not before."""

    def __init__(self, config: uvicorn.Config, banner: str, url: str, open_browser: bool) -> None:
        super().__init__(config)
        self.banner = banner
        self.url = url
        self.open_browser = open_browser

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            print(self.banner, flush=True)
            if self.open_browser:
                webbrowser.open(self.url)  # no browser (CI): returns False, nothing happens


def banner(url: str, issuer: str, users: list[tuple[str, str]] | None) -> str:
    lines = [f"brython-oidc demo: open {url}", f"  OpenID Provider: {issuer}"]
    if users:
        lines.append("  sign in as: " + ", ".join(f"{u} (password {p})" for u, p in users))
    else:
        lines.append("  sign in with an account of that provider")
    lines.append("  Ctrl-C stops the demo")
    return "\n".join(lines)


def start_provider(args: argparse.Namespace, app_url: str) -> tuple[BackgroundServer, Provider]:
    issuer = f"http://127.0.0.1:{args.idp_port}"
    ttl = args.token_ttl
    provider = Provider(
        issuer,
        clients=[Client(DEMO_CLIENT_ID, [app_url])],
        lifetimes=Lifetimes(access_token=ttl, id_token=ttl),
    )
    server = BackgroundServer(create_app(provider), port=args.idp_port)
    server.start()
    return server, provider


def run(args: argparse.Namespace) -> int:
    if args.issuer and not args.client_id:
        raise UsageError("--issuer needs --client-id (the client registered there)")
    if args.token_ttl <= 0:
        raise UsageError("--token-ttl must be a positive number of seconds")
    if not args.issuer and args.port == args.idp_port:
        raise UsageError(f"--port and --idp-port are both {args.port}; give them different ports")
    app_url = f"http://localhost:{args.port}/"
    check_port_free(APP_HOST, args.port)
    idp: BackgroundServer | None = None
    users: list[tuple[str, str]] | None = None
    if args.issuer:
        issuer, client_id = args.issuer, args.client_id
    else:
        check_port_free("127.0.0.1", args.idp_port)
        idp, provider = start_provider(args, app_url)
        issuer, client_id = provider.issuer, DEMO_CLIENT_ID
        users = [(u.username, u.password) for u in provider.users.values()]
    try:
        app = create_demo_app(issuer=issuer, client_id=client_id, api_audience=args.api_audience)
        config = uvicorn.Config(
            app, host=APP_HOST, port=args.port, log_level="warning", server_header=False,
            **uvicorn_options(),  # a deadline on request heads (slow clients)
        )  # fmt: skip
        server = AnnouncingServer(
            config, banner(app_url, issuer, users), app_url, not args.no_browser
        )
        # uvicorn stops on Ctrl-C / SIGTERM, then re-raises the signal (KeyboardInterrupt
        # for Ctrl-C): cli.main turns that into the closing line and status 0.
        server.run()
    finally:
        if idp is not None:
            idp.stop()
    return 0
