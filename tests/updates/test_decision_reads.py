"""What deciding the updates of one person reads (issue 25): the blocks waiting for an answer come
from the block ledger's projection, not from folding the person's actions stream. SQLite, where the
statements are counted by their text (`tests/db_counts.py`); `pytest -s` prints the figures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.event_types import facts
from service.google.ids import derived_id
from service.tracking import confirmation
from service.updates import set_channel
from service.updates.marked import decide_one
from tests.db_counts import counted
from tests.updates.conftest import World

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
