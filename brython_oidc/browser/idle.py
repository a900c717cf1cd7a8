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
    from .client import Session

ACTIVITY_EVENTS = ("mousedown", "keydown", "touchstart", "scroll", "pointermove")
THROTTLE_S = 1.0
TICK_MS = 1000


class IdleWatch:
    def __init__(self, oidc: Session) -> None:
        self.oidc = oidc
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
        if now - self.last_broadcast >= THROTTLE_S and (self.oidc.tokens is not None):
            self.last_broadcast = now
            self.oidc.channel.post("activity", {"at": now})

    def _tick(self) -> None:
        if not (self.oidc.tokens is not None):
            if self.shown is not None:
                self.shown = None
                self.oidc.notify_countdown(None)
            return
        remaining = idle_remaining(self.last_activity, timers.now(), self.oidc.config.idle_timeout)
        if idle_warning_due(remaining, self.oidc.config.idle_warning):
            seconds = countdown_seconds(remaining)
            if seconds != self.shown:
                self.shown = seconds
                self.oidc.notify_countdown(seconds)
            if seconds == 0:
                aio.run(self.oidc.logout(redirect_to="current page"))
        elif self.shown is not None:
            self.shown = None
            self.oidc.notify_countdown(None)
