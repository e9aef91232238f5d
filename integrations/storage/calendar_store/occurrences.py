"""Calendar occurrences that earned (or may earn, once over) completions: their facts and what they
counted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, insert, select, update

from integrations.storage.calendar_store.tables import google_occurrences


@dataclass(slots=True)
class Occurrence:
    key: str
    role: str
    due_at: float | None
    facts: dict[str, Any]
    counted: dict[str, list[str]]  # kind -> [action_id, at]
    generation: int
    stored: bool = True


def _occurrence(row: Any) -> Occurrence:
    return Occurrence(
        row["key"],
        row["role"],
        row["due_at"],
        json.loads(row["facts"]),
        json.loads(row["counted"]),
        row["generation"],
    )


def occurrences(connection: Connection, user_id: str, keys: Sequence[str]) -> dict[str, Occurrence]:
    found: dict[str, Occurrence] = {}
    for start in range(0, len(keys), 500):
        chunk = list(keys[start : start + 500])
        query = select(google_occurrences).where(
            google_occurrences.c.user_id == user_id, google_occurrences.c.key.in_(chunk)
        )
        for row in connection.execute(query).mappings():
            found[row["key"]] = _occurrence(row)
    return found


def due_occurrences(connection: Connection, user_id: str, now: float) -> list[Occurrence]:
    query = select(google_occurrences).where(
        google_occurrences.c.user_id == user_id,
        google_occurrences.c.due_at.is_not(None),
        google_occurrences.c.due_at <= now,
    )
    return [_occurrence(r) for r in connection.execute(query).mappings()]


def counted_occurrences(connection: Connection, user_id: str) -> list[Occurrence]:
    query = select(google_occurrences).where(
        google_occurrences.c.user_id == user_id, google_occurrences.c.counted != "{}"
    )
    return [_occurrence(r) for r in connection.execute(query).mappings()]


def save_occurrence(connection: Connection, user_id: str, item: Occurrence) -> None:
    values = {
        "role": item.role,
        "due_at": item.due_at,
        "facts": json.dumps(item.facts, separators=(",", ":"), sort_keys=True),
        "counted": json.dumps(item.counted, separators=(",", ":"), sort_keys=True),
        "generation": item.generation,
    }
    key = and_(google_occurrences.c.user_id == user_id, google_occurrences.c.key == item.key)
    if item.stored:
        connection.execute(update(google_occurrences).where(key).values(**values))
    else:
        connection.execute(insert(google_occurrences).values(user_id=user_id, key=item.key, **values))
        item.stored = True
