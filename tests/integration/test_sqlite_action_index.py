"""The action index SQLite derives from the log in a rebuild holds exactly the rows the Python
index makes (`action_index.rows` of a fold): every time text Python accepts, every contact list,
repeated and retracted actions. It declines a log that needs an upcaster; an action Python cannot
read is quarantined, as the incremental projection does, and the rest of the log is applied."""

from __future__ import annotations

import json
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text

from bench.workload import fill
from domain.event_types import events as ev
from domain.event_types import upcasting
from domain.event_types.events import NewEvent
from domain.event_types.fold import LogFold
from integrations.storage import action_index, event_store, sqlite_action_index
from integrations.storage.database import make_engine, read_transaction, write_transaction
from integrations.storage.event_store import EventStore, StreamAppend, fold_rows
from integrations.storage.migrate import upgrade
from integrations.storage.projection import ACTIONS, BLOCKS, PROGRESS, Projections
from integrations.storage.schema import v_actions
from tests.integration.scenario import snapshot

USER = "0b9c5a5e-6f55-4f0e-9a54-3f1c6d2b7e10"


@pytest.fixture(scope="module", autouse=True)
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One migrated database that each example copies (migrating costs more than an example)."""
    path = tmp_path_factory.mktemp("template") / "log.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    _TEMPLATE.append(path)
    yield
    _TEMPLATE.clear()


_TEMPLATE: list[Path] = []


@contextmanager
def store() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as folder:
        shutil.copyfile(_TEMPLATE[0], Path(folder) / "log.db")
        engine = make_engine(f"sqlite:///{Path(folder) / 'log.db'}")
        try:
            yield engine
        finally:
            engine.dispose()


def append(engine: Engine, *events: tuple[str, dict[str, Any]], schema_version: int = 1) -> None:
    made = [NewEvent(uuid.uuid4(), kind, data, schema_version) for kind, data in events]
    EventStore(engine).append(StreamAppend(ev.actions_stream(USER), None, made))


def done(action_id: str, at: str, contacts: Any = (), **extra: Any) -> tuple[str, dict[str, Any]]:
    data = {"action_id": action_id, "kind": "attend-event", "at": at, "title": "Meetup", **extra}
    if contacts != ():
        data["contact_ids"] = contacts
    return ev.ACTION_DONE, data


def retracted(action_id: str) -> tuple[str, dict[str, Any]]:
    return ev.ACTION_RETRACTED, {"action_id": action_id, "reason": None, "at": "2026-01-01T00:00:00+00:00"}


def folded(engine: Engine) -> LogFold:
    fold = LogFold()
    with read_transaction(engine) as connection:
        fold_rows(EventStore.raw_rows(connection, 0, 10**9), fold)
    return fold


def python_rows(engine: Engine) -> list[tuple[Any, ...]]:
    """The index as the Python path makes it: a fold of the whole log, then `action_index.rows`."""
    return [_comparable(row) for row in action_index.rows(folded(engine))]


def derived_rows(engine: Engine) -> list[tuple[Any, ...]]:
    """The index as a rebuild beside SQLite makes it: SQLite's rows, then the fold's retractions."""
    fold = folded(engine)
    with write_transaction(engine) as connection:
        head = int(connection.scalar(text("SELECT max(position) FROM events")) or 0)
        written = sqlite_action_index.derive(connection, head)
        action_index.mark_retracted(connection, action_index.retracted(fold))
        rows = connection.execute(select(v_actions).order_by(v_actions.c.user_id, v_actions.c.action_id))
        found = [_comparable(tuple(row)) for row in rows]
    assert written == len(found)
    return found


def _comparable(row: tuple[Any, ...]) -> tuple[Any, ...]:
    *head, retracted_flag, position = row
    return (*head, bool(retracted_flag), position)


# Aware times over the whole range both engines handle, with any offset Python allows, and
# microseconds both zero and not: their isoformat is the text our own writers log.
offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
aware_times = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
).flatmap(lambda at: offsets.map(lambda zone: at.astimezone(zone)))
# Texts Python reads but would write differently: "Z", an offset of "-00:00", milliseconds, no
# seconds, a space for the "T", zero microseconds written out, an offset with seconds.
other_texts = st.sampled_from(
    [
        "2026-03-01T10:00:00Z",
        "2026-03-01T10:00:00-00:00",
        "2026-03-01T10:00:00.123+01:00",
        "2026-03-01T10:00+01:00",
        "2026-03-01 10:00:00+01:00",
        "2026-03-01T10:00:00.000000+01:00",
        "2026-03-01T10:00:00+05:30:15",
        "2026-03-01T10:00:00.000001-23:59",
    ]
)
contact_lists = st.one_of(
    st.just(()),  # no list at all
    st.none(),
    st.lists(st.uuids().map(str), max_size=3),
    st.lists(st.text(max_size=6), max_size=3),  # any text: quotes, escapes, non-ASCII, controls
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=6),  # action ids repeat: the first one stands
            st.one_of(aware_times.map(datetime.isoformat), other_texts),
            contact_lists,
            st.booleans(),  # retract it afterwards
        ),
        min_size=1,
        max_size=12,
    )
)
def test_derived_index_equals_the_python_index(actions: list[tuple[int, str, Any, bool]]) -> None:
    with store() as engine:
        for number, at, contacts, retract in actions:
            action_id = f"action-{number}"
            append(engine, done(action_id, at, contacts))
            if retract:
                append(engine, retracted(action_id))
        assert derived_rows(engine) == python_rows(engine)


def test_a_payload_written_with_escapes_gives_the_same_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """An older writer (json.dumps) escaped non-ASCII and spaced its separators."""
    with store() as engine:
        append(engine, done("a", "2026-03-01T10:00:00+01:00", ["Zoë", "plain"]))
        monkeypatch.setattr(event_store, "encode", json.dumps)
        append(engine, done("b", "2026-03-01T11:00:00.5+01:00", ["Ana\u00efs", "x"]))
        with read_transaction(engine) as connection:
            logged = connection.scalar(text("SELECT data FROM events ORDER BY position DESC LIMIT 1"))
        assert '["Ana\\u00efs", "x"]' in logged
        assert derived_rows(engine) == python_rows(engine)


def test_a_retraction_before_its_action_does_not_retract_it() -> None:
    with store() as engine:
        append(
            engine,
            retracted("a"),
            done("a", "2026-03-01T10:00:00+01:00"),
            done("b", "2026-03-02T10:00:00+01:00"),
        )
        append(engine, retracted("b"))
        rows = {row[1]: row for row in derived_rows(engine)}
        assert (rows["a"][6], rows["b"][6]) == (False, True)
        assert derived_rows(engine) == python_rows(engine)


def test_a_log_needing_an_upcaster_is_left_to_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """Version 0 of action.done called the time "when": only the Python upcaster knows that."""
    monkeypatch.setitem(upcasting._UPCASTERS, (ev.ACTION_DONE, 0), lambda d: {**d, "at": d.pop("when")})
    with store() as engine:
        append(engine, done("new", "2026-03-01T10:00:00+01:00"))
        old = {"action_id": "old", "kind": "reach-out", "when": "2025-05-05T09:00:00+02:00"}
        append(engine, (ev.ACTION_DONE, old), schema_version=0)
        with write_transaction(engine) as connection:
            assert sqlite_action_index.derive(connection, 10**9) is None
        Projections(engine).rebuild()
        with read_transaction(engine) as connection:
            at_iso = dict(connection.execute(select(v_actions.c.action_id, v_actions.c.at_iso)).all())
        assert at_iso == {"new": "2026-03-01T10:00:00+01:00", "old": "2025-05-05T09:00:00+02:00"}


def test_a_time_python_cannot_read_is_quarantined_as_the_incremental_and_python_rebuilds_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A projection never wedges (docs/architecture.md): the rebuild beside SQLite, the rebuild in
    Python and the incremental projection all go past the one action no one can read, quarantine
    it, and write the same views with every other action."""
    with store() as engine:
        append(engine, done("a", "2026-03-01T10:00:00+01:00"))
        append(engine, done("b", "2026-02-30T10:00:00+01:00"))  # no such day; SQLite would roll it on
        append(engine, done("c", "2026-03-02T10:00:00+01:00"), retracted("a"))
        projections = Projections(engine)

        def outcome() -> tuple[object, ...]:
            held = [(q.projection, q.position, q.event_id, q.type) for q in projections.quarantined()]
            return snapshot(engine), held, projections.position(ACTIONS), projections.position(PROGRESS)

        projections.catch_up()
        incremental = outcome()
        assert sqlite_action_index.available(engine)
        projections.rebuild()
        beside = outcome()
        monkeypatch.setattr(sqlite_action_index, "available", lambda _engine: False)
        projections.rebuild()
        in_python = outcome()
        head = EventStore(engine).head_position()
    assert beside == in_python == incremental
    views, held, *_ = beside
    assert [(row[1], row[6]) for row in views["v_actions"]] == [("a", True), ("c", False)]  # type: ignore[index]
    # (progress passes over the actions of a log without registrations: only the index and the
    # block ledger, whose fold reads every done action's time, meet it)
    assert [(name, position) for name, position, *_ in held] == [(ACTIONS, 2), (BLOCKS, 2)]  # type: ignore[misc]
    assert beside[2] == beside[3] == head


def test_rebuild_takes_the_sqlite_path_on_a_file_database() -> None:
    with store() as engine:
        assert sqlite_action_index.available(engine)
    memory = make_engine("sqlite://")
    assert not sqlite_action_index.available(memory)  # one connection: no fold beside it
    memory.dispose()


def test_a_rebuild_beside_sqlite_writes_what_the_python_rebuild_writes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A realistic log whose last event is an action: every view, and both checkpoints."""
    with store() as engine:
        fill(EventStore(engine), 3000, users=3)
        append(engine, done("the-last-one", "2026-11-30T18:00:00+01:00"))
        projections = Projections(engine)
        projections.rebuild()
        beside = snapshot(engine), projections.position(ACTIONS), projections.position(PROGRESS)
        monkeypatch.setattr(sqlite_action_index, "available", lambda _engine: False)
        projections.rebuild()
        in_python = snapshot(engine), projections.position(ACTIONS), projections.position(PROGRESS)
        head = EventStore(engine).head_position()
    assert beside == in_python
    assert any(row[1] == "the-last-one" for row in beside[0]["v_actions"])
    assert beside[1] == beside[2] == head
