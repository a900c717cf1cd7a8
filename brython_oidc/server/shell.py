"""The SPA shell: index.html with the client configuration and the three scripts.

The template is ``static/index.html`` (shipped in the wheel as ``brython_oidc/_static``)
or the app's own ``index.html``; either holds ``{{ head }}`` and ``{{ body }}``
(and optionally ``{{ title }}``). Everything is external or inert data, so the page
runs under a CSP without 'unsafe-inline': the configuration is a
``<script type="application/json">`` block and the entry point is a
``<script type="text/python">`` block, neither of which the browser executes.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from pathlib import Path

import brython_oidc
from brython_oidc.server.config_file import AppConfigError
from brython_oidc.server.names import keys

TEMPLATE_NAME = "index.html"
CONFIG_ELEMENT_ID: str = keys.CONFIG_ELEMENT_ID
REQUIRED_SLOTS = ("{{ head }}", "{{ body }}")


def static_dir() -> Path:
    """The shell's folder: inside the wheel, else the source checkout's ``static/``."""
    package = Path(brython_oidc.__file__).resolve().parent
    for candidate in (package / "_static", package.parent / "static"):
        if (candidate / TEMPLATE_NAME).is_file():
            return candidate
    raise FileNotFoundError("brython_oidc's static/index.html is missing from the install")


def load_template(app_dir: Path) -> str:
    """The app's ``index.html`` if it has one, else the default shell."""
    custom = app_dir / TEMPLATE_NAME
    path = custom if custom.is_file() else static_dir() / TEMPLATE_NAME
    text = path.read_text(encoding="utf-8")
    for slot in REQUIRED_SLOTS:
        if slot not in text:
            raise AppConfigError(path, slot, "the index.html template must contain this slot")
    return text


def json_for_script(data: Mapping[str, object]) -> str:
    """JSON safe inside ``<script>``: ``</script>`` or ``<!--`` in a value cannot break out.

    HTML §4.12.1.3 ends a script element's text at ``</script``; escaping ``<``, ``>``
    and ``&`` as JSON ``\\u`` escapes keeps the parsed value identical.
    """
    text = json.dumps(dict(data), sort_keys=True, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_index(
    template: str,
    *,
    config: Mapping[str, object],
    script_urls: tuple[str, ...],
    main: str,
    title: str,
) -> str:
    """Fill the template's slots; ``main`` is a checked dotted module name."""
    scripts = "\n".join(f'<script defer src="{html.escape(url)}"></script>' for url in script_urls)
    head = (
        f'<script type="application/json" id="{CONFIG_ELEMENT_ID}">'
        f"{json_for_script(config)}</script>\n{scripts}"
    )
    body = f'<script type="text/python">\nimport {main}\n</script>'
    return (
        template.replace("{{ title }}", html.escape(title))
        .replace("{{ head }}", head)
        .replace("{{ body }}", body)
    )
