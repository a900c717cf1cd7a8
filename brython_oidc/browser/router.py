"""The in-page router: routes with parameters, nested layouts, guards, titles, scroll.

What to draw is decided in ``core/routes.py`` (patterns, the route tree, guard
decisions); this module owns the DOM, the history entries and the session's view.

- Same-origin ``<a>`` clicks become ``history.pushState`` navigations; Back and
  Forward render the entry and restore its scroll position.
- A route's guards are checked on every render and again whenever the tokens change
  (``oidc.subscribe_to_tokens_change``): a sign-out in another tab takes a guarded
  page away at once. A failed guard signs a signed-out user in, coming back to the
  same address; a signed-in user gets the ``forbidden`` page.
- Parameters, query and fragment come from the address bar, which anyone can write:
  the router puts them in the page only as text, and a page that returns a string
  gets it as a text node.

The first form, ``Router({path: handler(path)}, not_found=..., protected=...)``, is
still accepted: exact paths, ``protected`` meaning ``guards=[SignedIn()]``.
"""

from __future__ import annotations

from browser import aio, document, html, window

from brython_oidc.core.routes import (
    FORBIDDEN,
    SIGN_IN,
    Access,
    Claim,
    Guard,
    Predicate,
    Route,
    RouteTable,
    Scope,
    SignedIn,
    decide,
    granted_scopes,
    parse_query,
)
from brython_oidc.core.urls import is_same_origin_path, unquote

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any

    from brython_oidc.core.routes import Match, Query

__all__ = [
    "Claim",
    "Guard",
    "Predicate",
    "Route",
    "Router",
    "Scope",
    "SignedIn",
    "View",
]


class View:
    """What a page, a layout and the not-found and forbidden pages are called with."""

    __slots__ = (
        "error",
        "hash",
        "match",
        "name",
        "outlet",
        "params",
        "path",
        "query",
        "router",
        "scroll",
        "status",
    )

    def __init__(self, router: Router, path: str, search: str, fragment: str) -> None:
        self.router = router
        #: ``location.pathname`` as the browser holds it (percent-encoded).
        self.path = path
        self.query: Query = parse_query(search)
        #: The fragment, decoded, without its ``#``.
        self.hash = unquote(fragment[1:])
        self.match: Match | None = None
        #: The route's parameters, converted (``{id:int}`` gives an int).
        self.params: Mapping[str, object] = {}
        self.name: str | None = None
        #: The element to draw into: the innermost layout's, else the router's root.
        self.outlet: Any = router.root
        #: 200, 404 (no route), 403 (a guard refused a signed-in user), 401 (a guard
        #: refused a signed-out user and signing in failed or is not possible).
        self.status = 200
        #: With status 401: the sign-in failure (``oidc.last_error``), when known.
        self.error: object = None
        #: Back/Forward: the position to restore once an ``async`` page has drawn.
        self.scroll: tuple[float, float] | None = None

    @property
    def is_current(self) -> bool:
        """Whether this view is still on screen (an ``async`` page checks it after an
        ``await`` before drawing itself: the user may have gone elsewhere)."""
        return self.router.current is self


def _append(outlet: Any, content: object) -> None:
    if content is None or outlet is None:
        return
    if isinstance(content, (list, tuple)):
        for item in content:
            _append(outlet, item)
    elif isinstance(content, str):
        outlet.appendChild(document.createTextNode(content))  # text, never markup
    else:
        outlet.appendChild(content)


def _clear(outlet: Any) -> None:
    if outlet is not None:
        outlet.textContent = ""


def default_forbidden(view: View) -> object:
    """The page shown when no ``forbidden`` page is given."""
    document.title = "Forbidden"
    message = html.P()
    message.text = "You may not see this page."
    return message


