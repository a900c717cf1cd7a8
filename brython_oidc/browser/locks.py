"""One tab at a time: Web Locks, or an election over the channel without them.

Renewal runs under the lock so a rotating refresh token is used once: the tab that
gets the lock second finds the tokens already renewed (handed over the channel)
and does nothing (RFC 9700 §4.14.2 refresh token rotation).
"""

from __future__ import annotations

from browser import aio, window

from brython_oidc.core.schedule import elect_renewer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from typing import Any

    from brython_oidc.core.messages import Message

    from .channel import Channel


def web_locks_available() -> bool:
    locks = getattr(window.navigator, "locks", None)
    return bool(locks) and bool(getattr(locks, "request", None))


async def with_web_lock(name: str, task: Callable[[], Awaitable[object]]) -> object:
    """Run ``task`` holding the exclusive Web Lock ``name``; return its result."""
    box: dict[str, object] = {}
    errors: list[Exception] = []

    def on_lock(_lock: object) -> object:
        # The lock is held until the returned promise settles.
        def executor(resolve: Any, reject: Any) -> None:
            async def run() -> None:
                try:
                    box["value"] = await task()
                except Exception as exc:
                    errors.append(exc)
                resolve(None)

            aio.run(run())

        return window.Promise.new(executor)

    await window.navigator.locks.request(name, on_lock)
    if errors:
        raise errors[0]
    return box.get("value")


class Election:
    """Fallback without Web Locks: candidates announce themselves, the lowest id wins.

    Each candidate posts ``renew_start`` and waits ``window_s``; every tab computes the
    same winner from the ids it heard (core.schedule.elect_renewer).
    """

    def __init__(self, channel: Channel, window_s: float = 0.2) -> None:
        self.channel = channel
        self.window_s = window_s
        self.candidates: set[str] = set()
        channel.subscribe(self._on_message)

    def _on_message(self, message: Message) -> None:
        if message.kind == "renew_start":
            self.candidates.add(message.sender)

    async def i_win(self) -> bool:
        self.candidates = {self.channel.tab_id}
        self.channel.post("renew_start", {})
        await aio.sleep(self.window_s)
        return bool(elect_renewer(sorted(self.candidates)) == self.channel.tab_id)


async def run_exclusive(
    name: str, task: Callable[[], Awaitable[object]], election: Election | None
) -> object:
    """``task`` under the Web Lock, or only in the elected tab; None where skipped."""
    if web_locks_available():
        return await with_web_lock(name, task)
    if election is None or await election.i_win():
        return await task()
    return None


class SharedLock:
    """A shared Web Lock held for as long as this tab is signed in.

    Other tabs see it with ``navigator.locks.query()`` (boot.sibling_signed_in) and
    know a sibling can hand them the session, without waiting blindly for one.
    Without Web Locks it does nothing (boot then falls back on the hint).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._release: Callable[[], object] | None = None

    def hold(self) -> None:
        if self._release is not None or not web_locks_available():
            return
        box: dict[str, Any] = {}

        def on_lock(_lock: object) -> object:
            # Held until this promise settles, i.e. until release().
            return window.Promise.new(lambda resolve, _reject: box.__setitem__("r", resolve))

        options = window.Object.new()
        options["mode"] = "shared"
        window.navigator.locks.request(self.name, options, on_lock)
        self._release = lambda: box["r"](None) if "r" in box else None

    def release(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()
