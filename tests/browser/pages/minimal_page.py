"""The smallest app: what bench/browser_ready.py measures, for the start-up tests."""

from browser import aio, document, html, window

from brython_oidc.browser import create_oidc

state = html.SPAN(**{"data-testid": "auth-state"})
document["app"].appendChild(state)


async def boot():
    oidc = await create_oidc()
    state.text = "logged-in" if oidc.is_user_logged_in else "logged-out"
    window.app_oidc_ready = True


aio.run(boot())
