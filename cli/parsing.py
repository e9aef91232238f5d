"""Turn what people type into dates and times in their own time zone."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from service.commands import DomainError


def parse_day(text: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DomainError(f"invalid {what} {text!r}: use YYYY-MM-DD, e.g. 2026-11-20") from None


def parse_moment(text: str, tz: ZoneInfo, what: str = "time") -> datetime:
    """ISO date and time; without an offset it is read in the user's time zone, a bare date is noon."""
    text = text.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(12), tzinfo=tz)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise DomainError(
            f"invalid {what} {text!r}: use 'YYYY-MM-DD HH:MM', e.g. '2026-11-20 19:00'"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)
