"""Renewal: scheduled before expiry, one tab for all, retried with backoff.

- refresh_token grant when there is one (RFC 6749 §6), else a silent prompt=none
  request; run under the renewal Web Lock (or the channel election without Web
  Locks) so a rotating refresh token is used once (RFC 9700 §4.14.2). A tab that
  gets the lock after another renewed finds new tokens and does nothing.
- Re-checked when the tab wakes (visibilitychange, online, pageshow): timers do
  not run during sleep or in throttled tabs. When the wall clock jumps, renewed at
  once: every wall-clock stamp of the tokens (expires_at) is off by the jump, and
  new tokens are stamped on the new clock (their ID token checked with the measured
  jump, core.id_token). Tabs tell "renewed elsewhere" by a counter in localStorage,
  not by a time: a clock set back would make new tokens look older.
- Provider unreachable: the tokens are kept until they expire, and renewal is
  retried with exponential backoff (core.schedule.backoff_delay).
"""

from __future__ import annotations

from browser import aio, window

from brython_oidc.core.errors import (
    ErrorResponse,
    InteractionRequired,
    InvalidGrant,
    OIDCError,
    TransportError,
    ValidationError,
)
from brython_oidc.core.schedule import backoff_delay, renew_at

from . import keys, timers, webcrypto
from .locks import run_exclusive

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from .client import Session

# Retries after the provider was unreachable: 2 s, 4 s, ... up to 60 s.
RETRY_BASE = 2.0
RETRY_CAP = 60.0
#: OIDC Core §3.1.2.6: prompt=none found no session it may use (login_required and
#: its siblings are subclasses).
NO_SESSION = InteractionRequired


def rand_unit() -> float:
    return webcrypto.random_bytes(1)[0] / 255.0


class Renewal:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.timer: timers.Timer | None = None
        self.retry_timer: timers.Timer | None = None
        self.attempt = 0
        self.running = False
        #: The renewal counter value the current tokens came with (see mark_renewed).
        self.generation = 0

    def cancel(self) -> None:
        for timer in (self.timer, self.retry_timer):
            if timer is not None:
                timer.cancel()
        self.timer = self.retry_timer = None

    def schedule(self) -> None:
        """Plan the next renewal from the current tokens' expiry."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        tokens = self.session.tokens
        if tokens is None or tokens.expires_at is None:
            return
        config = self.session.config
        now = timers.now()
        at = renew_at(
            tokens.expires_at,
            renew_before=config.renew_before_expiry,
            jitter=rand_unit() * config.renew_jitter,
            now=now,
        )
        self.timer = timers.Timer(at - now, lambda: aio.run(self.quietly()))

    def due(self) -> bool:
        tokens = self.session.tokens
        if tokens is None or tokens.expires_at is None:
            return False
        return tokens.expires_at - timers.now() < self.session.config.renew_before_expiry

    async def quietly(self) -> None:
        # run() records failures in last_error; a timer has nobody to raise to.
        try:
            await self.run()
        except OIDCError as exc:
            self.session.last_error = exc
        except Exception as exc:
            # A bug, not a protocol failure: say so (type only: messages may hold data).
            window.console.error(f"brython-oidc: renewal failed: {type(exc).__name__}")
            raise exc  # not bare: see startup.redeem

    async def run(self) -> None:
        """Renew now: one tab at a time, the result handed to the others."""
        session = self.session
        seen = session.tokens
        if seen is None or self.running:
            return
        self.running = True

        async def task() -> None:
            if session.tokens is not seen or self.renewed_elsewhere():
                return  # another tab renewed while we waited; its tokens are on the way
            await session.renew_now()

        try:
            await run_exclusive(session.lock_name, task, session.election)
            self.attempt = 0
        except NO_SESSION as exc:
            session.fail(exc)
            session.clear("session_ended", broadcast=True)
        except InvalidGrant as exc:
            session.fail(exc)
            session.clear("invalid_grant", broadcast=True)
        except ErrorResponse as exc:
            session.fail(exc)
        except ValidationError as exc:
            session.fail(exc)
            if seen.refresh_token and session.config.use_refresh_tokens:
                # The provider answered, so it may have rotated the refresh token: sending
                # it again would be reuse (RFC 9700 §4.14.2) and revoke the whole family.
                # Tokens we refuse therefore end the session; a retry never follows.
                session.clear("refused_tokens", broadcast=True)
            else:
                self.retry_later(self.quietly)
        except OIDCError as exc:
            # Provider down during renewal: keep the tokens until they expire, retry.
            session.fail(exc)
            self.retry_later(self.quietly)
        finally:
            self.running = False

    def stored_generation(self) -> int:
        """The shared renewal counter (a count, never a token; 0 when unset or unreadable)."""
        marker = window.localStorage.getItem(keys.renewed_key(self.session.namespace))
        try:
            return int(marker) if isinstance(marker, str) else 0
        except ValueError:
            return 0  # e.g. an older version's time stamp: no counter yet

    def renewed_elsewhere(self) -> bool:
        """Whether a tab got tokens newer than ours (RFC 9700 §4.14.2: never reuse a
        rotated refresh token). The channel may deliver them after we got the lock.

        A counter, not a receive time: after the wall clock is set back, a tab's new
        tokens would look older than the stamp of the renewal before.
        """
        return self.stored_generation() > self.generation

    def mark_renewed(self) -> None:
        """This tab renewed (under the lock): the counter moves on, these tokens carry it."""
        self.generation = max(self.stored_generation(), self.generation) + 1
        window.localStorage.setItem(keys.renewed_key(self.session.namespace), str(self.generation))

    def adopted(self, generation: object) -> None:
        """Tokens from another tab: their counter value (the stored one if not sent)."""
        if isinstance(generation, (int, float)) and not isinstance(generation, bool):
            self.generation = int(generation)
        else:
            self.generation = self.stored_generation()

    def retry_later(self, step: Callable[[], Awaitable[None]]) -> None:
        delay = backoff_delay(self.attempt, base=RETRY_BASE, cap=RETRY_CAP, jitter=rand_unit())
        self.attempt += 1
        if self.retry_timer is not None:
            self.retry_timer.cancel()
        self.retry_timer = timers.Timer(delay, lambda: aio.run(step()))

    def on_clock_jump(self, jump: float) -> None:
        """The wall clock jumped ``jump`` s (timers.ClockWatch).

        Signed in, renew at once: a backward jump puts the schedule (and ``due``) an
        hour late, a forward one may have expired the tokens. One tab renews for all
        (the lock); tokens set after the jump (another tab's renewal) are stamped on
        the new clock already and stay.
        """
        session = self.session
        if session.idle is not None:
            session.idle.on_clock_jump(jump)
        if session.tokens is None:
            self.on_wake("clock")
        elif session.tokens_clock != session.clock_jump():
            aio.run(self.quietly())

    def on_wake(self, _reason: str) -> None:
        """Timers may have slept through the renewal time: check against the clock now."""
        session = self.session
        if session.tokens is not None:
            if self.due():
                aio.run(self.quietly())
            else:
                self.schedule()
        elif isinstance(session.last_error, TransportError):
            aio.run(session.retry_start())
