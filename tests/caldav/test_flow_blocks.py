"""The provider contract end to end, through the use cases (netgoals' blocks; attendance is in
test_flow_attendance.py): the same person, the same steps, on
Google's fake, Radicale, Xandikos and Radicale behind the quirks proxy. netgoals plans into the
person's calendar; they move, delete, rename and ✓ its blocks, get invited and reply, cancel; every
sync respects what they did and counts each happening once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain import events as ev
from service import confirmation
from tests.caldav.flow import (  # noqa: F401 - the fixtures
    BERLIN,
    actions_of,
    person_fixture,
    radicale_flow_server,
    xandikos_flow_server,
)
from tests.caldav.people import Person, done_keys, goal, report_ok
from tests.google.conftest import fake, make_world  # noqa: F401 - the Google fixtures


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
