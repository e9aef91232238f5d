"""Per-user projection positions (invariant 5 in docs/architecture.md).

A write catches up only its own user's events, holding only that user's rows here, so writers for
different people never wait for each other. What a projection has applied for a user is every one
of that user's events up to `max(global checkpoint, the user's row)`: the global checkpoint is a
low-water mark, moved by the catch-up that walks the whole log (the workers' sweep, the CLI), which
locks the rows of the users in its batch and skips what their rows say is already applied.

Lock order, so no deadlock can form: the global checkpoint row first (only the whole-log catch-up
and rebuilds take it), then user rows in user order; a write takes its own user's rows only.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Insert, Select, String, Update, bindparam, delete, func, select, update

from integrations.storage.database import is_sqlite
from integrations.storage.schema import checkpoints, events, projection_users


def _insert_missing(connection: Connection, rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    connection.execute(_insert_rows(is_sqlite(connection)), rows)


@lru_cache(maxsize=2)
def _insert_rows(lite: bool) -> Insert:
    """Built once per dialect (issue 26). Imported here: the PostgreSQL dialect module alone costs
    a command 40 ms of start-up."""
    if lite:
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(projection_users).on_conflict_do_nothing()
    from sqlalchemy.dialects import postgresql

    return postgresql.insert(projection_users).on_conflict_do_nothing()


def lock_user(connection: Connection, user_id: str, names: tuple[str, ...]) -> dict[str, int]:
    """Lock one user's rows of these projections until the transaction ends and answer where each
    projection stands for that user. The global checkpoints are read after the lock, in a statement
    of their own: under READ COMMITTED it sees what a whole-log catch-up we waited for committed."""
    query, user = _own_rows(names), {"user_id": user_id}
    own: dict[str, int] = dict(connection.execute(query, user).all())
    if len(own) < len(names):
        _insert_missing(connection, [{"user_id": user_id, "projection": n, "position": 0} for n in names])
        own = dict(connection.execute(query, user).all())
    shared = _checkpoints(connection, names)
    return {name: max(int(own.get(name, 0)), shared.get(name, 0)) for name in names}


def lock_users(connection: Connection, name: str, user_ids: Iterable[str]) -> dict[str, int]:
    """For a whole-log batch: lock the rows of these users (in user order) and answer how far each
    one's own catch-ups went ahead of the checkpoint."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return {}
    _insert_missing(connection, [{"user_id": u, "projection": name, "position": 0} for u in wanted])
    query = (
        select(projection_users.c.user_id, projection_users.c.position)
        .where(projection_users.c.projection == name, projection_users.c.user_id.in_(wanted))
        .order_by(projection_users.c.user_id)
        .with_for_update()
    )
    return {user_id: int(position) for user_id, position in connection.execute(query)}


def advance(connection: Connection, user_id: str, names: list[str], to: int) -> None:
    """Forward only, like the global checkpoint (these projections of one user, one statement)."""
    connection.execute(_advance(tuple(names)), {"owner": user_id, "to": to})


def at_head(connection: Connection, user_id: str, names: tuple[str, ...]) -> bool:
    """Whether every named projection has applied all of this user's events: one query, for the
    common case of a read or a write with nothing new to project."""
    row = connection.execute(_at_head(names), {"user_id": user_id}).one()
    if row[0] is None:
        return True  # no events of this user at all
    stands = [max(int(row[i] or 0), int(row[i + 1] or 0)) for i in range(1, len(row), 2)]
    return min(stands) >= int(row[0])


def clear(connection: Connection, names: tuple[str, ...]) -> None:
    """A rebuild resets the checkpoints to what it folded: the per-user rows go with it. On
    PostgreSQL the table is locked first, so no write's catch-up is midway (it would have read the
    old checkpoint) — the rebuild waits for those, and new ones wait for the rebuild."""
    if not is_sqlite(connection):
        connection.exec_driver_sql("LOCK TABLE projection_users IN EXCLUSIVE MODE")
    connection.execute(delete(projection_users).where(projection_users.c.projection.in_(names)))


def _checkpoints(connection: Connection, names: tuple[str, ...]) -> dict[str, int]:
    return {name: int(position) for name, position in connection.execute(_shared_rows(names))}


# Built once per set of projections (issue 26: every decision catches its person up, and building
# these selects and their cache keys cost more of our CPU than running them); the user is bound.
@lru_cache(maxsize=8)
def _own_rows(names: tuple[str, ...]) -> Select[Any]:
    return (
        select(projection_users.c.projection, projection_users.c.position)
        .where(projection_users.c.user_id == bindparam("user_id"), projection_users.c.projection.in_(names))
        .order_by(projection_users.c.projection)
        .with_for_update()
    )


@lru_cache(maxsize=8)
def _shared_rows(names: tuple[str, ...]) -> Select[Any]:
    return select(checkpoints.c.name, checkpoints.c.position).where(checkpoints.c.name.in_(names))


@lru_cache(maxsize=8)
def _advance(names: tuple[str, ...]) -> Update:
    return (
        update(projection_users)
        .where(
            projection_users.c.user_id == bindparam("owner"),  # not a column's name: an UPDATE reserves those
            projection_users.c.projection.in_(names),
            projection_users.c.position < bindparam("to"),
        )
        .values(position=bindparam("to"))
    )


@lru_cache(maxsize=8)
def _at_head(names: tuple[str, ...]) -> Select[Any]:
    user = bindparam("user_id", type_=String)
    head = select(func.max(events.c.position)).where(events.c.user_id == user).scalar_subquery()
    columns = [head]
    for name in names:
        columns.append(select(checkpoints.c.position).where(checkpoints.c.name == name).scalar_subquery())
        columns.append(
            select(projection_users.c.position)
            .where(projection_users.c.user_id == user, projection_users.c.projection == name)
            .scalar_subquery()
        )
    return select(*columns)
