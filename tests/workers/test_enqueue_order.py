"""Enqueue after commit (invariant 7): the "sync requested" mark must be visible to any other
connection — a worker's — before the message that asks a worker to act on it is sent. Sent first,
a fast worker can run, find no mark, clear nothing, and the request waits for the sweep."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from integrations.queue.enqueue import SENT, Enqueuer
from integrations.storage import calendar_store as store
from integrations.storage.database import make_engine, read_transaction
from service.operations import jobs as jobs_service
from tests.google.conftest import World
from tests.workers.conftest import make_stack
from worker import context


class CheckingEnqueuer(Enqueuer):
    """At the moment the message goes, read the mark as a worker would: its own connection."""

    def __init__(self, inner: Enqueuer, database_url: str, user_id: str) -> None:
        super().__init__(inner.celery, inner.client, inner.mark_ttl)
        self.engine = make_engine(database_url)
        self.user_id = user_id
        self.seen: list[float | None] = []

    def send(self, kind: str, user_id: str, delay: float = 0) -> bool:
        with read_transaction(self.engine) as connection:
            found = store.connection_of(connection, self.user_id)
        self.seen.append(found.sync_requested if found is not None else None)
        return super().send(kind, user_id, delay)


def test_the_sync_mark_is_committed_before_the_message_is_sent(
    make_world: Callable[..., World], database_url: str, machine_redis_url: str
) -> None:
    world = make_world(database_url)
    stack = make_stack(world, machine_redis_url)
    checking = CheckingEnqueuer(stack.jobs.enqueuer, database_url, world.user_id)
    stack.jobs.enqueuer = checking
    try:
        world.goal("monthly-event")
        world.connect()
        for _ in range(2):
            with read_transaction(world.app.engine) as connection:
                before = store.connection_of(connection, world.user_id)
            assert before is not None
            world.clock.now += timedelta(seconds=5)
            stack.jobs.redis.delete(f"netgoals:queued:sync:{world.user_id}")  # a worker took the last one
            assert jobs_service.request_sync(stack.jobs, world.user_id) == SENT
            seen = checking.seen[-1]
            assert seen is not None and seen != before.sync_requested, (
                "the message went before the new mark was committed"
            )
        assert len(checking.seen) == 2
    finally:
        context.use(None)
        checking.engine.dispose()
        stack.jobs.close()
