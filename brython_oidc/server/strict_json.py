"""JSON from untrusted senders, refused with ``ValueError`` instead of crashing later.

Python's ``json.loads`` accepts what RFC 8259 does not (``NaN``, ``Infinity``), lone
UTF-16 surrogates (``"\\ud800"``, RFC 8259 §8.2: such strings are not interoperable,
and they make the later UTF-8 encoding of a response fail) and nesting deep enough
to raise ``RecursionError``. Used for access-token headers and claims
(``TokenValidator``) and for request bodies (the demo API).
"""

from __future__ import annotations

import json

#: Deeper than any token or note body needs; far below the interpreter's recursion limit.
MAX_DEPTH = 32


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON (RFC 8259 §6)")


def _check(value: object, max_depth: int) -> None:
    # Iterative, so a deep value cannot recurse here either.
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("a string holds a lone surrogate (RFC 8259 §8.2)") from None
            continue
        if isinstance(item, dict | list):
            if depth > max_depth:
                raise ValueError(f"nested deeper than {max_depth} levels")
            children = list(item.items()) if isinstance(item, dict) else item
            for child in children:
                if isinstance(child, tuple):
                    stack.append((child[0], depth + 1))
                    stack.append((child[1], depth + 1))
                else:
                    stack.append((child, depth + 1))


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> object:
    """Parse ``text`` as strict JSON; ``ValueError`` for anything a careful peer refuses."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError(f"nested deeper than {max_depth} levels") from None
    _check(value, max_depth)
    return value
