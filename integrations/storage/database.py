"""Engines for SQLite (embedded default) and PostgreSQL, with the transaction rules the log needs.

Writers must commit in position order (DESIGN.md invariant 4): on SQLite every write transaction is
`BEGIN IMMEDIATE` (one writer at a time); on PostgreSQL appends take an advisory transaction lock.
A decision on one stream (invariant 3) reads, decides and appends while holding that stream's lock:
SQLite's write lock, or a PostgreSQL advisory lock on the stream, so deciders wait instead of losing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from hashlib import blake2b
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

# Any constant works; it only has to be the same for every writer of one database.
APPEND_LOCK_KEY = 0x6E6574676F616C  # "netgoal"
# Stream locks use the two-key form, whose key space does not overlap the one-key APPEND_LOCK_KEY.
STREAM_LOCK_CLASS = 0x6E67  # "ng"
_READ_ONLY = "netgoals_read_only"


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60}, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself, so writers can ask for IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    read_only = connection.get_execution_options().get(_READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that may write; on SQLite it holds the single writer lock from the start."""
    with engine.connect() as connection, connection.begin():
        yield connection


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A consistent snapshot for reading; never blocks writers."""
    with engine.connect().execution_options(**{_READ_ONLY: True}) as connection, connection.begin():
        yield connection


def lock_appends(connection: Connection) -> None:
    """Serialise appends so commit order equals position order (PostgreSQL; SQLite is already serial)."""
    if not is_sqlite(connection):
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({APPEND_LOCK_KEY})")


def lock_stream(connection: Connection, stream_id: str) -> None:
    """Hold one stream until the transaction ends, so its deciders run one after another.

    SQLite: a write transaction already holds the database's single writer lock from BEGIN
    IMMEDIATE. PostgreSQL: an advisory transaction lock on a hash of the stream id (a collision only
    makes two streams wait for each other). Take it before reading the stream: under READ COMMITTED
    every later statement sees what the previous holder committed. Take it before the append lock
    and never two stream locks in one transaction, so no deadlock can form.
    """
    if not is_sqlite(connection):
        key = int.from_bytes(blake2b(stream_id.encode(), digest_size=4).digest(), "big", signed=True)
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({STREAM_LOCK_CLASS}, {key})")  # two int4


def placeholder(connection: Connection) -> str:
    """The driver's parameter marker: `?` for sqlite3, `%s` for psycopg."""
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def bulk_insert(
    connection: Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """executemany straight to the driver: SQLAlchemy's per-row parameter processing would cost
    more than the insert itself on the hot paths (appends, rebuilds). Names are our own constants."""
    if rows:
        if is_sqlite(connection) and any(isinstance(v, date) for v in rows[0]):
            # Store dates as SQLAlchemy's Date type does on SQLite: ISO text.
            rows = [tuple(v.isoformat() if isinstance(v, date) else v for v in row) for row in rows]
        marks = ", ".join([placeholder(connection)] * len(columns))
        connection.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)  # noqa: S608
