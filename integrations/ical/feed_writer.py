"""The feed netgoals publishes (DESIGN.md §6): VEVENTs, never VTODO (Google and iOS hide those from
subscribed feeds); a stable UID and DTSTAMP per item so the same items give the same bytes; no
calendar-level UID (vdirsyncer would collapse the feed into one item); VTIMEZONE for the user's
zone; REFRESH-INTERVAL and X-PUBLISHED-TTL as real durations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event, Timezone, vDuration

from domain.feed import FeedItem

PRODID = "-//netgoals//networking goals feed//EN"


@dataclass(frozen=True, slots=True)
class FeedHeader:
    name: str
    timezone: str
    refresh: timedelta
    url: str | None = None


def render_feed(header: FeedHeader, items: Sequence[FeedItem]) -> bytes:
    calendar = Calendar.new(name=header.name, prodid=PRODID)
    calendar.pop("UID", None)  # Calendar.new() invents one; subscribers must see many items
    calendar.add("REFRESH-INTERVAL", vDuration(header.refresh), parameters={"VALUE": "DURATION"})
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("X-WR-TIMEZONE", header.timezone)
    calendar.add("X-PUBLISHED-TTL", vDuration(header.refresh))
    if header.url:
        calendar.add("SOURCE", header.url, parameters={"VALUE": "URI"})
    for item in items:
        calendar.add_component(_event(item))
    _add_timezone(calendar, header.timezone, items)
    body: bytes = calendar.to_ical()
    return body


def _event(item: FeedItem) -> Event:
    modified = item.modified.astimezone(UTC)
    event = Event.new(
        uid=item.uid,
        stamp=modified,
        last_modified=modified,
        start=item.start,
        end=item.end,
        summary=item.title,
        description=item.description,
        sequence=item.sequence,
        categories=list(item.categories),
    )
    event.add("STATUS", item.status)
    event.add("TRANSP", "TRANSPARENT" if item.transparent else "OPAQUE")
    return event


def _add_timezone(calendar: Calendar, timezone: str, items: Sequence[FeedItem]) -> None:
    """The user's zone first, for whole years around the items (a span from the items, not from
    today, keeps the bytes stable)."""
    if timezone == "UTC":
        return
    days = [i.start if not isinstance(i.start, datetime) else i.start.date() for i in items]
    first = min(days, default=date(2000, 1, 1))
    last = max(days, default=date(2000, 1, 1))
    vtimezone = Timezone.from_tzid(
        timezone, first_date=date(first.year, 1, 1), last_date=date(last.year + 1, 1, 1)
    )
    calendar.subcomponents.insert(0, vtimezone)
