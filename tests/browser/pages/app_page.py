"""A minimal app for runtime tests: the demo's data-testid hooks, driven from JS.

Exposes ``window.app_*`` functions to the test and mirrors the client's state in
the DOM. Never prints a token: the tests check the console.
"""

from browser import aio, document, html, window
from javascript import JSON

from brython_oidc.browser import create_oidc
from brython_oidc.browser.router import Router

root = document["app"]
state = html.SPAN(id="auth-state", **{"data-testid": "auth-state"})
user = html.SPAN(**{"data-testid": "user-name"})
error = html.SPAN(**{"data-testid": "auth-error"})
countdown = html.SPAN(**{"data-testid": "auto-logout-countdown"})
renewals = html.SPAN(**{"data-testid": "renewals"})
route = html.SPAN(**{"data-testid": "route"})
popup_button = html.BUTTON("popup", **{"data-testid": "login-popup-button"})
root.appendChild(html.DIV(state + user + error + countdown + renewals + route + popup_button))
window.app_events = window.Array.new()


def render(oidc):
    state.text = "logged-in" if oidc.is_user_logged_in else "logged-out"
    claims = oidc.decoded_id_token or {}
    user.text = str(claims.get("name", "")) if oidc.is_user_logged_in else ""
    err = oidc.last_error
    error.text = f"{type(err).__name__}:{err.code}" if err is not None else ""


async def boot():
    # create_oidc's overrides, when a test sets window.app_overrides (JSON) first.
    text = getattr(window, "app_overrides", None)
    oidc = await create_oidc(**(JSON.parse(text) if isinstance(text, str) else {}))
    window.app_oidc_ready = True
    count = {"n": 0}

    def on_tokens(tokens):
        count["n"] += 1
        renewals.text = str(count["n"])
        window.app_events.push("logged-in" if tokens is not None else "logged-out")
        render(oidc)

    def on_countdown(seconds):
        countdown.text = "" if seconds is None else str(seconds)

    oidc.subscribe_to_tokens_change(on_tokens)
    # The status as the app sees it: oidc.status, and every change it was told of.
    window.app_status = lambda: oidc.status
    window.app_status_events = window.Array.new()
    oidc.subscribe_to_status(lambda value: window.app_status_events.push(value))
    oidc.subscribe_to_auto_logout_countdown(on_countdown)
    window.app_login = lambda path="/": aio.run(oidc.login(redirect_to=path))
    window.app_logout = lambda to="home": aio.run(oidc.logout(redirect_to=to))
    window.app_renew = lambda: aio.run(oidc.renew())
    window.app_expires_at = lambda: oidc.tokens.expires_at if oidc.tokens else None
    window.app_error = lambda: (
        f"{type(oidc.last_error).__name__}:{oidc.last_error.code}" if oidc.last_error else ""
    )
    # Core builds error messages without tokens: safe to hand to the test.
    window.app_error_message = lambda: str(oidc.last_error) if oidc.last_error else ""
    window.app_error_endpoint = lambda: getattr(oidc.last_error, "endpoint", None)
    window.app_error_looks_down = lambda: bool(
        getattr(oidc.last_error, "provider_looks_down", False)
    )

    async def call_api():
        resp = await oidc.fetch("/test/echo")
        data = await resp.json()
        window.app_api_auth = bool(data.authorization)

    window.app_call_api = lambda: aio.run(call_api())
    window.app_user = lambda: window.JSON.parse(
        window.JSON.stringify(str(oidc.user.get("name", ""))) if oidc.user else "null"
    )
    popup_button.bind("click", lambda _e: aio.run(oidc.login(popup=True)))

    def show(name):
        route.text = name

    Router(
        {"/secret": lambda _p: show("secret"), "/": lambda _p: show("home")},
        not_found=lambda p: show("404:" + p),
        protected=("/secret",),
        oidc=oidc,
    ).start()

    def secrets():
        # For the leak checks only: the test looks for these everywhere else.
        t = oidc.tokens
        if t is None:
            return []
        return [v for v in (t.access_token, t.refresh_token, t.id_token) if v]

    window.app_secrets = secrets
    render(oidc)


aio.run(boot())
