"""JSON between Python and JavaScript without Brython's stdlib ``json`` (500 ms import).

``parse_json`` is the parser injected into core/ (DESIGN: JSON parsing is injected).
"""

from __future__ import annotations

import javascript
from browser import window

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def parse_json(text: str) -> object:
    """``JSON.parse`` into Python dict/list/str/int/float/bool/None.

    Invalid JSON raises ``ValueError`` as CPython's ``json.loads`` does, so core/
    handles both the same way. The text is never put in the message: it may be a
    token response.
    """
    if not isinstance(text, str):
        raise ValueError("JSON text must be a str")
    try:
        return javascript.JSON.parse(text)
    except Exception:
        raise ValueError("invalid JSON") from None


def dumps(value: object) -> str:
    """JSON text of plain Python data (dict/list/tuple/str/int/float/bool/None).

    Written out here rather than through Brython's automatic conversion, which
    does not map every Python value (None, tuples) onto its JSON counterpart.
    """
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return str(window.JSON.stringify(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("NaN and infinity have no JSON form")
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dumps(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(dumps(str(k)) + ":" + dumps(v) for k, v in value.items()) + "}"
    raise TypeError(f"{type(value).__name__} is not JSON data")


def to_js(value: object) -> Any:
    """Plain Python data as a native JavaScript value (through JSON text)."""
    return window.JSON.parse(dumps(value))
