"""Timers and the page events that make a timer wrong.

Background tabs throttle ``setTimeout`` and a sleeping laptop stops it, so every
schedule is re-checked on ``visibilitychange``, ``online``, ``pageshow`` (bfcache)
and when the wall clock jumps against the monotonic clock.
"""

from __future__ import annotations

from browser import document, window

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


def now() -> float:
    """Wall-clock time, seconds since the epoch (core's ``now``)."""
    return float(window.Date.now()) / 1000.0


def monotonic() -> float:
    """Monotonic seconds since navigation start (``performance.now``)."""
    return float(window.performance.now()) / 1000.0


class Timer:
    """One pending ``setTimeout``; ``cancel`` is safe to call twice."""

    def __init__(self, delay_s: float, callback: Callable[[], None]) -> None:
        # setTimeout takes a 32-bit signed delay: longer ones fire at once.
        delay_ms = max(0, min(int(delay_s * 1000), 2_147_483_000))
        self.handle: object = window.setTimeout(callback, delay_ms)

    def cancel(self) -> None:
        if self.handle is not None:
            window.clearTimeout(self.handle)
            self.handle = None


def on_wake(callback: Callable[[str], None]) -> None:
    """Call ``callback(reason)`` when the tab becomes visible, goes online, or is restored."""

    def visibility(_event: object) -> None:
        if document.visibilityState == "visible":
            callback("visible")

    document.addEventListener("visibilitychange", visibility)
    window.addEventListener("online", lambda _e: callback("online"))
    window.addEventListener(
        "pageshow", lambda e: callback("pageshow") if getattr(e, "persisted", False) else None
    )


class ClockWatch:
    """Notices wall-clock jumps (sleep, manual change, NTP step) and adds them up.

    ``Date.now() - performance.now()`` is constant while both clocks run together;
    a change larger than ``tolerance_s`` means the wall clock jumped (or the machine
    slept, during which performance.now may stand still). ``total`` is the net jump
    since the page loaded (core.schedule.plausible_times): the page's own
    measurement, which nothing from the network can move. ``callback(jump)`` runs
    after the check that saw the jump, from a fresh timer task.
    """

    def __init__(
        self,
        callback: Callable[[float], None],
        *,
        interval_s: float = 5.0,
        tolerance_s: float = 2.0,
    ) -> None:
        self.callback = callback
        self.tolerance_s = tolerance_s
        self.total = 0.0
        self.offset = now() - monotonic()
        self.handle = window.setInterval(self.check, int(interval_s * 1000))

    def check(self) -> float:
        """Look now (also right before a time check): the net jump since load."""
        offset = now() - monotonic()
        jump = offset - self.offset
        self.offset = offset
        if abs(jump) > self.tolerance_s:
            self.total += jump
            # Not from here: check() may run in the middle of a token verification.
            window.setTimeout(lambda: self.callback(jump), 0)
        return self.total

    def stop(self) -> None:
        window.clearInterval(self.handle)
