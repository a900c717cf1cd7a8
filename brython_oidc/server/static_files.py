"""The app's own ``static/`` folder, served without ever leaving it.

Every path is checked segment by segment before it touches the file system:
``..``, ``.``, empty segments, dot-files, backslashes, NUL and drive letters are
refused, and the resolved file (symlinks followed) must still lie inside the folder.
A refusal is a plain 404: the response does not say which rule matched.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

_FORBIDDEN_CHARS = ("\\", "\x00", ":")
MAX_SEGMENTS = 32


def safe_parts(path: str) -> list[str] | None:
    """The path's segments, or ``None`` if any could step outside or hide a trick."""
    parts = path.split("/")
    if not parts or len(parts) > MAX_SEGMENTS:
        return None
    for part in parts:
        if part in ("", ".", "..") or part.startswith("."):
            return None
        if any(c in part for c in _FORBIDDEN_CHARS):
            return None
    return parts


def resolve_static(root: Path, path: str) -> Path | None:
    """The regular file ``path`` names under ``root``, or ``None``."""
    parts = safe_parts(path)
    if parts is None:
        return None
    base = root.resolve()
    try:
        candidate = base.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    if not candidate.is_relative_to(base) or not candidate.is_file():
        return None
    return candidate


def content_type_of(path: Path) -> str:
    guessed, _ = mimetypes.guess_type(path.name)
    kind = guessed or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
        kind += "; charset=utf-8"
    return kind


def file_etag(path: Path) -> str:
    stat = path.stat()
    return f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
