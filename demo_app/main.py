"""Notes: the brython-oidc demo, a single-page app written in Python (run by Brython).

A public home page, a profile page (the ID token's claims) for a signed-in user, a
notes page that calls the app's own API with the access token, one note at
``/notes/{id}``, and an admin page for members of the ``admin`` group (the
``groups`` claim; at the development provider alice is one, bob is not). The pages
are routes of ``brython_oidc.browser.router``: guards decide who sees what, each
route sets the page title, and an unknown address gets the not-found page. The
header shows who is signed in; the footer shows the session's details (state, token
expiry, renewals); errors show as a sentence, with the error class and code beside
it ("<ErrorClass>: <code>", the ``auth-error`` hook).

Every string from the provider or the user goes into the page through
``brython_oidc.browser.dom`` (text nodes), never ``html.TAG("...")``, which in
Brython sets innerHTML. The ``data-testid`` attributes are DESIGN.md's contract
with the end-to-end tests.
"""

import claims as claim_format
import notes
from browser import aio, document, window

from brython_oidc.browser import create_oidc
from brython_oidc.browser import keys as status
from brython_oidc.browser.dom import el, replace_children, set_text
from brython_oidc.browser.router import Claim, Route, Router, SignedIn
from brython_oidc.core.errors import OIDCError

PAGES = (("Home", "/"), ("Profile", "/profile"), ("Notes", "/notes"), ("Admin", "/admin"))
#: Who may see the admin page: a member of the provider's ``admin`` group.
ADMIN = Claim("groups", contains="admin")
#: What the header says while something happens (``oidc.status``). static/demo.css
#: says the same before Python runs, from the boot file's ``<html data-oidc-status>``.
STATUS_TEXT = {
    status.LOADING: "Loading…",
    status.SIGNING_IN: "Signing you in…",
    status.RESTORING: "Restoring your session…",
    status.SIGNING_OUT: "Signing out…",
}


class Shell:
    """The header (auth hooks), the error and idle banners, the content, the footer."""

    def __init__(self, root):
        self.auth_state = el("span", data_testid="auth-state")
        self.user_name = el("strong", data_testid="user-name")
        self.status_text = el(
            "span", data_testid="auth-status", Class="status-text", aria_live="polite"
        )
        self.login_button = el(
            "button", "Sign in", data_testid="login-button", Class="button primary hidden"
        )
        self.logout_button = el(
            "button", "Sign out", data_testid="logout-button", Class="button hidden"
        )
        self.expires_in = el("span", data_testid="token-expires-in")
        self.renewals = el("span", "0", data_testid="renewal-count")
        self.countdown = el("strong", data_testid="auto-logout-countdown")
        self.error_sentence = el("span", Class="alert-text")
        self.auth_error = el("code", data_testid="auth-error", Class="alert-code")
        self.error_banner = el(
            "div", self.error_sentence, " ", self.auth_error, Class="alert hidden", role="alert"
        )
        self.idle_banner = el(
            "div",
            "Still there? You will be signed out in ",
            self.countdown,
            " s. Move the mouse or press a key to stay.",
            Class="notice hidden",
            role="status",
        )
        self.links = [el("a", label, href=href) for label, href in PAGES]
        header = el(
            "header",
            el(
                "div",
                el("a", el("span", "N", Class="logo"), "Notes", href="/", Class="brand"),
                el("nav", self.links),
                el(
                    "div",
                    self.status_text,
                    el("span", self.user_name, Class="user"),
                    self.login_button,
                    self.logout_button,
                    Class="session",
                ),
                Class="bar",
            ),
            Class="topbar",
        )
        self.content = el("section", id="content", Class="card")
        # Token details only while there is a token: never "expires in  s".
        self.token_details = el(
            "span",
            " · access token expires in ",
            self.expires_in,
            " s · renewals: ",
            self.renewals,
            Class="hidden",
        )
        footer = el("footer", "Session: ", self.auth_state, self.token_details, Class="details")
        main = el("main", self.error_banner, self.idle_banner, self.content, footer)
        replace_children(root, header, main)
        self.show_status(document.documentElement.getAttribute(status.STATUS_ATTRIBUTE), False)

    def show_status(self, value, signed_in):
        """The status sentence, and at most one of the two buttons: Sign in only when
        signed out and idle, Sign out only when signed in and not already signing out."""
        set_text(self.status_text, STATUS_TEXT.get(value, ""))
        self.login_button.classList.toggle("hidden", signed_in or value != status.SIGNED_OUT)
        self.logout_button.classList.toggle("hidden", not signed_in or value == status.SIGNING_OUT)


