"""Periods (ISO weeks, months, quarters, a deadline span) computed in the user's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import DomainError


class Frame(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    DEADLINE = "deadline"


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """Local calendar days [start, end): `end` is the first day of the next period."""

    start: date
    end: date

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def parse_timezone(name: str) -> ZoneInfo:
    try:
        if not name or name.startswith(("/", ".")) or ".." in name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise DomainError(f"unknown time zone {name!r}: use an IANA name such as Europe/Berlin") from exc


def parse_week_start(name: str) -> int:
    try:
        return WEEKDAYS.index(name.strip().lower())
    except ValueError as exc:
        raise DomainError(f"unknown week start {name!r}: use one of {', '.join(WEEKDAYS)}") from exc


def require_aware(at: datetime, what: str = "time") -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise DomainError(f"{what} {at.isoformat()} has no time zone")
    return at


def local_date(at: datetime, tz: ZoneInfo) -> date:
    return require_aware(at).astimezone(tz).date()


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The instant a local day starts (DST-safe: zoneinfo resolves the offset for that date)."""
    return datetime.combine(day, time(), tzinfo=tz)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_of(day: date, frame: Frame, week_start: int = 0) -> Period:
    if frame is Frame.WEEK:
        start = day - timedelta(days=(day.weekday() - week_start) % 7)
        return Period(start, start + timedelta(days=7))
    if frame is Frame.MONTH:
        start = day.replace(day=1)
        return Period(start, _add_months(start, 1))
    if frame is Frame.QUARTER:
        start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return Period(start, _add_months(start, 3))
    raise ValueError("a deadline frame has one period: use deadline_period()")


def deadline_period(start: date, deadline: date) -> Period:
    return Period(start, deadline + timedelta(days=1))


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, clamped to that month's last day."""
    first = _add_months(day.replace(day=1), months)
    last = _add_months(first, 1) - timedelta(days=1)
    return first.replace(day=min(day.day, last.day))


def next_period(period: Period, frame: Frame, week_start: int = 0) -> Period:
    return period_of(period.end, frame, week_start)


def elapsed_fraction(period: Period, now: datetime, tz: ZoneInfo) -> float:
    """How much of the period has passed at `now`, in real time (a DST day has 23 or 25 hours).

    Timestamps, not datetime subtraction: two datetimes sharing a tzinfo subtract as wall clocks.
    """
    start = local_midnight(period.start, tz).timestamp()
    end = local_midnight(period.end, tz).timestamp()
    return min(1.0, max(0.0, (now.timestamp() - start) / (end - start)))
