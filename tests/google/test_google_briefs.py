"""Meetings from Google Calendar for briefs (issue 28), against the fake: a meeting with someone the
network knows is kept even when it counts for no goal, gets a brief while the person is going (an
unanswered invitation too), none once declined or cancelled; it counts nothing; the day after, the
list nudges a follow-up and the attendees who are not contacts can be added once."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.event_types import events as ev
from domain.event_types.events import actions_stream
from service.people import next_actions
from tests.google.conftest import ADA, World

BERLIN = ZoneInfo("Europe/Berlin")
SYNC_AT = datetime(2026, 11, 29, 11, 0, tzinfo=BERLIN)  # Sunday, the day after the world's NOW


def _titles(world: World) -> list[str]:
    return [b.meeting.title for b in next_actions.briefs(world.app, world.user_id)]


def test_a_google_meeting_with_someone_known_gets_a_brief_and_a_nudge(world: World) -> None:
    world.goal("monthly-event")
    world.contact("Cy Moss", "cy@moss.org")
    world.connect()
    sync = world.invite("Project meetup", SYNC_AT, "needsAction", ["cy@moss.org", "zoe@studio.io"])
    world.invite("Dentist", SYNC_AT + timedelta(hours=3), "accepted", ["desk@teeth.org"])
    declined = world.invite("Budget review", SYNC_AT + timedelta(hours=5), "declined", ["cy@moss.org"])
    world.sync()
    assert _titles(world) == ["Project meetup"]
    [brief] = next_actions.briefs(world.app, world.user_id)
    assert brief.when == "tomorrow at 11:00" and brief.new_people == ("zoe@studio.io",)
    assert [p.name for p in brief.people] == ["Cy Moss"]
    assert brief.serves == ("Attend one networking event per month",)  # the goal's rule matched it
    done = [e for e in world.app.store.read_stream(actions_stream(world.user_id)) if e.type == ev.ACTION_DONE]
    assert done == []  # nothing counts before it happens (and the budget review counts for nothing)

    world.fake.set_response_status(ADA, declined["id"], "accepted")
    world.sync()
    assert _titles(world) == ["Project meetup", "Budget review"]
    world.fake.cancel_event(ADA, declined["id"])
    world.sync()
    assert _titles(world) == ["Project meetup"]

    world.fake.set_response_status(ADA, sync["id"], "accepted")
    world.sync()
    world.clock.now = SYNC_AT + timedelta(days=1)  # the day after
    items = next_actions.next_items(world.app, world.user_id)
    assert items[0].kind == "after-meeting" and items[0].reason == (
        "“Project meetup” was yesterday at 11:00: follow up with Cy Moss, add the 1 new person you met, "
        "note what you promised."
    )
    added = next_actions.add_people(world.app, world.user_id, str(items[0].meeting_id))
    assert [name for name, _ in added] == ["Zoe"]
    assert next_actions.add_people(world.app, world.user_id, str(items[0].meeting_id)) == []
