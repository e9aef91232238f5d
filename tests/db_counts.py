"""What a use case costs the database, counted where it happens: transactions (SQLAlchemy's begin
event), statements (every one the driver runs, ours through the driver's own cursors included),
profile replays (reads of a profile stream's events) and folds of an actions stream (reads of an
actions stream's events, whole). SQLite only for the last two: its trace callback hands over each
statement with its parameters in place, so a read of a stream is known by its text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

# A read of one stream's payloads: the events' data, chosen by stream id (not a version's max).
_STREAM_READ = re.compile(r"\bdata\b.*\bFROM events\b.*\bstream_id = '(user|actions)-", re.S | re.I)


@dataclass
class Counts:
    transactions: int = 0
    statements: int = 0
    profile_reads: int = 0
    stream_folds: int = 0
    sql: list[str] = field(default_factory=list, repr=False)

    def line(self) -> str:
        return (
            f"{self.transactions} transactions, {self.statements} statements, "
            f"{self.profile_reads} profile replays, {self.stream_folds} stream folds"
        )


def _bookkeeping(sql: str) -> bool:
    """BEGIN and COMMIT: PostgreSQL's driver sends them without a cursor, so neither side counts them."""
    return sql.split(None, 1)[0].upper() in ("BEGIN", "COMMIT", "ROLLBACK")


@contextmanager
def counted(engine: Engine) -> Iterator[Counts]:
    """Count what runs inside the block (an SQLite engine)."""
    assert engine.dialect.name == "sqlite", "profile replays and folds are read from SQLite's trace"
    counts = Counts()

    def began(_connection: Any) -> None:
        counts.transactions += 1

    def statement(sql: str) -> None:
        if _bookkeeping(sql):
            return
        counts.statements += 1
        counts.sql.append(sql)
        found = _STREAM_READ.search(sql)
        if found is not None and "max(" not in sql.lower():
            if found[1] == "user":
                counts.profile_reads += 1
            else:
                counts.stream_folds += 1

    def checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.set_trace_callback(statement)

    def checkin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.set_trace_callback(None)

    event.listen(engine, "begin", began)
    event.listen(engine.pool, "checkout", checkout)
    event.listen(engine.pool, "checkin", checkin)
    try:
        yield counts
    finally:
        event.remove(engine, "begin", began)
        event.remove(engine.pool, "checkout", checkout)
        event.remove(engine.pool, "checkin", checkin)
