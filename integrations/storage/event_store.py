"""The append-only event log on SQLAlchemy Core (invariants 1-4 in docs/architecture.md).

- Append-only: the database itself rejects UPDATE and DELETE (see the initial migration).
- Idempotent: an event whose id is already in the log is skipped, so replays append nothing.
- Optimistic concurrency per stream: UNIQUE(stream_id, version) and an expected version.
- Readers never skip: appends are serialised, so commit order equals position order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import Connection, Engine, bindparam, func, select
from sqlalchemy.exc import IntegrityError

from domain.errors import ConcurrencyError
from domain.event_types.events import CURRENT_SCHEMA_VERSION, NewEvent, RecordedEvent, user_of_stream
from domain.event_types.fold import LogFold
from domain.event_types.upcasting import needs_upcasting, upcast
from integrations.storage.database import (
    bulk_insert,
    lock_appends,
    placeholder,
    read_transaction,
    write_transaction,
)
from integrations.storage.decision_marks import mark_changed
from integrations.storage.schema import events

# (position, stream_id, type, schema_version, data as stored): what projections fold.
RawRow = tuple[int, str, str, int, str]

_ID_CHUNK = 500
_COLUMNS = ("event_id", "stream_id", "version", "user_id", "type", "schema_version", "data", "recorded_at")


# A profile replay (every decision, every send) reads its stream with this: built once (issue 26).
_STREAM = (
    select(events)
    .where(events.c.stream_id == bindparam("stream_id"), events.c.version > bindparam("after"))
    .order_by(events.c.version)
)


@dataclass(frozen=True, slots=True)
class StreamAppend:
    """Events for one stream. `expected_version=None` appends at the end whatever it is: for
    independent facts (actions) whose order does not depend on what came before."""

    stream_id: str
    expected_version: int | None
    events: Sequence[NewEvent]
    user_id: str | None = None  # whose data this is; derived from the stream id when not given


def _utcnow() -> datetime:
    return datetime.now(UTC)


def encode(data: dict[str, Any]) -> str:
    return orjson.dumps(data).decode()


# orjson: a third of a projection rebuild is decoding payloads, and it decodes several times faster.
decode: Callable[[str], Any] = orjson.loads


class EventStore:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = _utcnow) -> None:
        self.engine = engine
        self._clock = clock

    # --- writing ---------------------------------------------------------------------------------

    def append(self, *batches: StreamAppend) -> int:
        """Append all batches in one transaction, or nothing. Returns how many events were new."""
        with write_transaction(self.engine) as connection:
            return self.append_in(connection, *batches)

    def append_in(self, connection: Connection, *batches: StreamAppend) -> int:
        """Append inside the caller's transaction (e.g. together with a sync token)."""
        lock_appends(connection)
        existing = self._existing_ids(connection, [e.event_id for b in batches for e in b.events])
        recorded_at = self._clock().isoformat()
        rows: list[tuple[Any, ...]] = []
        versions: dict[str, int] = {}  # running version per stream: a call may hold several runs of one
        for batch in batches:
            fresh = [e for e in batch.events if str(e.event_id) not in existing]
            if not fresh:
                continue
            current = versions.get(batch.stream_id)
            if current is None:
                current = self._version(connection, batch.stream_id)
            if batch.expected_version is not None and current != batch.expected_version:
                raise ConcurrencyError(
                    f"stream {batch.stream_id} is at version {current}, expected {batch.expected_version}"
                )
            user_id = batch.user_id or user_of_stream(batch.stream_id)
            stream_id = batch.stream_id
            rows.extend(
                (
                    str(e.event_id),
                    stream_id,
                    version,
                    user_id,
                    e.type,
                    e.schema_version,
                    encode(e.data),
                    recorded_at,
                )
                for version, e in enumerate(fresh, start=current + 1)
            )
            versions[stream_id] = current + len(fresh)
        try:
            bulk_insert(connection, events.name, _COLUMNS, rows)
        except IntegrityError as exc:  # only reachable without the append lock
            raise ConcurrencyError(str(exc.orig)) from exc
        # Every append path ends here, in the caller's transaction: the decision mark on the
        # users whose events these are commits with them (invariant 12).
        _mark_for_decision(connection, rows)
        return len(rows)

    @staticmethod
    def _existing_ids(connection: Connection, ids: list[UUID]) -> set[str]:
        found: set[str] = set()
        keys = [str(i) for i in ids]
        marker = placeholder(connection)
        cursor = connection.connection.cursor()
        try:
            for start in range(0, len(keys), _ID_CHUNK):
                chunk = keys[start : start + _ID_CHUNK]
                marks = ", ".join([marker] * len(chunk))
                cursor.execute(f"SELECT event_id FROM events WHERE event_id IN ({marks})", chunk)  # noqa: S608
                found.update(row[0] for row in cursor.fetchall())
        finally:
            cursor.close()
        return found

    @staticmethod
    def payloads(connection: Connection, ids: Iterable[UUID]) -> dict[UUID, dict[str, Any]]:
        """The data of those events that are in the log, by id (upcast to the current schema)."""
        found: dict[UUID, dict[str, Any]] = {}
        keys = [str(i) for i in ids]
        marker = placeholder(connection)
        cursor = connection.connection.cursor()
        try:
            for start in range(0, len(keys), _ID_CHUNK):
                chunk = keys[start : start + _ID_CHUNK]
                marks = ", ".join([marker] * len(chunk))
                sql = f"SELECT event_id, type, schema_version, data FROM events WHERE event_id IN ({marks})"  # noqa: S608
                cursor.execute(sql, chunk)
                for event_id, event_type, schema_version, data in cursor.fetchall():
                    payload = decode(data)
                    if needs_upcasting(schema_version):
                        payload = upcast(event_type, schema_version, payload)
                    found[UUID(event_id)] = payload
        finally:
            cursor.close()
        return found

    @staticmethod
    def _version(connection: Connection, stream_id: str) -> int:
        # The driver's cursor: appends sit on the hot path, and this is their one other query.
        cursor = connection.connection.cursor()
        try:
            sql = f"SELECT max(version) FROM events WHERE stream_id = {placeholder(connection)}"  # noqa: S608
            cursor.execute(sql, [stream_id])
            row = cursor.fetchone()
        finally:
            cursor.close()
        return int(row[0] or 0) if row else 0

    # --- reading ---------------------------------------------------------------------------------

    def stream_version(self, stream_id: str) -> int:
        with read_transaction(self.engine) as connection:
            return self._version(connection, stream_id)

    def read_stream(self, stream_id: str, after_version: int = 0) -> list[RecordedEvent]:
        with read_transaction(self.engine) as connection:
            return self.read_stream_in(connection, stream_id, after_version)

    @staticmethod
    def read_stream_in(connection: Connection, stream_id: str, after_version: int = 0) -> list[RecordedEvent]:
        """Read inside the caller's transaction (e.g. a decision holding the stream's lock)."""
        rows = connection.execute(_STREAM, {"stream_id": stream_id, "after": after_version})
        return [_recorded(row._mapping) for row in rows]

    @staticmethod
    def stream_payloads(connection: Connection, stream_id: str) -> list[tuple[str, dict[str, Any]]]:
        """A stream's (type, payload) in version order, upcast: the fast path for folding one
        person's stream at read time (no row objects, no envelopes)."""
        marker = placeholder(connection)
        sql = f"SELECT type, schema_version, data FROM events WHERE stream_id = {marker} ORDER BY version"  # noqa: S608
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql, [stream_id])
            rows = cursor.fetchall()
        finally:
            cursor.close()
        loads, current = decode, CURRENT_SCHEMA_VERSION
        return [
            (t, loads(data) if version == current else upcast(t, version, loads(data)))
            for t, version, data in rows
        ]

    def read_all(
        self, after_position: int = 0, limit: int | None = None, user_id: str | None = None
    ) -> list[RecordedEvent]:
        query = select(events).where(events.c.position > after_position).order_by(events.c.position)
        if user_id is not None:
            query = query.where(events.c.user_id == user_id)
        if limit is not None:
            query = query.limit(limit)
        with read_transaction(self.engine) as connection:
            return [_recorded(row._mapping) for row in connection.execute(query)]

    def by_ids(self, ids: Iterable[UUID]) -> dict[UUID, RecordedEvent]:
        """Those of these events that are in the log, as it holds them (payloads upcast)."""
        keys = sorted({str(i) for i in ids})
        found: dict[UUID, RecordedEvent] = {}
        with read_transaction(self.engine) as connection:
            for start in range(0, len(keys), _ID_CHUNK):
                query = select(events).where(events.c.event_id.in_(keys[start : start + _ID_CHUNK]))
                for row in connection.execute(query):
                    event = _recorded(row._mapping)
                    found[event.event_id] = event
        return found

    def contains(self, event_id: UUID) -> bool:
        with read_transaction(self.engine) as connection:
            return self.contains_in(connection, event_id)

    def contains_in(self, connection: Connection, event_id: UUID) -> bool:
        return bool(self._existing_ids(connection, [event_id]))

    def head_position(self) -> int:
        with read_transaction(self.engine) as connection:
            return int(connection.scalar(select(func.max(events.c.position))) or 0)

    @staticmethod
    def raw_rows(
        connection: Connection,
        after_position: int,
        limit: int,
        until_position: int | None = None,
        types: Iterable[str] | None = None,
        user_id: str | None = None,
    ) -> list[RawRow]:
        """The fast path for projections: the columns they need, in position order, fetched with
        the driver's own cursor (SQLAlchemy's row objects would cost more than decoding them).
        With a user: only that user's events (`ix_events_user_position`)."""
        marker = placeholder(connection)
        where = [f"position > {marker}"]
        params: list[Any] = [after_position]
        if user_id is not None:
            where.append(f"user_id = {marker}")
            params.append(user_id)
        if until_position is not None:
            where.append(f"position <= {marker}")
            params.append(until_position)
        if types is not None:
            kinds = sorted(types)
            where.append(f"type IN ({', '.join([marker] * len(kinds))})")
            params.extend(kinds)
        # Only constants and placeholders go into this string.
        conditions = " AND ".join(where)
        sql = f"SELECT position, stream_id, type, schema_version, data FROM events WHERE {conditions}"  # noqa: S608
        sql += f" ORDER BY position LIMIT {int(limit)}"
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall())  # both drivers give plain tuples
        finally:
            cursor.close()


