"""A unit of work for one use-case step (an API request, a dashboard page): its reads share one
read transaction, and what it has already read or caught up it remembers until it writes.

The use cases open their transactions through `database.read_transaction` and `write_transaction`;
inside a unit, a read joins the unit's open read transaction instead of opening its own, and a write
ends that read transaction first (on SQLite a read transaction keeps the snapshot it began with, so
the step's next read must begin after the write to see it) and forgets what was remembered (the
memo: a profile replayed, a projection caught up). Before the step waits on another system (an HTTP
call to a calendar), `release` ends the read transaction and keeps the memo: no snapshot and no
pooled connection is held "idle in transaction" for a round trip, and the next read begins a new
transaction. Outside a unit nothing changes. The unit lives in a context variable, so it belongs to
the thread (and task) that opened it and never leaks to others.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine

READ_ONLY = "netgoals_read_only"  # the execution option that makes SQLite begin a plain BEGIN


@dataclass
class _Unit:
    engine: Engine
    connection: Connection | None = None
    depth: int = 0  # read blocks open on the shared connection
    stale: bool = False  # a write happened while a read block was open: reopen when it closes
    failed: bool = False  # an error passed through a read block: roll back, not commit
    memo: dict[Hashable, Any] = field(default_factory=dict)

    def close(self) -> None:
        if self.connection is not None:
            connection, self.connection = self.connection, None
            try:
                if connection.in_transaction():
                    # Reads only: either ends the snapshot; after an error PostgreSQL would refuse
                    # anything but a rollback.
                    (connection.rollback if self.failed else connection.commit)()
            finally:
                connection.close()
        self.stale = self.failed = False


_current: ContextVar[_Unit | None] = ContextVar("netgoals_unit_of_work", default=None)


def _active(engine: Engine) -> _Unit | None:
    unit = _current.get()
    return unit if unit is not None and unit.engine is engine else None


@contextmanager
def unit(engine: Engine) -> Iterator[None]:
    """Run a step as one unit; inside another unit on the same engine, the outer one goes on."""
    if _active(engine) is not None:
        yield
        return
    opened = _Unit(engine)
    token = _current.set(opened)
    try:
        yield
    finally:
        _current.reset(token)
        opened.close()


def memo(engine: Engine) -> dict[Hashable, Any] | None:
    """What the current unit remembers (cleared by every write), or None outside a unit."""
    found = _active(engine)
    return found.memo if found is not None else None


@contextmanager
def shared_read(engine: Engine) -> Iterator[Connection | None]:
    """The unit's read connection (opened on first use), or None outside a unit."""
    found = _active(engine)
    if found is None:
        yield None
        return
    if found.depth == 0 and found.stale:
        found.close()
    if found.connection is None:
        found.connection = engine.connect().execution_options(**{READ_ONLY: True})
        found.connection.begin()
    found.depth += 1
    try:
        yield found.connection
    except BaseException:
        found.stale = found.failed = True  # a failed statement may have aborted the transaction
        raise
    finally:
        found.depth -= 1
        if found.depth == 0 and found.stale:
            found.close()


def before_write(engine: Engine) -> None:
    """A write is about to begin: end the shared read (or have it end when its block does) and
    forget the memo."""
    found = _active(engine)
    if found is None:
        return
    found.memo.clear()
    if found.depth == 0:
        found.close()
    else:
        found.stale = True


def release(engine: Engine) -> None:
    """The step is about to wait on another system: end the shared read now (or when its block
    ends), keeping the memo — what was read is still the step's to use, and its writes are guarded
    as ever (a stream's expected version, a compare-and-set)."""
    found = _active(engine)
    if found is None:
        return
    if found.depth == 0:
        found.close()
    else:
        found.stale = True
