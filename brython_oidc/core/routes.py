"""Route patterns, matching, URL building, query parsing and guard decisions (pure).

The browser router (``browser/router.py``) owns the DOM, history and the session;
everything it decides is decided here, so it is unit-tested under CPython.

- Path templates as Starlette writes them: ``/notes/{id}``, ``/notes/{id:int}``,
  converters ``str`` (one segment, the default), ``int``, ``float``, ``uuid`` and
  ``path`` (the rest of the path, last segment only). A parameter fills a whole
  segment. Segments are percent-decoded (RFC 3986 §2.1) after splitting, so ``%2F``
  stays inside a ``str`` parameter.
- Routes nest: a route with ``children`` prefixes their paths and wraps them in its
  ``layout``; its ``guards`` apply to every child.
- Guards: ``SignedIn``, ``Claim`` (has a value, or contains one), ``Scope`` (granted,
  RFC 6749 §3.3 / §5.1) and ``Predicate`` (the app's own). ``decide`` gives ``ALLOW``,
  ``SIGN_IN`` (a guard failed, nobody is signed in) or ``FORBIDDEN`` (a guard failed
  for the signed-in user).

Brython-cheap (CONTRIBUTING): no ``re``, ``str.split`` over ``partition``, loops
over generators; matching runs on every navigation.
"""

from __future__ import annotations

from brython_oidc.core.urls import quote, split_once, unquote

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

ALLOW = "allow"
SIGN_IN = "sign_in"
FORBIDDEN = "forbidden"

CONVERTERS = ("str", "int", "float", "uuid", "path")
_DIGITS = "0123456789"
_HEX = "0123456789abcdefABCDEF"
_UUID_GROUPS = (8, 4, 4, 4, 12)
_INFINITY = float("inf")


def _is_digits(text: str) -> bool:
    # not text.strip(chars): every character is in chars, natively (CONTRIBUTING).
    return bool(text) and not text.strip(_DIGITS)


def _convert(converter: str, raw: str) -> object:
    """The value of one matched segment, or ``None`` when the converter refuses it."""
    if converter == "str":
        return unquote(raw) if raw else None
    if converter == "int":
        return int(raw) if _is_digits(raw) else None
    if converter == "float":
        whole, frac = split_once(raw, ".")
        if _is_digits(whole) and (_is_digits(frac) if "." in raw else True):
            return float(raw)
        return None
    if converter == "uuid":
        groups = raw.split("-")
        if len(groups) != 5:
            return None
        for index in range(5):
            group = groups[index]
            if len(group) != _UUID_GROUPS[index] or group.strip(_HEX):
                return None
        return raw.lower()
    return unquote(raw)  # path


def _to_segment(converter: str, name: str, value: object) -> str:
    """One parameter as it goes into a path (the inverse of ``_convert``)."""
    if converter == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"route parameter {name!r} must be an int >= 0")
        return str(value)
    if converter == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
            raise ValueError(f"route parameter {name!r} must be a number >= 0")
        if value == _INFINITY:
            raise ValueError(f"route parameter {name!r} must be finite")
        text = repr(float(value))
        if "e" in text:
            raise ValueError(f"route parameter {name!r} is out of range")
        return text[:-2] if text.endswith(".0") else text
    if not isinstance(value, str) or not value:
        raise ValueError(f"route parameter {name!r} must be a non-empty str")
    if converter == "uuid":
        if _convert("uuid", value) is None:
            raise ValueError(f"route parameter {name!r} must be a UUID")
        return value.lower()
    if converter == "path":
        return quote(value, safe="/")
    if "/" in value:
        raise ValueError(f"route parameter {name!r} must not contain '/'")
    return quote(value)


def _strip_slash(path: str) -> str:
    # "/notes/" and "/notes" are one route; "/" stays "/".
    return path[:-1] if len(path) > 1 and path.endswith("/") else path


def split_path(path: str) -> list[str]:
    """The segments after the leading ``/``, a trailing ``/`` dropped (``/`` is ``[""]``).

    ``split`` and ``pop``, no slice: a slice costs tens of µs in Brython (CONTRIBUTING),
    and this runs on every navigation.
    """
    segments = path.split("/")
    segments.pop(0)  # what comes before the leading "/"
    if len(segments) > 1 and segments[-1] == "":
        segments.pop()
    return segments


