"""The provider contract end to end, through the use cases (netgoals' blocks; attendance is in
test_flow_attendance.py): the same person, the same steps, on
Google's fake, Radicale, Xandikos and Radicale behind the quirks proxy. netgoals plans into the
person's calendar; they move, delete, rename and ✓ its blocks, get invited and reply, cancel; every
sync respects what they did and counts each happening once.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from domain.event_types import events as ev
from service.google.report import Report
from service.tracking import confirmation
from tests.caldav.applicability import not_applicable
from tests.caldav.flow import (  # noqa: F401 - the fixtures
    BERLIN,
    actions_of,
    person_fixture,
    radicale_flow_server,
    xandikos_flow_server,
)
from tests.caldav.people import CaldavPerson, Person, done_keys, goal, report_ok
from tests.google.conftest import fake, make_world  # noqa: F401 - the Google fixtures

HOLDS = "only the quirks proxy can hold netgoals' write while the person edits"


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


@pytest.mark.not_on("google", "radicale", "xandikos", reason=HOLDS)
def test_the_persons_edit_racing_netgoals_write_is_kept(person: Person) -> None:
    if not isinstance(person, CaldavPerson):
        not_applicable("google", HOLDS)
    if person.proxy is None:
        not_applicable(person.server.name, HOLDS)
    goal(person.app, person.user_id, "weekly-outreach")
    person.connect()
    report_ok(person.sync())
    report_ok(person.sync())
    target = person.blocks()[0]
    person.busy("Dentist", target.start, 60)  # netgoals will want to move this block
    held = person.proxy.hold("PUT", 1, containing=target.action_id.encode())
    reports: list[Report] = []
    syncing = threading.Thread(target=lambda: reports.append(person.sync()))
    syncing.start()
    assert held.arrived.wait(30), "netgoals did not write the block"
    person.rename(target, "Coffee with Bo (mine)")  # between netgoals' read and its write
    held.release.set()
    syncing.join(60)
    report_ok(reports[0])
    for _ in range(2):
        report_ok(person.sync())
    (kept,) = [b for b in person.blocks() if b.action_id == target.action_id]
    name = urlsplit(target.ref).path.rsplit("/", 1)[1]
    writes = [s.status for s in person.proxy.seen("PUT") if s.path.endswith(name)]
    assert 412 in writes, f"the race did not happen: {writes}"
    assert kept.summary == "Coffee with Bo (mine)", f"netgoals overwrote the edit after a 412: {writes}"
