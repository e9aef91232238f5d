"""Engines for SQLite (embedded default) and PostgreSQL, with the transaction rules the log needs.

Writers must commit in position order (invariant 4 in docs/architecture.md): on SQLite every write
transaction is `BEGIN IMMEDIATE` (one writer at a time); on PostgreSQL appends take an advisory
transaction lock. A decision on one stream (invariant 3) reads, decides and appends while holding
that stream's lock: SQLite's write lock, or a PostgreSQL advisory lock on the stream, so deciders
wait instead of losing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from hashlib import blake2b
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from integrations.storage import unit_of_work

# Any constant works; it only has to be the same for every writer of one database.
APPEND_LOCK_KEY = 0x6E6574676F616C  # "netgoal"
# Stream locks use the two-key form, whose key space does not overlap the one-key APPEND_LOCK_KEY.
STREAM_LOCK_CLASS = 0x6E67  # "ng"
_READ_ONLY = unit_of_work.READ_ONLY


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
    # Plan every statement for its own parameters. psycopg prepares a query after five runs, and
    # PostgreSQL then switches to one generic plan for any parameters; for the idempotency check's
    # `event_id IN (...)` that plan is a scan of the whole log, so each append grew slower with the
    # log (0.9 ms at 4,000 events, 89 ms at 15,000). A custom plan is an index lookup; prepared
    # statements are kept (no re-parsing).
    connect_args = {"options": "-c plan_cache_mode=force_custom_plan"}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


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
    """A transaction that may write; on SQLite it holds the single writer lock from the start.
    Inside a unit of work (`unit_of_work`) it ends the unit's shared read first."""
    unit_of_work.before_write(engine)
    with engine.connect() as connection, connection.begin():
        yield connection


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A consistent snapshot for reading; never blocks writers. Inside a unit of work, the unit's
    one read transaction."""
    with unit_of_work.shared_read(engine) as shared:
        if shared is not None:
            yield shared
            return
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
    connection: Connection,
    table: str,
    columns: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    *,
    copy: bool = False,
) -> None:
    """executemany straight to the driver: SQLAlchemy's per-row parameter processing would cost
    more than the insert itself on the hot paths (appends, rebuilds). Names are our own constants.
    `copy=True` (rebuilds: many rows, no conflicts expected) uses COPY on PostgreSQL."""
    if not rows:
        return
    if not is_sqlite(connection):
        if copy:
            _copy_rows(connection, table, columns, rows)
            return
    elif any(isinstance(v, date) for v in rows[0]):
        # Store dates as SQLAlchemy's Date type does on SQLite: ISO text.
        rows = [tuple(v.isoformat() if isinstance(v, date) else v for v in row) for row in rows]
    marks = ", ".join([placeholder(connection)] * len(columns))
    connection.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)  # noqa: S608


def _copy_rows(
    connection: Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """COPY FROM STDIN through psycopg: several times faster than executemany for big batches."""
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as out:
        for row in rows:
            out.write_row(row)


def empty_table(connection: Connection, table: str) -> None:
    """Remove every row of a view before a rebuild writes it anew. PostgreSQL: TRUNCATE, which
    leaves no dead rows behind for the bulk insert to wade through (DELETE would, until a vacuum);
    it locks the view until the rebuild commits, as dropping its index does anyway. SQLite: DELETE
    without WHERE, which SQLite already empties in one step. The name is our own constant."""
    if is_sqlite(connection):
        connection.exec_driver_sql(f"DELETE FROM {table}")  # noqa: S608
    else:
        connection.exec_driver_sql(f"TRUNCATE {table}")


@contextmanager
def bulk_writing(connection: Connection, cache_mib: int = 256) -> Iterator[None]:
    """For a rebuild's bulk writes: on SQLite, a page cache large enough that building an index from
    the sorted rows stays in memory (the default 2 MiB spills to disk); restored afterwards."""
    if not is_sqlite(connection):
        yield
        return
    old = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{int(cache_mib) * 1024}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(old or -2000)}")
