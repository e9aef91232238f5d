"""The action index (`v_actions`): one row per done action — kind, time, contacts, retracted —
which the progress projection queries by goal and period. An index of the log, kept like any
projection: incrementally per batch, or rebuilt in bulk."""

from __future__ import annotations

from typing import Any, Final

import orjson
from sqlalchemy import Connection, and_, bindparam, insert, select, update

from domain.event_types import events as ev
from domain.event_types.fold import LogFold
from integrations.storage import view_rows
from integrations.storage.database import bulk_insert, bulk_writing, empty_table
from integrations.storage.event_store import RawRow, decoded
from integrations.storage.schema import v_actions


def rows(fold: LogFold) -> list[tuple[Any, ...]]:
    """The whole index from a fold of the log, in primary-key order: the same rows as `apply`
    (view_rows.action_values). The fold has already parsed every action once, so the index reuses
    its facts instead of decoding the log a second time; the loop is inlined (a million rows)."""
    made: list[tuple[Any, ...]] = []
    append, dumps = made.append, orjson.dumps
    for user_id in sorted(fold.users):
        facts = fold.users[user_id].actions
        for action_id in sorted(facts):
            fact = facts[action_id]
            at, contacts = fact.at, fact.contact_ids
            encoded = dumps(contacts).decode() if contacts else "[]"  # as view_rows._json(list(...))
            append(
                (
                    user_id,
                    action_id,
                    fact.kind,
                    at.timestamp(),
                    at.isoformat(),
                    encoded,
                    fact.retracted,
                    fact.position,
                )
            )
    return made


def retracted(fold: LogFold) -> list[dict[str, str]]:
    """The key of every retracted action of the fold (a retraction before its action retracts
    nothing, as in `apply`), for `mark_retracted`."""
    return [
        {"user": user_id, "action": action_id}
        for user_id, user in fold.users.items()
        for action_id, fact in user.actions.items()
        if fact.retracted
    ]


def mark_retracted(connection: Connection, keys: list[dict[str, str]]) -> None:
    """Flag these actions retracted: how a rebuild that derived the rows elsewhere (SQLite's own
    statement, `sqlite_action_index`) takes the fold's word on retractions."""
    if keys:
        connection.execute(
            update(v_actions)
            .where(v_actions.c.user_id == bindparam("user"), v_actions.c.action_id == bindparam("action"))
            .values(retracted=True),
            keys,
        )


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


def write(connection: Connection, values: list[tuple[Any, ...]]) -> int:
    """Replace the whole index with `rows(fold)`; returns its row count."""
    empty_table(connection, v_actions.name)
    # Rows in primary-key order append to its B-tree; the secondary index is built once, after the
    # rows, from a sort (cheaper than a million random inserts into it).
    with bulk_writing(connection):
        for table_index in v_actions.indexes:
            table_index.drop(connection)
        bulk_insert(connection, v_actions.name, view_rows.ACTION_COLUMNS, values, copy=True)
        for table_index in v_actions.indexes:
            table_index.create(connection)
    return len(values)


# How the action index reads each event type (tests/unit/test_event_readers.py): one row per done
# action, flagged when retracted; nothing else is an action that happened.
EVENT_READING: Final = ev.reading(
    handled=(
        ev.ACTION_DONE,
        ev.ACTION_RETRACTED,
    ),
    ignored=(
        ev.USER_REGISTERED,
        ev.USER_SETTINGS_CHANGED,
        ev.HANDLE_CLAIMED,
        ev.ASPIRATION_ADDED,
        ev.ASPIRATION_UPDATED,
        ev.GOAL_SET,
        ev.GOAL_REVISED,
        ev.GOAL_PREFERENCES_SET,
        ev.GOAL_LINKED,
        ev.GOAL_PAUSED,
        ev.GOAL_RESUMED,
        ev.GOAL_ARCHIVED,
        ev.CONTACT_ADDED,
        ev.CONTACT_UPDATED,
        ev.ACTION_PLANNED,
        ev.ACTION_RESCHEDULED,
        ev.ACTION_SKIPPED,
        ev.ACTION_FULFILLED,
        ev.CONFIRMATION_ADOPTED,
        ev.CALENDAR_CONNECTED,
        ev.CALENDAR_DISCONNECTED,
        ev.USER_UPDATES_SET,
        ev.USER_UPDATES_EMAIL_CONFIRMED,
        ev.NEXT_ANSWERED,
        ev.UPDATE_DECIDED,
        ev.UPDATE_DELIVERED,
        ev.UPDATE_FAILED,
    ),
)
