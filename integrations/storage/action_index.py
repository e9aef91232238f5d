"""The action index (`v_actions`): one row per done action — kind, time, contacts, retracted —
which the progress projection queries by goal and period. An index of the log, kept like any
projection: incrementally per batch, or rebuilt in bulk."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, update

from domain import events as ev
from integrations.storage import view_rows
from integrations.storage.database import bulk_insert
from integrations.storage.event_store import RawRow, decoded
from integrations.storage.schema import v_actions

Index = dict[tuple[str, str], list[Any]]  # (user, action) -> row values, as rebuilds fold them


def fold(index: Index, rows: list[RawRow]) -> None:
    """The action index in memory, as rebuilds make it: the same rows as `apply`."""
    retracted = view_rows.ACTION_COLUMNS.index("retracted")
    for (position, *_), (stream_id, event_type, data) in zip(rows, decoded(rows), strict=True):
        key = (stream_id.partition("-")[2], data["action_id"])
        if event_type == ev.ACTION_DONE:
            if key not in index:  # the same action twice: the first one stands
                index[key] = list(view_rows.action_values(key[0], data, position))
        elif event_type == ev.ACTION_RETRACTED and key in index:
            index[key][retracted] = True


def apply(connection: Connection, rows: list[RawRow]) -> None:
    wanted = [r for r in rows if r[2] in ev.ACTION_EVENT_TYPES]
    for (position, *_), (stream_id, event_type, data) in zip(wanted, decoded(wanted), strict=True):
        user_id = stream_id.partition("-")[2]
        key = and_(v_actions.c.user_id == user_id, v_actions.c.action_id == data["action_id"])
        if event_type == ev.ACTION_DONE:
            if connection.scalar(select(v_actions.c.action_id).where(key)) is None:  # the first one stands
                connection.execute(insert(v_actions).values(view_rows.action_row(user_id, data, position)))
        elif event_type == ev.ACTION_RETRACTED:
            connection.execute(update(v_actions).where(key).values(retracted=True))


def write(connection: Connection, index: Index) -> int:
    """Replace the whole index with a folded one; returns its row count."""
    connection.execute(delete(v_actions))
    values = sorted(tuple(row) for row in index.values())  # the primary key's order
    # Building the secondary index once, sorted, beats a million random inserts into it.
    for table_index in v_actions.indexes:
        table_index.drop(connection)
    bulk_insert(connection, v_actions.name, view_rows.ACTION_COLUMNS, values)
    for table_index in v_actions.indexes:
        table_index.create(connection)
    return len(values)
