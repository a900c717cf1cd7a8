"""Safe DOM building: the one way an app puts text into the page that can never be markup.

In Brython, ``html.P("some text")`` sets the element's **innerHTML**: a claim such as
``name = '<img src=x onerror=...>'`` or a note holding ``<meta http-equiv="refresh"
...>`` becomes a real element (the CSP stops inline script, not a redirect or an
image). ``el`` makes every string a text node (``document.createTextNode``), so text
from a provider or a user stays text::

    from brython_oidc.browser.dom import el, set_text

    greeting = el("p", "Signed in as ", el("strong", claims["name"]), Class="lead")
    set_text(greeting, "Signed out")          # textContent, never markup

Attribute names: a trailing ``_`` is dropped (``for_``), ``_`` becomes ``-``
(``data_testid``, ``aria_live``), ``Class`` is ``class``. Inline event handler
attributes (``on...``) are refused: bind Python callables with ``.bind`` instead.
"""

from __future__ import annotations

from browser import document

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def text(value: object) -> Any:
    """A DOM text node holding ``value`` as characters (``str(value)``)."""
    return document.createTextNode(value if isinstance(value, str) else str(value))


def attribute_name(name: str) -> str:
    """``data_testid`` -> ``data-testid``, ``for_`` -> ``for``, ``Class`` -> ``class``."""
    if name.endswith("_"):
        name = name[:-1]
    name = name.replace("_", "-").lower()
    if name.startswith("on"):
        # An inline handler is script from a string: never, whatever the value.
        raise ValueError("el(): bind event handlers with .bind, not an " + name + " attribute")
    return name


def append(parent: Any, *children: object) -> Any:
    """Append ``children`` to ``parent``: strings (and numbers) as text nodes, nodes as is.

    Lists and tuples are flattened; ``None`` and ``False`` are skipped, so
    ``el("p", warning if shown else None)`` reads naturally. Returns ``parent``.
    """
    for child in children:
        if child is None or child is False:
            continue
        if isinstance(child, (list, tuple)):
            for item in child:
                append(parent, item)
        elif isinstance(child, (str, int, float)):
            parent.appendChild(text(child))
        else:
            parent.appendChild(child)
    return parent


def el(tag: str, *children: object, **attrs: object) -> Any:
    """A new ``<tag>`` element holding ``children`` (see ``append``) with ``attrs``.

    An attribute whose value is ``None`` or ``False`` is left out; ``True`` sets it
    empty (``hidden=True``).
    """
    node = document.createElement(tag)
    for name in attrs:
        value = attrs[name]
        if value is None or value is False:
            continue
        node.setAttribute(attribute_name(name), "" if value is True else str(value))
    return append(node, *children)


def set_text(node: Any, value: object) -> Any:
    """Replace ``node``'s content with ``value`` as text (``textContent``). Returns ``node``."""
    node.textContent = value if isinstance(value, str) else str(value)
    return node


def replace_children(parent: Any, *children: object) -> Any:
    """Empty ``parent`` and append ``children`` (see ``append``). Returns ``parent``."""
    parent.textContent = ""
    return append(parent, *children)
