"""``browser/keys.py`` read under CPython: the one definition of the names the page shares.

Storage keys, JS globals, the config tag's id and the status values are written once,
in ``browser/keys.py``, which imports nothing (it must stay so: the server runs it).
The browser package itself cannot be imported under CPython (its ``__init__`` imports
Brython's ``browser``), so the server loads that one file by path; the boot file gets
the names from the server as JSON (server/assets.py).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

KEYS_PATH = Path(__file__).resolve().parents[1] / "browser" / "keys.py"


def _load_keys() -> Any:
    spec = importlib.util.spec_from_file_location("brython_oidc.server._browser_keys", KEYS_PATH)
    if spec is None or spec.loader is None:  # pragma: no cover - the file ships with us
        raise ImportError(f"cannot load {KEYS_PATH}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: The module ``brython_oidc.browser.keys`` as the page has it.
keys: Any = _load_keys()
