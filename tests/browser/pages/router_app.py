"""An app on the router (tests/browser/test_router.py): parameters, a nested layout,
every kind of guard, not-found and forbidden pages, titles, a long page to scroll.

Works in mock mode (``{"mock": ...}`` in the injected configuration) and against the
development provider. The page drawn is in ``[data-testid=page]``; ``window.router_log``
lists what was drawn, so the tests can tell a redraw from a kept layout.
"""

from browser import aio, document, html, window
from javascript import JSON

from brython_oidc.browser import create_oidc
from brython_oidc.browser.router import (
    Claim,
    Predicate,
    Route,
    Router,
    Scope,
    SignedIn,
)

root = document["app"]
state = html.SPAN(**{"data-testid": "auth-state"})
nav = html.NAV()
view_root = html.DIV(id="view")
root.appendChild(html.DIV([state, nav]))
root.appendChild(view_root)
window.router_log = window.Array.new()


def el(factory, text, testid=None, **attrs):
    """An element with ``text`` as text (``factory("...")`` would set innerHTML)."""
    if testid is not None:
        attrs["data-testid"] = testid
    node = factory(**attrs)
    node.text = text
    return node


def log(entry):
    window.router_log.push(entry)


def home(view):
    log("home")
    return el(html.P, "home", "page")


def note(view):
    log("note")
    number = view.params["id"]
    kind = "int" if isinstance(number, int) else "other"
    return [
        el(html.P, f"note {number} {kind}", "page"),
        el(html.P, f"tab={view.query.get('tab')} tags={view.query.get_all('tag')}", "query"),
        el(html.P, f"hash={view.hash}", "hash"),
    ]


def tag(view):
    log("tag")
    # A string a page returns is drawn as text: the URL is anyone's to write.
    return ["tag: ", view.params["name"], el(html.SPAN, view.params["name"], "tag-name")]


def long_page(view):
    log("long")
    return [el(html.P, "long", "page"), html.DIV(style={"height": "6000px"})]


async def slow(view):
    """A page that loads its data first (the page server answers after 0.4 s)."""
    log("slow-start")
    await window.fetch("/test/slow?s=0.4")
    log("slow-end")
    return [el(html.P, f"slow {view.params['id']}", "page"), html.DIV(style={"height": "6000px"})]


def settings_layout(view):
    log("settings-layout")
    shell = html.SECTION(**{"data-testid": "settings-shell"})
    shell.appendChild(el(html.H2, "Settings", "settings-heading"))
    inner = html.DIV()
    shell.appendChild(inner)
    view.outlet.appendChild(shell)
    return inner


def settings_index(view):
    log("settings-index")
    return el(html.P, "settings index", "page")


def settings_profile(view):
    log("settings-profile")
    return el(html.P, "settings profile", "page")


def guarded(name):
    def page(view):
        log(name)
        return el(html.P, name, "page")

    return page


def own(access):
    return access.claims.get("sub") == access.params.get("owner")


def not_found(view):
    log("not-found")
    document.title = "Not found"
    return el(html.P, f"not found {view.status} {view.path}", "page")


def signed_out(view):
    log("signed-out")
    return el(html.P, f"signed out {view.status}", "page")


def forbidden(view):
    log("forbidden")
    document.title = "Forbidden"
    error = "" if view.error is None else " " + type(view.error).__name__
    return el(html.P, f"forbidden {view.status}{error}", "page")


ROUTES = [
    Route("/", home, name="home", title="Home"),
    Route("/notes/{id:int}", note, name="note", title=lambda view: f"Note {view.params['id']}"),
    Route("/tags/{name}", tag, name="tag", title=lambda view: "Tag " + view.params["name"]),
    Route("/long", long_page, name="long", title="Long"),
    Route("/slow/{id:int}", slow, name="slow"),
    Route(
        "/settings",
        layout=settings_layout,
        title="Settings",
        children=[
            Route("/", settings_index, name="settings"),
            Route("/profile", settings_profile, name="profile", title="Profile"),
        ],
    ),
    Route("/me", guarded("me"), name="me", guards=[SignedIn()]),
    Route("/admin", guarded("admin"), guards=[Claim("groups", contains="admin")]),
    Route("/alice", guarded("alice"), guards=[Claim("sub", equals="alice")]),
    Route("/bob", guarded("bob"), guards=[Claim("sub", equals="bob")]),
    Route("/read", guarded("read"), guards=[Scope("openid")]),
    Route("/write", guarded("write"), guards=[Scope("notes:write")]),
    Route("/own/{owner}", guarded("own"), guards=[Predicate(own)]),
]


async def boot():
    oidc = await create_oidc()

    def show_state(_tokens=None):
        state.text = "logged-in" if oidc.is_user_logged_in else "logged-out"

    oidc.subscribe_to_tokens_change(show_state)
    show_state()
    # A test asks for the signed-out page in the injected configuration (mock mode
    # ignores keys it does not know).
    config = JSON.parse(document["brython-oidc-config"].text)
    router = Router(
        ROUTES,
        not_found=not_found,
        forbidden=forbidden,
        signed_out=signed_out if config.get("test_signed_out") else None,
        oidc=oidc,
        root=view_root,
    )
    for name, params in (
        ("home", {}),
        ("note", {"id": 7}),
        ("tag", {"name": "a b"}),
        ("long", {}),
        ("settings", {}),
        ("profile", {}),
        ("me", {}),
    ):
        nav.appendChild(el(html.A, name, "link-" + name, href=router.url_for(name, **params)))
    window.app_logout = lambda: aio.run(oidc.logout())
    window.app_login = lambda path: aio.run(oidc.login(redirect_to=path))
    window.app_navigate = router.navigate
    router.start()
    window.app_oidc_ready = True


aio.run(boot())
