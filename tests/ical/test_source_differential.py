"""netgoals' reading of a calendar against an independent expansion: icalendar, x-wr-timezone and
recurring-ical-events called directly, on the raw text, with none of netgoals' preparation.

Over the installed real-world corpus (258 files) and over generated calendars (weekly series in
zones with DST changes, with EXDATEs and moved instances), every instance the direct expansion
finds, netgoals finds at the same instant, and no other. The differences are decisions, listed
here: netgoals refuses text that is not a calendar (a bare VEVENT, an END that closes nothing),
and reads calendars the direct expansion gives up on (it reads them as the tests of
test_real_world_sources.py describe).
"""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import hypothesis.strategies as st
import recurring_ical_events
import x_wr_timezone
from hypothesis import given, settings
from icalendar import Calendar, Component

from integrations.ical.source_reader import SourceError, read_calendar
from tests.ical.corpus import corpus_files

START, END = datetime(2010, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
Instances = set[tuple[str, datetime]]


def _instant(component: Component) -> tuple[str, datetime]:
    at = component.get("DTSTART").dt
    if not isinstance(at, datetime):
        at = datetime(at.year, at.month, at.day, tzinfo=BERLIN)
    elif at.tzinfo is None:
        at = at.replace(tzinfo=BERLIN)
    return str(component.get("UID") or ""), at.astimezone(UTC)


def direct(body: bytes, start: datetime = START, end: datetime = END) -> Instances | None:
    """What the libraries read on their own, or None where they give up."""
    try:
        calendar = Calendar.from_ical(body.decode())
        standard = x_wr_timezone.to_standard(calendar)
        return {_instant(c) for c in recurring_ical_events.of(standard).between(start, end)}
    except Exception:
        return None


def ours(body: bytes, start: datetime = START, end: datetime = END) -> Instances | None:
    try:
        found = read_calendar(body, source_id="d", emails=(), start=start, end=end, tz=BERLIN)
    except SourceError:
        return None
    return {(e.event_id, e.start.astimezone(UTC)) for e in found.events}


def _not_a_calendar(path: Path) -> bool:
    text = path.read_bytes().decode("utf-8", "replace").upper()
    return "BEGIN:VCALENDAR" not in text or "END:VCALENDARD" in text or "END:VTOOD" in text


def test_the_corpus_reads_as_the_libraries_read_it() -> None:
    both = same = instances = ours_only = 0
    differences: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in corpus_files():
            body = path.read_bytes()
            theirs, mine = direct(body), ours(body)
            if theirs is None:
                ours_only += mine is not None
                continue
            if mine is None:
                if not _not_a_calendar(path):
                    differences.append(f"{path.name}: refused, the libraries read {len(theirs)}")
                continue
            both += 1
            instances += len(theirs)
            if mine == theirs:
                same += 1
            else:
                missing, extra = sorted(theirs - mine)[:3], sorted(mine - theirs)[:3]
                differences.append(f"{path.name}: missing {missing}, extra {extra}")
    assert differences == []
    assert both == same >= 160 and instances >= 25_000
    assert ours_only >= 10  # the calendars the libraries give up on, netgoals reads


ZONES = ("Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC")


@st.composite
def series(draw: st.DrawFn) -> bytes:
    zone = draw(st.sampled_from(ZONES))
    first = draw(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 6, 1)))
    hour = draw(st.integers(min_value=0, max_value=23))
    count = draw(st.integers(min_value=1, max_value=40))
    lines = [
        "BEGIN:VEVENT",
        "UID:series@x",
        f"DTSTART;TZID={zone}:{first:%Y%m%d}T{hour:02d}3000",
        f"DTEND;TZID={zone}:{first:%Y%m%d}T{hour:02d}5900",
        f"RRULE:FREQ=WEEKLY;COUNT={count}",
        "SUMMARY:Weekly meetup",
    ]
    skipped = draw(st.lists(st.integers(min_value=0, max_value=count - 1), max_size=3, unique=True))
    lines += [f"EXDATE;TZID={zone}:{first + timedelta(weeks=n):%Y%m%d}T{hour:02d}3000" for n in skipped]
    lines.append("END:VEVENT")
    moved = draw(st.integers(min_value=0, max_value=count - 1))
    if moved not in skipped:
        day = first + timedelta(weeks=moved)
        lines += [
            "BEGIN:VEVENT",
            "UID:series@x",
            f"RECURRENCE-ID;TZID={zone}:{day:%Y%m%d}T{hour:02d}3000",
            f"DTSTART;TZID={zone}:{day + timedelta(days=1):%Y%m%d}T1800{draw(st.sampled_from(['00', '30']))}",
            f"DTEND;TZID={zone}:{day + timedelta(days=1):%Y%m%d}T190000",
            "SUMMARY:Moved",
            "END:VEVENT",
        ]
    text = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN", *lines, "END:VCALENDAR"])
    return (text + "\r\n").encode()


@settings(max_examples=80, deadline=None)
@given(series())
def test_generated_series_read_as_the_libraries_read_them(body: bytes) -> None:
    window = (datetime(2025, 12, 1, tzinfo=UTC), datetime(2027, 6, 1, tzinfo=UTC))
    theirs = direct(body, *window)
    assert theirs is not None and ours(body, *window) == theirs
