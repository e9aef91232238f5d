"""What a source has counted, per event instance: found by key (UID and start) or by content
fingerprint (feeds that invent a new UID on every fetch)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, delete, insert, select, update

from integrations.storage.ical_store.tables import ical_occurrences as o
from integrations.storage.schema import events


@dataclass(slots=True)
class SourceOccurrence:
    key: str
    fingerprint: str
    due_at: float | None
    facts: dict[str, Any] = field(default_factory=dict)
    counted: dict[str, list[str]] = field(default_factory=dict)  # kind -> [action id, at]
    stored: bool = True


def _record(row: Any) -> SourceOccurrence:
    return SourceOccurrence(
        row["key"], row["fingerprint"], row["due_at"], json.loads(row["facts"]), json.loads(row["counted"])
    )


def known(connection: Connection, source_id: str) -> list[SourceOccurrence]:
    """Every occurrence of a source (a source's window holds hundreds, not millions)."""
    rows = connection.execute(select(o).where(o.c.source_id == source_id)).mappings()
    return [_record(r) for r in rows]


def due(connection: Connection, source_id: str, now: float) -> list[SourceOccurrence]:
    rows = connection.execute(
        select(o).where(o.c.source_id == source_id, o.c.due_at.is_not(None), o.c.due_at <= now)
    ).mappings()
    return [_record(r) for r in rows]


def save(connection: Connection, source_id: str, occurrence: SourceOccurrence) -> None:
    values = {
        "fingerprint": occurrence.fingerprint,
        "due_at": occurrence.due_at,
        "facts": json.dumps(occurrence.facts, sort_keys=True),
        "counted": json.dumps(occurrence.counted, sort_keys=True),
    }
    if occurrence.stored:
        connection.execute(
            update(o).where(o.c.source_id == source_id, o.c.key == occurrence.key).values(**values)
        )
    else:
        connection.execute(insert(o).values(source_id=source_id, key=occurrence.key, **values))
        occurrence.stored = True


def forget(connection: Connection, source_id: str, key: str) -> None:
    connection.execute(delete(o).where(o.c.source_id == source_id, o.c.key == key))


def existing_event_ids(connection: Connection, ids: list[UUID]) -> set[str]:
    """Which of these derived events the log already holds (another source counted the event)."""
    if not ids:
        return set()
    keys = [str(i) for i in ids]
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found.update(connection.scalars(select(events.c.event_id).where(events.c.event_id.in_(chunk))))
    return found
