"""Calendars as the real world writes them, read the way the forgiving clients read them: folded
lines that look like component boundaries, custom zones whose names collide between calendars,
one broken component or property among good ones, Outlook's zone names, floating UNTILs, text that
is not UTF-8. Everything readable is read; what is not is counted, described and kept on the
source, where `source list` and the dashboard show it."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import hypothesis.strategies as st
import icalendar
import pytest
from hypothesis import given, settings

from integrations.ical.source_reader import ReadCalendar, read_calendar
from service import ical
from tests.api.test_dashboard import _csrf
from tests.ical.calendar_server import CalendarServer, Route
from tests.ical.conftest import Site
from tests.ical.ics import vcalendar, vevent

WINDOW = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
BERLIN = ZoneInfo("Europe/Berlin")


def read(body: bytes, tz: ZoneInfo = BERLIN) -> ReadCalendar:
    return read_calendar(body, source_id="s", emails=(), start=WINDOW[0], end=WINDOW[1], tz=tz)


def starts(found: ReadCalendar) -> list[str]:
    return sorted(e.start.astimezone(UTC).isoformat() for e in found.events)


def custom_zone(offset: str, name: str = "Customized Time Zone") -> str:
    return (
        f"BEGIN:VTIMEZONE\r\nTZID:{name}\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n"
        f"TZOFFSETFROM:{offset}\r\nTZOFFSETTO:{offset}\r\nEND:STANDARD\r\nEND:VTIMEZONE"
    )


def zoned(uid: str, tzid: str, local: str = "20261110T180000") -> str:
    event = vevent(uid, "X", "X", f"Meetup {uid}")
    return event.replace("DTSTART:X", f'DTSTART;TZID="{tzid}":{local}').replace(
        "DTEND:X", f'DTEND;TZID="{tzid}":{local[:-6]}200000'
    )


GOOD = vevent("ok@x", "20261110T180000Z", "20261110T200000Z", "A good meetup")


def test_a_folded_line_that_begins_with_end_is_text() -> None:
    # icalendar's own folding puts "End: 21:00" at the start of a continuation line.
    event = icalendar.Event()
    event.add("UID", "fold@x")
    event.add("DTSTART", datetime(2026, 11, 10, 18, tzinfo=UTC))
    event.add("DTEND", datetime(2026, 11, 10, 21, tzinfo=UTC))
    event.add("SUMMARY", "Meetup")
    event.add("DESCRIPTION", "Doors open at the hub, come early. x Start: 18:30\u2028End: 21:00 Begin: now")
    text = event.to_ical().decode()
    text = text.replace("Start: 18:30\u2028", "Start: 18:30\r\n ")  # fold right before "End:"
    found = read(vcalendar(text.strip()))
    assert [e.event_id for e in found.events] == ["fold@x"] and found.unread == 0
    assert "End: 21:00 Begin: now" in found.events[0].description


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=70))
def test_folding_at_any_position_reads_the_same_event(position: int) -> None:
    description = "Agenda. Start: 18:30 End: 21:00 BEGIN:VEVENT END:VEVENT, talks; and drinks"
    line = "DESCRIPTION:" + description.replace(",", "\\,").replace(";", "\\;")
    at = min(position, len(line) - 1)
    folded = line[:at] + "\r\n " + line[at:]
    found = read(vcalendar(vevent("f@x", "20261110T180000Z", "20261110T200000Z", "Meetup", extra=folded)))
    assert len(found.events) == 1 and found.events[0].description == description


def test_unicode_line_separators_never_split_a_line() -> None:
    event = vevent("u@x", "20261110T180000Z", "20261110T200000Z", "Meetup")
    value = "DESCRIPTION:one\u2028END:VEVENT\x0bBEGIN:VEVENT\x0c\x85two"
    body = vcalendar(event.replace("END:VEVENT", value + "\r\nEND:VEVENT"))
    found = read(body)
    assert len(found.events) == 1 and found.events[0].description.endswith("two"), found.problems


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["+0530", "-0500", "+0100", "+1245"]), st.sampled_from(["+0530", "-0500", "-0330"]))
def test_custom_zones_with_one_name_stay_in_their_own_calendar(first: str, second: str) -> None:
    one = vcalendar(custom_zone(first), zoned("a@x", "Customized Time Zone"))
    two = vcalendar(custom_zone(second), zoned("b@x", "Customized Time Zone"))
    for body, offset in ((one, first), (two, second), (one, first)):
        (event,) = read(body).events
        sign = -1 if offset[0] == "-" else 1
        expected = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:])) * sign
        assert event.start.utcoffset() == expected


def test_a_fresh_process_reads_a_calendar_after_another_with_the_same_zone_name() -> None:
    """The reported order: India's definition read first, then New York's, in one new process."""
    code = """
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo
from integrations.ical.source_reader import read_calendar
for path in sys.argv[1:]:
    (e,) = read_calendar(open(path, "rb").read(), source_id="s", emails=(), tz=ZoneInfo("UTC"),
        start=datetime(2026, 1, 1, tzinfo=UTC), end=datetime(2027, 1, 1, tzinfo=UTC)).events
    print(e.start.utcoffset())
