"""One progress-update decision is one unit of work (issue 26), on both engines: the profile is
replayed once, the reads share one transaction, and the decision's appends, delivery rows and the
settled mark are committed together. Counted where they happen (SQLAlchemy's begin event, the
driver's statements, `App._profile_in`), for one person and for a batch of 100 as the
`netgoals.decide_updates` task decides them (`decide_marked`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.decisions import GoalSpec
from integrations.storage import update_store
from integrations.storage.database import read_transaction
from service.access import users
from service.app import App
from service.tracking import actions, goals
from service.updates import set_channel
from service.updates.marked import claim_marked, decide_marked, decide_one
from tests.api.test_unit_of_work import Counts, counted
from tests.updates.conftest import World, choose_email

# Before (issue 26): 25 transactions, 3 profile replays per decision.
TRANSACTIONS_PER_DECISION = 6
STATEMENTS_PER_DECISION = 30
REPLAYS_PER_DECISION = 1
BATCH = 100


@dataclass
class Cost:
    counts: Counts
    replays: int = 0


@contextmanager
def cost(app: App, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cost]:
    """Transactions, statements and profile replays of what runs inside the block."""
    replay = App._profile_in
    with counted(app) as counts:
        found = Cost(counts)

        def counting(connection: Any, user_id: str) -> Any:
            found.replays += 1
            return replay(connection, user_id)

        monkeypatch.setattr(App, "_profile_in", staticmethod(counting))
        try:
            yield found
        finally:
            monkeypatch.setattr(App, "_profile_in", staticmethod(replay))


def _deliveries(app: App, user_id: str) -> int:
    with read_transaction(app.engine) as connection:
        return len(update_store.decided_keys(connection, user_id))


def test_one_decision_is_one_unit_of_work(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    choose_email(world.app, world.ctx, world.smtp.box, world.user_id, "ada@example.org")
    actions.log_action(world.app, world.user_id, "attend-event", world.clock.now - timedelta(hours=1))
    before = _deliveries(world.app, world.user_id)
    with cost(world.app, monkeypatch) as spent:
        added = decide_one(world.app, world.ctx, world.user_id)
    print(f"one decision: {spent}")
    assert added >= 1 and _deliveries(world.app, world.user_id) == before + added  # it decided something
    assert spent.replays <= REPLAYS_PER_DECISION, spent
    assert spent.counts.transactions <= TRANSACTIONS_PER_DECISION, spent
    assert spent.counts.statements <= STATEMENTS_PER_DECISION, spent
    # Decided and settled: deciding again adds nothing, and nobody is due.
    assert decide_one(world.app, world.ctx, world.user_id) == 0
    assert claim_marked(world.app, 60, 1000) == []


def test_a_batch_of_a_hundred_decisions_costs_a_hundred_times_one(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, ctx = world.app, world.ctx
    people = [world.user_id]
    for n in range(1, BATCH):
        person = users.register(app, f"p{n}@example.org", "Europe/Berlin").user_id
        goals.set_goal(
            app, person, GoalSpec(template="monthly-event", start=datetime(2026, 11, 1, tzinfo=UTC).date())
        )
        people.append(person)
    for person in people:
        set_channel(app, ctx, person, "webhook", webhook_url=world.hooks.url)
        actions.log_action(app, person, "attend-event", world.clock.now - timedelta(hours=1))
    claimed = claim_marked(app, 60, 1000)
    assert sorted(claimed) == sorted(people)
    with cost(app, monkeypatch) as spent:
        decided = decide_marked(app, ctx, claimed, budget_seconds=600)
    print(f"batch of {BATCH}: {spent}")
    assert (decided.users, decided.failed, decided.left) == (BATCH, 0, 0)
    assert decided.deliveries >= BATCH
    assert spent.replays <= REPLAYS_PER_DECISION * BATCH, spent
    assert spent.counts.transactions <= TRANSACTIONS_PER_DECISION * BATCH, spent
    assert spent.counts.statements <= STATEMENTS_PER_DECISION * BATCH, spent
    assert claim_marked(app, 60, 1000) == []
