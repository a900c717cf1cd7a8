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
    return str(window.JSON.stringify(to_js(value)))


# JavaScript's null as Brython holds it: assigning Python None would store the
# None object itself. window.JSON (unlike javascript.JSON) does not convert.
_NULL = window.JSON.parse("null")
_new_object = window.Object.new
# Constants, not expressions per call: 2**53 is past JavaScript's safe integers, so
# Brython computes it as a big integer each time.
_EXACT = 9007199254740991  # 2**53 - 1
_INFINITIES = (float("inf"), float("-inf"))
_new_array = window.Array.new


def to_js(value: object) -> Any:
    """Plain Python data as a native JavaScript value, built directly.

    About seven times faster in Brython than printing JSON text and parsing it; a
    string, number or boolean crosses as itself.
    """
    if isinstance(value, str) or value is True or value is False:
        return value
    if value is None:
        return _NULL
    if isinstance(value, int):
        # Past 2**53 a JavaScript number is inexact anyway (every reader is JSON.parse).
        return value if -_EXACT <= value <= _EXACT else float(value)
    if isinstance(value, float):
        if value != value or value in _INFINITIES:
            raise ValueError("NaN and infinity have no JSON form")
        return value
    if isinstance(value, dict):
        result = _new_object()
        for key in value:  # not items(): unpacking each pair costs in Brython
            result[str(key)] = to_js(value[key])
        return result
    if isinstance(value, (list, tuple)):
        array = _new_array()
        for item in value:
            array.push(to_js(item))
        return array
    raise TypeError(f"{type(value).__name__} is not JSON data")
