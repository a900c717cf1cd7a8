"""core/routes.py: patterns, url building, the route tree, query parsing, guard decisions."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from brython_oidc.core.routes import (
    ALLOW,
    FORBIDDEN,
    SIGN_IN,
    Access,
    Claim,
    Pattern,
    Predicate,
    Route,
    RouteTable,
    Scope,
    SignedIn,
    decide,
    granted_scopes,
    join_paths,
    parse_query,
)

# --- patterns ---------------------------------------------------------------------------

UUID = "123e4567-e89b-12d3-a456-426614174000"

MATCHES = [
    ("/", "/", {}),
    ("/", "/a", None),
    ("/notes", "/notes", {}),
    ("/notes", "/notes/", {}),
    ("/notes", "/note", None),
    ("/notes/{id}", "/notes/abc", {"id": "abc"}),
    ("/notes/{id}", "/notes/", None),  # a str parameter is never empty
    ("/notes/{id}", "/notes/a/b", None),
    ("/notes/{id}", "/notes/a%2Fb", {"id": "a/b"}),  # decoded after splitting
    ("/notes/{id}", "/notes/caf%C3%A9", {"id": "café"}),
    ("/notes/{id}", "/notes/%3Cb%3E", {"id": "<b>"}),
    ("/notes/{id:int}", "/notes/42", {"id": 42}),
    ("/notes/{id:int}", "/notes/-1", None),
    ("/notes/{id:int}", "/notes/4x", None),
    ("/notes/{id:int}", "/notes/%34", None),  # digits only, as Starlette's [0-9]+
    ("/p/{x:float}", "/p/1.5", {"x": 1.5}),
    ("/p/{x:float}", "/p/2", {"x": 2.0}),
    ("/p/{x:float}", "/p/1.", None),
    ("/p/{x:float}", "/p/1.2.3", None),
    (
        "/u/{u:uuid}",
        "/u/123E4567-e89b-12d3-a456-426614174000",
        {"u": "123e4567-e89b-12d3-a456-426614174000"},
    ),
    ("/u/{u:uuid}", "/u/123e4567-e89b-12d3-a456-42661417400", None),
    ("/u/{u:uuid}", "/u/123e4567e89b12d3a456426614174000", None),
    ("/files/{rest:path}", "/files/a/b/c.txt", {"rest": "a/b/c.txt"}),
    ("/files/{rest:path}", "/files/", {"rest": ""}),
    ("/files/{rest:path}", "/other/a", None),
    ("/a/{x}/b/{y:int}", "/a/q/b/3", {"x": "q", "y": 3}),
    ("/a/{x}/b/{y:int}", "/a/q/c/3", None),
    ("/caf\u00e9", "/caf%C3%A9", {}),
]


@pytest.mark.parametrize(("template", "path", "expected"), MATCHES)
def test_match(template: str, path: str, expected: dict[str, object] | None) -> None:
    assert Pattern(template).match(path) == expected


BAD_TEMPLATES = [
    "notes",  # not a path
    "/notes/x{id}",  # parameter inside a segment
    "/notes/{id",
    "/notes/{{id}}",
    "/notes/{1d}",
    "/notes/{id:hex}",  # unknown converter
    "/a/{x}/{x}",
    "/f/{rest:path}/tail",
]


@pytest.mark.parametrize("template", BAD_TEMPLATES)
def test_bad_templates_are_refused(template: str) -> None:
    with pytest.raises(ValueError, match="route path"):
        Pattern(template)


BUILDS = [
    ("/", {}, "/"),
    ("/notes/{id:int}", {"id": 7}, "/notes/7"),
    ("/notes/{id}", {"id": "a b<"}, "/notes/a%20b%3C"),
    ("/notes/{id}", {"id": "é"}, "/notes/%C3%A9"),
    ("/p/{x:float}", {"x": 2.5}, "/p/2.5"),
    ("/p/{x:float}", {"x": 3}, "/p/3"),
    ("/files/{rest:path}", {"rest": "a/b c"}, "/files/a/b%20c"),
    (
        "/u/{u:uuid}",
        {"u": "123E4567-E89B-12D3-A456-426614174000"},
        "/u/123e4567-e89b-12d3-a456-426614174000",
    ),
]


@pytest.mark.parametrize(("template", "params", "expected"), BUILDS)
def test_build(template: str, params: dict[str, object], expected: str) -> None:
    assert Pattern(template).build(params) == expected


BAD_BUILDS = [
    ("/notes/{id:int}", {}, "needs parameter 'id'"),
    ("/notes/{id:int}", {"id": 1, "x": 2}, "has no parameter 'x'"),
    ("/notes/{id:int}", {"id": "7"}, "must be an int"),
    ("/notes/{id:int}", {"id": -1}, "must be an int"),
    ("/notes/{id:int}", {"id": True}, "must be an int"),
    ("/notes/{id}", {"id": ""}, "non-empty str"),
    ("/notes/{id}", {"id": 3}, "non-empty str"),
    ("/notes/{id}", {"id": "a/b"}, "must not contain '/'"),
    ("/p/{x:float}", {"x": float("nan")}, "must be a number"),
    ("/p/{x:float}", {"x": float("inf")}, "finite"),
    ("/p/{x:float}", {"x": 1e300}, "out of range"),
    ("/p/{x:float}", {"x": 1e-7}, "out of range"),
    ("/u/{u:uuid}", {"u": "nope"}, "must be a UUID"),
]


@pytest.mark.parametrize(("template", "params", "message"), BAD_BUILDS)
def test_bad_params_are_refused(template: str, params: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Pattern(template).build(params)


segment_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/"), min_size=1
)
path_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1).filter(
    lambda text: not text.endswith("/")
)


@given(segment_text, st.integers(min_value=0), path_text)
def test_build_then_match_gives_the_params_back(name: str, number: int, rest: str) -> None:
    pattern = Pattern("/x/{name}/n/{number:int}/{rest:path}")
    params = {"name": name, "number": number, "rest": rest}
    path = pattern.build(params)
    assert path.isascii()  # percent-encoded: what location.pathname holds
    assert pattern.match(path) == params


@given(st.floats(min_value=0, max_value=1e15, allow_nan=False))
def test_float_round_trip(value: float) -> None:
    # Written without an exponent or refused ("out of range", BAD_BUILDS).
    assume("e" not in repr(value))
    pattern = Pattern("/p/{x:float}")
    assert pattern.match(pattern.build({"x": value})) == {"x": value}


def test_join_paths() -> None:
    assert join_paths("/", "/a") == "/a"
    assert join_paths("/admin", "/") == "/admin"
    assert join_paths("/admin/", "/users") == "/admin/users"
    with pytest.raises(ValueError, match="must start with"):
        join_paths("/admin", "users")


# --- the route tree ---------------------------------------------------------------------


def page(_view: object) -> None:
    return None


def test_nested_routes_match_with_their_chain_guards_and_title() -> None:
    admin = Claim("groups", contains="admin")
    note = Route("/notes/{id:int}", page, name="note", title="Note")
    shell = Route("/", name="home", page=page, title="App", children=[note])
    users = Route("/users/{uid}", page, name="user")
    admin_shell = Route("/admin", page, name="admin", guards=[admin], children=[users])
    table = RouteTable([shell, admin_shell])

    found = table.match("/notes/3")
    assert found is not None
    assert found.route is note
    assert found.params == {"id": 3}
    assert found.chain == [shell, note]
    assert found.title == "Note"

    found = table.match("/admin/users/u1")
    assert found is not None
    assert found.route is users
    assert found.chain == [admin_shell, users]
    assert found.guards == [admin]
    assert found.title is None
    assert users.param_names == ["uid"]

    home = table.match("/")
    assert home is not None
    assert home.route is shell
    assert home.title == "App"
    admin_home = table.match("/admin")
    assert admin_home is not None
    assert admin_home.route is admin_shell
    assert table.match("/admin/nope") is None

    assert table.url_for("note", {"id": 9}) == "/notes/9"
    assert table.url_for("user", {"uid": "a b"}) == "/admin/users/a%20b"
    assert table.url_for("home", {}) == "/"
    with pytest.raises(LookupError, match="no route is named 'nope'"):
        table.url_for("nope", {})


def test_first_declared_route_wins() -> None:
    first = Route("/notes/new", page)
    second = Route("/notes/{id}", page)
    table = RouteTable([first, second])
    assert table.match("/notes/new").route is first  # type: ignore[union-attr]
    assert table.match("/notes/x").route is second  # type: ignore[union-attr]


def test_table_tries_routes_by_segment_count_in_order() -> None:
    rest = Route("/files/{rest:path}", page)
    one = Route("/files/{name}", page)
    root = Route("/", page)
    table = RouteTable([rest, one, root])
    for path, route, params in (
        ("/files/a", rest, {"rest": "a"}),  # declared first: the path route wins
        ("/files/a/b/c", rest, {"rest": "a/b/c"}),
        ("/files/", rest, {"rest": ""}),
        ("/", root, {}),
    ):
        found = table.match(path)
        assert found is not None, path
        assert (found.route, found.params) == (route, params)
    assert table.match("/other/a/b") is None
    assert table.match("/files/a") is not None  # again, from the cache
    assert table.match("/files/a") is not None  # again, from the cache
    escaped = table.match("/%66iles/x")  # "%66" is "f"
    assert escaped is not None
    assert (escaped.route, escaped.params) == (rest, {"rest": "x"})


@given(st.lists(st.text(alphabet="ab/%", max_size=8), min_size=1, max_size=80))
def test_cached_candidates_give_what_trying_every_route_gives(paths: list[str]) -> None:
    routes = [
        Route("/", page),
        Route("/a", page),
        Route("/a/{x}", page),
        Route("/{x}/b", page),
        Route("/b/{rest:path}", page),
        Route("/{x:int}", page),
    ]
    table = RouteTable(routes)
    for path in paths:
        path = "/" + path
        expected = None
        for pattern, route, _ in table.entries:
            params = pattern.match(path)
            if params is not None:
                expected = (route, params)
                break
        found = table.match(path)
        got = (found.route, found.params) if found is not None else None
        assert got == expected, path


def test_route_tree_mistakes_are_refused() -> None:
    with pytest.raises(ValueError, match="two routes are named 'a'"):
        RouteTable([Route("/x", page, name="a"), Route("/y", page, name="a")])
    with pytest.raises(ValueError, match="needs a page or children"):
        Route("/x")
    with pytest.raises(TypeError, match="is not a Guard"):
        Route("/x", page, guards=[lambda access: True])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="is not a Route"):
        RouteTable([("/x", page)])  # type: ignore[list-item]


# --- query ------------------------------------------------------------------------------


def test_query() -> None:
    query = parse_query("?tag=a&q=hello+world&tag=b&empty=&flag&x=%3Cb%3E")
    assert query.get("tag") == "a"
    assert query.get_all("tag") == ["a", "b"]
    assert query["q"] == "hello world"
    assert query["empty"] == ""
    assert query["flag"] == ""
    assert query["x"] == "<b>"
    assert "flag" in query
    assert "nope" not in query
    assert query.get("nope") is None
    assert query.get("nope", "d") == "d"
    with pytest.raises(KeyError):
        query["nope"]
    assert list(query) == ["tag", "q", "empty", "flag", "x"]
    assert len(query) == 5
    assert len(parse_query("")) == 0


pairs = st.lists(st.tuples(st.text(), st.text()), max_size=6)


@given(pairs)
def test_query_reads_what_urlencode_writes(items: list[tuple[str, str]]) -> None:
    try:
        encoded = urlencode(items)
    except UnicodeEncodeError:  # lone surrogates: not text a URL can carry
        return
    assert parse_query("?" + encoded).pairs == items


@given(st.text(alphabet="ab=&%+2Fé", max_size=30))
def test_query_agrees_with_parse_qsl(text: str) -> None:
    expected = parse_qsl(text, keep_blank_values=True, errors="replace")
    assert parse_query(text).pairs == expected


# --- guards -----------------------------------------------------------------------------

ALICE = {"sub": "alice", "groups": ["staff", "admin"], "roles": "reader superadmin", "tier": 1}
ALICE_IN = Access(True, ALICE, ["openid", "notes:read"], {"id": 3})
NOBODY = Access(False, ALICE, ["openid"])  # claims of a signed-out user are not looked at

GUARDS = [
    (SignedIn(), ALICE_IN, True),
    (SignedIn(), NOBODY, False),
    (Claim("groups", contains="admin"), ALICE_IN, True),
    (Claim("groups", contains="adm"), ALICE_IN, False),
    (Claim("groups", contains="admin"), NOBODY, False),
    (Claim("roles", contains="admin"), ALICE_IN, False),  # word by word, not substring
    (Claim("roles", contains="superadmin"), ALICE_IN, True),
    (Claim("sub", equals="alice"), ALICE_IN, True),
    (Claim("sub", equals="bob"), ALICE_IN, False),
    (Claim("missing", equals="x"), ALICE_IN, False),
    (Claim("tier", equals=True), ALICE_IN, False),  # 1 is not true
    (Claim("tier", equals=1), ALICE_IN, True),
    (Claim("tier", contains=1), ALICE_IN, False),  # not a list
    (Scope("notes:read"), ALICE_IN, True),
    (Scope("notes:read", "notes:write"), ALICE_IN, False),
    (Scope("openid"), NOBODY, False),
    (Predicate(lambda access: access.params.get("id") == 3), ALICE_IN, True),
    (Predicate(lambda access: access.claims.get("sub") == "bob"), ALICE_IN, False),
]


@pytest.mark.parametrize(("guard", "access", "allowed"), GUARDS, ids=repr)
def test_guard(guard: SignedIn, access: Access, allowed: bool) -> None:
    assert guard.allows(access) is allowed


def test_decide() -> None:
    admin = Claim("groups", contains="admin")
    bob_only = Claim("sub", equals="bob")
    assert decide([], NOBODY) == ALLOW
    assert decide([SignedIn(), admin], ALICE_IN) == ALLOW
    assert decide([SignedIn(), bob_only], ALICE_IN) == FORBIDDEN
    assert decide([admin], NOBODY) == SIGN_IN
    assert decide([Predicate(lambda access: False)], NOBODY) == SIGN_IN


def test_claim_needs_one_condition() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Claim("groups")
    with pytest.raises(ValueError, match="exactly one"):
        Claim("groups", equals="a", contains="b")
    with pytest.raises(ValueError, match="at least one"):
        Scope()


def test_granted_scopes() -> None:
    # RFC 6749 §5.1: no scope in the response means the requested scope was granted.
    assert granted_scopes(None, "openid profile") == ["openid", "profile"]
    assert granted_scopes("openid", "openid profile") == ["openid"]
    assert granted_scopes("", "openid profile") == []
    assert granted_scopes(None, None) == []
