"""Reading the views of an embedded SQLite store straight through `sqlite3`, without SQLAlchemy.

`netgoals progress` is typed many times a day; importing SQLAlchemy alone costs more than the rest of
the command. When the store is SQLite, at the newest schema and every projection is at the log's
head, the views are exactly what a full open (migrate, catch up, read) would show, so the command
reads them here. Anything else — another database, an older schema, events not yet projected — is
answered `None` and the caller takes the full path, which migrates and catches up first.

The queries are the ones `views.py` makes; tests/integration/test_snapshot.py checks both agree.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date
from pathlib import Path

from domain.tracking.goals import Goal, goal_from_dict
from integrations.storage.migrate import newest_revision
from integrations.storage.view_rows import UserRecord

PROJECTIONS = ("actions", "progress")  # every projection the views come from (projection.py)


def sqlite_path(url: str) -> Path | None:
    """The file of a `sqlite:///...` URL; None for anything else (a server, memory, options)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url or url[len(prefix) :] in ("", ":memory:"):
        return None
    return Path(url[len(prefix) :])


class Snapshot:
    """One consistent read of the views (a read transaction held while it is open)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def find_user(self, handle_or_id: str) -> UserRecord | None:
        key = handle_or_id.strip()
        row = self.connection.execute(
            "SELECT user_id, handle, timezone, week_start, weekly_budget FROM v_users"
            " WHERE user_id = ? OR handle = ?",
            (key, key.lower()),
        ).fetchone()
        return UserRecord(*row) if row else None

    def goals(self, user_id: str) -> list[Goal]:
        rows = self.connection.execute("SELECT data FROM v_goals WHERE user_id = ?", (user_id,))
        return sorted((goal_from_dict(json.loads(d)) for (d,) in rows), key=lambda g: (g.set_at, g.goal_id))

    def progress_counts(self, user_id: str) -> dict[str, dict[date, int]]:
        counts: dict[str, dict[date, int]] = {}
        rows = self.connection.execute(
            "SELECT goal_id, period_start, done FROM v_progress WHERE user_id = ?", (user_id,)
        )
        for goal_id, period_start, done in rows:  # dates are ISO text on SQLite
            counts.setdefault(goal_id, {})[date.fromisoformat(period_start)] = done
        return counts

    def aspiration_names(self, user_id: str) -> dict[str, str]:
        rows = self.connection.execute(
            "SELECT aspiration_id, text FROM v_aspirations WHERE user_id = ?", (user_id,)
        )
        return dict(rows.fetchall())


@contextmanager
def current_snapshot(url: str) -> Iterator[Snapshot | None]:
    """A snapshot of the views if they are current (see the module's doc), else None."""
    path = sqlite_path(url)
    if path is None or not path.is_file():
        yield None
        return
    connection = sqlite3.connect(path, timeout=60, isolation_level=None)
    try:
        connection.execute("BEGIN")  # one snapshot for the checks and the reads (WAL: never blocks)
        yield Snapshot(connection) if _current(connection) else None
    finally:
        with suppress(sqlite3.Error):
            connection.execute("COMMIT")
        connection.close()


def _current(connection: sqlite3.Connection) -> bool:
    try:
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone() or ("",)
        (head,) = connection.execute("SELECT coalesce(max(position), 0) FROM events").fetchone()
        marks = ", ".join("?" * len(PROJECTIONS))
        found = dict(
            connection.execute(
                f"SELECT name, position FROM projection_checkpoints WHERE name IN ({marks})",  # noqa: S608
                PROJECTIONS,
            ).fetchall()
        )
    except sqlite3.Error:  # no such table: a store that was never opened fully
        return False
    return revision == newest_revision() and all(found.get(name, 0) >= head for name in PROJECTIONS)
