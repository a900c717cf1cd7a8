"""A small history-API router: routes, link interception, protected routes, not found.

Routes map exact paths to ``handler(path)``. Same-origin ``<a>`` clicks become
``history.pushState`` navigations; a protected route with nobody signed in calls
``oidc.login(redirect_to=path)``, which brings the user back to that path.
"""

from __future__ import annotations

import javascript
from browser import aio, document, window

from brython_oidc.core.authorization import safe_return_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from .handle import Oidc


class Router:
    def __init__(
        self,
        routes: dict[str, Callable[[str], object]],
        *,
        not_found: Callable[[str], object],
        protected: tuple[str, ...] = (),
        oidc: Oidc | None = None,
    ) -> None:
        self.routes = dict(routes)
        self.not_found = not_found
        self.protected = set(protected)
        self.oidc = oidc

    def start(self) -> None:
        document.addEventListener("click", self._on_click)
        window.addEventListener("popstate", lambda _e: self.render())
        self.render()

    def navigate(self, path: str) -> None:
        # Only same-origin paths: never an open redirect through the router.
        path = safe_return_path(path)
        window.history.pushState(javascript.NULL, "", path)
        self.render()

    def render(self) -> None:
        path = str(window.location.pathname)
        full = path + str(window.location.search) + str(window.location.hash)
        if path in self.protected and self.oidc is not None and not self.oidc.is_user_logged_in:
            aio.run(self.oidc.login(redirect_to=full))
            return
        self.routes.get(path, self.not_found)(path)

    def _on_click(self, event: Any) -> None:
        if event.defaultPrevented or event.button != 0:
            return
        if event.metaKey or event.ctrlKey or event.shiftKey or event.altKey:
            return  # new tab / window: the browser's business
        anchor = event.target.closest("a") if event.target.closest else None
        if not anchor or anchor.target or anchor.hasAttribute("download"):
            return
        if str(anchor.origin) != str(window.location.origin):
            return
        event.preventDefault()
        self.navigate(str(anchor.pathname) + str(anchor.search) + str(anchor.hash))