class Router:
    """Routes, link interception, guards, titles and scroll positions for one page.

    ``routes``: a list of ``Route`` (see ``core.routes.Route``), whose pages are
    called with a ``View`` and may return an element, a string (drawn as text) or a
    list of them; an ``async`` page's result is drawn when it finishes, if the user
    is still there. ``root``: the element pages draw into (``view.outlet``).
    ``not_found`` and ``forbidden``: pages for a path no route matches and for a
    signed-in user a guard refuses. ``signed_out``: a page for a signed-out user a
    guard refuses (status 401), shown instead of signing in at once; the app's own
    sign-in button takes it from there. ``oidc``: the session guards look at.
    """

    def __init__(
        self,
        routes: Sequence[Route] | dict[str, Callable[[str], object]],
        *,
        not_found: Callable[[Any], object],
        forbidden: Callable[[View], object] | None = None,
        signed_out: Callable[[View], object] | None = None,
        protected: tuple[str, ...] = (),
        oidc: Any = None,
        root: Any = None,
    ) -> None:
        # A mapping is the first API: exact paths, handlers called with the path.
        self.legacy = isinstance(routes, dict)
        if isinstance(routes, dict):
            handlers = dict(routes)
            for path in protected:
                # As before: a protected path asks for a sign-in even without a handler.
                handlers.setdefault(path, not_found)
            routes = [
                Route(path, handlers[path], guards=[SignedIn()] if path in protected else [])
                for path in handlers
            ]
        self.table = RouteTable(routes)
        self.not_found = not_found
        self.forbidden = forbidden or default_forbidden
        self.signed_out = signed_out
        self.oidc = oidc
        self.root = root
        #: The view on screen (``None`` before ``start``).
        self.current: View | None = None
        self._decision: str | None = None
        self._rendered = ""  # path + query drawn last: a fragment change redraws nothing
        self._mounted: list[tuple[Route, list[object], Any]] = []  # layout, its params, outlet
        self._signing_in = False
        self._positions: dict[str, tuple[float, float]] = {}
        self._entry = ""
        self._entries = 0
        self._unsubscribe: Callable[[], None] | None = None
        # One bound method each, kept: removeEventListener needs the very same function.
        self._click = self._on_click
        self._popstate = self._on_popstate

    # --- public -----------------------------------------------------------------------

    def start(self) -> None:
        """Listen to clicks, Back/Forward and token changes; draw the current address."""
        # The router puts each entry's scroll position back itself, after drawing it.
        window.history.scrollRestoration = "manual"
        state = window.history.state
        if isinstance(state, str):
            self._entry = state  # a reload keeps the entry's state
        else:
            self._entry = self._new_entry()
            window.history.replaceState(self._entry, "")
        document.addEventListener("click", self._click)
        window.addEventListener("popstate", self._popstate)
        subscribe = getattr(self.oidc, "subscribe_to_tokens_change", None)
        if subscribe is not None:
            self._unsubscribe = subscribe(self._on_tokens)
        self.render()

    def stop(self) -> None:
        """Stop listening (the page stays as it is)."""
        document.removeEventListener("click", self._click)
        window.removeEventListener("popstate", self._popstate)
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def navigate(self, path: str, *, replace: bool = False) -> None:
        """Go to ``path`` (path, query, fragment) in a new history entry, or in this one.

        Only same-origin paths: anything else goes to ``/``, so the router is never an
        open redirect.
        """
        if not is_same_origin_path(path):
            path = "/"
        self._positions[self._entry] = (window.scrollX, window.scrollY)
        self._entry = self._new_entry()
        if replace:
            window.history.replaceState(self._entry, "", path)
        else:
            window.history.pushState(self._entry, "", path)
        self.render()
        self._scroll_to_fragment()

    def url_for(self, name: str, /, **params: object) -> str:
        """The path of the route named ``name`` with ``params`` (``LookupError`` for an
        unknown name, ``ValueError`` for missing, extra or ill-typed parameters).

        ``name`` is positional-only, so a route may have a parameter called ``name``.
        """
        return self.table.url_for(name, params)

    def render(self) -> None:
        """Draw the page for the current address (after checking its guards)."""
        loc = window.location
        path, search, fragment = str(loc.pathname), str(loc.search), str(loc.hash)
        self._rendered = path + search
        view = View(self, path, search, fragment)
        self.current = view
        match = self.table.match(path)
        if match is None:
            self._decision = None
            view.status = 404
            self._draw_alone(self.not_found, view)
            return
        view.match = match
        view.params = match.params
        view.name = match.route.name
        decision = decide(match.guards, self._access(match.params))
        self._decision = decision
        if decision == FORBIDDEN:
            view.status = 403
            self._draw_alone(self.forbidden, view)
        elif decision == SIGN_IN:
            self._sign_in(view, path + search + fragment)
        else:
            self._draw(match, view)

    # --- drawing ----------------------------------------------------------------------

    def _draw(self, match: Match, view: View) -> None:
        layouts = [route for route in match.chain if route.layout is not None]
        # Layouts already on screen for the same parameters stay (and keep their state).
        keep = 0
        while keep < len(self._mounted) and keep < len(layouts):
            route, values, _ = self._mounted[keep]
            if route is not layouts[keep] or values != _values(route, view.params):
                break
            keep += 1
        del self._mounted[keep:]
        outlet = self._mounted[-1][2] if self._mounted else self.root
        for route in layouts[keep:]:
            view.outlet = outlet
            _clear(outlet)
            inner = route.layout(view)  # type: ignore[operator]
            if inner is None:
                raise TypeError(f"the layout of {route!r} must return the element for its children")
            self._mounted.append((route, _values(route, view.params), inner))
            outlet = inner
        view.outlet = outlet
        _clear(outlet)
        page = match.route.page
        content = page(view.path if self.legacy else view)  # type: ignore[operator]
        # An async page: drawn when it finishes. (Brython's coroutines have no
        # __await__ attribute; their type name is the same as CPython's.)
        if type(content).__name__ == "coroutine":
            aio.run(self._draw_later(view, content))
        else:
            _append(outlet, content)
        title = match.title
        if callable(title):
            title = title(view)
        if title is not None:
            document.title = str(title)  # a text property: never markup

    async def _draw_later(self, view: View, pending: Any) -> None:
        content = await pending
        if not view.is_current:
            return  # the user went elsewhere meanwhile: drawing it would be a lie
        _append(view.outlet, content)
        if view.scroll is not None:
            window.scrollTo(view.scroll[0], view.scroll[1])  # now the page is tall enough

    def _draw_alone(self, page: Callable[[Any], object], view: View) -> None:
        """A page without the layouts (not found, forbidden): guarded shells go too."""
        self._mounted = []
        view.outlet = self.root
        _clear(self.root)
        _append(self.root, page(view.path if self.legacy else view))

    # --- guards -----------------------------------------------------------------------

    def _access(self, params: Mapping[str, object]) -> Access:
        oidc = self.oidc
        if oidc is None or not oidc.is_user_logged_in:
            return Access(False, params=params)
        tokens = oidc.tokens
        # Without a scope in the token response the requested one was granted.
        config = getattr(getattr(oidc, "_session", None), "config", None)
        requested = getattr(config, "scope", None)
        scopes = granted_scopes(getattr(tokens, "scope", None), requested)
        return Access(True, oidc.user or {}, scopes, params)

    def _sign_in(self, view: View, target: str) -> None:
        # What the guard protects leaves the screen at once (a sign-out elsewhere).
        self._mounted = []
        _clear(self.root)
        if self.signed_out is not None:
            view.status = 401
            self._draw_alone(self.signed_out, view)
            return
        oidc = self.oidc
        error = getattr(oidc, "last_error", None)
        if error is not None:
            # An error means the engine is loaded: this import costs nothing then.
            from brython_oidc.core.errors import InteractionRequired

            if isinstance(error, InteractionRequired):
                error = None  # prompt=none found no session: signing in is the answer
        if oidc is None or error is not None:
            # Nobody to sign in with, or the last attempt failed (the user said no at
            # the provider, a callback check failed...): sending the user back at
            # once could loop; the forbidden page says why.
            view.status = 401
            view.error = error
            self._draw_alone(self.forbidden, view)
            return
        if not self._signing_in:
            self._signing_in = True
            aio.run(self._login(target))

    async def _login(self, target: str) -> None:
        try:
            await self.oidc.login(redirect_to=target)
        except Exception as exc:
            # The type and message only: OIDCError messages never hold a token.
            window.console.error(f"brython-oidc router: sign-in failed: {type(exc).__name__}")
            self._signing_in = False
            if self.current is not None and self._decision == SIGN_IN:
                self.current.status = 401
                self.current.error = exc
                self._draw_alone(self.forbidden, self.current)
            return
        self._signing_in = False
        # A popup or mock sign-in comes back to this page; a redirect never returns here.
        if self.oidc.is_user_logged_in and self._decision == SIGN_IN:
            self.render()

    def _on_tokens(self, _tokens: object) -> None:
        view = self.current
        if view is None or view.match is None:
            return
        decision = decide(view.match.guards, self._access(view.params))
        if decision != self._decision:  # a renewal changes nothing: the page keeps its state
            self.render()

    # --- history ----------------------------------------------------------------------

    def _new_entry(self) -> str:
        # Unique across reloads of this tab: history keeps entries of earlier loads.
        self._entries += 1
        return "brython-oidc:" + str(window.performance.timeOrigin) + ":" + str(self._entries)

    def _scroll_to_fragment(self) -> None:
        target = None
        fragment = str(window.location.hash)
        if fragment:
            target = document.getElementById(unquote(fragment[1:]))
        if target:
            target.scrollIntoView()
        else:
            window.scrollTo(0, 0)

    def _on_popstate(self, event: Any) -> None:
        # Manual scroll restoration: the page has not scrolled yet, so this is still
        # the position of the entry being left.
        self._positions[self._entry] = (window.scrollX, window.scrollY)
        state = event.state
        if isinstance(state, str):
            self._entry = state
        else:
            self._entry = self._new_entry()  # a fragment link's entry
            window.history.replaceState(self._entry, "")
        loc = window.location
        if str(loc.pathname) + str(loc.search) == self._rendered:
            return  # only the fragment changed: nothing to draw
        self.render()
        position = self._positions.get(self._entry)
        if position is not None:
            window.scrollTo(position[0], position[1])
            if self.current is not None:
                self.current.scroll = position
        else:
            self._scroll_to_fragment()

    def _on_click(self, event: Any) -> None:
        if event.defaultPrevented or event.button != 0:
            return
        if event.metaKey or event.ctrlKey or event.shiftKey or event.altKey:
            return  # new tab / window: the browser's business
        try:
            anchor = event.target.closest("a")
        except (KeyError, AttributeError):
            return  # Brython raises KeyError when no ancestor matches
        if not anchor or anchor.target or anchor.hasAttribute("download"):
            return
        if str(anchor.origin) != str(window.location.origin):
            return
        if anchor.hash and str(anchor.pathname) + str(anchor.search) == self._rendered:
            return  # a fragment on this page: the browser scrolls to it
        event.preventDefault()
        self.navigate(str(anchor.pathname) + str(anchor.search) + str(anchor.hash))


def _values(route: Route, params: Mapping[str, object]) -> list[object]:
    """The parameters a layout depends on: those of its own path (and its parents')."""
    values: list[object] = []
    for name in route.param_names:
        values.append(params.get(name))
    return values
