"""Reading someone else's calendar (DESIGN.md §6): bytes → text (BOM, charset, strict UTF-8),
refusing HTML and truncated files, then `x_wr_timezone` and `recurring_ical_events` (RRULE,
EXDATE, RECURRENCE-ID overrides, cancelled instances), each instance as the domain's
`CalendarEvent`. Anything wrong with the input is a `SourceError` with a sentence for people;
the third-party parsers may raise anything on hostile input, so their calls are fenced.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import recurring_ical_events
import x_wr_timezone
from icalendar import Calendar, Component

from domain.attendance import Attendee, CalendarEvent
from integrations.ical import recurrence_budget
from integrations.ical.recurrence_budget import MAX_INSTANCES, Budget, RecurrenceTooCostlyError

_PARTSTAT = {"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "tentative"}


class SourceError(ValueError):
    """The calendar could not be read; the message says why, for the person who added it."""


@dataclass(frozen=True, slots=True)
class ReadCalendar:
    name: str | None
    events: list[CalendarEvent]


def looks_like_html(head: bytes, content_type: str | None = None) -> bool:
    if content_type and content_type.split(";")[0].strip().lower() in ("text/html", "application/xhtml+xml"):
        return True
    start = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<?xml")) or b"<html" in start


def decode(body: bytes, charset: str | None = None) -> str:
    """Text of a calendar: a BOM wins, then the declared charset, else strict UTF-8 (RFC 5545)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if body.startswith(bom):
            charset = encoding
            break
    encoding = charset or "utf-8"
    try:
        text = body.decode(encoding)
    except LookupError:
        raise SourceError(f"the server declared an unknown character set {charset!r}") from None
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"the calendar is not valid {encoding} text (byte 0x{body[exc.start]:02x} at offset "
            f"{exc.start}); iCalendar files must be UTF-8"
        ) from None
    return text.lstrip("\ufeff")


def read_calendar(
    body: bytes,
    *,
    source_id: str,
    emails: Iterable[str],
    start: datetime,
    end: datetime,
    tz: tzinfo,
    charset: str | None = None,
    content_type: str | None = None,
    budget: Budget | None = None,
) -> ReadCalendar:
    """Every event instance between start and end, or a SourceError; never half a calendar.
    Repeating events are walked first under `budget` (recurrence_budget), so that no rule can make
    the expansion take more than bounded time and memory."""
    if looks_like_html(body, content_type):
        raise SourceError("the address returned an HTML page, not a calendar: use the calendar's iCal link")
    text = decode(body, charset)
    upper = text.upper()
    if "BEGIN:VCALENDAR" not in upper:
        raise SourceError("not an iCalendar file: there is no BEGIN:VCALENDAR")
    if "END:VCALENDAR" not in upper:
        raise SourceError("the calendar is truncated: it does not end with END:VCALENDAR")
    _check_nesting(text)
    try:
        calendars = Calendar.from_ical(text, multiple=True)
    except Exception as exc:  # icalendar raises ValueError, KeyError, IndexError... on bad input
        raise SourceError(f"the calendar is malformed: {_brief(exc)}") from None
    me = frozenset(e.strip().lower() for e in emails if e.strip())
    budget = budget or Budget()
    found: list[CalendarEvent] = []
    name = None
    for calendar in calendars:
        if not isinstance(calendar, Calendar):
            continue
        name = name or _text(calendar.get("X-WR-CALNAME")) or None
        try:
            _drop_unplaceable(calendar)
            series = _series_uids(calendar)
            standard = x_wr_timezone.to_standard(calendar)
            recurrence_budget.check(standard, start, end, budget)
            instances = recurring_ical_events.of(standard, skip_bad_series=True).between(start, end)
            for instance in instances:
                found.append(_event(instance, source_id, me, tz, series))
                if len(found) > MAX_INSTANCES:
                    raise SourceError(f"more than {MAX_INSTANCES:,} events in the window read")
        except SourceError:
            raise
        except RecurrenceTooCostlyError as exc:
            raise SourceError(str(exc)) from None
        except Exception as exc:  # recurrence expansion on hostile input: same fence
            raise SourceError(f"the calendar's events could not be read: {_brief(exc)}") from None
    return ReadCalendar(name, found)


