"""Timing arithmetic for renewal, clock skew, tab election, idle timeout and retries.

Pure functions: the clock and the randomness are the caller's (``now``, ``jitter``).
All times are float seconds; the browser converts ``performance.now()`` from ms.
Runs in Brython.
"""

from __future__ import annotations

#: Server/local clock differences smaller than this are network latency, not skew.
MIN_CLOCK_OFFSET = 5.0

#: A wall clock that moved this much more (or less) than the monotonic clock jumped.
CLOCK_JUMP_THRESHOLD = 2.0

# 2**60 times any sane base is far beyond any cap; stops float overflow on huge attempts.
_MAX_EXPONENT = 60


def renew_at(expires_at: float, *, renew_before: float, jitter: float, now: float) -> float:
    """When to renew a token that expires at ``expires_at``: never before ``now``.

    Normally ``renew_before + jitter`` seconds ahead of expiry; ``jitter`` (a random
    ``0..renew_jitter`` drawn by the caller) spreads tabs and clients apart. A token
    whose remaining life is shorter than that lead renews halfway through what is
    left, so a short-lived token does not renew in a tight loop.
    """
    remaining = expires_at - now
    if remaining <= 0:
        return now
    lead = renew_before + jitter
    if lead >= remaining:
        return now + remaining / 2
    return expires_at - lead


def server_time_offset(
    iat: object, received_at: float, *, min_offset: float = MIN_CLOCK_OFFSET
) -> float:
    """Estimated ``server clock - local clock`` from a fresh token's ``iat``.

    ``iat`` was stamped just before ``received_at`` (local), so a difference beyond
    ``min_offset`` means the local clock is off (peer pain point: skewed clocks,
    Entra's iat). Smaller ones, and a missing or non-numeric ``iat``, give 0.
    """
    if not isinstance(iat, (int, float)) or isinstance(iat, bool):
        return 0.0
    offset = float(iat) - received_at
    if -min_offset < offset < min_offset:
        return 0.0
    return offset


def clock_jumped(
    wall_before: float,
    wall_now: float,
    mono_before: float,
    mono_now: float,
    *,
    threshold: float = CLOCK_JUMP_THRESHOLD,
) -> bool:
    """Whether the wall clock moved differently from the monotonic one.

    A changed system time or a machine resumed from sleep shifts ``Date.now()``
    against ``performance.now()``; timers scheduled on the old time are then wrong
    and renewal must be re-checked (DESIGN.md: renewal on clock jumps).
    """
    drift = (wall_now - wall_before) - (mono_now - mono_before)
    return drift > threshold or drift < -threshold


def plausible_times(now: float, clock_jump: float) -> tuple[float, float]:
    """The earliest and latest true time, given the wall clock's net jump since load.

    ``clock_jump`` is how many seconds ``Date.now()`` moved more than the page's
    monotonic clock since the page loaded (the sum of ``clock_jumped`` drifts). A
    forward jump is ambiguous (a sleep, during which the provider's time moved too,
    or the clock set forward), so the true time may be up to ``clock_jump`` earlier
    than ``now``; a backward jump can only be a clock change, so the true time may
    be up to ``-clock_jump`` later. The page measured this itself: neither the
    provider nor a token can widen it. ``clock_jump == 0`` gives ``(now, now)``.
    """
    if clock_jump > 0:
        return now - clock_jump, now
    return now, now - clock_jump


def settle_clock_jump(clock_jump: float, clock_offset: float, *, leeway: float) -> float:
    """The jump still to allow for once a verified ID token came in.

    ``clock_offset`` is ``server_time_offset`` of that token (provider minus local
    clock). Within ``leeway`` the local clock agrees with the provider again (the
    jump was a sleep, or the clock was set right), so the window closes: 0. Only
    ever narrows the window, never widens it.
    """
    if -leeway <= clock_offset <= leeway:
        return 0.0
    return clock_jump


def stamp_after_clock_jump(stamp: float, jump: float) -> float:
    """A local time stamp (e.g. the last activity) seen through a wall-clock jump.

    A backward jump (only ever a clock change) moves the stamp with the clock, so
    "seconds since" stays right instead of negative for an hour. A forward jump keeps
    it: it may be a sleep, and then the time really passed (an idle session may end).
    """
    return stamp + jump if jump < 0 else stamp


def elect_renewer(tab_ids: object) -> str | None:
    """The tab that renews: the smallest live tab id, so every tab agrees.

    Non-string and empty ids are ignored; ``None`` when there is no tab.
    """
    if not isinstance(tab_ids, (list, tuple, set, frozenset)):
        return None
    live = [tab for tab in tab_ids if isinstance(tab, str) and tab]
    return min(live) if live else None


def idle_remaining(last_activity: float, now: float, idle_timeout: float | None) -> float | None:
    """Seconds until the idle sign-out; ``None`` when the idle timeout is off.

    Activity stamped in the future (another tab's clock, or a clock set back) counts
    as "now", so the countdown never exceeds ``idle_timeout``.
    """
    if idle_timeout is None:
        return None
    idle_for = now - last_activity
    if idle_for < 0:
        idle_for = 0.0
    remaining = idle_timeout - idle_for
    return remaining if remaining > 0 else 0.0


def idle_warning_due(remaining: float | None, idle_warning: float) -> bool:
    """Whether the countdown should be shown (``remaining`` within ``idle_warning``)."""
    return remaining is not None and remaining <= idle_warning


def countdown_seconds(remaining: float | None) -> int | None:
    """Whole seconds to display, rounded up (0.2 s left still shows 1)."""
    if remaining is None:
        return None
    if remaining <= 0:
        return 0
    return int(-(-remaining // 1))


def backoff_delay(attempt: int, *, base: float, cap: float, jitter: float) -> float:
    """Delay before retry ``attempt`` (0 = first retry): ``base * 2**attempt``, capped.

    ``jitter`` is a random fraction in [0, 1] drawn by the caller; the result lies
    between half and all of the exponential delay ("equal jitter"), so clients spread
    out yet never retry at once.
    """
    if attempt < 0:
        raise ValueError("backoff_delay: attempt must be >= 0")
    if not 0 <= jitter <= 1:
        raise ValueError("backoff_delay: jitter must be a fraction in [0, 1]")
    if base < 0 or cap < 0:
        raise ValueError("backoff_delay: base and cap must be >= 0")
    exponent = attempt if attempt < _MAX_EXPONENT else _MAX_EXPONENT
    delay: float = base * float(2**exponent)
    if delay > cap:
        delay = cap
    return delay / 2 + delay / 2 * jitter
