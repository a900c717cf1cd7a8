"""mkdocs hook: reference sections rendered from the code at build time.

A page asks for a section with a marker on a line of its own:

- ``<!-- cli-reference -->``: ``brython-oidc --help`` and ``<command> --help`` for
  every subcommand of the argparse parser in ``brython_oidc.cli``.
- ``<!-- config-fields -->``: every ``ClientConfig`` field with its default, from
  ``brython_oidc.core.config.FIELDS`` and its defaults table.
- ``<!-- error-types -->``: every error class with its base and ``code``.

The pages are committed with their sections filled in (``python
scripts/docs_reference.py`` rewrites them; ``tests/docs/test_reference_pages.py``
fails while one is stale), so they read the same on GitHub as on the site; the build
renders each section afresh between its start and end marker.

A field or subcommand without a description here fails the build, so the reference
cannot silently fall behind the code.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# What each field is for. The type and default columns come from the code.
FIELD_DOCS: dict[str, str] = {
    "issuer": "The OpenID Provider's issuer URL. The discovery document's `issuer` must "
    "equal it exactly. https, or plain http on `localhost`, `127.0.0.1` or `[::1]` "
    "only; no query, no fragment.",
    "client_id": "The client's id as registered at the provider. Non-empty string.",
    "redirect_uri": "Where the provider sends the browser back. https (or loopback "
    "http), no fragment. In `brython-oidc.toml` it may be left out: the server checks "
    "the file with a placeholder, and the page supplies its own URL.",
    "scope": "Space-separated scopes, or a list. `openid` is always added first; every "
    "scope token is checked against RFC 6749 §3.3.",
    "post_logout_redirect_uri": "Where the provider sends the browser after logout. "
    "Defaults to `redirect_uri` (and follows it through `.replace(redirect_uri=...)`).",
    "clock_leeway": "Seconds of clock difference tolerated when checking `exp`, `iat`, "
    "`nbf` and `auth_time`. `>= 0`.",
    "renew_before_expiry": "Renew this many seconds before the access token expires "
    "(`core.schedule.renew_at`). `>= 0`.",
    "renew_jitter": "Upper bound of a random extra lead added to `renew_before_expiry`, "
    "so tabs and clients do not renew at the same instant. `>= 0`.",
    "silent_timeout": "Seconds a silent (`prompt=none`) request may take. `> 0`.",
    "request_timeout": "Seconds a request to the provider may take. `> 0`.",
    "idle_timeout": "Seconds without user activity before the user is signed out; "
    "`None` turns the idle timeout off. `> 0` when set.",
    "idle_warning": "The countdown is due when fewer than this many seconds remain "
    "(`core.schedule.idle_warning_due`). `>= 0`.",
    "transaction_ttl": "Seconds an in-flight sign-in (state, nonce, code_verifier) stays "
    "valid; an older one is refused with `ValidationError` check "
    "`transaction_expired`. `> 0`.",
    "session_restore": "How a reload restores the session: `auto`, `iframe`, `redirect` or `none`.",
    "use_refresh_tokens": "Whether to renew with the refresh_token grant when the "
    "provider issues refresh tokens. `True` or `False`.",
    "load_userinfo": "Whether a sign-in also asks the UserInfo endpoint (OpenID Connect "
    "Core §5.3) for claims to merge into `user` (its `sub` must match the ID token's). "
    "`False` saves a round trip when the ID token carries the claims the app shows "
    "(oidc-client-ts's default). `True` or `False`.",
    "max_age": "Sent as `max_age` (OpenID Connect Core §3.1.2.1); the ID token must "
    "then carry an `auth_time` no older than this. Integer `>= 0`, or `None`.",
    "ui_locales": "Sent as `ui_locales`: BCP47 tags, space-separated or a list.",
    "extra_authorization_params": "More authorization request parameters (string to "
    "string). Parameters the client sets itself (`state`, `nonce`, `code_challenge`, "
    "`redirect_uri`, `request`, ...) are refused.",
    "extra_token_params": "More token request parameters (string to string). Protocol "
    "parameters are refused, and so is `client_secret`: a browser cannot keep one.",
    "allowed_fetch_origins": "Origins (scheme, host, port; no path) besides the app's "
    "own that may receive the access token. The server also adds them to the CSP's "
    "`connect-src`.",
    "response_mode": "`query` (default) or `fragment`: where the provider puts the "
    "authorization response.",
}


@contextlib.contextmanager
def _columns(width: int) -> Iterator[None]:
    # argparse wraps help to $COLUMNS; fix it so the page does not depend on the terminal.
    before = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    try:
        yield
    finally:
        if before is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = before


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def cli_commands() -> list[str]:
    """Every subcommand of ``brython-oidc``, in the parser's order."""
    from brython_oidc.cli import build_parser

    return list(_subparsers(build_parser()))


