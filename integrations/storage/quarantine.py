"""Quarantined events: an event a projection could not apply is recorded here, with its error, and
the projection goes past it (docs/architecture.md, "A projection never wedges").

Whatever put the event in the log (an upcaster bug, an old release's event, a restore), one event
must not stop a projection for good: every request of every user would fail behind it. The rows
say what to look at; a rebuild decides them anew (a fixed upcaster applies the event then).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from integrations.storage.schema import events, quarantined

_ERROR_LIMIT = 500  # characters of the error kept: enough to see what failed, never a whole payload


@dataclass(frozen=True, slots=True)
class Quarantined:
    projection: str
    position: int
    event_id: str
    type: str
    error: str
    quarantined_at: str

    def line(self) -> str:
        return (
            f"{self.projection}: event {self.event_id} ({self.type}) at position {self.position}"
            f" was not applied: {self.error}"
        )


def transient(exc: BaseException) -> bool:
    """A failure of the database or the process, not of the event: it must not quarantine it (the
    batch is tried again later, as before)."""
    if isinstance(exc, (OperationalError, InterfaceError, MemoryError, TimeoutError)):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def describe(exc: BaseException) -> str:
    """The error in one line: a database error without its statement and parameters (they hold the
    payload, a person's data)."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = " ".join(f"{type(cause).__name__}: {cause}".split())
    return text[:_ERROR_LIMIT]


def record(connection: Connection, projection: str, position: int, error: str, at: str) -> None:
    found = connection.execute(
        select(events.c.event_id, events.c.type).where(events.c.position == position)
    ).one()
    connection.execute(
        insert(quarantined).values(
            projection=projection,
            position=position,
            event_id=found.event_id,
            type=found.type,
            error=error,
            quarantined_at=at,
        )
    )


def clear(connection: Connection, projections: Iterable[str]) -> None:
    """A rebuild decides every event anew."""
    connection.execute(delete(quarantined).where(quarantined.c.projection.in_(list(projections))))


def count(connection: Connection) -> int:
    return int(connection.scalar(select(func.count()).select_from(quarantined)) or 0)


def counts(connection: Connection) -> dict[str, int]:
    """Quarantined events by projection."""
    query = select(quarantined.c.projection, func.count()).group_by(quarantined.c.projection)
    return {name: int(n) for name, n in connection.execute(query)}


def listed(connection: Connection, limit: int | None = None) -> list[Quarantined]:
    query = select(quarantined).order_by(quarantined.c.position, quarantined.c.projection)
    if limit is not None:
        query = query.limit(limit)
    return [Quarantined(**row._mapping) for row in connection.execute(query)]
