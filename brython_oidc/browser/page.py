"""The page the runtime lives in: its configuration, address bar and ready mark."""

from __future__ import annotations

from browser import document, window

from .jsjson import parse_json

CONFIG_ELEMENT_ID = "brython-oidc-config"
READY_MARK = "brython-oidc:ready"


def read_config() -> dict[str, object]:
    """The JSON the server injected in ``<script type="application/json" id=...>``."""
    element = document.getElementById(CONFIG_ELEMENT_ID)
    if not element:
        return {}
    try:
        value = parse_json(str(element.text))
    except ValueError:
        value = None
    if not isinstance(value, dict):
        from brython_oidc.core.errors import ConfigurationError

        raise ConfigurationError(
            CONFIG_ELEMENT_ID, "the injected configuration is not a JSON object"
        )
    return value


def href() -> str:
    return str(window.location.href)


def origin() -> str:
    return str(window.location.origin)


def current_path() -> str:
    """Path, query and fragment of the current page (a same-origin return target)."""
    loc = window.location
    return str(loc.pathname) + str(loc.search) + str(loc.hash)


def replace_url(url: str) -> None:
    """Change the address bar without a navigation or a new history entry."""
    window.history.replaceState(window.history.state, "", url)


def navigate(url: str) -> None:
    window.location.assign(url)


def in_iframe() -> bool:
    try:
        # Object.is: Brython's == on two JS object wrappers is not JS identity.
        return not getattr(window.Object, "is")(window.self, window.top)
    except Exception:
        return True


def mark_ready() -> None:
    """DESIGN: ``performance.mark("brython-oidc:ready")`` once the auth state is known."""
    if not window.performance.getEntriesByName(READY_MARK).length:
        window.performance.mark(READY_MARK)
