"""``brython-oidc build``: a static folder any static host or CDN can serve.

Layout of the output::

    index.html                      configuration injected, hashed script URLs
    _brython_oidc/<name>.<hash>.js  runtime, bundle, boot, engine (+ .gz for gzip_static)
    static/...                      the app's assets, copied

and beside it ``<out>.nginx.conf``, a sample nginx server block (SPA fallback, headers,
caching, an access log without the sign-in ``code``/``state``) whose ``root`` is the
folder. Anything but a previous build in the output folder is refused, so a typo in
``--out`` cannot wipe a source folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from brython_oidc.commands import UsageError
from brython_oidc.server.assets import ASSET_PREFIX, AssetSet
from brython_oidc.server.config_file import AppConfig, AppConfigError
from brython_oidc.server.headers import content_security_policy, security_headers
from brython_oidc.server.responses import IMMUTABLE, NO_STORE, REVALIDATE
from brython_oidc.server.shell import load_template, render_index
from brython_oidc.server.source_check import check_app_sources
from brython_oidc.server.static_files import safe_parts

#: What a build folder holds (``nginx.conf`` only in builds made before it moved beside).
BUILD_ENTRIES = {"index.html", "_brython_oidc", "static", "nginx.conf"}


def check_out_dir(app_dir: Path, out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a folder")
    if out.is_relative_to(app_dir / "static") or app_dir.is_relative_to(out):
        raise UsageError(f"{out} overlaps the app folder {app_dir}; choose another --out")
    if nginx_conf_path(out).is_dir():
        raise UsageError(f"{nginx_conf_path(out)} is a folder; the sample nginx config goes there")
    if out.is_dir():
        unknown = sorted(p.name for p in out.iterdir() if p.name not in BUILD_ENTRIES)
        if unknown:
            raise UsageError(
                f"{out} is not empty and not a previous build (found {', '.join(unknown[:3])})"
            )


def copy_static(source: Path, target: Path) -> list[Path]:
    """Copy the app's static files; the same rules as serving them (no dot-files, no escape).

    Returns the files written."""
    written: list[Path] = []
    if not source.is_dir():
        return written
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
        written.append(destination)
    return written


#: nginx's default access log prints the request line, and the redirect URI's query
#: carries the sign-in ``code`` and ``state`` (RFC 6749 §4.1.2): log the path only,
#: and no Referer (the provider's URL it may hold carries ``state`` too).
LOG_FORMAT_NAME = "brython_oidc_no_query"
ACCESS_LOG = "/var/log/nginx/brython-oidc.access.log"


def nginx_conf_path(out: Path) -> Path:
    """Where ``build`` writes the sample config: beside the folder, never inside it.

    Inside, any static host or CDN serving the folder would publish it (and the
    server's file layout in its ``root``).
    """
    return out.with_name(out.name + ".nginx.conf")


def nginx_conf(headers: dict[str, str], root: str | Path = "/srv/brython-oidc-app") -> str:
    """A sample nginx server block doing what ``create_app`` does, serving ``root``.

    Meant to be included in nginx's ``http`` context (as ``conf.d/*.conf`` files are).
    """
    if any(c in str(root) for c in '"$;{}\\\n'):
        # nginx would read these as the end of the string, a variable or a directive.
        raise UsageError(f"the folder {root} has characters nginx cannot take in `root`")
    security = [f'add_header {name} "{value}" always;' for name, value in headers.items()]

    def block(cache_control: str, *, always: bool) -> str:
        # ``always`` also sends a header on 404/5xx. Never for the year-long cache:
        # a hashed file missing during a rolling deploy must not be cached as a 404.
        suffix = " always" if always else ""
        lines = [f'add_header Cache-Control "{cache_control}"{suffix};', *security]
        # nginx: add_header in a location replaces the server's, so repeat all.
        return "\n".join("        " + line for line in lines)

    server_headers = "\n".join("    " + line for line in security)
    return f"""# Sample nginx config for this build (written by `brython-oidc build`).
# Include it in nginx's http context, e.g. as /etc/nginx/conf.d/app.conf.
# The requested path without its query (the SPA fallback rewrites $uri to /index.html).
map $request_uri $brython_oidc_path {{
    "~^(?<path>[^?]*)" $path;
}}
log_format {LOG_FORMAT_NAME} '$remote_addr [$time_local] '
    '"$request_method $brython_oidc_path $server_protocol" $status $body_bytes_sent '
    '"$http_user_agent"';

server {{
    listen 8000;
    server_name localhost;
    root "{root}";

    gzip on;
    gzip_static on;               # serves the prebuilt .gz files next to the scripts
    gzip_types text/javascript application/javascript application/json text/css image/svg+xml;
    server_tokens off;
    large_client_header_buffers 4 8k;
    access_log {ACCESS_LOG} {LOG_FORMAT_NAME};

    # Responses decided at server level (the 405 below) carry the security headers too.
{server_headers}

    if ($request_method !~ ^(GET|HEAD)$) {{
        return 405;
    }}

    # Hashed runtime, bundle, boot file and engine: a new content gets a new name.
    location {ASSET_PREFIX} {{
{block(IMMUTABLE, always=False)}
        try_files $uri =404;
    }}

    # The app's own assets: cached, revalidated (ETag).
    location /static/ {{
{block(REVALIDATE, always=True)}
        try_files $uri =404;
    }}

    # Everything else (the redirect URI, deep links): the SPA shell, never cached.
    location / {{
{block(NO_STORE, always=True)}
        try_files /index.html =404;
    }}
}}
"""


def build_static_site(app_dir: Path, config: AppConfig, out: Path) -> list[Path]:
    """Write the static site for ``app_dir`` into ``out``; returns every file written
    (scripts, their ``.gz``, index.html, nginx.conf, static files).

    Raises ``UsageError`` when ``out`` is not a place a build may go."""
    app_dir = app_dir.resolve()
    out = out.resolve()
    check_out_dir(app_dir, out)
    check_app_sources(app_dir)  # a syntax or import error: file:line and the line
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
        gzipped = target.with_name(asset.filename + ".gz")
        gzipped.write_bytes(asset.gzipped)
        written += [target, gzipped]
    index = render_index(
        template,
        config=config.oidc,
        script_urls=(assets.boot.url, assets.runtime.url, assets.bundle.url),
        main=config.main,
        title=app_dir.name,
    )
    (out / "index.html").write_text(index, encoding="utf-8")
    # Older builds wrote it inside the folder, where a static host would publish it.
    (out / "nginx.conf").unlink(missing_ok=True)
    conf = nginx_conf_path(out)
    conf.write_text(nginx_conf(headers, root=out), encoding="utf-8")
    written += [out / "index.html", conf]
    written += copy_static(app_dir / "static", out / "static")
    return written


__all__ = ["AppConfigError", "UsageError", "build_static_site"]
