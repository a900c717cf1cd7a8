"""``brython-oidc build``: a static folder any static host or CDN can serve.

Layout of the output::

    index.html                      configuration injected, hashed script URLs
    _brython_oidc/<name>.<hash>.js  runtime, bundle, boot, engine (+ .gz for gzip_static)
    static/...                      the app's assets, copied
    nginx.conf                      a sample server block: SPA fallback, headers, caching

Anything but a previous build in the output folder is refused, so a typo in
``--out`` cannot wipe a source folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from brython_oidc.server.assets import ASSET_PREFIX, AssetSet
from brython_oidc.server.config_file import AppConfig, AppConfigError
from brython_oidc.server.headers import content_security_policy, security_headers
from brython_oidc.server.responses import IMMUTABLE, NO_STORE, REVALIDATE
from brython_oidc.server.shell import load_template, render_index
from brython_oidc.server.static_files import safe_parts

BUILD_ENTRIES = {"index.html", "_brython_oidc", "static", "nginx.conf"}


class BuildError(Exception):
    """The build cannot be written where asked; the message says why."""


def check_out_dir(app_dir: Path, out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise BuildError(f"{out} exists and is not a folder")
    if out.is_relative_to(app_dir / "static") or app_dir.is_relative_to(out):
        raise BuildError(f"{out} overlaps the app folder {app_dir}; choose another --out")
    if out.is_dir():
        unknown = sorted(p.name for p in out.iterdir() if p.name not in BUILD_ENTRIES)
        if unknown:
            raise BuildError(
                f"{out} is not empty and not a previous build (found {', '.join(unknown[:3])})"
            )


def copy_static(source: Path, target: Path) -> int:
    """Copy the app's static files; the same rules as serving them (no dot-files, no escape)."""
    count = 0
    if not source.is_dir():
        return count
    base = source.resolve()
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source).as_posix()
        if safe_parts(relative) is None or not path.is_file():
            continue
        if not path.resolve().is_relative_to(base):
            continue  # a symlink out of the folder
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
        count += 1
    return count


def nginx_conf(headers: dict[str, str]) -> str:
    """A sample nginx server block doing what ``create_app`` does."""

    def block(cache_control: str) -> str:
        lines = [f'        add_header Cache-Control "{cache_control}" always;']
        for name, value in headers.items():
            # nginx: add_header in a location replaces the server's, so repeat all.
            lines.append(f'        add_header {name} "{value}" always;')
        return "\n".join(lines)

    return f"""# Sample nginx server block for this build (written by `brython-oidc build`).
# Copy it into your nginx configuration and set `root` to this folder.
server {{
    listen 8000;
    server_name localhost;
    root /srv/brython-oidc-app;   # <- this folder

    gzip on;
    gzip_static on;               # serves the prebuilt .gz files next to the scripts
    gzip_types text/javascript application/javascript application/json text/css image/svg+xml;
    server_tokens off;
    large_client_header_buffers 4 8k;

    if ($request_method !~ ^(GET|HEAD)$) {{
        return 405;
    }}

    # Hashed runtime, bundle, boot file and engine: a new content gets a new name.
    location {ASSET_PREFIX} {{
{block(IMMUTABLE)}
        try_files $uri =404;
    }}

    # The app's own assets: cached, revalidated (ETag).
    location /static/ {{
{block(REVALIDATE)}
        try_files $uri =404;
    }}

    # Everything else (the redirect URI, deep links): the SPA shell, never cached.
    location / {{
{block(NO_STORE)}
        try_files /index.html =404;
    }}
}}
"""


def build_static_site(app_dir: Path, config: AppConfig, out: Path) -> list[Path]:
    """Write the static site for ``app_dir`` into ``out``; returns the files written."""
    app_dir = app_dir.resolve()
    out = out.resolve()
    check_out_dir(app_dir, out)
    assets = AssetSet(app_dir, oidc=config.oidc)
    template = load_template(app_dir)
    headers = security_headers(content_security_policy(config.issuer, config.allowed_fetch_origins))
    # A previous build's hashed files would pile up: start the generated parts afresh.
    for name in ("_brython_oidc", "static"):
        if (out / name).is_dir():
            shutil.rmtree(out / name)
    asset_dir = out / ASSET_PREFIX.strip("/")
    asset_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    # The engine is not in index.html: the boot file names it and loads it on demand.
    for asset in (assets.runtime, assets.bundle, assets.boot, assets.engine):
        target = asset_dir / asset.filename
        target.write_bytes(asset.content)
        target.with_name(asset.filename + ".gz").write_bytes(asset.gzipped)
        written.append(target)
    index = render_index(
        template,
        config=config.oidc,
        script_urls=(assets.boot.url, assets.runtime.url, assets.bundle.url),
        main=config.main,
        title=app_dir.name,
    )
    (out / "index.html").write_text(index, encoding="utf-8")
    (out / "nginx.conf").write_text(nginx_conf(headers), encoding="utf-8")
    written += [out / "index.html", out / "nginx.conf"]
    copy_static(app_dir / "static", out / "static")
    return written


__all__ = ["AppConfigError", "BuildError", "build_static_site"]
