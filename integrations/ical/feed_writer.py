"""The feed netgoals publishes: VEVENTs, never VTODO (Google and iOS hide those from subscribed
feeds); a stable UID and DTSTAMP per item so the same items give the same bytes; no calendar-level
UID (vdirsyncer would collapse the feed into one item); REFRESH-INTERVAL and X-PUBLISHED-TTL as real
durations.

Instants are written in UTC (as Google's own exports do), all-day items as dates. A VTIMEZONE with
local times was read differently by different parsers (RDATE-only observances, the repeated
fall-back hour); a UTC instant is read alike by every client, which shows it in its own zone.
X-WR-TIMEZONE still names the person's zone for clients that use it as the calendar's default.

Text is made safe for every parser: control characters (vertical tab, ESC, NUL, …) are dropped,
and one-line properties (the names, SUMMARY, CATEGORIES) have no line breaks of any kind. One item
that cannot be written is left out and logged; it never takes the whole feed down.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event, vDuration, vText

from domain.calendars.feed import FeedItem

PRODID = "-//netgoals//networking goals feed//EN"
log = logging.getLogger(__name__)

# Every line break a parser may honour (CR, LF, VT, FF, NEL, LS, PS) and every other control
# character; TAB is legal but `ics` and others treat it inconsistently, so it becomes a space too.
_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_SPACES = re.compile(r"[ \t]+")


@dataclass(frozen=True, slots=True)
class FeedHeader:
    name: str
    timezone: str
    refresh: timedelta
    url: str | None = None


def one_line(text: str) -> str:
    """Text for a property that holds one line: breaks and tabs become single spaces."""
    return _SPACES.sub(" ", _BREAKS.sub(" ", _CONTROLS.sub("", text))).strip()


def many_lines(text: str) -> str:
    """Text for DESCRIPTION: every kind of break becomes LF (escaped as \\n by the writer)."""
    lines = _BREAKS.sub("\n", _CONTROLS.sub("", text)).split("\n")
    return "\n".join(_SPACES.sub(" ", line).rstrip() for line in lines)


def render_feed(header: FeedHeader, items: Sequence[FeedItem]) -> bytes:
    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", PRODID)
    # NAME and X-WR-CALNAME are TEXT: vText escapes commas and semicolons (vobject cut the name at
    # the first comma when they were written raw).
    name = vText(one_line(header.name))
    calendar.add("NAME", name)
    calendar.add("X-WR-CALNAME", name)
    calendar.add("REFRESH-INTERVAL", vDuration(header.refresh), parameters={"VALUE": "DURATION"})
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("X-WR-TIMEZONE", header.timezone)
    calendar.add("X-PUBLISHED-TTL", vDuration(header.refresh))
    if header.url:
        calendar.add("SOURCE", header.url, parameters={"VALUE": "URI"})
    for item in items:
        try:
            event = _event(item)
            event.to_ical()  # an item icalendar cannot serialise fails here, alone
        except (ValueError, TypeError, AssertionError) as exc:
            log.warning("feed-item-left-out", extra={"uid": item.uid, "error": str(exc)})
            continue
        calendar.add_component(event)
    body: bytes = calendar.to_ical()
    return body


def _instants(item: FeedItem) -> tuple[datetime | date, datetime | date]:
    """UTC instants for a timed item (an end at or before its start gets the start's day for an
    all-day item, or no length worth a block: a minimal positive one); dates stay dates."""
    start, end = item.start, item.end
    if isinstance(start, datetime) and isinstance(end, datetime):
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        return start, end if end > start else start + timedelta(minutes=1)
    if isinstance(start, datetime) or isinstance(end, datetime):
        raise ValueError("an item mixes a date and a time")
    return start, end if end > start else start + timedelta(days=1)


def _event(item: FeedItem) -> Event:
    modified = item.modified.astimezone(UTC)
    start, end = _instants(item)
    event = Event()
    event.add("UID", one_line(item.uid))
    event.add("DTSTAMP", modified)
    event.add("LAST-MODIFIED", modified)
    event.add("DTSTART", start)
    event.add("DTEND", end)
    event.add("SUMMARY", one_line(item.title))
    if item.description:
        event.add("DESCRIPTION", many_lines(item.description))
    event.add("SEQUENCE", item.sequence)
    if item.categories:
        event.add("CATEGORIES", [one_line(c) for c in item.categories])
    event.add("STATUS", item.status)
    event.add("TRANSP", "TRANSPARENT" if item.transparent else "OPAQUE")
    return event
