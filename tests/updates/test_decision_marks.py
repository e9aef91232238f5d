"""Invariant 12 (work follows change) and 13 (each delivery once, however slow the mail server), on
both engines: a change marks its person in its own transaction, an update fact does not, the tick
claims only the marked or due, a decision settles the mark at the next time-driven moment, a change
during a decision keeps the mark due, a delivery batch slower than its lease sends each message
once over one connection, and one out of time hands the rest back for the next tick."""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import text

from domain.event_types import events as ev
from domain.event_types.events import NewEvent, actions_stream
from integrations.storage import decision_marks, update_store
from integrations.storage.database import read_transaction, write_transaction
from integrations.storage.event_store import StreamAppend
from service.settings import Settings
from service.tracking import actions
from service.updates.deliver import deliver_batch, deliver_due, row_for_test
from service.updates.marked import claim_marked, decide_marked, decide_one
from tests.updates.conftest import World, choose_email


def _mark(world: World) -> tuple[float, int] | None:
    with read_transaction(world.app.engine) as connection:
        return decision_marks.mark_of(connection, world.user_id)


def _settle_everyone(world: World) -> None:
    users = claim_marked(world.app, 60, 1000)
    decide_marked(world.app, world.ctx, users, budget_seconds=60)


def test_a_change_marks_its_person_in_its_own_transaction_and_an_update_fact_does_not(world: World) -> None:
    _settle_everyone(world)
    settled = _mark(world)
    assert settled is not None and settled[0] > world.clock.now.timestamp()  # nobody due: nothing changed

    # A transaction that rolls back leaves no mark behind.
    def append_then_fail() -> None:
        with write_transaction(world.app.engine) as connection:
            data = {"kind": "coffee-chat", "at": world.clock.now.isoformat()}
            fact = NewEvent(uuid4(), ev.ACTION_DONE, data)
            world.app.store.append_in(connection, StreamAppend(actions_stream(world.user_id), None, [fact]))
            raise RuntimeError("the caller fails after appending")

    with pytest.raises(RuntimeError):
        append_then_fail()
    assert _mark(world) == settled

    # An update fact is the decision itself: it marks nobody (else deciding would decide again).
    told = NewEvent(uuid4(), ev.UPDATE_DELIVERED, {"delivery_id": "d", "key": "k", "kind": "test"})
    world.app.store.append(StreamAppend(actions_stream(world.user_id), None, [told]))
    assert _mark(world) == settled

    actions.log_action(world.app, world.user_id, "attend-event", world.clock.now - timedelta(hours=1))
    due_at, version = _mark(world) or (None, None)
    assert due_at == decision_marks.CHANGED and version == settled[1] + 1
    assert claim_marked(world.app, 60, 1000) == [world.user_id]
    assert claim_marked(world.app, 60, 1000) == []  # held by the first claim


def test_a_quiet_tick_claims_nobody_and_a_person_is_due_again_at_the_next_local_midnight(
    world: World,
) -> None:
    choose_email(world.app, world.ctx, world.smtp.box, world.user_id, "ada@example.org")
    _settle_everyone(world)
    assert claim_marked(world.app, 60, 1000) == []
    due_at, _ = _mark(world) or (0.0, 0)
    # Wednesday 25 November, 11:00 in Berlin: the next judgement is at Berlin's midnight.
    assert datetime.fromtimestamp(due_at, world.clock.now.tzinfo) == datetime.fromisoformat(
        "2026-11-25T23:00:00+00:00"
    )
    world.clock.now = datetime.fromtimestamp(due_at, world.clock.now.tzinfo)
    assert claim_marked(world.app, 60, 1000) == [world.user_id]


def test_a_change_while_deciding_keeps_the_mark_due(world: World) -> None:
    choose_email(world.app, world.ctx, world.smtp.box, world.user_id, "ada@example.org")
    with read_transaction(world.app.engine) as connection:
        found = decision_marks.mark_of(connection, world.user_id)
    assert found is not None
    before = decision_marks.Mark(world.user_id, found[1])
    actions.log_action(world.app, world.user_id, "attend-event", world.clock.now - timedelta(hours=1))
    with write_transaction(world.app.engine) as connection:
        assert not decision_marks.settle(connection, before, world.clock.now.timestamp() + 3600)
    assert (_mark(world) or (None,))[0] == decision_marks.CHANGED
    decide_one(world.app, world.ctx, world.user_id)
    assert (_mark(world) or (0.0,))[0] > world.clock.now.timestamp()


def test_a_batch_out_of_time_leaves_the_rest_due_for_the_next_tick(world: World) -> None:
    users = claim_marked(world.app, 0.5, 1000)
    assert users == [world.user_id]
    decided = decide_marked(world.app, world.ctx, users, budget_seconds=-1)  # out of time at once
    assert (decided.users, decided.left) == (0, 1)
    assert (_mark(world) or (None,))[0] == decision_marks.CHANGED
    world.clock.now += timedelta(seconds=1)  # the short claim runs out
    assert claim_marked(world.app, 60, 1000) == [world.user_id]