"""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for name, offset in (("india", "+0530"), ("new-york", "-0500")):
            path = f"{folder}/{name}.ics"
            with open(path, "wb") as handle:
                handle.write(vcalendar(custom_zone(offset), zoned(f"{name}@x", "Customized Time Zone")))
            paths.append(path)
        out = subprocess.run([sys.executable, "-c", code, *paths], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["5:30:00", "-1", "day,", "19:00:00"]


@pytest.mark.parametrize(
    ("broken", "words"),
    [
        ("BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER;RELATED=START:PT-2H\r\nEND:VALARM", None),
        ("DTSTART:20261310T180000Z", "no start"),
        ("RDATE;VALUE=PERIOD:20260301T180000Z/garbage", "RDATE"),
    ],
)
def test_one_bad_part_costs_only_itself(broken: str, words: str | None) -> None:
    bad = vevent("bad@x", "20261111T180000Z", "20261111T200000Z", "Broken meetup")
    if broken.startswith("DTSTART"):
        bad = bad.replace("DTSTART:20261111T180000Z", broken)
    else:
        bad = bad.replace("END:VEVENT", broken + "\r\nEND:VEVENT")
    found = read(vcalendar(bad, GOOD))
    assert "ok@x" in {e.event_id for e in found.events}
    if words is None:
        assert found.unread == 0 and len(found.events) == 2  # alarms are never needed
    else:
        assert found.unread == 1 and words in found.problems[0]


def test_a_weekly_series_with_one_bad_rdate_keeps_its_instances() -> None:
    series = vevent(
        "s@x",
        "20260105T180000Z",
        "20260105T190000Z",
        "Weekly meetup",
        extra=("RRULE:FREQ=WEEKLY\r\nRDATE;VALUE=PERIOD:20260301T180000Z/garbage"),
    )
    found = read(vcalendar(series))
    assert len(found.events) == 52 and found.unread == 1


def test_broken_time_zones_cost_only_their_definitions() -> None:
    out_of_range = custom_zone("+9900", "Bad")
    twice = "TZID:Europe/Berlin\r\nTZID:Europe/Berlin"  # a WordPress events-calendar export
    two_tzids = custom_zone("+0100", "Europe/Berlin").replace("TZID:Europe/Berlin", twice)
    found = read(vcalendar(out_of_range, two_tzids, zoned("b@x", "Bad"), zoned("w@x", "Europe/Berlin"), GOOD))
    assert {e.event_id for e in found.events} == {"b@x", "w@x", "ok@x"}
    assert found.unread == 1 and "'Bad'" in found.problems[0]
    berlin = next(e for e in found.events if e.event_id == "w@x")
    assert berlin.start == datetime(2026, 11, 10, 17, tzinfo=UTC)


def test_the_producers_intent_is_read() -> None:
    week = ["UID:wk@x", "DTSTART;VALUE=DATE:20261110", "DURATION:PT1W", "SUMMARY:Week"]
    all_day_week = "\r\n".join(["BEGIN:VEVENT", *week, "END:VEVENT"])
    quote = (
        vevent("q@x", "X", "X", "Berlin weekly", extra="RRULE:FREQ=WEEKLY;COUNT=40")
        .replace("DTSTART:X", 'DTSTART;TZID="Europe/Berlin:20260105T180000')
        .replace("DTEND:X", 'DTEND;TZID="Europe/Berlin:20260105T190000')
    )
    until = (
        vevent("u@x", "X", "X", "Daily", extra="RRULE:FREQ=DAILY;UNTIL=20261105T180000")
        .replace("DTSTART:X", "DTSTART;TZID=America/New_York:20261102T180000")
        .replace("DTEND:X", "DTEND;TZID=America/New_York:20261102T190000")
    )
    outlook = zoned("o@x", "(UTC-05:00) Eastern Time (US & Canada)")
    found = read(vcalendar(all_day_week, quote, until, outlook))
    by_uid: dict[str, list[datetime]] = {}
    for event in found.events:
        by_uid.setdefault(event.event_id, []).append(event.start)
    week = next(e for e in found.events if e.event_id == "wk@x")
    assert week.end - week.start == timedelta(weeks=1)
    assert len(by_uid["q@x"]) == 40 and by_uid["q@x"][0] == datetime(2026, 1, 5, 17, tzinfo=UTC)
    # A floating UNTIL in the start's zone, as ical.js and node-ical read it: the 5th counts.
    assert len(by_uid["u@x"]) == 4
    assert by_uid["o@x"] == [datetime(2026, 11, 10, 23, tzinfo=UTC)]  # New York, not Berlin
    assert found.unread == 0


def test_text_that_is_not_utf8_is_read_and_said() -> None:
    found = read(vcalendar(GOOD).replace(b"A good", "Caf\xe9".encode("latin-1")))
    assert [e.summary for e in found.events] == ["Café meetup"]
    assert found.unread == 1 and "Windows-1252" in found.problems[0]


MIXED = vcalendar(  # one event whose start cannot be read, one good one
    vevent("bad@x", "20261120T090000Z", "20261120T093000Z", "Bad").replace(
        "DTSTART:20261120T090000Z", "DTSTART:20261320T090000Z"
    ),
    vevent("c1@x", "20261120T090000Z", "20261120T093000Z", "Coffee"),
)


def test_what_could_not_be_read_is_kept_on_the_source_and_shown(server: CalendarServer, site: Site) -> None:
    server.routes["/mixed.ics"] = Route(MIXED)
    source = ical.add_source(site.app, site.settings, site.user_id, server.url("/mixed.ics"))
    report = ical.sync_source(site.app, site.settings, source.source_id)
    assert report.status == "ok" and report.events_seen == 1 and report.unread == 1
    stored = ical.get_source(site.app, site.user_id, source.source_id)
    assert stored.unread == 1 and "no start" in stored.unread_notes[0]
    listed = site.client.get("/api/v1/sources", headers={"Authorization": f"Bearer {site.token}"}).json()
    assert listed[0]["unread"] == 1 and "no start" in listed[0]["unread_notes"][0]
    page = site.client.get("/signin")
    site.client.post(
        "/signin",
        data={"email": "ada@example.com", "token": site.token, "csrf": _csrf(page.text)},
        follow_redirects=False,
    )
    html = site.client.get("/calendar").text
    assert "1 part could not be read and was left out" in html and "no start" in html


@pytest.mark.parametrize(
    ("status", "partstat", "counts"),
    [("CONFIRMED", None, True), ("TENTATIVE", None, False), ("TENTATIVE", "ACCEPTED", True)],
)
def test_the_organisers_own_tentative_event_is_a_maybe(
    status: str, partstat: str | None, counts: bool
) -> None:
    from domain.calendars.attendance import ATTENDED
    from domain.calendars.ical_attendance import source_attendance

    event = vevent(
        "t@x",
        "20261110T180000Z",
        "20261110T200000Z",
        "Maybe a meetup",
        partstat=partstat,
        organizer="ada@example.com",
        extra=f"STATUS:{status}",
    )
    found = read_calendar(
        vcalendar(event),
        source_id="s",
        emails=("ada@example.com",),
        start=WINDOW[0],
        end=WINDOW[1],
        tz=BERLIN,
    )
    (instance,) = found.events
    assert (source_attendance(instance, WINDOW[1]) == ATTENDED) is counts
