"""Repeating events cost bounded work whatever their rule says: a rule every minute or second, or
one no date can satisfy, is refused with an error naming the event after a bounded number of
candidate dates — counted by the budget, and run in a child process under a memory limit and a
timeout that only a runaway reaches (the unbounded expansion took 536 MB for FREQ=MINUTELY, over
2.5 GB and 180 s for FREQ=SECONDLY, 19.7 s for the impossible rule). The source shows the error,
and a source that keeps failing is polled less and less often."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from integrations.ical.recurrence_budget import MAX_EXAMINED, MAX_INSTANCES
from service import ical
from tests.ical.calendar_server import CalendarServer, Route
from tests.ical.conftest import World
from tests.ical.ics import vcalendar, vevent

ROOT = Path(__file__).resolve().parents[2]
MEMORY = 512 * 1024 * 1024  # address space of the child: the interpreter and the libraries fit

# Reads one calendar (argv[1] the RRULE, argv[2] DTSTART) as a source read does, and prints what
# happened and how many candidate dates the budget counted.
CHILD = """
import json, sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo
from integrations.ical.recurrence_budget import Budget
from integrations.ical.source_reader import SourceError, read_calendar
from tests.ical.ics import vcalendar, vevent

body = vcalendar(vevent("r@x", sys.argv[2], sys.argv[2], "Standup", extra="RRULE:" + sys.argv[1]))
now = datetime(2026, 11, 25, 11, tzinfo=UTC)
budget = Budget()
try:
    read = read_calendar(body, source_id="s", emails=["ada@example.com"], start=now - timedelta(days=90),
                         end=now + timedelta(days=30), tz=ZoneInfo("Europe/Berlin"), budget=budget)
    print(json.dumps({"events": len(read.events), "spent": budget.spent}))
except SourceError as exc:
    print(json.dumps({"error": str(exc), "spent": budget.spent}))
"""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _read_in_child(rule: str, start: str = "20261101T090000Z") -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, rule, start],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,  # generous: only a runaway gets here
        preexec_fn=_limit_memory,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answer: dict[str, object] = json.loads(done.stdout)
    return answer


@pytest.mark.parametrize(
    "rule", ["FREQ=MINUTELY", "FREQ=SECONDLY", "FREQ=SECONDLY;INTERVAL=1;COUNT=99999999"]
)
def test_a_rule_too_frequent_for_the_window_is_refused_after_bounded_work(rule: str) -> None:
    answer = _read_in_child(rule)
    assert answer["error"] == (
        f"the event 'Standup' (UID r@x) repeats more than {MAX_INSTANCES:,} times in the window read: "
        "the calendar was not read"
    )
    assert isinstance(answer["spent"], int) and answer["spent"] <= 3 * MAX_INSTANCES


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31",
        "FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=1",
        "FREQ=DAILY;UNTIL=20200101T000000Z;BYMONTH=2;BYMONTHDAY=30",
    ],
)
def test_a_rule_no_date_satisfies_is_refused_after_bounded_work(rule: str) -> None:
    answer = _read_in_child(rule)
    assert str(answer["error"]).startswith(
        f"the event 'Standup' (UID r@x) repeats in a way that takes more than {MAX_EXAMINED:,} steps"
    )
    assert answer["spent"] == MAX_EXAMINED + 1


def test_a_rule_that_started_long_ago_is_refused_after_bounded_work() -> None:
    answer = _read_in_child("FREQ=MINUTELY", "19700101T000000Z")
    assert "takes more than" in str(answer["error"]) and answer["spent"] == MAX_EXAMINED + 1


@pytest.mark.parametrize(
    ("rule", "start", "events"),
    [
        ("FREQ=WEEKLY;BYDAY=MO,WE", "20000103T090000Z", 34),
        ("FREQ=DAILY", "19700101T090000Z", 120),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "19000101T090000Z", 0),  # leap days only
        ("FREQ=HOURLY;BYHOUR=9", "20200101T090000Z", 120),
    ],
)
def test_ordinary_rules_still_read(rule: str, start: str, events: int) -> None:
    answer = _read_in_child(rule, start)
    assert answer.get("events") == events, answer


def test_the_source_shows_the_error_and_appends_nothing(world: World, server: CalendarServer) -> None:
    server.routes["/busy.ics"] = Route(
        vcalendar(
            vevent("r@x", "20261101T090000Z", "20261101T090100Z", "Standup", extra="RRULE:FREQ=SECONDLY")
        )
    )
    source = ical.add_source(world.app, world.settings, world.user_id, server.url("/busy.ics"))
    before = world.events()
    report = ical.sync_source(world.app, world.settings, source.source_id)
    assert report.status == "error" and "repeats more than 50,000 times" in (report.error or "")
    assert ical.get_source(world.app, world.user_id, source.source_id).last_error == report.error
    assert world.events() == before


def test_a_source_that_keeps_failing_is_polled_less_and_less_often(
    world: World, server: CalendarServer
) -> None:
    server.routes["/gone.ics"] = Route(b"gone", status=404)
    source = ical.add_source(world.app, world.settings, world.user_id, server.url("/gone.ics"))
    interval = world.settings.source_interval
    waits = []
    for _ in range(8):
        ical.sync_source(world.app, world.settings, source.source_id)
        due = ical.get_source(world.app, world.user_id, source.source_id).next_due_at
        assert due is not None
        waits.append(round(due - world.clock.now.timestamp()))
        world.clock.advance(seconds=waits[-1])
    assert interval == 1800
    assert waits == [1800, 3600, 7200, 14400, 28800, 57600, 86400, 86400]
    # Fixed at the other end: back to the usual interval.
    server.routes["/gone.ics"] = Route(
        vcalendar(vevent("c@x", "20261120T090000Z", "20261120T093000Z", "Coffee"))
    )
    assert ical.sync_source(world.app, world.settings, source.source_id).status == "ok"
    due = ical.get_source(world.app, world.user_id, source.source_id).next_due_at
    assert due == world.clock.now.timestamp() + interval
