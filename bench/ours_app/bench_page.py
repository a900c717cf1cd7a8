"""The minimal page the benchmark compares with bench/peer/ (oidc-client-ts).

On load: handle the callback or restore the session (create_oidc does both), show
logged-in / logged-out, offer a login button. Marks ``bench:rendered`` once the
state is on screen; ``brython-oidc:ready`` is recorded by the runtime.
"""

from browser import aio, document, html, window

from brython_oidc.browser import create_oidc

state = html.SPAN("", **{"data-testid": "auth-state"})
user = html.SPAN("", **{"data-testid": "user-name"})
renewals = html.SPAN("0", **{"data-testid": "renewals"})
button = html.BUTTON("Log in", **{"data-testid": "login-button"})
document["app"].appendChild(html.DIV(state + " " + user + " " + renewals + " " + button))


async def boot():
    oidc = await create_oidc()
    count = {"n": 0}

    def render(_tokens=None):
        signed_in = oidc.is_user_logged_in
        state.text = "logged-in" if signed_in else "logged-out"
        user.text = str((oidc.decoded_id_token or {}).get("name", "")) if signed_in else ""

    def on_tokens(tokens):
        count["n"] += 1
        renewals.text = str(count["n"])
        render()

    oidc.subscribe_to_tokens_change(on_tokens)
    button.bind("click", lambda _event: aio.run(oidc.login()))
    render()
    window.performance.mark("bench:rendered")


aio.run(boot())