class Pattern:
    """A compiled path template: ``match(path)`` and ``build(params)``."""

    __slots__ = ("converters", "count", "literals", "names", "tail", "template")

    def __init__(self, template: str) -> None:
        if not isinstance(template, str) or not template.startswith("/"):
            raise ValueError(f"route path {template!r} must start with '/'")
        self.template = template
        segments = split_path(template)
        count = len(segments)
        self.count = count
        # Per segment: the literal text, or None and a parameter name and converter.
        # Built in locals, set once: attribute access costs in Brython.
        literals: list[str | None] = []
        names: list[str] = []
        converters: list[str] = []
        if "{" not in template and "}" not in template:
            literals = list(segments)  # no parameter: one step, not one per segment
        else:
            for index in range(count):
                segment = segments[index]
                if "{" not in segment and "}" not in segment:
                    literals.append(segment)
                    continue
                if not (segment.startswith("{") and segment.endswith("}")):
                    raise ValueError(f"route path {template!r}: a parameter fills a whole segment")
                name, converter = split_once(segment[1:-1], ":")
                converter = converter or "str"
                if not name.isidentifier() or converter not in CONVERTERS:
                    raise ValueError(f"route path {template!r}: bad parameter {segment!r}")
                if name in names:
                    raise ValueError(f"route path {template!r}: parameter {name!r} repeated")
                if converter == "path" and index != count - 1:
                    raise ValueError(f"route path {template!r}: a path parameter must be last")
                literals.append(None)
                names.append(name)
                converters.append(converter)
        self.literals = literals
        self.names = names
        self.converters = converters
        #: Whether the last parameter takes the rest of the path (``{rest:path}``).
        self.tail = bool(converters) and converters[-1] == "path"

    def fits(self, count: int) -> bool:
        """Whether a path of ``count`` segments may match (``/files/`` fits
        ``/files/{rest:path}``, with ``rest`` empty)."""
        return count == self.count or (self.tail and count >= self.count - 1)

    def match(self, path: str) -> dict[str, object] | None:
        """The parameters if ``path`` (percent-encoded, no query) matches, else ``None``."""
        segments = split_path(path)
        if not self.fits(len(segments)):
            return None
        return self.match_segments(segments)

    def match_segments(self, segments: list[str]) -> dict[str, object] | None:
        """``match`` on ``split_path``'s result, whose length ``fits``."""
        literals = self.literals
        count = self.count
        if len(segments) < count:
            segments = [*segments, ""]  # the empty rest of a path parameter
        params: dict[str, object] = {}
        param = 0
        for index in range(count):
            literal = literals[index]
            raw = segments[index]
            if literal is not None:
                # Decoded only when it could differ: most segments hold no escape.
                if raw != literal and ("%" not in raw or unquote(raw) != literal):
                    return None
                continue
            converter = self.converters[param]
            if converter == "path":
                raw = "/".join(segments[index:])
            value = _convert(converter, raw)
            if value is None:
                return None
            params[self.names[param]] = value
            param += 1
        return params

    def build(self, params: Mapping[str, object]) -> str:
        """The path for ``params``: every parameter, nothing else (``ValueError``)."""
        for name in params:
            if name not in self.names:
                raise ValueError(f"route {self.template!r} has no parameter {name!r}")
        path = ""
        param = 0
        for literal in self.literals:
            if literal is not None:
                path += "/" + literal
                continue
            name = self.names[param]
            if name not in params:
                raise ValueError(f"route {self.template!r} needs parameter {name!r}")
            path += "/" + _to_segment(self.converters[param], name, params[name])
            param += 1
        return path or "/"


def join_paths(prefix: str, path: str) -> str:
    """A child's full template under its parent's (``/admin`` + ``/users`` ...)."""
    if not path.startswith("/"):
        raise ValueError(f"route path {path!r} must start with '/'")
    if prefix == "/" or not prefix:
        return path
    return _strip_slash(prefix) + ("" if path == "/" else path)


# --- query ------------------------------------------------------------------------------


class Query:
    """A URL's query (``?a=1&tag=x&tag=y``), decoded as forms are (space is ``+``).

    Unlike the OAuth parameters (``urls.parse_params``), a name may repeat here:
    ``get`` gives the first value as ``URLSearchParams.get`` does, ``get_all`` all.
    """

    __slots__ = ("pairs",)

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def get(self, name: str, default: str | None = None) -> str | None:
        for key, value in self.pairs:
            if key == name:
                return value
        return default

    def get_all(self, name: str) -> list[str]:
        found = []
        for key, value in self.pairs:
            if key == name:
                found.append(value)
        return found

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        for key, _ in self.pairs:
            if key == name:
                return True
        return False

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def keys(self) -> list[str]:
        names: list[str] = []
        for key, _ in self.pairs:
            if key not in names:
                names.append(key)
        return names

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Query) and other.pairs == self.pairs

    def __repr__(self) -> str:
        return f"Query({self.pairs!r})"


