"""The page the runtime lives in: its address and the navigations it makes."""

from __future__ import annotations

from browser import window

from .keys import CALLBACK_URL_GLOBAL


def href() -> str:
    return str(window.location.href)


def loaded_href() -> str:
    """The address the page was loaded with, callback parameters included.

    The boot file moves an authorization response out of the address bar before
    Brython starts (its tracebacks name the URL it started with, and a ``code``
    must never reach the console), keeping it in a JS global; pages booted some
    other way still have it in the address bar.
    """
    captured = getattr(window, CALLBACK_URL_GLOBAL, None)
    return captured if isinstance(captured, str) else href()


def forget_loaded_href() -> None:
    """Drop the captured callback URL once the engine has taken its parameters."""
    setattr(window, CALLBACK_URL_GLOBAL, None)


def origin() -> str:
    return str(window.location.origin)


def current_path() -> str:
    """Path, query and fragment of the current page (a same-origin return target)."""
    loc = window.location
    return str(loc.pathname) + str(loc.search) + str(loc.hash)


def replace_url(url: str) -> None:
    """Change the address bar without a navigation or a new history entry.

    Skipped when the address is already ``url`` (a path or a whole address): after
    a sign-in the return path is usually where the page is, and the boot file has
    usually cleaned a callback already; replaceState costs a few ms on the callback
    page (a CDP profile, ``python bench/signin_profile.py``).
    """
    loc = window.location
    if url in (str(loc.pathname) + str(loc.search) + str(loc.hash), str(loc.href)):
        return
    window.history.replaceState(window.history.state, "", url)


def navigate(url: str) -> None:
    window.location.assign(url)
