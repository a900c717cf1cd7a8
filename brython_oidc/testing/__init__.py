"""pytest plugin and Selenium helpers for apps built with brython_oidc.

``from brython_oidc.testing import login, logout, wait_for_auth_state``. Imported
lazily: the plugin is loaded by every pytest run where brython-oidc is installed,
and must not need Selenium until a browser test asks for it.
"""

from __future__ import annotations

from typing import Any

_HELPERS = ("click", "login", "logout", "submit_login_form", "text_of", "wait_for_auth_state")
__all__ = [*_HELPERS, "SignInError", "wait_for_testid"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import helpers

        return getattr(helpers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
