"""bench/ours_app/bench_page.py without the framework: the page's own cost.

The same DOM and marks, in a bundle served with the same runtime and boot file, but
no ``create_oidc``: "the same page running bare Brython" that the framework's
start-up cost is measured against (bench/compare.py, "bare-app").
"""

from browser import aio, document, html, window

state = html.SPAN("", **{"data-testid": "auth-state"})
user = html.SPAN("", **{"data-testid": "user-name"})
renewals = html.SPAN("0", **{"data-testid": "renewals"})
button = html.BUTTON("Log in", **{"data-testid": "login-button"})
document["app"].appendChild(html.DIV(state + " " + user + " " + renewals + " " + button))


async def boot():
    state.text = "logged-out"
    window.performance.mark("brython-oidc:ready")
    window.performance.mark("bench:rendered")


aio.run(boot())
