"""Renewal: carries out ``core.renewal_policy`` (which grant, when, what a failure leads to).

- Scheduled before expiry (``renewal_policy.next_renewal_at``: never sooner than
  ``MIN_RENEWAL_INTERVAL`` after the last one), run under the renewal Web Lock (or
  the channel election without Web Locks) so a rotating refresh token is used once
  (RFC 9700 §4.14.2). A tab that gets the lock after another renewed finds new
  tokens and does nothing.
- Re-checked when the tab wakes (visibilitychange, online, pageshow): timers do
  not run during sleep or in throttled tabs. When the wall clock jumps, renewed at
  once: every wall-clock stamp of the tokens (expires_at) is off by the jump, and
  new tokens are stamped on the new clock (their ID token checked with the measured
  jump, core.id_token). Tabs tell "renewed elsewhere" by a counter in localStorage,
  not by a time: a clock set back would make new tokens look older.
- A failure: ``renewal_policy.after_renewal_failure`` decides (retry with backoff,
  a silent request instead of a refresh token that may be spent, or sign out).
"""

from __future__ import annotations

from browser import aio, window

from brython_oidc.core.errors import OIDCError, RequestTimeout
from brython_oidc.core.renewal_policy import (
    REFRESH_TOKEN,
    RETRY,
    SIGN_OUT,
    after_renewal_failure,
    next_renewal_at,
    renewal_due,
    renewal_grant,
)

from . import keys, timers, webcrypto
from .locks import run_exclusive

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from brython_oidc.core.config import ClientConfig
    from brython_oidc.core.token import TokenSet

    from .locks import Election
    from .state import SessionState


def rand_unit() -> float:
    return webcrypto.random_bytes(1)[0] / 255.0


