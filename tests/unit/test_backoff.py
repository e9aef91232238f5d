"""The sign-in backoff: free failures, doubling waits up to a cap, and counts that decay; and the
wait before a failing source is polled again."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.guards.backoff import Backoff, poll_delay


def test_waits_double_after_the_free_failures_up_to_the_cap() -> None:
    policy = Backoff(free=3, base=1.0, cap=8.0, forgive_every=60.0)
    count, now, waits = 0.0, 1000.0, []
    for _ in range(8):
        count, blocked_until = policy.after_failure(count, now, now)
        waits.append(blocked_until - now)
    assert waits == [0.0, 0.0, 0.0, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_one_failure_is_forgiven_per_interval() -> None:
    policy = Backoff(forgive_every=60.0)
    assert policy.decayed(5.0, last=0.0, now=120.0) == 3.0
    assert policy.decayed(5.0, last=0.0, now=10_000.0) == 0.0
    assert policy.decayed(5.0, last=100.0, now=50.0) == 5.0  # a clock that went back forgives nothing
    count, blocked_until = policy.after_failure(4.0, last=0.0, now=180.0)  # 4 - 3 + 1
    assert (count, blocked_until) == (2.0, 180.0)
    assert policy.idle(2.0, last=0.0, blocked_until=0.0, now=120.0)
    assert not policy.idle(2.0, last=0.0, blocked_until=200.0, now=120.0)


def test_a_key_is_idle_once_its_time_to_be_remembered_has_passed() -> None:
    policy = Backoff(free=3, base=1.0, cap=300.0, forgive_every=60.0)
    for failures in (1, 4, 12):
        count, now = 0.0, 1000.0
        for _ in range(failures):
            count, blocked_until = policy.after_failure(count, now, now)
        wait = policy.idle_in(count, blocked_until, now)
        assert policy.idle(count, now, blocked_until, now + wait)
        assert not policy.idle(count, now, blocked_until, now + wait - 0.01)
    # Blocked longer than the count takes to decay: the block decides.
    assert policy.idle_in(1.0, blocked_until=1300.0, now=1000.0) == 300.0


@given(
    interval=st.floats(min_value=1, max_value=86400 * 7),
    cap=st.floats(min_value=1, max_value=86400 * 7),
    previous=st.none() | st.floats(min_value=0, max_value=86400 * 30),
)
def test_a_failing_source_waits_at_least_its_interval_and_at_most_the_cap(
    interval: float, cap: float, previous: float | None
) -> None:
    wait = poll_delay(interval, previous, cap)
    assert interval <= wait <= max(interval, cap)
    if previous is not None and interval <= previous and 2 * previous <= cap:
        assert wait == 2 * previous  # doubles while under the cap