@pytest.mark.parametrize("first_sender", ["batch", "due"])
def test_a_batch_slower_than_its_lease_sends_each_delivery_once_over_one_connection(
    world: World, first_sender: str
) -> None:
    """Two senders get the same batch (a tick handed it out twice, or a task was redelivered; or a
    person's "send now", `deliver_due`, and then the tick's batch), the second once a lease taken
    for the whole batch would have run out: the server takes longer over the batch than the lease
    lasts. Each row is claimed as it is sent, so none is sent twice."""
    choose_email(world.app, world.ctx, world.smtp.box, world.user_id, "ada@example.org")
    world.smtp.box.peers.clear()  # the confirmation mail's connection
    lease = 0.6
    ctx = dataclasses.replace(
        world.ctx, settings=Settings(**{**world.ctx.settings.model_dump(), "update_lease_seconds": lease})
    )
    world.smtp.box.delay = 0.25
    now = world.clock.now.timestamp()
    rows = [row_for_test(world.user_id, "email", now) for _ in range(6)]
    with write_transaction(world.app.engine) as connection:
        update_store.insert_new(connection, rows)
    ids = [r["delivery_id"] for r in rows]
    # The clock moves as the wall clock does, so leases really run out while the batch is sent.
    started = datetime.now().timestamp()
    base = world.clock.now
    world.app.clock = lambda: base + timedelta(seconds=datetime.now().timestamp() - started)  # type: ignore[misc]

    outcomes: list[int] = []

    def first() -> None:
        if first_sender == "due":
            outcomes.append(len(deliver_due(world.app, ctx, world.user_id)))
        else:
            outcomes.append(len(deliver_batch(world.app, ctx, ids).sent))

    senders = [
        threading.Thread(target=first),
        threading.Thread(target=lambda: outcomes.append(len(deliver_batch(world.app, ctx, ids).sent))),
    ]
    senders[0].start()
    time.sleep(lease + 0.2)  # the second comes once the first's lease on a whole batch would be over
    senders[1].start()
    for sender in senders:
        sender.join(30)
    box = world.smtp.box
    assert box.delay * len(ids) > lease  # the batch outlasts one lease
    ids_sent = [m["X-Netgoals-Delivery"] for m in box.messages]
    assert sorted(ids_sent) == sorted(ids), ids_sent  # each once
    assert sum(outcomes) == len(ids)
    assert len(set(box.peers)) <= 2  # one connection per batch, not one per message
    with read_transaction(world.app.engine) as connection:
        states = connection.execute(
            text("SELECT state, count(*) FROM update_deliveries WHERE kind = 'test' GROUP BY state")
        ).all()
    assert dict(states) == {"delivered": len(ids)}


def test_a_delivery_batch_out_of_time_hands_the_rest_back_and_each_is_sent_once(world: World) -> None:
    """Celery's threads pool enforces no time limit, so a batch stops itself: no send starts after
    its budget, and the rows it did not reach are handed back unclaimed. The next tick hands out
    exactly those (what was sent is settled) and each delivery goes out once."""
    choose_email(world.app, world.ctx, world.smtp.box, world.user_id, "ada@example.org")
    world.smtp.box.messages.clear()  # the confirmation mail
    world.smtp.box.delay = 0.2
    now = world.clock.now.timestamp()
    rows = [row_for_test(world.user_id, "email", now - 1 + i / 1000) for i in range(6)]  # due, in order
    with write_transaction(world.app.engine) as connection:
        update_store.insert_new(connection, rows)
        handed = [d for d, _kind in update_store.hand_out(connection, now, 600.0, 100)]
    ids = [r["delivery_id"] for r in rows]
    assert sorted(handed) == sorted(ids)

    first = deliver_batch(world.app, world.ctx, ids, budget_seconds=0.3)  # two sends' time, about
    assert 1 <= len(first.sent) < len(ids) and first.left == len(ids) - len(first.sent)
    rest = ids[len(first.sent) :]
    with write_transaction(world.app.engine) as connection:  # the next tick, long before the hold ends
        again = [d for d, _kind in update_store.hand_out(connection, now, 600.0, 100)]
    assert again == rest
    second = deliver_batch(world.app, world.ctx, again)
    assert (len(second.sent), second.left) == (len(rest), 0)
    sent = [m["X-Netgoals-Delivery"] for m in world.smtp.box.messages]
    assert sorted(sent) == sorted(ids), sent  # each once
    with read_transaction(world.app.engine) as connection:
        states = connection.execute(
            text("SELECT state, count(*) FROM update_deliveries WHERE kind = 'test' GROUP BY state")
        ).all()
    assert dict(states) == {"delivered": len(ids)}


def test_a_send_now_out_of_time_leaves_its_deliveries_due(world: World) -> None:
    """The deliver-now task (`deliver_due`, one person's) stops the same way: nothing is sent after
    its budget, and what it did not reach is due still."""
    choose_email(world.app, world.ctx, world.smtp.box, world.user_id, "ada@example.org")
    world.smtp.box.messages.clear()
    now = world.clock.now.timestamp()
    rows = [row_for_test(world.user_id, "email", now - 1) for _ in range(2)]
    with write_transaction(world.app.engine) as connection:
        update_store.insert_new(connection, rows)
    assert deliver_due(world.app, world.ctx, world.user_id, budget_seconds=-1) == []
    assert world.smtp.box.messages == []
    assert len(deliver_due(world.app, world.ctx, world.user_id)) == 2
    assert sorted(m["X-Netgoals-Delivery"] for m in world.smtp.box.messages) == sorted(
        r["delivery_id"] for r in rows
    )