class Renewal:
    """Keeps the session's tokens fresh. Receives only what it uses: ``renew(grant)``
    renews once (the composition root's ``client.Session.renew_with``), ``sign_out(reason)``
    ends the session in every tab, ``clock_jump()`` is the wall clock's net jump."""

    def __init__(
        self,
        *,
        state: SessionState,
        config: ClientConfig,
        namespace: str,
        election: Election,
        renew: Callable[[str], Awaitable[None]],
        sign_out: Callable[[str], None],
        clock_jump: Callable[[], float],
    ) -> None:
        self.state = state
        self.config = config
        self.namespace = namespace
        self.lock_name = keys.renew_lock(namespace)
        self.election = election
        self.renew = renew
        self.sign_out = sign_out
        self.clock_jump = clock_jump
        self.timer: timers.Timer | None = None
        self.retry_timer: timers.Timer | None = None
        self.attempt = 0
        self.running = False
        #: The renewal counter value the current tokens came with (see mark_renewed).
        self.generation = 0
        #: ``timers.monotonic()`` when the last renewal started (the floor's origin;
        #: monotonic, so a clock set back does not push the next renewal an hour out).
        self.last_started: float | None = None
        #: A refresh token whose request was abandoned: never sent again (RFC 9700 §4.14.2).
        self.spent_refresh_token: str | None = None
        #: A refresh timed out since the last successful renewal.
        self.after_timeout = False

    def cancel(self) -> None:
        for timer in (self.timer, self.retry_timer):
            if timer is not None:
                timer.cancel()
        self.timer = self.retry_timer = None

    def last_renewal(self, now: float) -> float | None:
        """The last renewal's start on the wall clock of ``now`` (None before one)."""
        if self.last_started is None:
            return None
        return now - (timers.monotonic() - self.last_started)

    def schedule(self) -> None:
        """Plan the next renewal from the current tokens' expiry."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        tokens = self.state.tokens
        if tokens is None or tokens.expires_at is None:
            return
        now = timers.now()
        at = next_renewal_at(
            tokens.expires_at,
            renew_before=self.config.renew_before_expiry,
            jitter=rand_unit() * self.config.renew_jitter,
            now=now,
            last_renewal=self.last_renewal(now),
        )
        self.timer = timers.Timer(at - now, lambda: aio.run(self.quietly()))

    def due(self) -> bool:
        tokens = self.state.tokens
        if tokens is None:
            return False
        now = timers.now()
        return renewal_due(
            tokens.expires_at,
            renew_before=self.config.renew_before_expiry,
            now=now,
            last_renewal=self.last_renewal(now),
        )

    def grant_for(self, tokens: TokenSet) -> str:
        refresh_token = tokens.refresh_token
        return renewal_grant(
            refresh_token=refresh_token,
            use_refresh_tokens=self.config.use_refresh_tokens,
            refresh_token_spent=bool(refresh_token) and refresh_token == self.spent_refresh_token,
        )

    async def quietly(self, grant: str | None = None) -> None:
        # run() records failures in last_error; a timer has nobody to raise to.
        try:
            await self.run(grant)
        except Exception as exc:
            # A bug, not a protocol failure: say so (type only: messages may hold data).
            window.console.error(f"brython-oidc: renewal failed: {type(exc).__name__}")
            raise exc  # not bare: see startup.Startup.redeem

    async def run(self, grant: str | None = None) -> None:
        """Renew now: one tab at a time, the result handed to the others.

        ``grant``: the one a retry decided on; by default ``renewal_policy.renewal_grant``.
        """
        state = self.state
        seen = state.tokens
        if seen is None or self.running:
            return
        self.running = True
        chosen = grant if grant is not None else self.grant_for(seen)

        async def task() -> None:
            if state.tokens is not seen or self.renewed_elsewhere():
                return  # another tab renewed while we waited; its tokens are on the way
            await self.renew(chosen)

        state.set_status(keys.RENEWING)
        self.last_started = timers.monotonic()
        try:
            await run_exclusive(self.lock_name, task, self.election)
            self.attempt = 0
            self.after_timeout = False
        except OIDCError as exc:
            state.fail(exc)
            self.after_failure(exc, chosen, seen)
        finally:
            self.running = False
            state.settle()

    def after_failure(self, exc: OIDCError, grant: str, seen: TokenSet) -> None:
        """Carry out ``renewal_policy.after_renewal_failure``."""
        decision = after_renewal_failure(
            exc,
            grant=grant,
            after_timeout=self.after_timeout,
            attempt=self.attempt,
            jitter=rand_unit(),
        )
        if isinstance(exc, RequestTimeout) and grant == REFRESH_TOKEN:
            self.after_timeout = True
        if decision.spend_refresh_token and seen.refresh_token:
            self.spent_refresh_token = seen.refresh_token
        if decision.action == SIGN_OUT:
            self.sign_out(str(decision.reason))
        elif decision.action == RETRY:
            self.retry_later(decision.delay, decision.grant)

    def retry_later(self, delay: float, grant: str | None) -> None:
        self.attempt += 1
        if self.retry_timer is not None:
            self.retry_timer.cancel()
        self.retry_timer = timers.Timer(delay, lambda: aio.run(self.quietly(grant)))

    def stored_generation(self) -> int:
        """The shared renewal counter (a count, never a token; 0 when unset or unreadable)."""
        marker = window.localStorage.getItem(keys.renewed_key(self.namespace))
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
        window.localStorage.setItem(keys.renewed_key(self.namespace), str(self.generation))

    def adopted(self, generation: object) -> None:
        """Tokens from another tab: their counter value (the stored one if not sent)."""
        if isinstance(generation, (int, float)) and not isinstance(generation, bool):
            self.generation = int(generation)
        else:
            self.generation = self.stored_generation()

    def on_clock_jump(self) -> None:
        """The wall clock jumped (timers.ClockWatch), signed in: renew at once.

        A backward jump puts the schedule (and ``due``) an hour late, a forward one
        may have expired the tokens. One tab renews for all (the lock); tokens set
        after the jump (another tab's renewal) are stamped on the new clock already
        and stay.
        """
        if self.state.tokens is not None and self.state.tokens_clock != self.clock_jump():
            aio.run(self.quietly())

    def on_wake(self) -> None:
        """Timers may have slept through the renewal time: check against the clock now."""
        if self.state.tokens is None:
            return
        if self.due():
            aio.run(self.quietly())
        else:
            self.schedule()
