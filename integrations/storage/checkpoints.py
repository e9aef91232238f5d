"""Projection checkpoints: how far each projection has read the log (invariant 5 in docs/architecture.md).

A checkpoint row is locked before a batch is applied, so two processes catching up never apply the
same batch twice, and it only moves forward — except when a rebuild resets it.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select, update

from integrations.storage.database import is_sqlite
from integrations.storage.schema import checkpoints, events


def bound(connection: Connection, upstream: str | None) -> int:
    """How far a projection may go: the log's head, or the checkpoint of the projection it reads."""
    if upstream is not None:
        return position(connection, upstream)
    return int(connection.scalar(select(func.max(events.c.position))) or 0)


def all_at_head(connection: Connection, names: tuple[str, ...]) -> bool:
    """Whether every named projection has read the whole log: one query, for the common case of a
    read with nothing new to project (every request and command asks)."""
    head = select(func.coalesce(func.max(events.c.position), 0)).scalar_subquery()
    lowest = select(func.min(checkpoints.c.position)).where(checkpoints.c.name.in_(names)).scalar_subquery()
    known = (
        select(func.count()).select_from(checkpoints).where(checkpoints.c.name.in_(names)).scalar_subquery()
    )
    row = connection.execute(select(head, lowest, known)).one()
    at_head, lowest_position, found = int(row[0]), row[1], int(row[2])
    if found < len(names):  # a projection that never ran is at 0
        return at_head == 0
    return int(lowest_position) >= at_head


def position(connection: Connection, name: str) -> int:
    value = connection.scalar(select(checkpoints.c.position).where(checkpoints.c.name == name))
    return int(value or 0)


def lock(connection: Connection, name: str) -> int:
    """The checkpoint, locked until the transaction ends (SQLite: writers are serial anyway)."""
    # Imported here: the PostgreSQL dialect module alone costs a command 40 ms of start-up.
    if is_sqlite(connection):
        from sqlalchemy.dialects import sqlite

        connection.execute(sqlite.insert(checkpoints).values(name=name, position=0).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects import postgresql

        connection.execute(
            postgresql.insert(checkpoints).values(name=name, position=0).on_conflict_do_nothing()
        )
    query = select(checkpoints.c.position).where(checkpoints.c.name == name).with_for_update()
    return int(connection.scalar(query) or 0)


def reset(connection: Connection, name: str, to: int) -> None:
    """Rebuilds are the one place a checkpoint may move back."""
    lock(connection, name)
    connection.execute(update(checkpoints).where(checkpoints.c.name == name).values(position=to))


def advance(connection: Connection, names: list[str], to: int) -> None:
    """Move forward only: a conditional update, never back (these checkpoints, one statement)."""
    connection.execute(
        update(checkpoints)
        .where(checkpoints.c.name.in_(names), checkpoints.c.position < to)
        .values(position=to)
    )
