"""The security suite's page: the demo's auth hooks (DESIGN.md) and nothing else.

Like the demo, ``auth-error`` shows every auth error as "<ErrorClass>: <code>".
``window.securityLogin(path)`` calls the public ``login(redirect_to=path)`` so a test
can hand it an off-site target; ``renewal-count`` counts token changes while signed in.
"""

from browser import aio, document, html, window

from brython_oidc.browser import create_oidc
from brython_oidc.core.errors import OIDCError


def hook(factory, testid, text=""):
    return factory(text, **{"data-testid": testid})


class Page:
    def __init__(self, root):
        self.auth_state = hook(html.SPAN, "auth-state")
        self.user_name = hook(html.SPAN, "user-name")
        self.renewals = hook(html.SPAN, "renewal-count", "0")
        self.auth_error = hook(html.SPAN, "auth-error")
        self.login_button = hook(html.BUTTON, "login-button", "Sign in")
        root.clear()
        for part in (self.auth_state, self.user_name, self.renewals, self.auth_error):
            root.appendChild(html.DIV(part))
        root.appendChild(self.login_button)

    def show_error(self, err):
        self.auth_error.text = "" if err is None else f"{type(err).__name__}: {err.code}"


class App:
    def __init__(self, page, oidc):
        self.page = page
        self.oidc = oidc
        self.count = 0

    def render(self, *_args):
        signed_in = self.oidc.is_user_logged_in
        self.page.auth_state.text = "logged-in" if signed_in else "logged-out"
        claims = self.oidc.decoded_id_token or {}
        self.page.user_name.text = str(claims.get("sub", "")) if signed_in else ""
        self.page.show_error(self.oidc.last_error)

    def on_tokens(self, tokens):
        if tokens is not None and self.page.auth_state.text == "logged-in":
            self.count += 1
            self.page.renewals.text = str(self.count)
        self.render()

    async def login(self, redirect_to=None):
        # This attempt's own failure, apart from auth-error (which also shows
        # last_error from start-up, re-rendered every 100 ms).
        window.securityLoginError = ""
        try:
            await self.oidc.login(redirect_to=redirect_to)
        except OIDCError as exc:  # e.g. the provider is down: say so, stay here
            self.page.show_error(exc)
            window.securityLoginError = f"{type(exc).__name__}: {exc.code}"


async def boot():
    page = Page(document["app"])
    try:
        oidc = await create_oidc()
    except OIDCError as exc:
        page.auth_state.text = "logged-out"
        page.show_error(exc)
        return
    app = App(page, oidc)
    oidc.subscribe_to_tokens_change(app.on_tokens)
    page.login_button.bind("click", lambda _e: aio.run(app.login()))
    window.securityLogin = lambda path: aio.run(app.login(path))
    # last_error can change without a token change (a retry that failed or recovered).
    window.setInterval(app.render, 100)
    app.render()


aio.run(boot())
