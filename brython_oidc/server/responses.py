"""Responses with content negotiation: gzip, ETag / 304, and HEAD without a body."""

from __future__ import annotations

import gzip

from starlette.requests import Request
from starlette.responses import Response

IMMUTABLE = "public, max-age=31536000, immutable"
#: Unhashed files: cache, but revalidate each time (ETag makes that a 304).
REVALIDATE = "no-cache"
#: index.html carries the configuration and the current asset hashes.
NO_STORE = "no-store"

_COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
_MIN_GZIP = 512


def accepts_gzip(request: Request) -> bool:
    """RFC 9110 §12.5.3: ``gzip`` listed in Accept-Encoding with a q-value above 0."""
    for item in request.headers.get("accept-encoding", "").split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() not in ("gzip", "*"):
            continue
        q = params.strip().lower()
        if q.startswith("q="):
            try:
                return float(q[2:]) > 0
            except ValueError:
                return False
        return True
    return False


def etag_matches(request: Request, etag: str) -> bool:
    """RFC 9110 §13.1.2 If-None-Match, with the weak comparison it prescribes."""
    header = request.headers.get("if-none-match")
    if header is None:
        return False
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in header.split(","))


def is_compressible(content_type: str) -> bool:
    return content_type.startswith(_COMPRESSIBLE)


def body_response(
    request: Request,
    content: bytes,
    *,
    content_type: str,
    cache_control: str,
    etag: str | None = None,
    gzipped: bytes | None = None,
    gzip_etag: str | None = None,
) -> Response:
    """``content`` (or its gzip form when the client accepts it), 304 on a match."""
    use_gzip = False
    if accepts_gzip(request) and is_compressible(content_type):
        if gzipped is None and len(content) >= _MIN_GZIP:
            gzipped = gzip.compress(content, compresslevel=6)
            gzip_etag = f'{etag[:-1]}-gz"' if etag else None
        use_gzip = gzipped is not None
    body = gzipped if use_gzip and gzipped is not None else content
    tag = gzip_etag if use_gzip else etag
    headers = {"Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    if tag:
        headers["ETag"] = tag
        if etag_matches(request, tag):
            return Response(status_code=304, headers=headers)
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
    response = Response(body, headers=headers, media_type=content_type)
    if request.method == "HEAD":
        response.body = b""  # Content-Length still announces the GET body (RFC 9110 §9.3.2)
    return response
