"""Reading a 5,000-event external calendar: time and peak memory of the source reader (decode,
x-wr-timezone, recurring-ical-events, our events), against icalendar's bare parse of the same
bytes in the same run; then a whole sync through the service (fetch from a local server, derive,
append in one transaction).

Run: .venv/bin/python -m bench.ical_source [--events 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from domain.decisions import GoalSpec
from integrations.ical.source_reader import read_calendar
from service import ical
from service.access import accounts
from service.app import App
from service.settings import Settings
from service.tracking import goals
from tests.ical.calendar_server import Route, calendar_server

NOW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
TITLES = (
    "Coffee chat with {n}",
    "Python Meetup #{n}",
    "Team sync {n}",
    "Dentist {n}",
    "Networking mixer {n}",
)


def calendar(events: int) -> bytes:
    """A year of a busy calendar ending now: singles, a few weekly series, a Windows zone name."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN", "X-WR-TIMEZONE:Europe/Berlin"]
    series = events // 50  # each weekly series has 10 instances: 20% of the instances
    singles = events - series * 10
    start = NOW - timedelta(days=300)
    for i in range(singles):
        at = start + timedelta(minutes=83 * i)
        lines += [
            "BEGIN:VEVENT",
            f"UID:single-{i}@bench",
            "DTSTAMP:20261101T000000Z",
            f"DTSTART:{at:%Y%m%dT%H%M%SZ}",
            f"DTEND:{at + timedelta(minutes=45):%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{TITLES[i % len(TITLES)].format(n=i)}",
            "LOCATION:Berlin",
            f"ATTENDEE;PARTSTAT={'ACCEPTED' if i % 3 else 'DECLINED'};CN=Me:mailto:me@example.com",
            f"ATTENDEE;PARTSTAT=ACCEPTED;CN=Guest {i}:mailto:guest{i % 97}@example.org",
            "END:VEVENT",
        ]
    for i in range(series):
        at = start + timedelta(days=i % 200, hours=9)
        zone = "W. Europe Standard Time" if i % 2 else "Europe/Berlin"
        lines += [
            "BEGIN:VEVENT",
            f"UID:series-{i}@bench",
            "DTSTAMP:20261101T000000Z",
            f"DTSTART;TZID={zone}:{at:%Y%m%dT%H%M%S}",
            f"DTEND;TZID={zone}:{at + timedelta(minutes=30):%Y%m%dT%H%M%S}",
            "RRULE:FREQ=WEEKLY;COUNT=10",
            f"SUMMARY:Weekly coffee chat {i}",
            "ORGANIZER:mailto:me@example.com",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def _measure(work: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Median seconds, and peak MiB traced during one more run."""
    times = []
    result = None
    for _ in range(repeat):
        gc.collect()
        begin = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - begin)
    gc.collect()
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak / 2**20, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    body = calendar(args.events)
    window = (NOW - timedelta(days=365), NOW + timedelta(days=30))

    def read() -> int:
        found = read_calendar(
            body,
            source_id="bench",
            emails=("me@example.com",),
            start=window[0],
            end=window[1],
            tz=ZoneInfo("Europe/Berlin"),
        )
        return len(found.events)

    parse_s, parse_mib, _ = _measure(lambda: Calendar.from_ical(body), args.repeat)
    read_s, read_mib, instances = _measure(read, args.repeat)
    print(f"calendar: {len(body) / 2**20:.1f} MiB, {instances} event instances")
    print(f"{'step':<36} {'median s':>9} {'peak MiB':>9}")
    print(f"{'icalendar parse only (baseline)':<36} {parse_s:>9.2f} {parse_mib:>9.1f}")
    print(f"{'source reader (parse, expand, ours)':<36} {read_s:>9.2f} {read_mib:>9.1f}")
    print(f"reader vs bare parse: {read_s / parse_s:.2f}x time, {read_mib / parse_mib:.2f}x memory")
    with tempfile.TemporaryDirectory() as folder, calendar_server() as server:
        settings = Settings(home=Path(folder), allow_private_sources=True, source_timeout=120)
        app = App.open(settings, clock=lambda: NOW)
        user_id = accounts.add_user(app, "me@example.com", "Europe/Berlin").user.user_id
        goals.set_goal(app, user_id, GoalSpec(template="weekly-outreach"))
        goals.set_goal(app, user_id, GoalSpec(template="monthly-event"))
        server.routes["/big.ics"] = Route(body, etag='"1"')
        source = ical.add_source(app, settings, user_id, server.url("/big.ics"))
        begin = time.perf_counter()
        report = ical.sync_source(app, settings, source.source_id)
        first = time.perf_counter() - begin
        server.routes["/big.ics"].etag = '"2"'  # the same content again: read in full, nothing new
        begin = time.perf_counter()
        again = ical.sync_source(app, settings, source.source_id)
        second = time.perf_counter() - begin
        begin = time.perf_counter()
        unchanged = ical.sync_source(app, settings, source.source_id)
        third = time.perf_counter() - begin
        app.close()
    print(f"service sync, first read:  {first:.2f} s ({report.status}, {report.done} actions derived)")
    print(f"service sync, re-read:     {second:.2f} s ({again.status}, {again.done} new)")
    print(f"service sync, 304:         {third:.3f} s ({unchanged.status})")


if __name__ == "__main__":
    main()
