"""When a person is next due a decision with nothing changing
(domain/progress_updates/decision_due.py), in any zone and on any day: always after now, never
later than the next local midnight for immediate updates, and a digest only on the first morning
of the person's week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from domain.progress_updates.daily import daily_due, next_daily
from domain.progress_updates.decision_due import next_digest_morning, next_due
from domain.progress_updates.digest import DIGEST_HOUR, digest_week_due
from domain.tracking.periods import local_date, local_midnight

ZONES = st.sampled_from(["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Auckland", "UTC"])
NOWS = st.datetimes(datetime(2025, 1, 1), datetime(2028, 12, 31), timezones=st.just(UTC))


@given(NOWS, ZONES, st.integers(0, 6), st.booleans(), st.booleans())
def test_the_next_due_time_is_after_now_and_no_later_than_the_next_local_midnight(
    now: datetime, zone: str, week_start: int, immediate: bool, digest: bool
) -> None:
    tz = ZoneInfo(zone)
    due = next_due(now, tz, week_start, immediate=immediate, digest=digest)
    if not (immediate or digest):
        assert due is None
        return
    assert due is not None and due > now
    if immediate:
        assert due <= local_midnight(local_date(now, tz) + timedelta(days=1), tz)


@given(NOWS, ZONES, st.integers(0, 6))
def test_the_digest_morning_is_when_a_digest_becomes_due_and_none_is_due_before(
    now: datetime, zone: str, week_start: int
) -> None:
    tz = ZoneInfo(zone)
    morning = next_digest_morning(now, tz, week_start)
    assert morning > now and morning.astimezone(tz).hour == DIGEST_HOUR
    assert digest_week_due(morning, tz, week_start) is not None
    assert digest_week_due(morning - timedelta(minutes=1), tz, week_start) is None


def test_a_waiting_block_is_due_a_day_after_it_ended() -> None:
    tz = ZoneInfo("Europe/Berlin")
    now = datetime(2026, 11, 25, 10, tzinfo=UTC)
    ended = datetime(2026, 11, 24, 18, tzinfo=UTC)
    due = next_due(now, tz, 0, immediate=True, digest=False, waiting_ended=[ended])
    assert due == ended + timedelta(days=1)


CLOCKS = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))


@given(NOWS, ZONES, CLOCKS, st.booleans(), st.booleans())
def test_a_chosen_daily_time_makes_the_person_due_when_the_daily_message_becomes_due(
    now: datetime, zone: str, daily_at: str, immediate: bool, digest: bool
) -> None:
    # Issue 28 x issue 26: with marks, nobody is decided for unless marked or due; the daily
    # message at 07:30 must make its person due then, or it is never sent on a quiet day.
    tz = ZoneInfo(zone)
    at = next_daily(now, tz, daily_at)
    assert now < at <= now + timedelta(days=1, hours=1)
    assert daily_due(at, tz, daily_at) == local_date(at, tz)
    before = daily_due(at - timedelta(seconds=1), tz, daily_at)
    assert before is None or before < local_date(at, tz)
    due = next_due(now, tz, 0, immediate=immediate, digest=digest, daily_at=daily_at)
    assert due is not None and now < due <= at