def render_cli() -> str:
    from brython_oidc.cli import build_parser

    parts: list[str] = []
    with _columns(88):
        top = build_parser()
        parts += ["## `brython-oidc`", "", "```text", top.format_help().rstrip(), "```", ""]
        for name in _subparsers(top):
            # build_parser(name) loads the options a delegated command (demo, dev-idp) adds.
            sub = _subparsers(build_parser(name))[name]
            parts += [f"## `brython-oidc {name}`", "", "```text"]
            parts += [sub.format_help().rstrip(), "```", ""]
    return "\n".join(parts)


def _default(value: object) -> str:
    return "*required*" if value is inspect.Parameter.empty else f"`{value!r}`"


def render_config() -> str:
    from brython_oidc.core import config

    defaults: dict[str, object] = dict(config._DEFAULTS)
    missing = [f for f in config.FIELDS if f not in FIELD_DOCS]
    stale = [f for f in FIELD_DOCS if f not in config.FIELDS]
    if missing or stale:
        raise ValueError(f"docs_hooks: FIELD_DOCS missing {missing}, stale {stale}")
    rows = ["| field | default | meaning |", "|---|---|---|"]
    for field in config.FIELDS:
        default = defaults.get(field, inspect.Parameter.empty)
        # Its default is "whatever redirect_uri is", stored as None in the defaults table.
        follows = field == "post_logout_redirect_uri"
        shown = "`redirect_uri`" if follows else _default(default)
        rows.append(f"| `{field}` | {shown} | {FIELD_DOCS[field]} |")
    return "\n".join(rows)


def _error_classes() -> list[type[Exception]]:
    from brython_oidc.core import errors, jose
    from brython_oidc.server import config_file

    found: list[type[Exception]] = []
    for module in (errors, jose, config_file):
        for obj in vars(module).values():  # source order: bases before subclasses
            if (
                inspect.isclass(obj)
                and issubclass(obj, errors.OIDCError)
                and obj.__module__ == module.__name__
                and obj not in found
            ):
                found.append(obj)
    return found


def error_class_names() -> list[str]:
    return [cls.__name__ for cls in _error_classes()]


def _code_of(cls: type[Exception]) -> str:
    """The ``code`` column: a registered ``error`` code, a class's ``code``, or the
    attribute an instance takes it from (``errors._CodeFrom``)."""
    for klass in cls.__mro__:
        for name in ("error", "code"):
            value = klass.__dict__.get(name)
            if isinstance(value, str):
                return f"`{value}`"
            field = getattr(value, "field", None)
            if isinstance(field, str):
                return f"its `{field}`"
    return ""


def render_errors() -> str:
    rows = ["| class | module | base | `code` / `error` | meaning |", "|---|---|---|---|---|"]
    for cls in _error_classes():
        base = cls.__mro__[1].__name__
        code = _code_of(cls)
        doc = inspect.getdoc(cls) or ""
        first = " ".join(doc.split("\n\n")[0].split()).replace("``", "`")
        module = cls.__module__.removeprefix("brython_oidc.")
        rows.append(f"| `{cls.__name__}` | `{module}` | `{base}` | {code} | {first} |")
    return "\n".join(rows)


MARKERS = {
    "<!-- cli-reference -->": render_cli,
    "<!-- config-fields -->": render_config,
    "<!-- error-types -->": render_errors,
}
#: The pages holding a generated section, committed with it (readable on GitHub too).
PAGES = ("docs/reference/cli.md", "docs/reference/config.md", "docs/reference/errors.md")


def end_marker(marker: str) -> str:
    return marker.replace("<!-- ", "<!-- /", 1)


def fill(markdown: str) -> str:
    """Each section between ``<!-- name -->`` and ``<!-- /name -->`` rendered afresh
    (a lone start marker gets its section and an end marker)."""
    for marker, render in MARKERS.items():
        if marker not in markdown:
            continue
        before, rest = markdown.split(marker, 1)
        end = end_marker(marker)
        after = rest.split(end, 1)[1] if end in rest else rest
        markdown = f"{before}{marker}\n\n{render()}\n\n{end}{after}"
    return markdown


def stale_pages(root: Path = ROOT) -> list[str]:
    """The committed pages whose generated section differs from the code's."""
    return [
        page for page in PAGES if fill(text := (root / page).read_text(encoding="utf-8")) != text
    ]


def write_pages(root: Path = ROOT) -> list[str]:
    """Rewrite the generated sections of ``PAGES``; returns the pages that changed."""
    changed = stale_pages(root)
    for page in changed:
        path = root / page
        path.write_text(fill(path.read_text(encoding="utf-8")), encoding="utf-8")
    return changed


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    return fill(markdown)
