"""The ``brython-oidc`` command."""

from __future__ import annotations

import argparse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="brython-oidc",
        description="Signed-in single-page apps in Python (Brython + OpenID Connect).",
    )
    parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return 0  # pragma: no cover - subcommands arrive with the server issue


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
