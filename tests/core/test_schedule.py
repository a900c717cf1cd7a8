from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brython_oidc.core.schedule import (
    backoff_delay,
    clock_jumped,
    countdown_seconds,
    elect_renewer,
    idle_remaining,
    idle_warning_due,
    plausible_times,
    renew_at,
    server_time_offset,
    settle_clock_jump,
    stamp_after_clock_jump,
)

NOW = 1_800_000_000.0


# --- renew_at -------------------------------------------------------------------------


def test_renews_before_expiry_by_the_lead_and_jitter() -> None:
    assert renew_at(NOW + 3600, renew_before=60, jitter=7.5, now=NOW) == NOW + 3600 - 67.5


def test_an_expired_token_renews_now() -> None:
    assert renew_at(NOW - 5, renew_before=60, jitter=0, now=NOW) == NOW
    assert renew_at(NOW, renew_before=60, jitter=0, now=NOW) == NOW


def test_a_short_lived_token_renews_halfway_not_in_a_loop() -> None:
    assert renew_at(NOW + 30, renew_before=60, jitter=3, now=NOW) == NOW + 15
    assert renew_at(NOW + 70, renew_before=60, jitter=10, now=NOW) == NOW + 35


@given(
    st.floats(-1e6, 1e6),
    st.floats(0, 3600),
    st.floats(0, 60),
)
def test_never_before_now_never_after_expiry(offset: float, before: float, jitter: float) -> None:
    expires_at = NOW + offset
    at = renew_at(expires_at, renew_before=before, jitter=jitter, now=NOW)
    assert at >= NOW
    assert at <= max(NOW, expires_at)


# --- server_time_offset ---------------------------------------------------------------


def test_offset_of_a_skewed_clock() -> None:
    assert server_time_offset(NOW + 300, NOW) == 300
    assert server_time_offset(NOW - 3600, NOW) == -3600


@pytest.mark.parametrize("iat", [NOW, NOW - 4.9, NOW + 4.9, NOW - 0.3])
def test_small_offsets_are_latency_and_ignored(iat: float) -> None:
    assert server_time_offset(iat, NOW) == 0.0


def test_threshold_is_configurable() -> None:
    assert server_time_offset(NOW + 2, NOW, min_offset=1) == 2
    assert server_time_offset(NOW + 5, NOW) == 5


@pytest.mark.parametrize("iat", [None, "1800000000", True, [NOW]])
def test_no_numeric_iat_gives_no_offset(iat: object) -> None:
    assert server_time_offset(iat, NOW) == 0.0


# --- clock_jumped ---------------------------------------------------------------------


def test_clocks_that_agree_did_not_jump() -> None:
    assert clock_jumped(NOW, NOW + 5, 100.0, 105.0) is False
    assert clock_jumped(NOW, NOW + 6.9, 100.0, 105.0) is False


def test_wall_clock_set_forward_or_back_or_sleep() -> None:
    assert clock_jumped(NOW, NOW + 3600, 100.0, 105.0) is True  # sleep / set forward
    assert clock_jumped(NOW, NOW - 60, 100.0, 105.0) is True  # set back
    assert clock_jumped(NOW, NOW + 7.1, 100.0, 105.0) is True


def test_jump_threshold_is_configurable() -> None:
    assert clock_jumped(NOW, NOW + 1.5, 0.0, 0.0, threshold=1.0) is True
    assert clock_jumped(NOW, NOW + 1.5, 0.0, 0.0, threshold=2.0) is False


# --- elect_renewer --------------------------------------------------------------------


def test_elects_the_smallest_id_whatever_the_order() -> None:
    assert elect_renewer(["tab-c", "tab-a", "tab-b"]) == "tab-a"
    assert elect_renewer(("tab-b", "tab-a")) == "tab-a"
    assert elect_renewer({"tab-b", "tab-a"}) == "tab-a"
    assert elect_renewer(frozenset({"z"})) == "z"


@given(st.lists(st.text(min_size=1), min_size=1))
def test_every_tab_agrees(ids: list[str]) -> None:
    assert elect_renewer(ids) == elect_renewer(list(reversed(ids))) == min(ids)


@pytest.mark.parametrize("ids", [[], [None, 1, ""], None, "tab-a", {"tab": 1}])
def test_no_live_tab(ids: object) -> None:
    assert elect_renewer(ids) is None