def parse_query(search: str) -> Query:
    """``location.search`` (leading ``?`` allowed) as a ``Query``."""
    if search.startswith("?"):
        search = search[1:]
    pairs = []
    for part in search.split("&"):
        if part:
            name, value = split_once(part, "=")
            pairs.append((unquote(name, plus=True), unquote(value, plus=True)))
    return Query(pairs)


# --- guards -----------------------------------------------------------------------------


def granted_scopes(token_scope: str | None, requested_scope: str | None) -> list[str]:
    """The scopes the access token carries.

    RFC 6749 §5.1: the token response's ``scope`` is OPTIONAL "if identical to the
    scope requested by the client", so without it the requested scope was granted.
    """
    scope = token_scope if token_scope is not None else requested_scope
    return scope.split() if scope else []


class Access:
    """What guards look at: the session, the user's claims, the granted scopes, and the
    route's parameters (for a predicate such as "only the note's owner")."""

    __slots__ = ("claims", "params", "scopes", "signed_in")

    def __init__(
        self,
        signed_in: bool,
        claims: Mapping[str, object] | None = None,
        scopes: Sequence[str] = (),
        params: Mapping[str, object] | None = None,
    ) -> None:
        self.signed_in = signed_in
        self.claims: Mapping[str, object] = claims if claims is not None and signed_in else {}
        self.scopes = list(scopes) if signed_in else []
        self.params: Mapping[str, object] = params if params is not None else {}


class Guard:
    """A condition for entering a route; subclasses define ``allows``."""

    __slots__ = ()

    def allows(self, access: Access) -> bool:
        raise NotImplementedError


class SignedIn(Guard):
    """Someone is signed in."""

    __slots__ = ()

    def allows(self, access: Access) -> bool:
        return access.signed_in

    def __repr__(self) -> str:
        return "SignedIn()"


_MISSING = object()


class Claim(Guard):
    """A claim of the signed-in user equals ``equals``, or contains ``contains``.

    ``contains`` reads a list claim (``groups``) by membership, and a string claim as
    space-separated values (the form of ``scope`` in RFC 9068 §2.2.3), word by word:
    ``"superadmin"`` does not contain ``"admin"``.
    """

    __slots__ = ("contains", "equals", "name")

    def __init__(self, name: str, *, equals: object = _MISSING, contains: object = _MISSING):
        if (equals is _MISSING) == (contains is _MISSING):
            raise ValueError("Claim needs exactly one of equals= or contains=")
        self.name = name
        self.equals = equals
        self.contains = contains

    def allows(self, access: Access) -> bool:
        if not access.signed_in or self.name not in access.claims:
            return False
        actual = access.claims[self.name]
        if self.equals is not _MISSING:
            # True == 1 in Python; a claim of 1 is not the boolean true.
            if isinstance(self.equals, bool) or isinstance(actual, bool):
                return actual is self.equals
            return bool(actual == self.equals)
        values = actual.split() if isinstance(actual, str) else actual
        if not isinstance(values, (list, tuple)):
            return False
        for value in values:
            if value == self.contains and isinstance(value, bool) == isinstance(
                self.contains, bool
            ):
                return True
        return False

    def __repr__(self) -> str:
        how = "equals" if self.equals is not _MISSING else "contains"
        value = self.equals if self.equals is not _MISSING else self.contains
        return f"Claim({self.name!r}, {how}={value!r})"


class Scope(Guard):
    """Every one of ``names`` was granted (RFC 6749 §3.3: scope tokens compare exactly)."""

    __slots__ = ("names",)

    def __init__(self, *names: str) -> None:
        if not names:
            raise ValueError("Scope needs at least one scope name")
        self.names = names

    def allows(self, access: Access) -> bool:
        for name in self.names:
            if name not in access.scopes:
                return False
        return access.signed_in

    def __repr__(self) -> str:
        return f"Scope{self.names!r}"


class Predicate(Guard):
    """The app's own condition: ``test(access)`` returns whether to let the user in."""

    __slots__ = ("test",)

    def __init__(self, test: Callable[[Access], object]) -> None:
        self.test = test

    def allows(self, access: Access) -> bool:
        return bool(self.test(access))

    def __repr__(self) -> str:
        return f"Predicate({getattr(self.test, '__name__', self.test)!r})"


def decide(guards: Sequence[Guard], access: Access) -> str:
    """``ALLOW`` when every guard passes; otherwise ``FORBIDDEN`` for a signed-in user
    (HTTP 403's meaning, RFC 9110 §15.5.4) and ``SIGN_IN`` for a signed-out one."""
    for guard in guards:
        if not guard.allows(access):
            return FORBIDDEN if access.signed_in else SIGN_IN
    return ALLOW


