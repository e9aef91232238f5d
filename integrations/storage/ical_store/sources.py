"""Subscribed calendars and their fetch state; a sync commits through `advance_source`, a
compare-and-set on the row's version, together with what it derived."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from integrations.storage.ical_store.tables import ical_occurrences
from integrations.storage.ical_store.tables import ical_sources as s


@dataclass(frozen=True, slots=True)
class SourceRecord:
    source_id: str
    user_id: str
    kind: str
    identity: str
    url_sealed: str | None
    display: str
    trust_all: bool
    emails: tuple[str, ...]
    etag: str | None
    last_modified: str | None
    interval_seconds: int
    next_due_at: float | None
    last_fetched_at: str | None
    last_status: str
    last_error: str | None
    events_seen: int
    actions_derived: int
    created_at: str
    version: int
    unread: int = 0
    unread_notes: tuple[str, ...] = ()


def _record(row: Any) -> SourceRecord:
    values = dict(row)
    values["emails"] = tuple(json.loads(values["emails"]))
    values["trust_all"] = bool(values["trust_all"])
    values["unread_notes"] = tuple(json.loads(values.get("unread_notes") or "[]"))
    return SourceRecord(**values)


def add_source(connection: Connection, values: dict[str, Any]) -> None:
    row = {
        "etag": None,
        "last_modified": None,
        "last_fetched_at": None,
        "last_status": "new",
        "last_error": None,
        "events_seen": 0,
        "actions_derived": 0,
        "unread": 0,
        "unread_notes": "[]",
        "version": 1,
        **values,
    }
    row["emails"] = json.dumps(list(row["emails"]))
    connection.execute(insert(s).values(**row))


def source(connection: Connection, source_id: str) -> SourceRecord | None:
    row = connection.execute(select(s).where(s.c.source_id == source_id)).mappings().first()
    return _record(row) if row is not None else None


def sources_of(connection: Connection, user_id: str) -> list[SourceRecord]:
    rows = connection.execute(
        select(s).where(s.c.user_id == user_id).order_by(s.c.created_at, s.c.source_id)
    ).mappings()
    return [_record(r) for r in rows]


def due_sources(connection: Connection, now: float, limit: int = 100) -> list[SourceRecord]:
    rows = connection.execute(
        select(s)
        .where(s.c.next_due_at.is_not(None), s.c.next_due_at <= now)
        .order_by(s.c.next_due_at)
        .limit(limit)
    ).mappings()
    return [_record(r) for r in rows]


def remove_source(connection: Connection, user_id: str, source_id: str) -> bool:
    gone = connection.execute(delete(s).where(s.c.source_id == source_id, s.c.user_id == user_id))
    if gone.rowcount:
        connection.execute(delete(ical_occurrences).where(ical_occurrences.c.source_id == source_id))
    return bool(gone.rowcount)


def advance_source(connection: Connection, source_id: str, version: int, **values: Any) -> bool:
    """Store a sync's outcome if nobody else synced the source since it was read."""
    done = connection.execute(
        update(s)
        .where(s.c.source_id == source_id, s.c.version == version)
        .values(version=version + 1, **values)
    )
    return bool(done.rowcount)


def add_derived(connection: Connection, source_id: str, count: int) -> None:
    if count:
        connection.execute(
            update(s).where(s.c.source_id == source_id).values(actions_derived=s.c.actions_derived + count)
        )


def request_read(connection: Connection, user_id: str, source_id: str, due_at: float) -> SourceRecord | None:
    """A person's "read now": the source (theirs, read from an address) is due at `due_at` unless
    it is due sooner already. The request is this row, so a lost message only waits for the
    periodic read of due sources. None when the source is not theirs."""
    connection.execute(
        update(s)
        .where(
            s.c.source_id == source_id,
            s.c.user_id == user_id,
            s.c.kind == "url",
            (s.c.next_due_at.is_(None)) | (s.c.next_due_at > due_at),
        )
        .values(next_due_at=due_at)
    )
    found = source(connection, source_id)
    return found if found is not None and found.user_id == user_id else None


def due_sources_of(connection: Connection, user_id: str, now: float, limit: int) -> list[SourceRecord]:
    """One person's sources due by `now`, the longest waiting first."""
    rows = connection.execute(
        select(s)
        .where(s.c.user_id == user_id, s.c.next_due_at.is_not(None), s.c.next_due_at <= now)
        .order_by(s.c.next_due_at)
        .limit(limit)
    ).mappings()
    return [_record(r) for r in rows]
