"""The page the runtime lives in: its address and the navigations it makes."""

from __future__ import annotations

from browser import window


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
