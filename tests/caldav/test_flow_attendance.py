"""The provider contract end to end, through the use cases (what counts; netgoals' blocks are in
test_flow_blocks.py): the same person, the same steps, on
Google's fake, Radicale, Xandikos and Radicale behind the quirks proxy. netgoals plans into the
person's calendar; they move, delete, rename and ✓ its blocks, get invited and reply, cancel; every
sync respects what they did and counts each happening once.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from domain.event_types import events as ev
from tests.caldav.flow import (  # noqa: F401 - the fixtures
    BERLIN,
    actions_of,
    person_fixture,
    radicale_flow_server,
    xandikos_flow_server,
)
from tests.caldav.people import NO_FORGETTING, NO_MOVED_INSTANCE, Person, done_keys, goal, report_ok
from tests.google.conftest import fake, make_world  # noqa: F401 - the Google fixtures


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


@pytest.mark.not_on("google", reason=NO_MOVED_INSTANCE)
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


@pytest.mark.not_on("xandikos", reason=NO_FORGETTING)
def test_a_forgotten_sync_token_rereads_everything_and_counts_nothing_twice(person: Person) -> None:
    goal(person.app, person.user_id, "monthly-event")
    person.connect()
    person.invite("Python meetup", datetime(2026, 11, 25, 18, 0, tzinfo=BERLIN), "ACCEPTED")
    report_ok(person.sync())
    counted = done_keys(person.app, person.user_id)
    assert len(counted) == 1
    person.forget_sync_token()
    person.invite("Go meetup", datetime(2026, 11, 26, 18, 0, tzinfo=BERLIN), "ACCEPTED")
    for _ in range(2):
        report_ok(person.sync())
    assert sorted(str(d["title"]) for d in actions_of(person, ev.ACTION_DONE)) == [
        "Go meetup",
        "Python meetup",
    ]
    assert actions_of(person, ev.ACTION_RETRACTED) == []
