"""Notes: the brython-oidc demo, a single-page app written in Python (run by Brython).

A public home page, a protected profile page (the ID token's claims, the access
token's expiry counting down), and a protected notes page that calls the app's own
API with the access token. The header shows the auth state, renewals as they happen,
the idle-logout countdown and every auth error as "<ErrorClass>: <code>".
The ``data-testid`` attributes are DESIGN.md's contract with the end-to-end tests.
"""

import notes
from browser import aio, document, html, window

from brython_oidc.browser import create_oidc
from brython_oidc.core.errors import OIDCError

#: Pages that need a signed-in user. /notes is public on purpose: its API is the
#: protected part, and calling it signed out shows the 401 the server answers.
PROTECTED = ("/profile",)


def hook(factory, testid, text="", **attrs):
    attrs["data-testid"] = testid
    return factory(text, **attrs)


class Shell:
    """The header (auth hooks) and the routed content area."""

    def __init__(self, root):
        self.auth_state = hook(html.SPAN, "auth-state")
        self.user_name = hook(html.STRONG, "user-name")
        self.login_button = hook(html.BUTTON, "login-button", "Sign in", Class="hidden")
        self.logout_button = hook(html.BUTTON, "logout-button", "Sign out", Class="hidden")
        self.expires_in = hook(html.SPAN, "token-expires-in")
        self.renewals = hook(html.SPAN, "renewal-count", "0")
        self.countdown = hook(html.SPAN, "auto-logout-countdown")
        self.auth_error = hook(html.SPAN, "auth-error", Class="error", role="alert")
        self.idle_banner = html.P(
            html.SPAN("Still there? You will be signed out in ")
            + self.countdown
            + html.SPAN(" s. Move the mouse or press a key to stay."),
            Class="warning hidden",
        )
        nav = html.NAV(
            [
                html.A(label, href=href)
                for label, href in (("Home", "/"), ("Profile", "/profile"), ("Notes", "/notes"))
            ]
        )
        status = html.DIV(
            html.SPAN("State: ")
            + self.auth_state
            + html.SPAN(" · ")
            + self.user_name
            + html.SPAN(" · access token expires in ")
            + self.expires_in
            + html.SPAN(" s")
            + html.SPAN(" · renewals: ")
            + self.renewals,
            Class="status grow",
        )
        header = html.HEADER(nav + status + self.login_button + self.logout_button)
        self.content = html.SECTION(id="content")
        root.clear()
        for part in (header, html.DIV(self.auth_error, id="errors"), self.idle_banner):
            root.appendChild(part)
        root.appendChild(self.content)


class DemoApp:
    def __init__(self, shell, oidc):
        self.shell = shell
        self.oidc = oidc
        self.renewals = 0
        self.notes = notes.NotesPage(oidc)

    # --- state -> DOM ----------------------------------------------------------------

    def render_auth(self):
        s = self.shell
        signed_in = self.oidc.is_user_logged_in
        s.auth_state.text = "logged-in" if signed_in else "logged-out"
        claims = self.oidc.decoded_id_token or {}
        s.user_name.text = display_name(claims) if signed_in else ""
        s.login_button.classList.toggle("hidden", signed_in)
        s.logout_button.classList.toggle("hidden", not signed_in)
        self.render_error()
        self.tick()

    def render_error(self, err=None):
        err = err if err is not None else self.oidc.last_error
        self.shell.auth_error.text = "" if err is None else f"{type(err).__name__}: {err.code}"

    def tick(self):
        tokens = self.oidc.tokens
        expires_at = tokens.expires_at if tokens is not None else None
        if expires_at is None:
            self.shell.expires_in.text = ""
        else:
            left = int(expires_at - window.Date.now() / 1000)
            self.shell.expires_in.text = str(max(left, 0))
        if self.oidc.last_error is not None:
            self.render_error()

    def on_tokens(self, tokens):
        was_in = self.shell.auth_state.text == "logged-in"
        if tokens is not None and was_in:
            self.renewals += 1
            self.shell.renewals.text = str(self.renewals)
        self.render_auth()
        if was_in != self.oidc.is_user_logged_in:
            self.route()

    def on_countdown(self, seconds):
        self.shell.countdown.text = "" if seconds is None else str(seconds)
        self.shell.idle_banner.classList.toggle("hidden", seconds is None)

    # --- actions ---------------------------------------------------------------------

    async def login(self):
        try:
            await self.oidc.login(redirect_to=current_path())
        except OIDCError as exc:  # e.g. the provider is down: say so, stay here
            self.render_error(exc)

    async def logout(self):
        await self.oidc.logout(redirect_to="home")

    # --- routing ---------------------------------------------------------------------

    def navigate(self, event):
        event.preventDefault()
        window.history.pushState("", "", event.currentTarget.getAttribute("href"))
        self.route()

    def route(self, _event=None):
        content = self.shell.content
        content.clear()
        path = str(window.location.pathname)
        if path in PROTECTED and not self.oidc.is_user_logged_in:
            content.appendChild(html.H1("Sign in required"))
            content.appendChild(html.P("This page is protected. Sign in to see it."))
        elif path == "/profile":
            content.appendChild(profile_page(self.oidc))
        elif path == "/notes":
            content.appendChild(self.notes.render())
        else:
            content.appendChild(home_page())


def display_name(claims):
    for name in ("name", "preferred_username", "sub"):
        if claims.get(name):
            return str(claims[name])
    return ""


def current_path():
    loc = window.location
    return str(loc.pathname) + str(loc.search) + str(loc.hash)


def home_page():
    return html.DIV(
        html.H1("Notes")
        + html.P(
            "A single-page app written in Python, running in your browser with Brython, "
            "signed in with OpenID Connect (Authorization Code + PKCE)."
        )
        + html.P("This page is public. Profile and Notes need you to sign in.")
    )


def profile_page(oidc):
    claims = oidc.decoded_id_token or {}
    rows = []
    for name in sorted(claims):
        rows.append(html.DT(name))
        rows.append(html.DD(str(claims[name])))
    exp = claims.get("exp")
    when = str(window.Date.new(exp * 1000).toISOString()) if exp else "unknown"
    return html.DIV(
        html.H1("Your profile")
        + html.P("Claims from your ID token (verified in this page with WebCrypto):")
        + html.DL(rows, **{"data-testid": "claims"})
        + html.P(
            f"The ID token expires at {when}; the access token is renewed before it "
            "expires (see the header)."
        )
    )


async def boot():
    shell = Shell(document["app"])
    try:
        oidc = await create_oidc()
    except OIDCError as exc:  # a bad configuration: show it, there is nothing to run
        shell.auth_state.text = "logged-out"
        shell.auth_error.text = f"{type(exc).__name__}: {exc.code}"
        return
    app = DemoApp(shell, oidc)
    oidc.subscribe_to_tokens_change(app.on_tokens)
    oidc.subscribe_to_auto_logout_countdown(app.on_countdown)
    shell.login_button.bind("click", lambda _e: aio.run(app.login()))
    shell.logout_button.bind("click", lambda _e: aio.run(app.logout()))
    for link in document.select("header nav a"):
        link.bind("click", app.navigate)
    window.addEventListener("popstate", app.route)
    window.setInterval(app.tick, 1000)
    app.render_auth()
    app.route()


aio.run(boot())
