"""browser/router.py: link interception, history navigation, not found, protected."""

import javascript
from browser import aio, document, html, window

from brython_oidc.browser.router import Router


class FakeOidc:
    is_user_logged_in = False

    def __init__(self):
        self.logins = []

    async def login(self, redirect_to=None):
        self.logins.append(redirect_to)


async def main():
    seen = []
    oidc = FakeOidc()
    router = Router(
        {"/run/router_page": lambda p: seen.append("start"), "/a": lambda p: seen.append("a")},
        not_found=lambda p: seen.append("404:" + p),
        protected=("/secret",),
        oidc=oidc,
    )
    router.start()
    link = html.A("go", href="/a")
    document.body.appendChild(link)
    link.click()
    after_click = str(window.location.pathname)
    router.navigate("/nope")
    router.navigate("/secret?x=1")
    await aio.sleep(0)
    router.navigate("https://evil.example/x")
    final = str(window.location.pathname)
    # Back/Forward draws; after stop() nothing does.
    drawn = len(seen)
    window.history.pushState(javascript.NULL, "", "/a")
    window.dispatchEvent(window.PopStateEvent.new("popstate"))
    popstate_draws = len(seen) - drawn
    router.stop()
    window.history.pushState(javascript.NULL, "", "/nope")
    window.dispatchEvent(window.PopStateEvent.new("popstate"))
    return {
        "popstate_draws": popstate_draws,
        "draws_after_stop": len(seen) - drawn - popstate_draws,
        "seen": seen,
        "after_click": after_click,
        "logins": oidc.logins,
        "final": final,
    }
