"""The use cases behind the tasks, against a real Redis (the machine's, db 10 or the xdist worker's
own): housekeeping, the redelivery cap, what the sweep leaves alone, and "queued" only while a
worker is alive."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from integrations.queue import telemetry
from integrations.storage import accounts as account_rows
from integrations.storage import calendar_store as store
from integrations.storage.database import read_transaction, write_transaction
from service import google
from service.access import accounts
from service.operations import background
from service.operations import jobs as jobs_service
from service.read_models.status import system_status
from service.read_models.sync_status import calendar_sync
from tests.google.conftest import ADA, World
from tests.workers.conftest import Stack, make_stack, wait_for
from worker import context


def _stack(world: World, url: str) -> Any:
    return make_stack(world, url)


def test_housekeeping_forgets_only_what_aged(world: World, machine_redis_url: str) -> None:
    stack = _stack(world, machine_redis_url)
    try:
        app, now = world.app, world.clock.now
        accounts.open_session(app, world.user_id)  # fresh: 14 days left
        with write_transaction(app.engine) as connection:
            account_rows.add_session(
                connection, "old-session", world.user_id, now.isoformat(), now.timestamp() - 1
            )
            for key, created in (("old-key", now - timedelta(days=8)), ("new-key", now)):
                account_rows.claim_key(connection, world.user_id, key, "h", created.isoformat())
                account_rows.finish_key(connection, world.user_id, key, 201, "{}")
            store.add_state(connection, "stale-state", world.user_id, "sealed", now.timestamp() - 7200)
        outcome = background.housekeeping(stack.jobs)
        assert outcome.counts == {"sessions": 1, "answers": 1, "oauth_states": 1}
        with read_transaction(app.engine) as connection:
            assert account_rows.stored_response(connection, world.user_id, "new-key") is not None
            assert account_rows.stored_response(connection, world.user_id, "old-key") is None
        assert background.housekeeping(stack.jobs).counts == {"sessions": 0, "answers": 0, "oauth_states": 0}
    finally:
        context.use(None)


def test_a_message_redelivered_past_the_cap_is_given_up(world: World, machine_redis_url: str) -> None:
    stack = _stack(world, machine_redis_url)
    try:
        cap = stack.jobs.settings.task_max_deliveries
        assert [jobs_service.too_many_deliveries(stack.jobs, "m1") for _ in range(cap + 1)] == [
            False
        ] * cap + [True]
        jobs_service.finished(stack.jobs, "m1")
        assert not jobs_service.too_many_deliveries(stack.jobs, "m1")
    finally:
        context.use(None)


def test_the_sweep_leaves_reconnect_needed_and_paused_calendars_alone(
    world: World, machine_redis_url: str
) -> None:
    stack = _stack(world, machine_redis_url)
    try:
        world.goal("monthly-event")
        world.connect()
        with write_transaction(world.app.engine) as connection:
            store.update_connection(connection, world.user_id, status="reconnect-needed")
        assert background.sweep(stack.jobs).counts["syncs"] == 0
        with write_transaction(world.app.engine) as connection:
            store.update_connection(
                connection, world.user_id, status="connected", paused_until=world.clock.now.timestamp() + 60
            )
        assert background.sweep(stack.jobs).counts["syncs"] == 0
        world.clock.now += timedelta(minutes=2)
        assert background.sweep(stack.jobs).counts["syncs"] == 1
        assert background.sweep(stack.jobs).counts["syncs"] == 0, "already queued: not sent twice"
    finally:
        context.use(None)


def test_a_requested_sync_is_queued_only_while_a_worker_is_alive(
    world: World, machine_redis_url: str
) -> None:
    stack = _stack(world, machine_redis_url)
    try:
        world.goal("monthly-event")
        world.connect()
        shown = calendar_sync(world.app, stack.jobs.settings, world.user_id, stack.jobs.redis)
        assert shown.requested and shown.waiting is not None and shown.waiting != "queued"
        telemetry.heartbeat(stack.jobs.redis, "w1@host")
        shown = calendar_sync(world.app, stack.jobs.settings, world.user_id, stack.jobs.redis)
        assert shown.waiting == "queued"
        telemetry.heartbeat(stack.jobs.redis, "w1@host", now=0)  # a heartbeat long gone
        shown = calendar_sync(world.app, stack.jobs.settings, world.user_id, stack.jobs.redis)
        assert shown.waiting != "queued"
    finally:
        context.use(None)


def _connection(world: World) -> Any:
    with read_transaction(world.app.engine) as connection:
        return store.connection_of(connection, world.user_id)


def test_a_refused_grant_clears_the_sync_request_and_asks_the_person_to_reconnect(stack: Stack) -> None:
    """Google answers invalid_grant to a worker's sync: the request is served (nothing can run it
    until the person reconnects), the connection says so, and later requests wait for the reconnect
    instead of staying pending for ever."""
    world = stack.world
    world.goal("monthly-event")
    world.connect()
    assert world.sync().status == "connected"
    world.fake.revoke_access(ADA)
    world.fake.expire_access_tokens(ADA)
    with stack.worker():
        world.clock.now += timedelta(seconds=5)
        assert jobs_service.request_sync(stack.jobs, world.user_id) == "sent"
        wait_for(lambda: _connection(world).status == "reconnect-needed", what="the refused grant")
        wait_for(lambda: _connection(world).sync_requested is None, what="the request to clear")
        shown = google.status(world.app, world.user_id)
        assert shown.status == "reconnect-needed" and "connect your calendar again" in (shown.detail or "")
        jobs_service.request_sync(stack.jobs, world.user_id)  # a push, the sweep, a click: no mark
        assert _connection(world).sync_requested is None
        found = system_status(stack.jobs.settings, world.app, stack.jobs.redis)
        assert found.requested == 0
        world.connect()  # the person reconnects: syncs are served again
        stack.jobs.redis.delete(f"netgoals:queued:sync:{world.user_id}")
        world.clock.now += timedelta(seconds=5)
        assert jobs_service.request_sync(stack.jobs, world.user_id) == "sent"
        wait_for(lambda: _connection(world).sync_requested is None, what="the sync after reconnecting")
    assert _connection(world).status == "connected"
