"""The provider session cookie, and what works for a cross-site app on loopback http.

The demo app runs at ``http://localhost:8000`` and the provider at
``http://127.0.0.1:8001``: different *sites*, so the provider's cookie is a
third-party cookie inside the app's silent-renew iframe.

- A third-party cookie is only sent when it is ``SameSite=None``, and Chromium
  only accepts ``SameSite=None`` together with ``Secure``.
- ``Secure`` normally needs https, but Chromium treats loopback hosts
  (``localhost``, ``127.0.0.1``) as potentially trustworthy and lets plain http
  set ``Secure`` cookies there. Headless Chromium 156 as the tests run it stores
  the cookie but does not send it to the app's cross-site iframe (third-party
  cookies blocked): tests/browser/test_runtime_sync.py sees the iframe answered
  ``login_required`` and the top-level redirect restore the session.
- Browsers that do not (or block third-party cookies outright) still send a
  ``SameSite=Lax`` cookie on a top-level navigation, which is what the
  top-level ``prompt=none`` redirect uses.

So the provider sets two cookies with the same session id: ``devidp_session``
(``SameSite=None; Secure``) for iframes and ``devidp_session_lax``
(``SameSite=Lax``) for top-level navigations, and accepts either. Both are
``HttpOnly``.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import Response

COOKIE_CROSS_SITE = "devidp_session"
COOKIE_LAX = "devidp_session_lax"


def read_session_id(cookies: Mapping[str, str]) -> str | None:
    return cookies.get(COOKIE_CROSS_SITE) or cookies.get(COOKIE_LAX) or None


def set_session_cookies(response: Response, sid: str, max_age: int) -> None:
    response.set_cookie(
        COOKIE_CROSS_SITE, sid, max_age=max_age, path="/", secure=True, httponly=True,
        samesite="none",
    )  # fmt: skip
    response.set_cookie(COOKIE_LAX, sid, max_age=max_age, path="/", httponly=True, samesite="lax")


def clear_session_cookies(response: Response) -> None:
    response.delete_cookie(COOKIE_CROSS_SITE, path="/", secure=True, samesite="none")
    response.delete_cookie(COOKIE_LAX, path="/", samesite="lax")
