"""Reading someone else's calendar: bytes → text (BOM, charset, UTF-8 or a said fallback),
refusing HTML and truncated files; the text prepared (`source_text`: unfolded, components
paired, zones made the calendar's own); then icalendar, `x_wr_timezone` and
`recurring_ical_events` (RRULE, EXDATE, RECURRENCE-ID overrides, cancelled instances), each
instance as the domain's `CalendarEvent`.

A calendar that cannot be a calendar is a `SourceError` with a sentence for people. Anything
smaller — a component, a property, a series — that cannot be read is left out, counted and
described (`ReadCalendar.problems`), and everything else is read: no event is lost in silence.
The third-party parsers may raise anything on hostile input, so their calls are fenced.
"""

from __future__ import annotations

import codecs
import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import recurring_ical_events
import x_wr_timezone
from icalendar import Calendar, Component

from domain.calendars.attendance import Attendee, CalendarEvent
from integrations.ical import recurrence_budget
from integrations.ical.recurrence_budget import MAX_INSTANCES, Budget, RecurrenceTooCostlyError
from integrations.ical.source_repair import Problems, repair_component
from integrations.ical.source_text import Prepared, TextError, split_calendars

_OWN_ZONE_NAME = re.compile(r" \[[0-9a-f]{12}\]$")  # source_text's suffix for a custom zone
_PARTSTAT = {"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "tentative"}


class SourceError(ValueError):
    """The calendar could not be read; the message says why, for the person who added it."""


@dataclass(frozen=True, slots=True)
class ReadCalendar:
    name: str | None
    events: list[CalendarEvent]
    problems: tuple[str, ...] = ()  # the first few things that could not be read, for people
    unread: int = 0  # how many things could not be read (components, properties, series)


def looks_like_html(head: bytes, content_type: str | None = None) -> bool:
    if content_type and content_type.split(";")[0].strip().lower() in ("text/html", "application/xhtml+xml"):
        return True
    start = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<?xml")) or b"<html" in start


def decode(body: bytes, charset: str | None = None) -> tuple[str, str | None]:
    """Text of a calendar, and a note when it was not what it claimed: a BOM wins, then the
    declared charset, else UTF-8 (RFC 5545); undeclared text that is not UTF-8 is read as
    Windows-1252, as browsers and Outlook read it, and said so."""
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
        if charset is not None:
            raise SourceError(
                f"the calendar is not valid {encoding} text (byte 0x{body[exc.start]:02x} at offset "
                f"{exc.start}), though the server declared {charset!r}"
            ) from None
        note = (
            f"the calendar is not UTF-8 (byte 0x{body[exc.start]:02x} at offset {exc.start}): "
            "it was read as Windows-1252"
        )
        return body.decode("cp1252", errors="replace").lstrip("\ufeff"), note
    return text.lstrip("\ufeff"), None


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
    """Every event instance between start and end, and a sentence for each part that could not
    be read (a component, a property, a series), which is left out while the rest is read; a
    SourceError when the text cannot be a calendar at all. Repeating events are walked first under
    `budget` (recurrence_budget), so that no rule can make the expansion take more than bounded
    time and memory: a calendar over it is refused whole."""
    if looks_like_html(body, content_type):
        raise SourceError("the address returned an HTML page, not a calendar: use the calendar's iCal link")
    text, note = decode(body, charset)
    upper = text.upper()
    if "BEGIN:VCALENDAR" not in upper:
        raise SourceError("not an iCalendar file: there is no BEGIN:VCALENDAR")
    if "END:VCALENDAR" not in upper:
        raise SourceError("the calendar is truncated: it does not end with END:VCALENDAR")
    try:
        prepared = split_calendars(text)
    except TextError as exc:
        raise SourceError(f"the calendar is malformed: {exc}") from None
    problems = Problems([note] if note else [])
    me = frozenset(e.strip().lower() for e in emails if e.strip())
    budget = budget or Budget()
    found: list[CalendarEvent] = []
    name = None
    for part in prepared:
        calendar = _parse(part, problems)
        name = name or _text(calendar.get("X-WR-CALNAME")) or None
        calendar = _standard(calendar, problems)
        for series in _series(calendar, problems):
            uids = _series_uids(series)
            try:
                # One budget for the whole calendar, spent series by series (repaired first).
                recurrence_budget.check(series, start, end, budget)
                for instance in _instances(series, start, end):
                    found.append(_event(instance, source_id, me, tz, uids))
                    if len(found) > MAX_INSTANCES:
                        raise SourceError(f"more than {MAX_INSTANCES:,} events in the window read")
            except SourceError:
                raise
            except RecurrenceTooCostlyError as exc:
                raise SourceError(str(exc)) from None
            except Exception as exc:  # recurrence expansion on hostile input: one series at a time
                problems.add(f"{_label(series)} could not be read: {_brief(exc)}")
    return ReadCalendar(name, found, problems.sentences, problems.count)


def _instances(calendar: Calendar, start: datetime, end: datetime) -> Iterable[Component]:
    found: list[Component] = recurring_ical_events.of(calendar, skip_bad_series=False).between(start, end)
    return found


def _parse(part: Prepared, problems: Problems) -> Calendar:
    """The calendar, parsed with each top-level component that icalendar cannot parse left out."""
    with contextlib.suppress(Exception):  # icalendar raises ValueError, KeyError... on bad input
        return _one_calendar(part.text())
    kept = []
    for block in part.blocks:
        try:
            _one_calendar(part.text([block]))
        except Exception as exc:
            problems.add(f"{_block_label(block)} could not be read: {_brief(exc)}")
        else:
            kept.append(block)
    try:
        return _one_calendar(part.text(kept))
    except Exception as exc:
        raise SourceError(f"the calendar is malformed: {_brief(exc)}") from None


def _one_calendar(text: str) -> Calendar:
    calendar = Calendar.from_ical(text)
    if not isinstance(calendar, Calendar):
        raise ValueError("not a VCALENDAR")
    return calendar


def _standard(calendar: Calendar, problems: Problems) -> Calendar:
    """X-WR-TIMEZONE applied (x_wr_timezone); a calendar it cannot convert is read as it is."""
    try:
        standard: Calendar = x_wr_timezone.to_standard(calendar)
    except Exception as exc:
        problems.add(f"the calendar's X-WR-TIMEZONE could not be applied: {_brief(exc)}")
        return calendar
    return standard


def _series(calendar: Calendar, problems: Problems) -> Iterable[Calendar]:
    """One calendar per UID (its master, overrides and the zones), each repaired on its own, so
    that one series that cannot be expanded costs only itself."""
    zones = [c for c in calendar.subcomponents if c.name == "VTIMEZONE"]
    by_uid: dict[str, list[Component]] = {}
    for component in calendar.subcomponents:
        if component.name != "VEVENT":
            continue
        try:
            placeable = repair_component(component, problems)
        except Exception as exc:  # hostile values: this event alone is left out
            problems.add(f"an event could not be read: {_brief(exc)}")
            continue
        if placeable:
            by_uid.setdefault(_text(component.get("UID")), []).append(component)
    for components in by_uid.values():
        series = Calendar()
        for key, value in calendar.items():
            series[key] = value
        series.subcomponents = [*zones, *components]
        yield series


def _label(series: Calendar) -> str:
    events = series.walk("VEVENT")
    summary = _text(events[0].get("SUMMARY")) if events else ""
    return f"the event {summary[:60]!r}" if summary else "an event without a title"


def _block_label(block: list[str]) -> str:
    kind = block[0].partition(":")[2].strip().upper()
    for line in block:
        head, _, value = line.partition(":")
        if head.split(";")[0].strip().upper() in ("SUMMARY", "TZID"):
            shown = _OWN_ZONE_NAME.sub("", value.strip())[:60]
            return f"a {kind} ({shown!r})"
    return f"a {kind}"


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
        status={"CANCELLED": "cancelled", "TENTATIVE": "tentative"}.get(status, "confirmed"),
        start=start,
        end=end,
        original_start=recurrence.astimezone(UTC).isoformat() if recurrence else "",
        summary=_text(component.get("SUMMARY")),
        description=_text(component.get("DESCRIPTION")),
        location=_text(component.get("LOCATION")),
        organizer_self=_address(component.get("ORGANIZER", "")) in me if me else False,
        attendees=_attendees(component, me),
    )
