"""The provider contract end to end, through the use cases: the same person, the same steps, on
Google's fake, Radicale, Xandikos and Radicale behind the quirks proxy. netgoals plans into the
person's calendar; they move, delete, rename and ✓ its blocks, get invited and reply, cancel; every
sync respects what they did and counts each happening once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain import events as ev
from domain.events import actions_stream
from service import confirmation
from tests.caldav.conftest import new_calendar
from tests.caldav.people import CaldavPerson, GooglePerson, Person, done_keys, goal, report_ok
from tests.caldav.quirks_proxy import QuirksProxy
from tests.caldav.servers import Server
from tests.google.conftest import World, fake, make_world  # noqa: F401 - the Google fixtures

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # a Saturday
PROVIDERS = ["google", "radicale", "xandikos", "quirks"]


@pytest.fixture(params=PROVIDERS)
def person(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Person]:
    name = request.param
    if name == "google":
        made: Callable[..., World] = request.getfixturevalue("make_world")
        yield GooglePerson(made())
        return
    if name == "quirks":
        proxy: QuirksProxy = request.getfixturevalue("quirks")
        server = proxy.server
    else:
        server = request.getfixturevalue(f"{name}_flow_server")
    events = new_calendar(server, f"events-{uuid.uuid4().hex[:8]}")
    goals_url = events.use("").make_calendar(f"goals-{uuid.uuid4().hex[:8]}")
    if name == "quirks":
        proxy.quirks.no_mkcalendar = proxy.quirks.no_freebusy = True
        proxy.quirks.sync_extra = proxy.quirks.no_put_etag = True
    caldav_person = CaldavPerson(server, tmp_path, NOW, events, goals_url)
    yield caldav_person
    caldav_person.close()
    events.close()


@pytest.fixture(scope="session")
def radicale_flow_server(radicale_server: Server) -> Server:
    return radicale_server


@pytest.fixture(scope="session")
def xandikos_flow_server(xandikos_http_server: Server) -> Server:
    return xandikos_http_server


def actions_of(person: Person, kind: str) -> list[dict[str, object]]:
    return [e.data for e in person.app.store.read_stream(actions_stream(person.user_id)) if e.type == kind]


def test_the_person_moves_and_deletes_blocks_and_the_next_plans_respect_it(person: Person) -> None:
    goal(person.app, person.user_id, "weekly-outreach")
    person.connect()
    report_ok(person.sync())
    report_ok(person.sync())  # our own writes read back
    first, second = person.blocks()[:2]
    moved_to = datetime(2026, 12, 1, 17, 0, tzinfo=BERLIN)  # outside the preferred hours: their choice
    person.move(first, moved_to)
    person.delete(second)
    report = person.sync()
    report_ok(report)
    assert (report.rescheduled, report.skipped) == (1, 1)
    person.busy("Busy now", moved_to, 60)  # even a new busy event does not move the person's time
    for _ in range(2):
        report_ok(person.sync())
    kept = {b.action_id: b for b in person.blocks()}
    assert kept[first.action_id].start == moved_to
    assert second.action_id not in kept  # not written again
    assert len(actions_of(person, ev.ACTION_SKIPPED)) == 1
    assert [a["action_id"] for a in actions_of(person, ev.ACTION_RESCHEDULED) if a["by"] == "user"] == [
        first.action_id
    ]
    # the moved block passes: passing alone counts nothing, it waits to be confirmed
    person.clock.now = moved_to.astimezone(UTC) + timedelta(hours=1)
    report_ok(person.sync())
    assert done_keys(person.app, person.user_id) == []
    waiting = confirmation.waiting(person.app, person.user_id)
    assert [w.action_id for w in waiting] == [first.action_id]


def test_a_tick_in_the_title_confirms_a_block_once(person: Person) -> None:
    goal(person.app, person.user_id, "monthly-event")
    person.connect()
    report_ok(person.sync())
    first = person.blocks()[0]
    person.clock.now = first.start.astimezone(UTC) + timedelta(hours=3)  # it has ended
    report_ok(person.sync())
    person.rename(first, "✓ " + first.summary)
    report = person.sync()
    report_ok(report)
    assert report.confirmed == 1
    done = actions_of(person, ev.ACTION_DONE)
    assert [(d["action_id"], d["confirmed_via"]) for d in done] == [(first.action_id, "title")]
    for _ in range(2):
        report_ok(person.sync())
    assert len(actions_of(person, ev.ACTION_DONE)) == 1


def test_a_second_sync_with_nothing_changed_moves_and_writes_nothing(person: Person) -> None:
    goal(person.app, person.user_id, "weekly-outreach")
    person.connect()
    first = person.sync()
    report_ok(first)
    assert first.planned >= 8 and first.pushed == first.planned
    planned = person.blocks()
    for _ in range(2):
        again = person.sync()
        report_ok(again)
        assert (again.planned, again.moved, again.pushed) == (0, 0, 0)
    assert person.blocks() == planned
    assert actions_of(person, ev.ACTION_RESCHEDULED) == []


def test_a_meetup_counts_once_and_only_when_the_person_accepted_it(person: Person) -> None:
    goal(person.app, person.user_id, "monthly-event")
    person.connect()
    replies = ["ACCEPTED", "DECLINED", "TENTATIVE", "NEEDS-ACTION"]
    for day, partstat in enumerate(replies, start=20):
        person.invite(f"Meetup ({partstat})", datetime(2026, 11, day, 18, 0, tzinfo=BERLIN), partstat)
    for _ in range(3):
        report_ok(person.sync())
    done = actions_of(person, ev.ACTION_DONE)
    assert [d["title"] for d in done] == ["Meetup (ACCEPTED)"]


def test_a_declined_or_cancelled_meetup_takes_its_credit_back(person: Person) -> None:
    goal(person.app, person.user_id, "monthly-event")
    person.connect()
    first = person.invite("Python meetup", datetime(2026, 11, 25, 18, 0, tzinfo=BERLIN), "ACCEPTED")
    second = person.invite("Go meetup", datetime(2026, 11, 26, 18, 0, tzinfo=BERLIN), "ACCEPTED")
    report_ok(person.sync())
    assert len(done_keys(person.app, person.user_id)) == 2
    person.reply(first, "DECLINED")
    person.cancel(second)
    report = person.sync()
    report_ok(report)
    assert report.retracted == 2
    assert done_keys(person.app, person.user_id) == []
    report_ok(person.sync())
    assert len(actions_of(person, ev.ACTION_RETRACTED)) == 2  # not twice


def test_a_series_counts_each_attended_instance_once_across_a_dst_change(person: Person) -> None:
    goal(person.app, person.user_id, "monthly-event")
    person.connect()
    first = datetime(2026, 10, 6, 18, 0, tzinfo=BERLIN)  # weekly; summer time ends on 25 October
    series = person.recurring("Tuesday tech meetup", first, 5, excluded=1, moved=3)
    for _ in range(2):
        report_ok(person.sync())
    counted = actions_of(person, ev.ACTION_DONE)
    assert len(counted) == 4  # five instances, one excluded; the moved one counts at its new time
    person.exclude(series, first, 4)  # the person removes the last instance afterwards
    report = person.sync()
    report_ok(report)
    assert report.retracted == 1
    assert len(done_keys(person.app, person.user_id)) == 3
    report_ok(person.sync())
    assert len(actions_of(person, ev.ACTION_DONE)) == 4 and len(actions_of(person, ev.ACTION_RETRACTED)) == 1
