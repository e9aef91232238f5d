"""Faults at every step: retries (the client's and ours), outages, quotaExceeded pauses,
invalid_grant → "reconnect needed" without a retry storm, a duplicate insert, a crash mid-pull."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from domain.event_types import events as ev
from domain.event_types.events import actions_stream
from integrations.storage import block_sweeps, calendar_store
from integrations.storage.database import read_transaction
from service import google
from tests.google.conftest import ADA, World

BERLIN = ZoneInfo("Europe/Berlin")
MEETUP = datetime(2026, 11, 25, 18, 0, tzinfo=BERLIN)


def monthly(world: World) -> tuple[int, int]:
    return world.progress()["Attend one networking event per month"]


@pytest.mark.parametrize(
    "kind", ["429", "500", "503", "rateLimitExceeded", "userRateLimitExceeded", "disconnect"]
)
def test_transient_faults_are_retried(world: World, kind: str) -> None:
    world.goal("monthly-event")
    world.connect()
    world.invite("Meetup", MEETUP, "accepted", ["host@x.org"])
    world.fake.inject_fault(kind, count=3)
    report = world.sync()
    assert report.error is None, report.error
    assert monthly(world) == (1, 1)
    assert world.sleeps  # backed off between tries (without really sleeping)


@pytest.mark.parametrize("path", ["/events$", "/freeBusy$", "^/calendar/v3/calendars$"])
def test_an_outage_at_any_step_delays_and_loses_nothing(world: World, path: str) -> None:
    world.goal("monthly-event")
    world.connect()
    world.invite("Meetup", MEETUP, "accepted", ["host@x.org"])
    world.fake.inject_fault("503", path=path, count=None)
    report = world.sync()
    assert report.status == "error"
    assert "unavailable" in (google.status(world.app, world.user_id).detail or "")
    world.fake.clear_faults()
    report = world.sync()
    assert report.error is None, report.error
    world.sync()
    assert monthly(world) == (1, 1)
    assert google.status(world.app, world.user_id).detail is None
    assert len(world.our_events()) >= 2


def test_quota_exceeded_pauses_the_user(world: World) -> None:
    world.goal("monthly-event")
    world.connect()
    world.sync()
    world.fake.inject_fault("quotaExceeded", count=None)
    report = world.sync()
    assert report.status == "paused"
    assert google.status(world.app, world.user_id).status == "paused"
    calls = world.fake.count_requests()
    assert world.sync().status == "paused"
    assert world.fake.count_requests() == calls  # no calls while paused
    world.fake.clear_faults()
    world.clock.now += timedelta(hours=1, seconds=1)
    assert world.sync().status == "connected"


def test_invalid_grant_means_reconnect_needed_and_no_retry_storm(world: World) -> None:
    world.goal("monthly-event")
    world.connect()
    world.sync()
    world.fake.revoke_access(ADA)
    world.fake.expire_access_tokens(ADA)
    report = world.sync()
    assert report.status == "reconnect-needed"
    assert google.status(world.app, world.user_id).status == "reconnect-needed"
    token_calls = world.fake.count_requests(path="^/token$")
    assert token_calls <= 2
    for _ in range(3):
        assert world.sync().status == "reconnect-needed"
    assert world.fake.count_requests(path="^/token$") == token_calls
    world.connect()  # the user connects again
    assert world.sync().status == "connected"


def test_injected_invalid_grant_on_refresh(world: World) -> None:
    world.connect()
    world.fake.expire_access_tokens(ADA)
    world.fake.inject_fault("invalid_grant")
    assert world.sync().status == "reconnect-needed"


def test_a_duplicate_insert_counts_as_already_there(world: World) -> None:
    world.goal("weekly-outreach")
    world.connect()
    world.sync()
    with world.app.engine.begin() as connection:  # as if the answers to our inserts were lost
        connection.execute(
            update(calendar_store.google_outbox).values(
                pushed=False, revision=calendar_store.google_outbox.c.revision + 1
            )
        )
    report = world.sync()
    assert report.error is None
    assert report.pushed == 8
    assert len(world.our_events()) == 8


def test_a_crash_before_the_pull_commits_repeats_it_without_duplicates(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.goal("monthly-event")
    world.connect()
    world.invite("Meetup", MEETUP, "accepted", ["host@x.org"])
    real = calendar_store.advance_sync_token
    calls = {"n": 0}

    def crash_once(*args: object, **kwargs: object) -> bool:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("crash")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(calendar_store, "advance_sync_token", crash_once)
    with pytest.raises(RuntimeError):
        world.sync()
    world.sync()
    world.sync()
    assert monthly(world) == (1, 1)


def test_a_sync_failing_inside_a_step_leaves_that_step_unwritten_and_the_next_does_it_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sync is one unit of work whose steps each commit in one transaction (invariant 17): a crash
    inside the confirmation sweep's transaction, after its fulfilment was written into it, leaves
    neither the fulfilment nor the block's ✓ nor the sweep's mark; the pull before it stands, and
    the next sync fulfils the block once."""
    world.goal("monthly-event")
    world.connect()
    world.sync()
    block = min(world.our_events(), key=lambda e: e["start"]["dateTime"])
    start = datetime.fromisoformat(block["start"]["dateTime"])
    world.invite("Python Meetup Berlin", start.replace(hour=12, minute=0), "accepted", ["host@x.org"])
    world.clock.now = datetime.fromisoformat(block["end"]["dateTime"]) + timedelta(hours=1)

    def crash(*_: object) -> None:
        raise RuntimeError("the worker died inside the sweep's transaction")

    monkeypatch.setattr(block_sweeps, "remember_sweep", crash)
    with pytest.raises(RuntimeError, match="inside the sweep"):
        world.sync()
    types = [e.type for e in world.app.store.read_stream(actions_stream(world.user_id))]
    assert ev.ACTION_DONE in types and ev.ACTION_FULFILLED not in types  # the pull committed alone
    with read_transaction(world.app.engine) as connection:
        row = calendar_store.outbox_by_event_ids(connection, world.user_id, [block["id"]])[block["id"]]
    assert not row["title"].startswith("✓") and row["status"] == "planned"
    monkeypatch.undo()
    world.sync()
    world.sync()
    types = [e.type for e in world.app.store.read_stream(actions_stream(world.user_id))]
    assert types.count(ev.ACTION_FULFILLED) == 1 and types.count(ev.ACTION_DONE) == 1
    shown = world.fake.get_event(ADA, block["id"], calendar_id=world.goals_calendar())
    assert shown["summary"].startswith("✓ ")
    assert monthly(world) == (1, 1)


