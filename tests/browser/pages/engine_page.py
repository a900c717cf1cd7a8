"""A logged-out page whose login is tried from the test: the engine asset on demand.

``window.app_try_login()`` records what ``login()`` raised (type and message, never
a token: there is none yet) in ``window.app_login_error``.
"""

from browser import aio, document, html, window

from brython_oidc.browser import create_oidc

state = html.SPAN(**{"data-testid": "auth-state"})
document["app"].appendChild(state)
window.app_login_error = ""


async def try_login(oidc):
    try:
        await oidc.login()
    except Exception as exc:
        window.app_login_error = f"{type(exc).__name__}: {exc}"


async def boot():
    oidc = await create_oidc()
    state.text = "logged-in" if oidc.is_user_logged_in else "logged-out"
    window.app_try_login = lambda: aio.run(try_login(oidc))
    window.app_oidc_ready = True


aio.run(boot())
