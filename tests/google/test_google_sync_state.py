"""Invariants 2 and 6 for calendar pulls, each on a path the rest of the suite does not reach:
- derived ids are deterministic, so a full re-sync after the occurrence rows are gone (a restore,
  a rebuild, a second server) appends nothing twice;
- two pulls of one calendar at once: one commits, the other appends and stores nothing;
- a crash inside the append, after some events were written: nothing of that pull is visible, and
  the next pull appends each event exactly once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid5
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, delete, select

from domain.event_types import events as ev
from domain.event_types.events import RecordedEvent, actions_stream
from integrations.google.calendar import GoogleCalendar
from integrations.storage import calendar_store, event_store
from integrations.storage.database import read_transaction, write_transaction
from service.google import pull as pull_module
from service.google.ids import (
    NAMESPACE,
    PRIMARY,
    credit_action_id,
    derived_id,
    done_id,
    google_event_id,
    retracted_id,
)
from service.google.report import Report
from tests.google.conftest import ADA, World

BERLIN = ZoneInfo("Europe/Berlin")
MEETUP = datetime(2026, 11, 25, 18, 0, tzinfo=BERLIN)


def done_events(world: World) -> list[RecordedEvent]:
    return [e for e in world.app.store.read_stream(actions_stream(world.user_id)) if e.type == ev.ACTION_DONE]


def calendar_state(world: World) -> dict[str, Any]:
    """Everything a pull stores besides the log: sync tokens and occurrences."""
    with read_transaction(world.app.engine) as connection:
        tokens = connection.execute(
            select(calendar_store.google_sync_state).order_by(calendar_store.google_sync_state.c.role)
        ).all()
        occurrences = connection.execute(
            select(calendar_store.google_occurrences).order_by(calendar_store.google_occurrences.c.key)
        ).all()
    return {"tokens": [tuple(r) for r in tokens], "occurrences": [tuple(r) for r in occurrences]}


def client_of(world: World) -> GoogleCalendar:
    with read_transaction(world.app.engine) as connection:
        found = calendar_store.connection_of(connection, world.user_id)
    assert found is not None and found.tokens
    return world.google.client(world.google.vault.open_sealed(found.tokens))


def pull_primary(world: World) -> int:
    return pull_module.pull(
        world.app,
        client_of(world),
        world.user_id,
        PRIMARY,
        world.app.profile(world.user_id),
        Report(world.user_id),
    )


# --- invariant 2: derived ids ---------------------------------------------------------------------


def test_derived_ids_are_uuid5_of_their_source_and_valid_google_event_ids() -> None:
    first = derived_id("user/primary/abc/2026-11-25T18:00:00+01:00/attend-event/0")
    assert first == derived_id("user/primary/abc/2026-11-25T18:00:00+01:00/attend-event/0")
    assert first.version == 5 and first != derived_id("user/primary/abc/other/attend-event/0")
    assert derived_id("x") == uuid5(NAMESPACE, "x")  # no clock, no randomness: only the source
    credit = credit_action_id("user", "primary/abc/", "attend-event", 1)
    assert credit == credit_action_id("user", "primary/abc/", "attend-event", 1)
    assert (
        len(
            {
                credit,
                credit_action_id("user", "primary/abc/", "attend-event", 2),
                credit_action_id("other", "primary/abc/", "attend-event", 1),
            }
        )
        == 3
    )
    assert done_id(credit) == done_id(credit) != retracted_id(credit)
    event_id = google_event_id("some-action")
    assert event_id == google_event_id("some-action") != google_event_id("other-action")
    assert set(event_id) <= set("0123456789abcdefghijklmnopqrstuv") and 5 <= len(event_id) <= 1024


def test_events_pulled_from_google_carry_ids_derived_from_user_event_and_kind(world: World) -> None:
    world.goal("monthly-event")
    world.connect()
    world.invite("Python Meetup", MEETUP, "accepted", ["host@meetup.com"])
    assert world.sync().error is None
    [done] = done_events(world)
    key = done.data["calendar_event"]
    assert key.startswith("primary/")
    action_id = str(derived_id(f"{world.user_id}/{key}/attend-event/0"))
    assert done.data["action_id"] == action_id
    assert done.event_id == derived_id(f"{action_id}/done")


def test_a_full_resync_after_the_occurrence_rows_are_gone_appends_nothing_twice(world: World) -> None:
    world.goal("monthly-event")
    world.goal("weekly-outreach")
    world.connect()
    world.invite("Python Meetup", MEETUP, "accepted", ["host@meetup.com"])
    world.invite("Cloud Meetup", MEETUP - timedelta(days=1), "accepted", ["host@cloud.io"])
    world.invite("Declined mixer", MEETUP + timedelta(days=1), "declined", ["host@mixer.io"])
    for _ in range(2):  # the second sync also pulls our own blocks back from the goals calendar
        assert world.sync().error is None
    assert len(done_events(world)) == 2
    before = world.app.store.head_position()
    progress = world.progress()
    # A restore of the log without the calendar state: no occurrences, no sync tokens.
    with write_transaction(world.app.engine) as connection:
        assert connection.execute(delete(calendar_store.google_occurrences)).rowcount >= 2
        connection.execute(calendar_store.google_sync_state.update().values(sync_token=None))
    report = world.sync()
    assert report.error is None, report.error
    assert report.changes_seen >= 3  # it really read both calendars in full again
    assert world.app.store.head_position() == before
    assert world.progress() == progress
    assert len(calendar_state(world)["occurrences"]) >= 2  # and rebuilt what it needs to go on


# --- invariant 6: sync token and effects, compare-and-set -----------------------------------------


def test_two_concurrent_pulls_of_one_calendar_one_commits_the_other_stores_nothing(
    make_world: Callable[..., World], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(database_url)
    world.goal("monthly-event")
    world.connect()
    event = world.invite("Python Meetup", MEETUP, "accepted", ["host@meetup.com"])
    assert world.sync().error is None
    assert world.progress()["Attend one networking event per month"] == (1, 1)
    world.fake.set_response_status(ADA, event["id"], "declined")  # both pulls will see this
    head, state = world.app.store.head_position(), calendar_state(world)
    [primary_before] = [t for t in state["tokens"] if t[1] == PRIMARY]

    real_collect = pull_module._collect
    both_listed = threading.Barrier(2, timeout=30)

    def collect_then_wait(*args: Any, **kwargs: Any) -> str | None:
        token = real_collect(*args, **kwargs)
        both_listed.wait()  # both have read the old token and decided before either commits
        return token

    monkeypatch.setattr(pull_module, "_collect", collect_then_wait)
    outcomes: list[str] = []

    def run() -> None:
        try:
            pull_primary(world)
            outcomes.append("committed")
        except pull_module.SyncConflictError:
            outcomes.append("conflict")
        except Exception as exc:
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["committed", "conflict"]
    world.app.projection.catch_up()
    # the end state of exactly one pull: one retraction, the token moved once
    added = world.app.store.read_all(after_position=head)
    assert [e.type for e in added] == [ev.ACTION_RETRACTED]
    after = calendar_state(world)
    [primary_after] = [t for t in after["tokens"] if t[1] == PRIMARY]
    version = calendar_store.google_sync_state.c.keys().index("version")
    assert primary_after[version] == primary_before[version] + 1
    assert [t for t in after["tokens"] if t[1] != PRIMARY] == [t for t in state["tokens"] if t[1] != PRIMARY]
    assert len(after["occurrences"]) == len(state["occurrences"])
    assert world.progress()["Attend one networking event per month"] == (0, 1)
    monkeypatch.setattr(pull_module, "_collect", real_collect)
    pull_primary(world)  # and the next pull finds nothing new
    assert world.app.store.head_position() == added[-1].position


def test_a_crash_inside_the_append_leaves_nothing_and_the_next_pull_appends_each_event_once(
    make_world: Callable[..., World], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(database_url)
    world.goal("monthly-event")
    world.connect()
    assert world.sync().error is None  # the calendars exist; the next pull is incremental
    for day in range(3):
        world.invite(f"Meetup {day}", MEETUP - timedelta(days=day), "accepted", [f"host{day}@x.org"])
    head, state = world.app.store.head_position(), calendar_state(world)

    real_insert = event_store.bulk_insert
    crashes: list[int] = []

    def crash_after_two_rows(connection: Connection, table: str, columns: Any, rows: list[Any]) -> None:
        if table == "events" and len(rows) >= 3 and not crashes:
            real_insert(connection, table, columns, rows[:2])  # two of the pull's events are written
            crashes.append(len(rows))
            raise RuntimeError("crash inside the append")
        real_insert(connection, table, columns, rows)

    monkeypatch.setattr(event_store, "bulk_insert", crash_after_two_rows)
    with pytest.raises(RuntimeError, match="inside the append"):
        pull_primary(world)
    assert crashes == [3]
    assert world.app.store.head_position() == head  # none of the pull's events
    assert calendar_state(world) == state  # nor its token or occurrences

    monkeypatch.setattr(event_store, "bulk_insert", real_insert)
    assert world.sync().error is None
    world.sync()
    done = done_events(world)
    assert sorted(e.data["title"] for e in done) == ["Meetup 0", "Meetup 1", "Meetup 2"]
    assert len({e.data["calendar_event"] for e in done}) == 3  # each event exactly once


def test_after_the_occurrence_rows_are_gone_a_re_attended_event_still_follows_google(world: World) -> None:
    """An event attended, declined and attended again counted its second credit; a re-sync without
    the occurrence rows must find that credit in the log, so a later decline still retracts it."""
    world.goal("monthly-event")
    world.connect()
    event = world.invite("Python Meetup", MEETUP, "accepted", ["host@meetup.com"])
    for response in ("accepted", "declined", "accepted"):
        world.fake.set_response_status(ADA, event["id"], response)
        assert world.sync().error is None
    assert world.progress()["Attend one networking event per month"] == (1, 1)
    before = world.app.store.head_position()
    with write_transaction(world.app.engine) as connection:
        connection.execute(delete(calendar_store.google_occurrences))
        connection.execute(calendar_store.google_sync_state.update().values(sync_token=None))
    assert world.sync().error is None
    assert world.app.store.head_position() == before  # nothing twice
    world.fake.set_response_status(ADA, event["id"], "declined")
    assert world.sync().error is None
    assert world.progress()["Attend one networking event per month"] == (0, 1)
    world.fake.set_response_status(ADA, event["id"], "accepted")
    assert world.sync().error is None
    assert world.progress()["Attend one networking event per month"] == (1, 1)
    assert len(done_events(world)) == 3  # attended three times, each a new credit