def test_a_sync_out_of_time_starts_no_further_call_and_the_next_finishes_it_once(world: World) -> None:
    """Celery's threads pool enforces no time limit: a sync with a budget starts no call to Google
    after it (the one in flight finishes). What it did stays (each step committed its part), the
    request stays for the next sync, and that one writes every block once."""
    world.goal("weekly-outreach")  # eight blocks to write
    world.connect()
    budget = 1.0
    fake = world.fake

    def slow_second_insert() -> None:  # the second block's write takes the rest of the sync's time
        inserts = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/events")]
        if len(inserts) == 2:
            time.sleep(budget + 0.2)

    fake.before_answer = slow_second_insert
    try:
        report = google.sync_once(world.app, world.google, world.user_id, budget_seconds=budget)
    finally:
        fake.before_answer = None
    assert report.status == "error" and "ran out of its time" in (report.error or ""), report
    inserts = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/events")]
    assert len(inserts) == 2  # none after the slow one
    assert len(world.our_events()) == 2
    assert google.status(world.app, world.user_id).sync_requested  # left for the next sync
    report = world.sync()
    assert report.error is None, report.error
    events = world.our_events()
    assert len(events) == 8 and len({e["id"] for e in events}) == 8
    starts = [e["start"]["dateTime"] for e in events]
    assert len(set(starts)) == 8  # each block once
