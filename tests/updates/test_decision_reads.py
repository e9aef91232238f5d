"""What deciding the updates of one person reads (issue 25): the blocks waiting for an answer come
from the block ledger's projection, not from folding the person's actions stream; and a digest
decision reads each of its parts once (issue 26). SQLite, where the
statements are counted by their text (`tests/db_counts.py`); `pytest -s` prints the figures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.event_types import facts
from integrations.storage import update_store
from integrations.storage.database import read_transaction
from service.google.ids import derived_id
from service.tracking import actions, confirmation
from service.updates import set_channel
from service.updates.deliver import deliver_due
from service.updates.marked import decide_one
from tests.db_counts import Counts, counted
from tests.updates.conftest import World, choose_email

DECISION_STREAM_FOLDS = 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_deciding_for_one_person_does_not_fold_the_actions_stream(world: World) -> None:
    set_channel(world.app, world.ctx, world.user_id, "webhook", webhook_url=world.hooks.url)
    confirmation.sweep(world.app, world.user_id, planning=True)  # the confirmation rule, adopted
    now = world.clock.now
    planned = facts.action_planned(
        "b1", None, "attend-event", now - timedelta(hours=3), now - timedelta(hours=2), "Networking", [], now
    )
    world.app.append_actions(world.user_id, [planned.with_id(derived_id("b1/planned"))])
    with counted(world.app.engine) as counts:
        decide_one(world.app, world.ctx, world.user_id)
    print(f"\n(3) a decided update for one person: {counts.line()}")
    assert counts.stream_folds <= DECISION_STREAM_FOLDS, counts
    assert [w.action_id for w in confirmation.waiting(world.app, world.user_id)] == ["b1"]


# A Monday digest decision (issue 26), after a decided and sent update. Before: the catch-up of that
# update's events read the person's view rows (user, goals, contacts, aspirations) for nothing, the
# stored progress was read twice (judged now, and at the week's end) and the next list replayed the
# profile a second time.
DIGEST_USER_ROW_READS = 1
DIGEST_GOAL_READS = 1
DIGEST_PROGRESS_READS = 1
DIGEST_PROFILE_REPLAYS = 1


def _reads_of(counts: Counts, table: str) -> int:
    return sum(f"FROM {table}" in sql for sql in counts.sql)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_digest_decision_reads_each_thing_once(world: World) -> None:
    app, user = world.app, world.user_id
    choose_email(app, world.ctx, world.smtp.box, user, "ada@example.org")
    actions.log_action(app, user, "attend-event", world.clock.now - timedelta(hours=1))
    assert decide_one(app, world.ctx, user) >= 1
    assert all(sent.delivered for sent in deliver_due(app, world.ctx, user))
    world.clock.set("2026-11-30T07:00:00+00:00")  # Monday 08:00 in Berlin: the digest is due
    with counted(app.engine) as counts:
        assert decide_one(app, world.ctx, user) == 1
    print(f"\n(4) a digest decision: {counts.line()}")
    with read_transaction(app.engine) as connection:
        assert "digest:2026-11-23" in update_store.decided_keys(connection, user)
    assert _reads_of(counts, "v_users") <= DIGEST_USER_ROW_READS, counts.sql
    assert _reads_of(counts, "v_goals") <= DIGEST_GOAL_READS, counts.sql
    assert _reads_of(counts, "v_progress") <= DIGEST_PROGRESS_READS, counts.sql
    assert counts.profile_reads <= DIGEST_PROFILE_REPLAYS, counts.sql
