"""The event log's contract, on SQLite and PostgreSQL alike (invariants 1-4 in docs/architecture.md)."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from domain.errors import ConcurrencyError
from domain.event_types.events import NewEvent
from integrations.storage.event_store import EventStore, StreamAppend


def new(event_type: str = "action.done", **data: object) -> NewEvent:
    return NewEvent(uuid.uuid4(), event_type, dict(data))


def test_appended_events_read_back_in_order_with_versions(engine: Engine) -> None:
    store = EventStore(engine)
    first, second = new(n=1), new(n=2)
    assert store.append(StreamAppend("actions-u1", 0, [first, second])) == 2
    events = store.read_stream("actions-u1")
    assert [(e.version, e.data["n"], e.event_id) for e in events] == [
        (1, 1, first.event_id),
        (2, 2, second.event_id),
    ]
    assert [e.position for e in store.read_all()] == sorted(e.position for e in events)
    assert store.stream_version("actions-u1") == 2


def test_appends_are_idempotent_by_event_id(engine: Engine) -> None:
    store = EventStore(engine)
    events = [new(n=1), new(n=2)]
    store.append(StreamAppend("actions-u1", 0, events))
    # A retry of the same decision (same ids, same expected version) appends nothing and does not fail.
    assert store.append(StreamAppend("actions-u1", 0, events)) == 0
    assert store.append(StreamAppend("actions-u1", None, events)) == 0
    assert len(store.read_all()) == 2


def test_a_stale_expected_version_raises_concurrency_error_and_appends_nothing(engine: Engine) -> None:
    store = EventStore(engine)
    store.append(StreamAppend("user-u1", 0, [new("goal.set")]))
    with pytest.raises(ConcurrencyError):
        store.append(
            StreamAppend("user-u2", 0, [new("goal.set")]), StreamAppend("user-u1", 0, [new("goal.set")])
        )
    # All or nothing: u2's batch in the same call was not appended either.
    assert store.stream_version("user-u2") == 0
    assert len(store.read_all()) == 1


def test_the_database_rejects_update_and_delete_of_events(engine: Engine) -> None:
    store = EventStore(engine)
    store.append(StreamAppend("actions-u1", 0, [new(n=1)]))
    for statement in ("UPDATE events SET type = 'x'", "DELETE FROM events"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    if engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text("TRUNCATE events"))
    assert [e.data for e in store.read_all()] == [{"n": 1}]


def test_reading_after_a_position_returns_only_newer_events(engine: Engine) -> None:
    store = EventStore(engine)
    store.append(StreamAppend("actions-u1", None, [new(n=i) for i in range(5)]))
    positions = [e.position for e in store.read_all()]
    assert [e.data["n"] for e in store.read_all(after_position=positions[2])] == [3, 4]
    assert [e.data["n"] for e in store.read_all(after_position=positions[0], limit=2)] == [1, 2]


def test_concurrent_writers_with_a_tailing_reader_that_never_skips(engine: Engine) -> None:
    """8 writers append small batches as fast as they can; a reader tails the log by position.
    Commit order must equal position order, so the reader sees every event exactly once."""
    store = EventStore(engine)
    writers, batches, per_batch = 8, 15, 3
    done = threading.Event()
    seen: list[int] = []
    errors: list[BaseException] = []

    def write(index: int) -> None:
        try:
            for batch in range(batches):
                store.append(
                    StreamAppend(f"actions-w{index}", None, [new(w=index, b=batch) for _ in range(per_batch)])
                )
        except BaseException as exc:
            errors.append(exc)

    def tail() -> None:
        last = 0
        while True:
            finished = done.is_set()  # read once more after the writers finished
            for event in store.read_all(after_position=last):
                seen.append(event.position)
                last = event.position
            if finished:
                return
            time.sleep(0.001)

    reader = threading.Thread(target=tail)
    reader.start()
    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    reader.join()
    assert not errors
    everything = [e.position for e in store.read_all()]
    assert len(everything) == writers * batches * per_batch
    assert seen == everything  # every position, once, in order: nothing skipped, nothing repeated
    for index in range(writers):
        versions = [e.version for e in store.read_stream(f"actions-w{index}")]
        assert versions == list(range(1, batches * per_batch + 1))


def test_concurrent_deciders_on_one_stream_conflict_and_exactly_one_wins(engine: Engine) -> None:
    store = EventStore(engine)
    results: list[str] = []

    def decide() -> None:
        try:
            store.append(StreamAppend("user-u1", 0, [new("goal.set")]))
            results.append("won")
        except ConcurrencyError:
            results.append("conflict")

    threads = [threading.Thread(target=decide) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["conflict"] * 5 + ["won"]
    assert store.stream_version("user-u1") == 1
