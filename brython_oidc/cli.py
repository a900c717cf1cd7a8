"""The ``brython-oidc`` command: serve, build, new, demo, dev-idp.

Errors a user can fix (a missing folder, a bad config file, a port in use) print
one line on stderr and exit with status 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from brython_oidc.core.errors import ConfigurationError

EXIT_USAGE = 2


class CommandError(Exception):
    """A user-fixable problem: printed as one line, exit status 2."""


def _fail(message: str) -> int:
    print(f"brython-oidc: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def app_folder(value: str) -> Path:
    path = Path(value)
    if not path.is_dir():
        raise CommandError(f"app folder not found: {value}")
    return path


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
                raise CommandError(f"port {port} on {host} is in use (try --port)") from None
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


# --- serve ------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from brython_oidc.server import create_app
    from brython_oidc.server.logs import uvicorn_log_config
    from brython_oidc.server.slow_clients import uvicorn_options

    folder = app_folder(args.app_dir)
    overrides = {"issuer": args.issuer, "client_id": args.client_id}
    app = create_app(folder, dev=True, oidc_overrides=overrides)
    check_port_free(args.host, args.port)
    print(f"brython-oidc: serving {folder} at http://{args.host}:{args.port}/ (dev mode)")
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="info",
        server_header=False,
        log_config=uvicorn_log_config(),
        **uvicorn_options(),  # a deadline on request heads (slow clients)
    )
    return 0


# --- build ------------------------------------------------------------------------------


def cmd_build(args: argparse.Namespace) -> int:
    from brython_oidc.server.config_file import (
        load_app_config,
        security_warnings,
        with_overrides,
    )
    from brython_oidc.server.static_build import BuildError, build_static_site, nginx_conf_path

    folder = app_folder(args.app_dir)
    overrides = {"issuer": args.issuer, "client_id": args.client_id}
    config = with_overrides(load_app_config(folder), overrides)
    try:
        written = build_static_site(folder, config, Path(args.out))
    except BuildError as exc:
        raise CommandError(str(exc)) from None
    for warning in security_warnings(config):
        print(f"brython-oidc: warning: {warning}", file=sys.stderr)
    conf = nginx_conf_path(Path(args.out).resolve())
    print(f"brython-oidc: wrote {len(written)} files to {args.out} (sample nginx config: {conf})")
    return 0


# --- new --------------------------------------------------------------------------------


def cmd_new(args: argparse.Namespace) -> int:
    from brython_oidc.scaffold import ScaffoldError, create_scaffold

    target = Path(args.name)
    try:
        create_scaffold(target)
    except ScaffoldError as exc:
        raise CommandError(str(exc)) from None
    print(
        f"brython-oidc: created {target}\n"
        f"  brython-oidc dev-idp              # the development provider, in another shell\n"
        f"  brython-oidc serve {target}\n"
        f"  cd {target} && python -m pytest"
    )
    return 0


# --- demo / dev-idp: options and handlers live in their packages --------------------------

#: The module holding each subcommand's ``add_arguments(parser)`` and ``run(args)``.
DELEGATED = {
    "demo": "brython_oidc.demo.cli",
    "dev-idp": "brython_oidc.devidp.cli",
    "doctor": "brython_oidc.doctor",
}


def _load_cli(module_name: str) -> ModuleType | None:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None
        raise


def _delegate(module_name: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        module = _load_cli(module_name)
        if module is None:
            raise CommandError(f"`{args.command}` needs {module_name}, which this install lacks")
        result: int = module.run(args)
        return result

    return run


def _add_delegated(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, *, load: bool
) -> None:
    helps = {
        "demo": "run the demo app (with its own development provider unless --issuer)",
        "dev-idp": "run the development OpenID Provider alone",
        "doctor": "check a provider for what sign-in needs (exit 1 when it cannot work)",
    }
    parser = sub.add_parser(name, help=helps[name], description=helps[name] + ".")
    # Imported only when this subcommand runs: `serve` should not pay for authlib.
    module = _load_cli(DELEGATED[name]) if load else None
    add_arguments = getattr(module, "add_arguments", None) if module else None
    if add_arguments is not None:
        add_arguments(parser)
    parser.set_defaults(handler=_delegate(DELEGATED[name]))


# --- parser -----------------------------------------------------------------------------


def _add_oidc_overrides(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--issuer", help="use this OpenID Provider instead of the config file's [oidc] issuer"
    )
    parser.add_argument("--client-id", help="use this client_id instead of the config file's")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; ``command`` (the subcommand about to run) loads demo/dev-idp options."""
    parser = argparse.ArgumentParser(
        prog="brython-oidc",
        description="Signed-in single-page apps in Python (Brython + OpenID Connect).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser(
        "serve",
        help="serve an app folder for development",
        description="Serve APP_DIR for development: the bundle is rebuilt when a source "
        "changes, so a reload shows new code.",
    )
    serve.add_argument("app_dir", metavar="APP_DIR", help="folder with brython-oidc.toml")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    _add_oidc_overrides(serve)
    serve.set_defaults(handler=cmd_serve)

    build = sub.add_parser(
        "build",
        help="write a static folder deployable to any static host",
        description="Write APP_DIR as a static site: index.html with the configuration, "
        "hashed runtime, bundle and boot scripts, the app's static files; and beside it "
        "DIR.nginx.conf, a sample nginx config (SPA fallback, security headers, caching).",
    )
    build.add_argument("app_dir", metavar="APP_DIR", help="folder with brython-oidc.toml")
    build.add_argument("--out", required=True, metavar="DIR", help="output folder")
    _add_oidc_overrides(build)
    build.set_defaults(handler=cmd_build)

    new = sub.add_parser(
        "new",
        help="scaffold a new app",
        description="Create folder NAME with a runnable app (a public and a protected "
        "page), its brython-oidc.toml pointing at the development provider, and a test.",
    )
    new.add_argument("name", metavar="NAME", help="folder to create")
    new.set_defaults(handler=cmd_new)

    for name in ("demo", "dev-idp", "doctor"):
        _add_delegated(sub, name, load=command == name)
    return parser


def main(argv: list[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    command = next((w for w in words if not w.startswith("-")), None)
    parser = build_parser(command)
    args = parser.parse_args(words)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        result: int = args.handler(args)
    except CommandError as exc:
        return _fail(str(exc))
    except ConfigurationError as exc:  # a bad brython-oidc.toml names file and field
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130
    return result


if __name__ == "__main__":  # pragma: no cover
    # Run the importable module's main, not __main__'s copy: subcommand modules import
    # brython_oidc.cli (CommandError), and two copies of a class never catch each other.
    from brython_oidc.cli import main as _main

    raise SystemExit(_main())
