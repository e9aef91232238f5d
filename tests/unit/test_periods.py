"""Periods are computed in the user's time zone, with DST and configurable week starts."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.errors import DomainError
from domain.tracking.periods import (
    Frame,
    add_months,
    elapsed_fraction,
    local_date,
    parse_timezone,
    period_of,
)

BERLIN = ZoneInfo("Europe/Berlin")


def test_an_action_late_on_the_last_evening_of_a_month_belongs_to_that_month_in_local_time() -> None:
    at = datetime(2026, 11, 30, 23, 30, tzinfo=BERLIN)  # already December 1st in UTC? no: 22:30 UTC
    assert at.astimezone(UTC).date() == date(2026, 11, 30)
    late = datetime(2026, 12, 31, 23, 30, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert late.astimezone(UTC).date() == date(2027, 1, 1)  # UTC has moved on...
    period = period_of(local_date(late, ZoneInfo("America/Los_Angeles")), Frame.MONTH)
    assert period.start == date(2026, 12, 1)  # ...but the month is still December


@pytest.mark.parametrize(
    ("day", "week_start", "expected_start"),
    [
        (date(2026, 11, 28), 0, date(2026, 11, 23)),  # Saturday, ISO week starts Monday
        (date(2026, 11, 23), 0, date(2026, 11, 23)),
        (date(2026, 11, 29), 0, date(2026, 11, 23)),  # Sunday is the last day
        (date(2026, 11, 29), 6, date(2026, 11, 29)),  # weeks starting Sunday
        (date(2026, 11, 28), 6, date(2026, 11, 22)),
        (date(2027, 1, 1), 0, date(2026, 12, 28)),  # weeks cross the year
    ],
)
def test_weeks_start_on_the_configured_day(day: date, week_start: int, expected_start: date) -> None:
    period = period_of(day, Frame.WEEK, week_start)
    assert period.start == expected_start
    assert (period.end - period.start).days == 7


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2026, 2, 14), date(2026, 1, 1), date(2026, 4, 1)),
        (date(2026, 12, 31), date(2026, 10, 1), date(2027, 1, 1)),
        (date(2026, 4, 1), date(2026, 4, 1), date(2026, 7, 1)),
    ],
)
def test_quarters(day: date, start: date, end: date) -> None:
    assert period_of(day, Frame.QUARTER) == type(period_of(day, Frame.QUARTER))(start, end)


def test_months_end_on_the_first_of_the_next_month() -> None:
    period = period_of(date(2026, 12, 15), Frame.MONTH)
    assert (period.start, period.end, period.last_day) == (
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2026, 12, 31),
    )


def test_add_months_clamps_to_the_end_of_shorter_months() -> None:
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 11, 28), 6) == date(2027, 5, 28)


def test_elapsed_fraction_counts_real_hours_across_a_dst_change() -> None:
    # October 2026 in Berlin has 31 days but 745 hours (clocks go back on the 25th).
    period = period_of(date(2026, 10, 1), Frame.MONTH)
    halfway = datetime(2026, 10, 1, tzinfo=BERLIN).timestamp() + 745 * 3600 / 2
    fraction = elapsed_fraction(period, datetime.fromtimestamp(halfway, UTC), BERLIN)
    assert fraction == pytest.approx(0.5)


def test_unknown_time_zones_are_rejected_with_their_name() -> None:
    with pytest.raises(DomainError, match="Mars/Olympus"):
        parse_timezone("Mars/Olympus")
    with pytest.raises(DomainError):
        parse_timezone("../../etc/passwd")