def test_junk_ids_are_ignored() -> None:
    assert elect_renewer([3, "", "tab-b", None]) == "tab-b"


# --- idle -----------------------------------------------------------------------------


def test_idle_off() -> None:
    assert idle_remaining(NOW - 1e6, NOW, None) is None
    assert idle_warning_due(None, 60) is False
    assert countdown_seconds(None) is None


def test_idle_countdown() -> None:
    assert idle_remaining(NOW - 100, NOW, 900) == 800
    assert idle_remaining(NOW - 900, NOW, 900) == 0
    assert idle_remaining(NOW - 5000, NOW, 900) == 0


def test_activity_in_the_future_counts_as_now() -> None:
    assert idle_remaining(NOW + 500, NOW, 900) == 900


def test_warning_and_display() -> None:
    assert idle_warning_due(60, 60) is True
    assert idle_warning_due(60.5, 60) is False
    assert idle_warning_due(0, 60) is True
    assert countdown_seconds(0.2) == 1
    assert countdown_seconds(59.0) == 59
    assert countdown_seconds(59.01) == 60
    assert countdown_seconds(0) == 0
    assert countdown_seconds(-3) == 0


# --- backoff_delay --------------------------------------------------------------------


def test_exponential_then_capped() -> None:
    delays = [backoff_delay(n, base=1, cap=30, jitter=1) for n in range(8)]
    assert delays == [1, 2, 4, 8, 16, 30, 30, 30]


def test_jitter_spans_half_to_all() -> None:
    assert backoff_delay(3, base=1, cap=30, jitter=0) == 4
    assert backoff_delay(3, base=1, cap=30, jitter=0.5) == 6
    assert backoff_delay(3, base=1, cap=30, jitter=1) == 8


def test_huge_attempts_do_not_overflow() -> None:
    assert backoff_delay(10_000, base=0.5, cap=60, jitter=1) == 60


@pytest.mark.parametrize(
    ("attempt", "base", "cap", "jitter"),
    [(-1, 1, 30, 0), (0, 1, 30, -0.1), (0, 1, 30, 1.1), (0, -1, 30, 0), (0, 1, -1, 0)],
)
def test_bad_arguments(attempt: int, base: float, cap: float, jitter: float) -> None:
    with pytest.raises(ValueError, match="backoff_delay"):
        backoff_delay(attempt, base=base, cap=cap, jitter=jitter)


# --- wall-clock jumps: the plausible-time window ----------------------------------------


def test_no_jump_no_window() -> None:
    assert plausible_times(NOW, 0.0) == (NOW, NOW)


def test_forward_jump_may_have_been_a_sleep_so_the_time_may_be_earlier() -> None:
    assert plausible_times(NOW, 3600.0) == (NOW - 3600, NOW)


def test_backward_jump_is_a_clock_change_so_the_time_may_be_later() -> None:
    assert plausible_times(NOW, -3600.0) == (NOW, NOW + 3600)


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6))
def test_window_holds_now_and_spans_the_jump(now: float, jump: float) -> None:
    earliest, latest = plausible_times(now, jump)
    assert earliest <= now <= latest
    assert latest - earliest == pytest.approx(abs(jump), abs=1e-6)


@pytest.mark.parametrize("offset", [0.0, 60.0, -60.0, 59.9])
def test_settle_closes_the_window_when_the_provider_agrees(offset: float) -> None:
    assert settle_clock_jump(3600.0, offset, leeway=60.0) == 0.0
    assert settle_clock_jump(-3600.0, offset, leeway=60.0) == 0.0


@pytest.mark.parametrize(("jump", "offset"), [(3600.0, -3600.0), (-3600.0, 3600.0), (5.0, 60.1)])
def test_settle_keeps_the_jump_while_the_clock_still_disagrees(jump: float, offset: float) -> None:
    assert settle_clock_jump(jump, offset, leeway=60.0) == jump


def test_stamp_moves_with_a_backward_jump_only() -> None:
    assert stamp_after_clock_jump(NOW, -3600.0) == NOW - 3600
    assert stamp_after_clock_jump(NOW, 3600.0) == NOW  # maybe a sleep: the time passed
    assert stamp_after_clock_jump(NOW, 0.0) == NOW
