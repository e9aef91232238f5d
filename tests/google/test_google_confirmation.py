"""Against the fake Google Calendar: a planned block that passes is not done; a matching attended
event that day fulfils it once and the block names it; ✓ in its title confirms it; a week without an
answer skips it and the planner makes up for it while the period is open."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.event_types import events as ev
from domain.event_types.events import NewEvent, actions_stream
from integrations.storage import calendar_store as store
from integrations.storage.database import read_transaction, write_transaction
from integrations.storage.event_store import StreamAppend
from service.access import credentials
from service.google.ids import derived_id
from service.tracking import confirmation
from service.tracking.confirm_links import Links
from tests.google.conftest import ADA, World

MONTHLY = "Attend one networking event per month"


def log(world: World) -> list[Any]:
    return world.app.store.read_stream(actions_stream(world.user_id))


def blocks(world: World) -> list[dict[str, Any]]:
    return sorted(world.our_events(), key=lambda e: e["start"]["dateTime"])


def start_of(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["start"]["dateTime"])


def end_of(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["end"]["dateTime"])


def action_of(event: dict[str, Any]) -> str:
    return str(event["extendedProperties"]["private"]["netgoals_action"])


def planned_world(world: World) -> dict[str, Any]:
    world.goal("monthly-event")
    world.connect()
    world.sync()
    first = blocks(world)[0]
    assert start_of(first).month == 11  # this month's block, Monday evening
    return first


def test_a_passed_block_is_not_done_and_asks_with_signed_links(world: World) -> None:
    block = planned_world(world)
    assert "Did it happen?" not in block["description"]  # no question before it happened
    world.clock.now = end_of(block).astimezone(UTC) + timedelta(hours=1)
    world.sync()
    assert not [e for e in log(world) if e.type == ev.ACTION_DONE]
    assert world.progress()[MONTHLY] == (0, 1)
    assert [w.action_id for w in confirmation.waiting(world.app, world.user_id)] == [action_of(block)]
    shown = world.fake.get_event(ADA, block["id"], calendar_id=world.goals_calendar())
    assert "Did it happen?" in shown["description"]
    assert shown["description"].count("http://127.0.0.1:8000/confirm/") == 2  # Done, Didn't happen
    assert not shown["summary"].startswith("✓")


def test_a_matching_attended_event_that_day_fulfils_the_block_once_and_is_named(world: World) -> None:
    block = planned_world(world)
    day_start = start_of(block).replace(hour=12, minute=0)
    world.invite("Python Meetup Berlin", day_start, "accepted", ["host@meetup.com"])
    world.clock.now = end_of(block).astimezone(UTC) + timedelta(hours=1)
    world.sync()
    world.sync()
    fulfilled = [e for e in log(world) if e.type == ev.ACTION_FULFILLED]
    assert len(fulfilled) == 1
    assert fulfilled[0].data["action_id"] == action_of(block)
    assert fulfilled[0].data["title"] == "Python Meetup Berlin"
    done = [e for e in log(world) if e.type == ev.ACTION_DONE]
    assert [d.data["title"] for d in done] == ["Python Meetup Berlin"]  # the block adds nothing
    assert fulfilled[0].data["by"] == done[0].data["action_id"]
    assert world.progress()[MONTHLY] == (1, 1)
    shown = world.fake.get_event(ADA, block["id"], calendar_id=world.goals_calendar())
    assert "Fulfilled by Python Meetup Berlin" in shown["description"]
    assert "/confirm/" not in shown["description"]
    assert shown["summary"].startswith("✓ ")
    assert confirmation.waiting(world.app, world.user_id) == []


def test_a_check_mark_in_the_title_confirms_it(world: World) -> None:
    block = planned_world(world)
    world.clock.now = end_of(block).astimezone(UTC) + timedelta(hours=1)
    world.sync()
    world.fake.update_event(
        ADA, block["id"], {"summary": "✓ " + block["summary"]}, calendar_id=world.goals_calendar()
    )
    report = world.sync()
    assert report.confirmed == 1
    with read_transaction(world.app.engine) as connection:
        run = store.sync_run(connection, world.user_id)
    assert run is not None  # what `netgoals status` and the API show: the done is counted
    assert (run.changes["done"], run.changes["confirmed"]) == (1, 1)
    done = [e for e in log(world) if e.type == ev.ACTION_DONE]
    assert [(d.data["action_id"], d.data["confirmed_via"]) for d in done] == [(action_of(block), "title")]
    assert world.progress()[MONTHLY] == (1, 1)
    world.sync()
    assert len([e for e in log(world) if e.type == ev.ACTION_DONE]) == 1
    shown = world.fake.get_event(ADA, block["id"], calendar_id=world.goals_calendar())
    assert "Done: you confirmed it (with ✓ in its title)." in shown["description"]


def test_a_week_without_an_answer_skips_it_and_the_open_period_gets_another_chance(world: World) -> None:
    planned_world(world)
    december = next(b for b in blocks(world) if start_of(b).month == 12)
    world.clock.now = end_of(december).astimezone(UTC) + timedelta(days=6)
    world.sync()
    skipped_ids = {e.data["action_id"] for e in log(world) if e.type == ev.ACTION_SKIPPED}
    assert action_of(december) not in skipped_ids  # still waiting (November's week is over)
    world.clock.now = end_of(december).astimezone(UTC) + timedelta(days=7, minutes=1)
    report = world.sync()
    skipped = [e.data for e in log(world) if e.type == ev.ACTION_SKIPPED]
    assert {s["reason"] for s in skipped} == {"not confirmed"}
    assert action_of(december) in {s["action_id"] for s in skipped}
    assert report.not_confirmed == 1 and len(skipped) == 2  # November's block a day before
    again = [
        e.data
        for e in log(world)
        if e.type == ev.ACTION_PLANNED
        and datetime.fromisoformat(e.data["start"]).month == 12
        and datetime.fromisoformat(e.data["start"]) > world.clock.now
    ]
    assert len(again) == 1  # December is still open: one more chance; November is over: none
    assert not [e for e in log(world) if e.type == ev.ACTION_DONE]  # time marked nothing done
    shown = world.fake.get_event(ADA, december["id"], calendar_id=world.goals_calendar())
    assert "Skipped: not confirmed within a week" in shown["description"]


def test_a_block_counted_by_the_old_rule_keeps_counting_through_a_full_resync(world: World) -> None:
    block = planned_world(world)
    world.clock.now = end_of(block).astimezone(UTC) + timedelta(hours=1)
    action_id, at = action_of(block), start_of(block).isoformat()
    key = f"{world.goals_calendar()}/{block['id']}/"
    done = {"action_id": action_id, "kind": "attend-event", "at": at, "contact_ids": [], "title": None}
    facts = {"kinds": ["attend-event"], "at": at, "own": action_id, "attended": True, "contact_ids": []}
    with write_transaction(world.app.engine) as connection:  # what a pull wrote before the upgrade
        store.save_occurrence(
            connection,
            world.user_id,
            store.Occurrence(key, "goals", None, facts, {"attend-event": [action_id, at]}, 1, stored=False),
        )
        world.app.store.append_in(
            connection,
            StreamAppend(
                actions_stream(world.user_id),
                None,
                [NewEvent(derived_id(f"{action_id}/done"), ev.ACTION_DONE, {**done, "source": "google"})],
            ),
        )
    world.app.projection.catch_up()
    world.fake.expire_sync_tokens(ADA, world.goals_calendar())
    world.sync()  # a full resync sees the block again: its old count stands
    assert world.progress()[MONTHLY] == (1, 1)
    assert not [e for e in log(world) if e.type == ev.ACTION_RETRACTED]
    assert confirmation.waiting(world.app, world.user_id) == []
    world.fake.cancel_event(ADA, block["id"], calendar_id=world.goals_calendar())
    world.sync()  # cancelled afterwards: retracted, as it always was
    assert world.progress()[MONTHLY] == (0, 1)


def test_a_mentor_block_carries_the_mentor_and_a_check_mark_counts_it_for_the_goal(world: World) -> None:
    """Issue 22, item 1: the confirmed block named nobody, so the mentor goal never counted it."""
    mentor = world.contact("Grace", "grace@navy.mil")
    world.goal("mentor", contact_ids=(mentor,))
    world.connect()
    world.sync()
    block = blocks(world)[0]
    [planned] = [
        e for e in log(world) if e.type == ev.ACTION_PLANNED and e.data["action_id"] == action_of(block)
    ][:1]
    assert planned.data["contact_ids"] == [mentor]
    world.clock.now = end_of(block).astimezone(UTC) + timedelta(hours=1)
    world.sync()
    world.fake.update_event(
        ADA, block["id"], {"summary": "✓ " + block["summary"]}, calendar_id=world.goals_calendar()
    )
    assert world.sync().confirmed == 1
    assert world.progress()["Build a relationship with Grace (mentor)"] == (1, 6)


def test_rotating_everything_gives_the_blocks_in_google_new_links(world: World) -> None:
    """The Done / Didn't happen links in a block's description stop working when the person rotates
    everything; the next sync writes working ones in their place."""
    block = planned_world(world)
    world.clock.now = end_of(block).astimezone(UTC) + timedelta(hours=1)
    world.sync()
    links = Links.open(world.google.settings)
    assert links is not None

    def tokens() -> list[str]:
        shown = world.fake.get_event(ADA, block["id"], calendar_id=world.goals_calendar())
        return re.findall(r"http://127\.0\.0\.1:8000/confirm/([\w.-]+)", shown["description"])

    old = tokens()
    assert len(old) == 2
    world.clock.now += timedelta(seconds=2)
    credentials.rotate_everything(world.app, world.google.settings, world.user_id)
    assert all(
        credentials.links_revoked(world.app, world.user_id, links.verify(t, world.clock.now).issued_at)
        for t in old
    )
    world.sync()
    new = tokens()
    assert len(new) == 2 and not set(new) & set(old)
    for token in new:
        claim = links.verify(token, world.clock.now)
        assert claim.action_id == action_of(block)
        assert not credentials.links_revoked(world.app, world.user_id, claim.issued_at)
