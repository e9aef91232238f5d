"""What the model test (tests/model/) found, each as a plain test that reproduces it directly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy import Engine

from domain.calendars.confirmation import title_says_done
from domain.decisions import ContactSpec
from domain.event_types import events as ev
from domain.event_types.events import Event
from service.access import users
from service.app import App
from service.operations import archive
from service.people import contacts
from service.tracking import actions, confirmation
from tests.google.conftest import World


def test_netgoals_own_check_mark_is_not_read_back_as_done_when_the_evidence_is_retracted(
    world: World,
) -> None:
    """A block fulfilled by a logged meetup shows "✓" in Google. The person retracts the meetup (a
    wrong entry): the block waits again — and the next pull must not take the ✓ netgoals wrote as the
    person's "done" (it did: the retracted meetup kept counting, as a confirmation nobody gave)."""
    block = _first_monthly_event_block(world)
    world.clock.now = block.end + timedelta(hours=1)
    meetup = actions.log_action(world.app, world.user_id, "attend-event", block.start - timedelta(hours=2))
    world.sync()  # the meetup fulfils the block; Google shows it done
    assert title_says_done(_shown(world, block.action_id)["summary"])

    actions.retract_action(world.app, world.user_id, meetup)
    world.sync()
    world.sync()

    found = confirmation.ledger(world.app, world.user_id).blocks[block.action_id]
    assert found.outcome is None, f"the block became {found.outcome} (via {found.confirmed_via}) on its own"
    assert world.progress()["Attend one networking event per month"] == (0, 1)
    assert not title_says_done(
        _shown(world, block.action_id)["summary"]
    )  # and Google no longer shows it done


def test_a_confirmed_block_still_counts_when_the_evidence_it_was_merged_with_is_retracted(
    world: World,
) -> None:
    """README: "a block you confirmed and an attended event on the same day are one happening, so
    the confirmation is retracted in favour of the event (counted once)". When that event turns out
    wrong and is retracted, the happening the person confirmed still happened: it must count."""
    block = _first_monthly_event_block(world)
    world.clock.now = block.end + timedelta(hours=1)
    confirmation.confirm(world.app, world.user_id, block.action_id, "done", "dashboard")
    assert world.progress()["Attend one networking event per month"] == (1, 1)
    same_day = actions.log_action(world.app, world.user_id, "attend-event", block.start - timedelta(hours=1))
    confirmation.sweep(world.app, world.user_id)  # one happening: the confirmation gives way
    assert world.progress()["Attend one networking event per month"] == (1, 1)

    actions.retract_action(world.app, world.user_id, same_day)
    confirmation.sweep(world.app, world.user_id)

    assert world.progress()["Attend one networking event per month"] == (1, 1)
    # Exactly once: another sweep, a re-read calendar, the same answer again, a rebuild.
    world.clock.now += timedelta(minutes=5)
    assert confirmation.sweep(world.app, world.user_id) == []
    world.sync()
    world.sync()
    again = confirmation.confirm(world.app, world.user_id, block.action_id, "done", "dashboard")
    assert (again.state, again.changed) == ("done", False)
    assert title_says_done(_shown(world, block.action_id)["summary"])
    archive.rebuild(world.app)
    assert world.progress()["Attend one networking event per month"] == (1, 1)


def test_a_restored_confirmation_merges_with_new_evidence_and_comes_back_when_that_goes_too(
    world: World,
) -> None:
    """The restored confirmation is the person's word like the first: evidence on its day is again
    one happening with it (counted once), and retracting that evidence restores it again."""
    block = _first_monthly_event_block(world)
    world.clock.now = block.end + timedelta(hours=1)
    confirmation.confirm(world.app, world.user_id, block.action_id, "done", "dashboard")
    counted = "Attend one networking event per month"
    for hours in (1, 2):
        evidence = actions.log_action(
            world.app, world.user_id, "attend-event", block.start - timedelta(hours=hours)
        )
        confirmation.sweep(world.app, world.user_id)
        assert confirmation.ledger(world.app, world.user_id).blocks[block.action_id].outcome == "fulfilled"
        assert world.progress()[counted] == (1, 1)
        actions.retract_action(world.app, world.user_id, evidence)
        confirmation.sweep(world.app, world.user_id)
        assert confirmation.ledger(world.app, world.user_id).blocks[block.action_id].outcome == "done"
        assert world.progress()[counted] == (1, 1)
    archive.rebuild(world.app)
    assert world.progress()[counted] == (1, 1)


def _first_monthly_event_block(world: World) -> Any:
    """A monthly-event goal planned into the connected calendar: its first block."""
    goal_id = world.goal("monthly-event")
    world.connect()
    world.sync()
    return min(
        (b for b in confirmation.ledger(world.app, world.user_id).blocks.values() if b.goal_id == goal_id),
        key=lambda b: b.start,
    )


def _shown(world: World, action_id: str) -> dict[str, Any]:
    """Our block as Google shows it."""
    return next(
        e for e in world.our_events() if e["extendedProperties"]["private"]["netgoals_action"] == action_id
    )


def test_a_credit_moved_in_one_batch_is_one_interaction_as_after_a_rebuild(
    engine: Engine, make_app: Callable[[Engine], App]
) -> None:
    """A moved calendar event appends, together, the retraction of its old credit and a new one.
    The contact's interactions counted the new action twice (the retraction recounted the index,
    which already held it, then the new action added itself), so a rebuild disagreed: 2 vs 1."""
    app = make_app(engine)
    user_id = users.register(app, "me", "Europe/Berlin").user_id
    ada = contacts.add_contact(app, user_id, ContactSpec(name="Ada"))
    old = actions.log_action(app, user_id, "reach-out", app.now() - timedelta(days=2), contact_ids=(ada,))
    moved_to = (app.now() - timedelta(days=1)).isoformat()
    new = {
        "action_id": str(uuid4()),
        "kind": "reach-out",
        "at": moved_to,
        "contact_ids": [ada],
        "source": "google",
    }
    retracted = {"action_id": old, "reason": "moved in the calendar", "at": app.now().isoformat()}
    app.append_actions(user_id, [Event(ev.ACTION_RETRACTED, retracted), Event(ev.ACTION_DONE, new)])

    def interactions() -> int:
        [(_, seen)] = contacts.list_contacts(app, user_id)
        return seen.count

    assert interactions() == 1
    archive.rebuild(app)
    assert interactions() == 1