class DemoApp:
    def __init__(self, shell, oidc):
        self.shell = shell
        self.oidc = oidc
        self.renewals = 0
        self.notes = notes.NotesPage(oidc)
        # /notes is public on purpose: its API is the protected part, and calling it
        # signed out shows the 401 the server answers. A note is someone's: signed in.
        self.router = Router(
            [
                Route("/", self.page(home_page), name="home", title="Notes"),
                Route(
                    "/profile",
                    self.page(lambda _view: profile_page(oidc)),
                    name="profile",
                    title="Your profile · Notes",
                    guards=[SignedIn()],
                ),
                Route(
                    "/notes", self.page(self.notes.render), name="notes", title="Your notes · Notes"
                ),
                Route(
                    "/notes/{id:int}",
                    self.page(self.notes.render_one),
                    name="note",
                    title=lambda view: "Note " + str(view.params["id"]) + " · Notes",
                    guards=[SignedIn()],
                ),
                Route(
                    "/admin",
                    self.page(admin_page),
                    name="admin",
                    title="Admin · Notes",
                    guards=[ADMIN],
                ),
            ],
            not_found=self.page(not_found_page),
            forbidden=self.page(forbidden_page),
            # A signed-out user on a guarded page gets a page with the Sign in button,
            # not a jump to the provider: after a sign-out (here or in another tab)
            # nobody is sent back to a login form they did not ask for.
            signed_out=self.page(signed_out_page),
            oidc=oidc,
            root=shell.content,
        )
        self.notes.url_for = self.router.url_for

    def page(self, draw):
        """``draw`` as a route's page that also marks the header link of its section."""

        def page(view):
            path = str(view.path)
            for link in self.shell.links:
                href = link.getAttribute("href")
                here = path == href or (href != "/" and path.startswith(href + "/"))
                link.classList.toggle("active", here)
            return draw(view)

        return page

    # --- state -> DOM ----------------------------------------------------------------

    def render_auth(self):
        s = self.shell
        signed_in = self.oidc.is_user_logged_in
        set_text(s.auth_state, "logged-in" if signed_in else "logged-out")
        claims = self.oidc.decoded_id_token or {}
        set_text(s.user_name, claim_format.display_name(claims) if signed_in else "")
        s.show_status(self.oidc.status, signed_in)
        s.token_details.classList.toggle("hidden", not signed_in)
        self.render_error()
        self.tick()

    def render_error(self, err=None):
        err = err if err is not None else self.oidc.last_error
        show_error(self.shell, err)

    def tick(self):
        tokens = self.oidc.tokens
        expires_at = tokens.expires_at if tokens is not None else None
        if expires_at is None:
            set_text(self.shell.expires_in, "")
        else:
            left = int(expires_at - window.Date.now() / 1000)
            set_text(self.shell.expires_in, max(left, 0))
        if self.oidc.last_error is not None:
            self.render_error()

    def on_tokens(self, tokens):
        was_in = self.shell.auth_state.textContent == "logged-in"
        if tokens is not None and was_in:
            self.renewals += 1
            set_text(self.shell.renewals, self.renewals)
        self.render_auth()
        if was_in and not self.oidc.is_user_logged_in:
            self.notes.clear()  # signed out here or in another tab: no one's notes stay
        if was_in != self.oidc.is_user_logged_in:
            # Public pages differ too (the notes page's warning). Subscribed before the
            # router, so its own check after this finds nothing left to redraw.
            self.router.render()

    def on_status(self, value):
        self.shell.show_status(value, self.oidc.is_user_logged_in)

    def on_countdown(self, seconds):
        set_text(self.shell.countdown, "" if seconds is None else seconds)
        self.shell.idle_banner.classList.toggle("hidden", seconds is None)

    # --- actions ---------------------------------------------------------------------

    async def login(self):
        try:
            await self.oidc.login(redirect_to=current_path())
        except OIDCError as exc:  # e.g. the provider is down: say so, stay here
            self.render_error(exc)

    async def logout(self):
        await self.oidc.logout(redirect_to="home")


