"""One log line per refused request: what was refused, why, and what is registered.

A misconfigured app (a redirect URI on another host or port, an unregistered
origin) otherwise sees only "Sign in" do nothing; the provider's terminal says why.
Never a token, a code or a password: only client ids, URIs and origins.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

log = logging.getLogger("brython_oidc.devidp")


def refused(what: str, reason: str, *, registered: Iterable[str] | None = None) -> None:
    """Log a refusal; ``registered`` lists what the request would have had to match."""
    known = (
        "" if registered is None else f" (registered: {', '.join(sorted(registered)) or 'none'})"
    )
    log.warning("dev-idp refused %s: %s%s", what, reason, known)
