"""Idle timeout shared across tabs, with a countdown for the app (DESIGN: idle).

Activity in any tab (throttled to one broadcast a second) resets every tab's
clock; at zero the user is signed out everywhere.
"""

from __future__ import annotations

from browser import aio, document, window

from brython_oidc.core.schedule import (
    countdown_seconds,
    idle_remaining,
    idle_warning_due,
    stamp_after_clock_jump,
)

from . import timers

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from brython_oidc.core.config import ClientConfig

    from .channel import Channel
    from .state import SessionState

ACTIVITY_EVENTS = ("mousedown", "keydown", "touchstart", "scroll", "pointermove")
THROTTLE_S = 1.0
TICK_MS = 1000


class IdleWatch:
    """Receives only what it uses: ``countdown(seconds)`` tells the app,
    ``logout()`` signs out everywhere (the composition root's)."""

    def __init__(
        self,
        *,
        state: SessionState,
        config: ClientConfig,
        channel: Channel,
        countdown: Callable[[int | None], None],
        logout: Callable[[], Awaitable[None]],
    ) -> None:
        self.state = state
        self.config = config
        self.channel = channel
        self.countdown = countdown
        self.logout = logout
        self.last_activity = timers.now()
        self.last_broadcast = 0.0
        self.shown: int | None = None
        for name in ACTIVITY_EVENTS:
            document.addEventListener(name, self._on_activity, {"passive": True})
        self.handle = window.setInterval(self._tick, TICK_MS)

    def seen(self, at: float) -> None:
        """Activity, here or in another tab."""
        if at > self.last_activity:
            self.last_activity = at

    def on_clock_jump(self, jump: float) -> None:
        """A clock set back moves the stamps with it (else "idle for" stays negative,
        and the countdown frozen, for as long as the jump); a forward jump may be a
        sleep, and then the time really passed (the safe reading: it may sign out)."""
        self.last_activity = stamp_after_clock_jump(self.last_activity, jump)
        self.last_broadcast = stamp_after_clock_jump(self.last_broadcast, jump)

    def _on_activity(self, _event: object) -> None:
        now = timers.now()
        self.seen(now)
        if now - self.last_broadcast >= THROTTLE_S and self.state.tokens is not None:
            self.last_broadcast = now
            self.channel.post("activity", {"at": now})

    def _tick(self) -> None:
        if self.state.tokens is None:
            if self.shown is not None:
                self.shown = None
                self.countdown(None)
            return
        remaining = idle_remaining(self.last_activity, timers.now(), self.config.idle_timeout)
        if idle_warning_due(remaining, self.config.idle_warning):
            seconds = countdown_seconds(remaining)
            if seconds != self.shown:
                self.shown = seconds
                self.countdown(seconds)
            if seconds == 0:
                aio.run(self.logout())
        elif self.shown is not None:
            self.shown = None
            self.countdown(None)
