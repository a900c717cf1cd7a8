"""Access logs that never carry a credential.

The protocol puts some secrets in URLs: the authorization ``code`` on the redirect
URI (RFC 6749 §4.1.2) and ``id_token_hint`` on the end-session endpoint (OpenID
Connect RP-Initiated Logout 1.0 §2). uvicorn's access log prints the whole request
line, so each server this package runs attaches ``RedactSecrets`` to it.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from uvicorn.config import LOGGING_CONFIG

#: Query parameters whose values are credentials or bind a credential.
SECRET_PARAMS = frozenset(
    (
        "code",
        "state",
        "id_token_hint",
        "id_token",
        "access_token",
        "refresh_token",
        "token",
        "code_verifier",
        "session_state",
        "login_hint_token",
    )
)
REDACTED = "[redacted]"


def redact_url(target: str) -> str:
    """``target`` with the values of ``SECRET_PARAMS`` replaced, in query and fragment."""
    for sep in ("?", "#"):
        if sep not in target:
            continue
        head, _, tail = target.partition(sep)
        pairs = []
        for pair in tail.split("&"):
            name, eq, _value = pair.partition("=")
            pairs.append(f"{name}={REDACTED}" if eq and name in SECRET_PARAMS else pair)
        target = head + sep + "&".join(pairs)
    return target


class RedactSecrets(logging.Filter):
    """Rewrites uvicorn's access-log record (its third argument is the path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_url(args[2]), *args[3:])
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's default logging configuration, with the access log redacted."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_secrets"] = {"()": RedactSecrets}
    config["handlers"]["access"]["filters"] = ["redact_secrets"]
    # Our own warnings (devidp refusals, modules left out of the bundle) go to the same
    # terminal. They propagate too: the root logger has no handler under uvicorn's
    # config (no line twice), and a test's log capture still sees them.
    config["loggers"]["brython_oidc"] = {"handlers": ["default"], "level": "INFO"}
    return config
