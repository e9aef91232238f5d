"""The action index (`v_actions`) derived by SQLite itself from the log, for full rebuilds.

Why: made in Python, the index costs about 11 µs per action (a tuple per row, then binding it),
more than reading and decoding the log. SQLite's JSON and date functions run in C and release the
GIL, so `Projections.rebuild` runs this statement on another core while it folds the log.

The rows are exactly those of `action_index.rows(fold)` (tests/integration/test_sqlite_action_index.py),
once the rebuild has flagged the fold's retracted actions (`action_index.mark_retracted`; a few
rows, and the fold knows them for free):
- the first `action.done` per user and action id stands: inserted in log order, later ones ignored;
- `at` is SQLite's epoch for the whole seconds plus the microseconds, divided once, as Python's
  `timedelta.total_seconds` does; `at_iso` is the logged text. Both only when the text is exactly
  what `datetime.isoformat` writes, for years 1686 to 2254 (the shape below: the fold has already
  parsed every first `at` with `datetime.fromisoformat`, so a text of that shape is a valid time).
  Any other text, and an offset beyond the 14 hours SQLite reads, is handed back to Python, to the
  incremental index's own conversion, by a second statement;
- `contact_ids` is SQLite's minified JSON of the array: orjson's bytes for an array of ASCII text
  without escapes; anything else (a missing list aside) goes through Python too.

Only for a log whose `action.done` events are all at the current schema version: an upcaster is
Python.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import cast

import orjson
from sqlalchemy import Connection, Engine

from domain.event_types import events as ev
from domain.event_types.events import CURRENT_SCHEMA_VERSION
from integrations.storage.database import bulk_writing, empty_table, is_sqlite
from integrations.storage.schema import v_actions

_MINIMUM_SQLITE = (3, 38, 0)  # the ->> operator

# Exactly what `datetime.isoformat()` writes for an aware time: seconds, or microseconds that are
# not all zero, then an offset other than "-00:00" (Python writes "+00:00"). And a year whose
# microseconds since 1970 stay below 2**53: a double holds them exactly, so one division rounds
# as Python's integer division does (further out, SQLite would round twice).
_CANONICAL = """(CASE length(x)
    WHEN 25 THEN x GLOB '????-??-??T??:??:??[+-]??:??'
    WHEN 32 THEN x GLOB '????-??-??T??:??:??.??????[+-]??:??' AND substr(x, 21, 6) <> '000000'
    ELSE 0 END AND substr(x, -6) <> '-00:00'
    AND x >= '1686' AND x < '2255')"""
_MICROSECONDS = "(CASE length(x) WHEN 32 THEN CAST(substr(x, 21, 6) AS INTEGER) ELSE 0 END)"
_SECONDS = "unixepoch(substr(x, 1, 19) || substr(x, -6))"
_PLAIN_ARRAY = (
    "(substr(contacts, 1, 1) = '[' AND length(contacts) = length(CAST(contacts AS BLOB))"
    " AND instr(contacts, '\\') = 0)"
)

_ACTION_STREAMS = "(substr(stream_id, 1, 8) = 'actions-' OR stream_id = 'actions')"  # as LogFold.apply
# A text of another shape first gets this impossible time (`at` may not be NULL), then `_REREAD`
# hands it to Python: the shape test runs once per row, and nearly every row passes it.
_UNREAD = -1.0e300
# The statements are built from this module's constants only; values are bound parameters.
_INSERT = f"""
WITH done AS MATERIALIZED (
    SELECT substr(stream_id, 9) AS user_id, data ->> '$.action_id' AS action_id,
           data ->> '$.kind' AS kind, data ->> '$.at' AS x,
           data -> '$.contact_ids' AS contacts,
           position
    FROM events
    WHERE type = :done AND {_ACTION_STREAMS} AND position <= :head
    ORDER BY position
)
INSERT INTO v_actions (user_id, action_id, kind, at, at_iso, contact_ids, retracted, position)
SELECT user_id, action_id, kind,
       CASE WHEN {_CANONICAL}
            THEN coalesce(({_SECONDS} * 1000000 + {_MICROSECONDS}) / 1000000.0, :unread)
            ELSE :unread END,
       x,
       CASE WHEN contacts IS NULL THEN '[]' WHEN {_PLAIN_ARRAY} THEN contacts
            ELSE netgoals_contacts(contacts) END,
       0, position
FROM done WHERE true
ON CONFLICT (user_id, action_id) DO NOTHING
"""  # noqa: S608
# (SET reads the row as it was: both conversions get the logged text.)
_REREAD = "UPDATE v_actions SET at = netgoals_epoch(at_iso), at_iso = netgoals_iso(at_iso) WHERE at = :unread"
_OLDER_SCHEMA = """
SELECT 1 FROM events WHERE type = :done AND schema_version <> :current AND position <= :head LIMIT 1
"""


def available(engine: Engine) -> bool:
    """SQLite new enough, on a file: the rebuild folds on a second connection meanwhile, which an
    in-memory database (one connection per thread) does not have."""
    database = engine.url.database
    return (
        is_sqlite(engine)
        and sqlite3.sqlite_version_info >= _MINIMUM_SQLITE
        and bool(database)
        and database != ":memory:"
        and "mode=memory" not in str(engine.url)
    )


def derive(connection: Connection, head: int) -> int | None:
    """Replace the index with the rows the log up to `head` makes, none of them retracted yet;
    returns how many, or None (and changes nothing) when an `action.done` needs an upcaster, which
    only Python has."""
    driver = cast(sqlite3.Connection, connection.connection.driver_connection)
    bound = {"head": head, "done": ev.ACTION_DONE, "unread": _UNREAD}
    if driver.execute(_OLDER_SCHEMA, {**bound, "current": CURRENT_SCHEMA_VERSION}).fetchone():
        return None
    empty_table(connection, v_actions.name)
    functions: dict[str, Callable[[str], str | float]] = {
        "netgoals_epoch": _epoch,
        "netgoals_iso": _iso,
        "netgoals_contacts": _contacts,
    }
    for name, function in functions.items():
        driver.create_function(name, 1, function, deterministic=True)
    try:
        with bulk_writing(connection):
            for table_index in v_actions.indexes:  # built once, after the rows (as action_index.write)
                table_index.drop(connection)
            before = driver.total_changes  # (rowcount is -1 for a statement that starts WITH)
            driver.execute(_INSERT, bound)
            written = driver.total_changes - before
            driver.execute(_REREAD, {"unread": _UNREAD})
            for table_index in v_actions.indexes:
                table_index.create(connection)
    finally:
        for name in functions:
            driver.create_function(name, 1, None)
    return written


def interrupt(connection: Connection) -> None:
    """Stop `derive` where it is (from another thread); its statement fails, the transaction
    rolls back."""
    cast(sqlite3.Connection, connection.connection.driver_connection).interrupt()


# Python's own conversions (view_rows.action_values), for the texts the statement does not take.
# A text Python cannot parse fails the statement, as it fails the fold: the rebuild then goes event by
# event and quarantines that action (projection.py).


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def _iso(text: str) -> str:
    return datetime.fromisoformat(text).isoformat()


def _contacts(text: str) -> str:
    return orjson.dumps(list(orjson.loads(text) or ())).decode()
