"""The daily message (issue 28): one message a day, at a time the person chose in their own zone,
with the briefs for today's and tomorrow's meetings and the top of their next list — one message,
never one per item. Pure: the clock comes in as an argument."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from domain.errors import DomainError
from domain.tracking.periods import local_date

DAILY: Final = "daily"  # the update kind
OFF: Final = "off"
TOP_ITEMS: Final = 5
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def parse_daily_at(text: str) -> str | None:
    """'07:30' → '07:30' (canonical HH:MM), 'off' → None."""
    if text.strip().lower() == OFF:
        return None
    found = _CLOCK.match(text)
    if found is None or not (0 <= int(found.group(1)) <= 23 and 0 <= int(found.group(2)) <= 59):
        raise DomainError(f"daily time {text!r}: use HH:MM in your time zone (e.g. 07:30), or off")
    return f"{int(found.group(1)):02d}:{found.group(2)}"


def daily_key(day: date) -> str:
    return f"{DAILY}:{day.isoformat()}"


def daily_due(now: datetime, tz: ZoneInfo, daily_at: str | None) -> date | None:
    """The local day a daily message is due for at `now`: from the chosen time until the day ends (a
    worker that was down at 07:30 still sends it at 09:00, never the next day)."""
    if daily_at is None:
        return None
    today = local_date(now, tz)
    hour, minute = (int(p) for p in daily_at.split(":"))
    chosen = datetime.combine(today, time(hour, minute), tz)
    return None if now < chosen else today


def next_daily(now: datetime, tz: ZoneInfo, daily_at: str) -> datetime:
    """The first chosen time strictly after `now`: today's if it is still ahead, else tomorrow's."""
    hour, minute = (int(p) for p in daily_at.split(":"))
    today = local_date(now, tz)
    at = datetime.combine(today, time(hour, minute), tz)
    return at if at > now else datetime.combine(today + timedelta(days=1), time(hour, minute), tz)
