"""fetch() with a timeout, mapped onto core's transport errors.

Every request names its endpoint (``"token_endpoint"``, ``"jwks_uri"`` ...) so a
failure says which one failed. Bodies are never logged or put in an error: they
may hold tokens.
"""

from __future__ import annotations

from browser import aio, window

from brython_oidc.core.errors import RequestTimeout, TransportError

from . import keys
from .jsjson import to_js

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable, Mapping
    from typing import Any


class HttpResponse:
    """What core's ``process_*_response`` functions need: status, text, type."""

    __slots__ = ("content_type", "status", "text")

    def __init__(self, status: int, text: str, content_type: str | None) -> None:
        self.status = status
        self.text = text
        self.content_type = content_type

    def __repr__(self) -> str:
        # The body may be a token response: never shown.
        return f"HttpResponse(status={self.status}, content_type={self.content_type!r})"


async def request(
    url: str,
    *,
    endpoint: str,
    timeout: float,
    method: str = "GET",
    body: str | None = None,
    headers: Mapping[str, str] | None = None,
    started: Any = None,
) -> HttpResponse:
    """Send one request; raise ``RequestTimeout`` / ``TransportError`` naming ``endpoint``.

    The whole exchange (headers and body) must finish within ``timeout`` seconds:
    a provider that accepts the connection and then stalls must not hang the app.
    ``started``: the same GET, already sent by the boot file (``take_started``).
    """
    controller = started.controller if started is not None else window.AbortController.new()
    timer = window.setTimeout(lambda: controller.abort(), int(timeout * 1000))
    init = {
        "method": method,
        "headers": dict(headers or {}),
        "signal": controller.signal,
        "cache": "no-store",
        # The provider is another site: its cookies have no business on these calls.
        "credentials": "omit",
    }
    if body is not None:
        init["body"] = body
    # Bound before the try and read after it: a name first bound inside the try would
    # be looked up in whichever coroutine's frame is on top once the awaits are done
    # (tests/server/test_brython_frame_rule.py).
    status, text, content_type = 0, "", None
    try:
        # One assignment, not one per branch of an if (the same rule).
        pending = started.response if started is not None else window.fetch(url, to_js_init(init))
        response = await pending
        text = str(await response.text())
        status = int(response.status)
        header = response.headers.get("content-type")
        # headers.get answers JavaScript null when absent, which is not None in Brython.
        content_type = header if isinstance(header, str) else None
    except Exception:
        if controller.signal.aborted:
            raise RequestTimeout(endpoint, timeout, url=url) from None
        raise TransportError(
            endpoint,
            "network error (provider unreachable, CORS or TLS)",
            url=url,
            provider_looks_down=True,
        ) from None
    finally:
        window.clearTimeout(timer)
    return HttpResponse(status, text, content_type)


#: The GET the boot file started (discovery on a logged-out page, the JWKS on a
#: callback page).
STARTED_GLOBAL = keys.EARLY_GET_GLOBAL


def take_started(url: str) -> Any:
    """The boot file's own GET of ``url`` (``{url, response, controller}``), once;
    None when it started none for this URL (the app's configuration may differ)."""
    started = getattr(window, STARTED_GLOBAL, None)
    if not started or str(started.url) != url:
        return None
    window.Reflect.deleteProperty(window, STARTED_GLOBAL)  # one taker; later ones fetch
    return started


def to_js_init(init: dict[str, object]) -> Any:
    """A RequestInit object; ``signal`` is a live JS object and passes through."""
    signal = init.pop("signal")
    obj = to_js(init)
    obj["signal"] = signal
    return obj


async def post_form(
    url: str, body: str, *, endpoint: str, timeout: float, headers: Mapping[str, str] | None = None
) -> HttpResponse:
    """POST an ``application/x-www-form-urlencoded`` body (RFC 6749 §4.1.3, §6)."""
    all_headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
    }
    all_headers.update(headers or {})
    return await request(
        url, endpoint=endpoint, timeout=timeout, method="POST", body=body, headers=all_headers
    )


async def get_jwks(url: str, timeout: float) -> HttpResponse:
    """The GET of the provider's ``jwks_uri`` (OIDC Core §10.1.1), the boot file's own
    when it sent this one (a callback page): ``exchange.send_code`` beside the token
    request, ``verify.KeySet.fetch`` otherwise (it may not be imported yet)."""
    # Awaited here, not returned: Brython warns of a coroutine its creator never awaits.
    return await request(url, endpoint="jwks_uri", timeout=timeout, started=take_started(url))


def in_background(task: Awaitable[Any]) -> aio.Future:
    """Start ``task`` now; the future settles when it is done with ``(result, None)``
    or ``(None, error)``, never rejecting: nobody may be awaiting it yet, and an
    unawaited rejection would reach the console."""
    done = aio.Future()

    async def run() -> None:
        try:
            result = await task
        except Exception as exc:
            done.set_result((None, exc))
        else:  # not after the try: tests/server/test_brython_frame_rule.py
            done.set_result((result, None))

    aio.run(run())
    return done