def show_error(shell, err):
    """The error as a sentence, with "<ErrorClass>: <code>" beside it for tests and bugs."""
    if err is None:
        set_text(shell.error_sentence, "")
        set_text(shell.auth_error, "")
    else:
        set_text(shell.error_sentence, claim_format.error_sentence(err))
        set_text(shell.auth_error, type(err).__name__ + ": " + str(getattr(err, "code", "")))
    shell.error_banner.classList.toggle("hidden", err is None)


def current_path():
    loc = window.location
    return str(loc.pathname) + str(loc.search) + str(loc.hash)


def home_page(_view):
    return el(
        "div",
        el("h1", "Notes"),
        el(
            "p",
            "A single-page app written in Python, running in your browser with Brython, "
            "signed in with OpenID Connect (Authorization Code + PKCE).",
            Class="lead",
        ),
        el(
            "ul",
            el("li", el("strong", "Profile"), " shows who you are, from your verified ID token."),
            el("li", el("strong", "Notes"), " calls this app's API with your access token."),
            el("li", el("strong", "Admin"), " is for members of the admin group only."),
        ),
        el("p", "This page is public. Profile and Notes need you to sign in.", Class="muted"),
    )


def profile_page(oidc):
    claims = oidc.decoded_id_token or {}
    rows = []
    for name in claim_format.ordered(claims):
        label, value = claim_format.describe(name, claims[name])
        rows.append(el("dt", label, el("code", name, Class="claim-name")))
        rows.append(el("dd", value))
    return el(
        "div",
        el("h1", "Your profile"),
        el(
            "p",
            "What your ID token says about you. This page checked its signature with "
            "WebCrypto before showing it.",
            Class="lead",
        ),
        el("dl", rows, data_testid="claims", Class="claims"),
        el(
            "p",
            "Your access token is renewed before it expires; the footer counts renewals.",
            Class="muted",
        ),
    )


def admin_page(view):
    groups = (view.router.oidc.user or {}).get("groups") or []
    return el(
        "div",
        el("h1", "Administration"),
        el(
            "p",
            "Only members of the admin group see this page: the router checked the "
            "groups claim of your ID token before drawing it.",
            Class="lead",
        ),
        el("p", "Your groups: ", el("strong", claim_format.value_text(groups))),
        data_testid="admin-page",
    )


def forbidden_page(view):
    document.title = "Not allowed · Notes"
    who = claim_format.display_name(view.router.oidc.user or {})
    return el(
        "div",
        el("h1", "Not for you"),
        el(
            "p",
            "You are signed in as ",
            el("strong", who),
            ", and this page is for members of the admin group only.",
            Class="lead",
        ),
        el("p", el("a", "Back to the home page", href="/")),
        data_testid="forbidden",
    )


def signed_out_page(_view):
    document.title = "Sign in · Notes"
    # The header's Sign in button comes back to this address (``login`` above).
    return el(
        "div",
        el("h1", "Sign in required"),
        el("p", "This page is protected. Sign in to see it."),
        data_testid="sign-in-required",
    )


def not_found_page(view):
    document.title = "Page not found · Notes"
    # The path is the address bar's, anyone's to write: text, never markup.
    return el(
        "div",
        el("h1", "Page not found"),
        el("p", "Nothing lives at ", el("code", view.path), "."),
        el("p", el("a", "Back to the home page", href="/")),
        data_testid="not-found",
    )


async def boot():
    shell = Shell(document["app"])
    try:
        oidc = await create_oidc()
    except OIDCError as exc:  # a bad configuration: show it, there is nothing to run
        set_text(shell.auth_state, "logged-out")
        shell.show_status(None, False)
        show_error(shell, exc)
        return
    app = DemoApp(shell, oidc)
    oidc.subscribe_to_tokens_change(app.on_tokens)  # before the router's: see on_tokens
    oidc.subscribe_to_auto_logout_countdown(app.on_countdown)
    oidc.subscribe_to_status(app.on_status)
    shell.login_button.bind("click", lambda _e: aio.run(app.login()))
    shell.logout_button.bind("click", lambda _e: aio.run(app.logout()))
    window.setInterval(app.tick, 1000)
    app.render_auth()
    app.router.start()  # links, Back/Forward, guards, and the page for this address


aio.run(boot())
