"""Pull: attended events become done actions; declines and cancellations retract them; the user's
moves and deletions of netgoals' blocks are respected; a full resync appends nothing twice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.event_types import events as ev
from domain.event_types.events import actions_stream
from service import google
from service.tracking import confirmation
from tests.google.conftest import ADA, World

BERLIN = ZoneInfo("Europe/Berlin")
MEETUP = datetime(2026, 11, 25, 18, 0, tzinfo=BERLIN)  # last Wednesday evening


def log_types(world: World) -> list[str]:
    return [e.type for e in world.app.store.read_stream(actions_stream(world.user_id))]


def monthly(world: World) -> tuple[int, int]:
    return world.progress()["Attend one networking event per month"]


def test_attend_decline_accept_cancel(world: World) -> None:
    world.goal("monthly-event")
    world.connect()
    event = world.invite("Python Meetup Berlin", MEETUP, "accepted", ["host@meetup.com", "eve@acme.io"])
    world.sync()
    assert monthly(world) == (1, 1)
    done = [e for e in world.app.store.read_stream(actions_stream(world.user_id)) if e.type == ev.ACTION_DONE]
    assert done[0].data["source"] == "google" and done[0].data["title"] == "Python Meetup Berlin"

    world.fake.set_response_status(ADA, event["id"], "declined")
    world.sync()
    assert monthly(world) == (0, 1)
    world.fake.set_response_status(ADA, event["id"], "accepted")
    world.sync()
    assert monthly(world) == (1, 1)
    world.fake.cancel_event(ADA, event["id"])
    world.sync()
    assert monthly(world) == (0, 1)
    assert log_types(world).count(ev.ACTION_RETRACTED) == 2


def test_unrelated_unaccepted_and_future_events_do_not_count_until_they_end(world: World) -> None:
    world.goal("monthly-event")
    world.connect()
    world.invite("Team sync", MEETUP, "accepted", ["boss@acme.io"])
    world.invite("Networking mixer", MEETUP, "needsAction", ["host@mixer.io"])
    world.invite("Tech conference", MEETUP + timedelta(days=1), "tentative", ["host@conf.io"])
    upcoming = datetime(2026, 12, 2, 18, 0, tzinfo=BERLIN)
    world.invite("Startup networking night", upcoming, "accepted", ["host@night.io"])
    world.sync()
    assert monthly(world) == (0, 1)
    world.clock.now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    world.sync()  # nothing changed in Google; the accepted event has ended since
    done = [
        e.data["title"]
        for e in world.app.store.read_stream(actions_stream(world.user_id))
        if e.type == ev.ACTION_DONE
    ]
    assert "Startup networking night" in done
    assert not {"Team sync", "Networking mixer", "Tech conference"} & set(done)


def test_one_event_counts_once_for_each_goal(world: World) -> None:
    mentor = world.contact("Grace", "grace@navy.mil")
    world.goal("monthly-event")
    world.goal("mentor", contact_ids=(mentor,), start=date(2026, 11, 1))
    world.connect()
    world.invite("Meetup with mentor", MEETUP, "accepted", ["grace@navy.mil", "bob@x.org"])
    world.sync()
    world.sync()
    progress = world.progress()
    assert progress["Attend one networking event per month"] == (1, 1)
    assert progress["Build a relationship with Grace (mentor)"] == (1, 6)
    done = [e for e in world.app.store.read_stream(actions_stream(world.user_id)) if e.type == ev.ACTION_DONE]
    assert sorted(e.data["kind"] for e in done) == ["attend-event", "meet-mentor"]
    assert all(e.data["contact_ids"] == [mentor] for e in done)


def test_full_resync_after_410_appends_nothing(world: World) -> None:
    world.goal("monthly-event")
    world.connect()
    world.invite("Meetup", MEETUP, "accepted", ["host@x.org"])
    world.sync()
    before = world.app.store.head_position()
    world.fake.expire_sync_tokens(ADA, "primary")
    world.fake.expire_sync_tokens(ADA, world.goals_calendar())
    report = world.sync()
    assert report.error is None
    assert report.changes_seen >= 1  # the full sync did read the calendars again
    assert world.app.store.head_position() == before
    assert monthly(world) == (1, 1)


def test_user_moves_and_deletes_our_blocks(world: World) -> None:
    world.goal("weekly-outreach")
    world.connect()
    world.sync()
    world.sync()  # pulls our own inserts back
    blocks = sorted(world.our_events(), key=lambda e: e["start"]["dateTime"])
    first, second = blocks[0], blocks[1]
    moved_to = datetime(2026, 12, 1, 17, 0, tzinfo=BERLIN)  # outside the preferred hours: their choice
    world.fake.move_event(ADA, first["id"], start=moved_to, calendar_id=world.goals_calendar())
    world.fake.delete_event(ADA, second["id"], calendar_id=world.goals_calendar())
    report = world.sync()
    assert (report.rescheduled, report.skipped) == (1, 1)
    world.add_event("Busy now", moved_to, 60)  # even a new busy event does not move the user's time
    for _ in range(2):
        report = world.sync()
        assert report.error is None
    kept = world.fake.get_event(ADA, first["id"], calendar_id=world.goals_calendar())
    assert datetime.fromisoformat(kept["start"]["dateTime"]) == moved_to
    gone = world.fake.get_event(ADA, second["id"], calendar_id=world.goals_calendar())
    assert gone["status"] == "cancelled"  # not recreated
    types = log_types(world)
    assert types.count(ev.ACTION_SKIPPED) == 1 and types.count(ev.ACTION_RESCHEDULED) == 1
    # the moved block has passed: it waits to be confirmed (passing alone counts nothing)
    world.clock.now = moved_to.astimezone(UTC) + timedelta(hours=1)
    world.sync()
    assert not any(
        e.type == ev.ACTION_DONE for e in world.app.store.read_stream(actions_stream(world.user_id))
    )
    waiting = confirmation.waiting(world.app, world.user_id)
    assert [w.action_id for w in waiting] == [first["extendedProperties"]["private"]["netgoals_action"]]


def test_a_new_busy_event_moves_a_block_and_a_met_target_removes_the_rest(world: World) -> None:
    world.goal("monthly-event")
    world.connect()
    world.sync()
    december = [e for e in world.our_events() if e["start"]["dateTime"].startswith("2026-12")]
    assert len(december) == 1
    block = december[0]
    start = datetime.fromisoformat(block["start"]["dateTime"])
    world.add_event("Dinner", start, 180)
    report = world.sync()
    assert report.moved == 1
    moved = world.fake.get_event(ADA, block["id"], calendar_id=world.goals_calendar())
    assert datetime.fromisoformat(moved["start"]["dateTime"]) >= start + timedelta(hours=3)
    # December's target is met by another event: the planned block is removed
    world.clock.now = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
    world.invite("Meetup", datetime(2026, 12, 1, 18, 0, tzinfo=BERLIN), "accepted", ["host@x.org"])
    world.sync()
    assert world.fake.get_event(ADA, block["id"], calendar_id=world.goals_calendar())["status"] == "cancelled"


def test_pausing_a_goal_removes_its_future_blocks(world: World) -> None:
    from service.tracking import goals

    goal_id = world.goal("weekly-outreach")
    world.connect()
    world.sync()
    assert len(world.our_events()) == 8
    goals.pause_goal(world.app, world.user_id, goal_id)
    report = world.sync()
    assert report.removed == 8
    assert world.our_events() == []


def test_deleted_calendar_is_recreated_and_the_user_told(world: World) -> None:
    world.goal("weekly-outreach")
    world.connect()
    world.sync()
    old = world.goals_calendar()
    with world.fake._lock:
        del world.fake._users[ADA].calendars[old]
    world.goal("monthly-event")  # something new to push
    report = world.sync()
    assert report.error is None, report.error
    assert world.goals_calendar() != old
    assert "created it again" in (google.status(world.app, world.user_id).detail or "")
    assert len(world.our_events()) >= 8