def _check_nesting(text: str) -> None:
    """BEGIN and END must pair up: icalendar forgives a missing END, which would read half an
    event as a whole one."""
    stack: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        head, _, name = line.strip().partition(":")
        kind = head.upper()
        if kind not in ("BEGIN", "END"):
            continue
        name = name.strip().upper()
        if kind == "BEGIN":
            stack.append(name)
        elif not stack or stack.pop() != name:
            raise SourceError(f"the calendar is malformed: END:{name} on line {number} closes nothing open")
    if stack:
        raise SourceError(f"the calendar is malformed or truncated: BEGIN:{stack[-1]} is never closed")


def _drop_unplaceable(calendar: Calendar) -> None:
    """An event without one DTSTART cannot be put in time (RFC 5545 requires it in a published
    calendar): leave it out rather than refuse every other event of the calendar."""
    calendar.subcomponents = [c for c in calendar.subcomponents if c.name != "VEVENT" or _placeable(c)]


def _placeable(component: Component) -> bool:
    try:
        at = component.get("DTSTART").dt
    except Exception:  # missing, repeated or broken: icalendar raises several kinds here
        return False
    return isinstance(at, date)


def _series_uids(calendar: Calendar) -> frozenset[str]:
    """UIDs of recurring events: their instances are told apart by start; a single event is
    not (moving it is the same event at a new time)."""
    return frozenset(
        _text(c.get("UID"))
        for c in calendar.walk("VEVENT")
        if c.get("RRULE") is not None or c.get("RDATE") is not None or c.get("RECURRENCE-ID") is not None
    )


def _brief(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return text[:200]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value)


def _moment(value: Any, tz: tzinfo) -> datetime | None:
    """An aware instant: all-day dates start at the user's local midnight, floating times are theirs."""
    at = getattr(value, "dt", value)
    if isinstance(at, datetime):
        return at if at.tzinfo is not None else at.replace(tzinfo=tz)
    if isinstance(at, date):
        return datetime(at.year, at.month, at.day, tzinfo=tz)
    return None


def _address(value: Any) -> str:
    return str(value).strip().removeprefix("mailto:").removeprefix("MAILTO:").strip().lower()


def _attendees(component: Component, me: frozenset[str]) -> tuple[Attendee, ...]:
    raw = component.get("ATTENDEE")
    if raw is None:
        return ()
    values = raw if isinstance(raw, list) else [raw]
    found = []
    for value in values:
        params = getattr(value, "params", {})
        email = _address(value)
        partstat = str(params.get("PARTSTAT", "NEEDS-ACTION")).upper()
        name = params.get("CN")
        found.append(
            Attendee(email, str(name) if name else None, email in me, _PARTSTAT.get(partstat, "needsAction"))
        )
    return tuple(found)


def _event(
    component: Component, source_id: str, me: frozenset[str], tz: tzinfo, series: frozenset[str]
) -> CalendarEvent:
    start = _moment(component.get("DTSTART"), tz)
    end = _moment(component.get("DTEND"), tz)
    if end is None and start is not None:
        duration = component.get("DURATION")
        length = getattr(duration, "dt", None)
        if isinstance(length, timedelta):
            end = start + length
        else:
            all_day = not isinstance(getattr(component.get("DTSTART"), "dt", None), datetime)
            end = start + (timedelta(days=1) if all_day else timedelta())
    uid = _text(component.get("UID"))
    recurrence = (_moment(component.get("RECURRENCE-ID"), tz) or start) if uid in series else None
    status = _text(component.get("STATUS")).upper()
    return CalendarEvent(
        calendar_id=source_id,
        event_id=uid,
        status="cancelled" if status == "CANCELLED" else "confirmed",
        start=start,
        end=end,
        original_start=recurrence.astimezone(UTC).isoformat() if recurrence else "",
        summary=_text(component.get("SUMMARY")),
        description=_text(component.get("DESCRIPTION")),
        location=_text(component.get("LOCATION")),
        organizer_self=_address(component.get("ORGANIZER", "")) in me if me else False,
        attendees=_attendees(component, me),
    )