def _mark_for_decision(connection: Connection, rows: list[tuple[Any, ...]]) -> None:
    """Invariant 12: whoever's events change their progress or waiting blocks needs an update
    decision, marked in this same transaction. An `update.*` fact is the decision itself (or its
    delivery): marking on it would make deciding decide again."""
    mark_changed(connection, {row[3] for row in rows if row[3] and not row[4].startswith(_UPDATE_FACTS)})


_UPDATE_FACTS = "update."


def decoded(rows: Iterable[RawRow]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(stream_id, type, data) with the payload decoded and upcast to the current schema."""
    for _position, stream_id, event_type, schema_version, data in rows:
        payload = decode(data)
        if needs_upcasting(schema_version):
            payload = upcast(event_type, schema_version, payload)
        yield stream_id, event_type, payload


def fold_rows(rows: Iterable[RawRow], fold: LogFold) -> None:
    """Decode each row and fold it, telling the fold each event's position (the action index keeps
    where each action is in the log): a rebuild's inner loop, kept free of a generator."""
    loads, current, apply = decode, CURRENT_SCHEMA_VERSION, fold.apply
    for position, stream_id, event_type, schema_version, data in rows:
        payload = loads(data)
        if schema_version != current:
            payload = upcast(event_type, schema_version, payload)
        fold.position = position
        apply(stream_id, event_type, payload)


def _recorded(row: Any) -> RecordedEvent:
    data = decode(row["data"])
    if needs_upcasting(row["schema_version"]):
        data = upcast(row["type"], row["schema_version"], data)
    return RecordedEvent(
        position=row["position"],
        event_id=UUID(row["event_id"]),
        stream_id=row["stream_id"],
        version=row["version"],
        type=row["type"],
        data=data,
        schema_version=row["schema_version"],
        recorded_at=row["recorded_at"],
    )