# --- the route tree ---------------------------------------------------------------------


class Route:
    """One route: a path template and the ``page`` drawn there.

    ``children`` nest under this route's path, drawn inside its ``layout`` (a shell
    around them); ``guards`` apply to this route and every child. ``title`` is a
    string or a function of the view. ``page`` and ``layout`` are the browser
    router's business (``browser/router.py``); here they are only carried.
    """

    __slots__ = (
        "children",
        "guards",
        "layout",
        "name",
        "page",
        "param_names",
        "path",
        "title",
    )

    def __init__(
        self,
        path: str,
        page: object = None,
        *,
        name: str | None = None,
        title: object = None,
        guards: Sequence[Guard] = (),
        children: Sequence[Route] = (),
        layout: object = None,
    ) -> None:
        if page is None and not children:
            raise ValueError(f"route {path!r} needs a page or children")
        for guard in guards:
            if not isinstance(guard, Guard):
                raise TypeError(f"route {path!r}: {guard!r} is not a Guard")
        self.path = path
        self.page = page
        self.name = name
        self.title = title
        self.guards = tuple(guards)
        self.children = tuple(children)
        self.layout = layout
        #: Names of the parameters in this route's full template (set by RouteTable).
        self.param_names: list[str] = []

    def __repr__(self) -> str:
        return f"Route({self.path!r}, name={self.name!r})"


class Match:
    """A matched path: the route, its parameters, and the chain of routes from the
    outermost ancestor to it (their layouts and guards apply)."""

    __slots__ = ("chain", "params", "route")

    def __init__(self, route: Route, params: dict[str, object], chain: list[Route]) -> None:
        self.route = route
        self.params = params
        self.chain = chain

    @property
    def guards(self) -> list[Guard]:
        guards: list[Guard] = []
        for route in self.chain:
            guards.extend(route.guards)
        return guards

    @property
    def title(self) -> object:
        """The innermost title along the chain (a child's wins over its layout's)."""
        for route in reversed(self.chain):
            if route.title is not None:
                return route.title
        return None


_CANDIDATES_CACHE_SIZE = 64


class RouteTable:
    """Routes flattened in declaration order: the first that matches wins."""

    __slots__ = ("by_name", "candidates", "entries")

    def __init__(self, routes: Sequence[Route]) -> None:
        self.entries: list[tuple[Pattern, Route, list[Route]]] = []
        self.by_name: dict[str, Pattern] = {}
        #: Per segment count and first segment, the entries a path may match, in
        #: order (filled on first use): a navigation tries one or two patterns, not
        #: all of them (each try costs about 0.1 ms in Brython).
        self.candidates: dict[str, list[tuple[Pattern, Route, list[Route]]]] = {}
        self._add(routes, "/", [])

    def _add(self, routes: Sequence[Route], prefix: str, chain: list[Route]) -> None:
        for route in routes:
            if not isinstance(route, Route):
                raise TypeError(f"{route!r} is not a Route")
            pattern = Pattern(join_paths(prefix, route.path))
            route.param_names = pattern.names
            here = [*chain, route]
            if route.name is not None:
                if route.name in self.by_name:
                    raise ValueError(f"two routes are named {route.name!r}")
                self.by_name[route.name] = pattern
            # Children first: "/notes" with a child "/{id}" must not swallow "/notes/1".
            self._add(route.children, pattern.template, here)
            if route.page is not None:
                self.entries.append((pattern, route, here))

    def match(self, path: str) -> Match | None:
        """The first route whose template matches ``path`` (no query, no fragment)."""
        segments = split_path(path)
        count = len(segments)
        key = str(count) + "/" + segments[0]
        candidates = self.candidates.get(key)
        if candidates is None:
            if len(self.candidates) >= _CANDIDATES_CACHE_SIZE:
                self.candidates.clear()  # first segments may be parameters: any text
            first = unquote(segments[0])
            candidates = []
            for entry in self.entries:
                pattern = entry[0]
                literal = pattern.literals[0]
                if pattern.fits(count) and (literal is None or literal == first):
                    candidates.append(entry)
            self.candidates[key] = candidates
        for entry in candidates:
            params = entry[0].match_segments(segments)
            if params is not None:
                return Match(entry[1], params, entry[2])
        return None

    def url_for(self, name: str, params: Mapping[str, object]) -> str:
        """The path of the route named ``name`` with ``params`` (``LookupError`` for an
        unknown name, ``ValueError`` for missing, extra or ill-typed parameters)."""
        pattern = self.by_name.get(name)
        if pattern is None:
            raise LookupError(f"no route is named {name!r}")
        return pattern.build(params)
