"""Brython's runtime, ``brython.js``, from the installed ``brython`` package.

A leaf module: the assets (served), the compiler (run in V8) and the precompiled
store (keyed on its hash) all need the one file, and none of them each other.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import brython


def brython_js_path() -> Path:
    """brython.js from the installed ``brython`` package (never a vendored copy)."""
    return Path(brython.__file__).resolve().parent / "data" / "brython.js"


@functools.lru_cache(maxsize=1)
def runtime_digest() -> str:
    """Hash of the installed brython.js: compiled code is only valid for that runtime."""
    return hashlib.sha256(brython_js_path().read_bytes()).hexdigest()
