"""Failed sign-in counts in the database, so every API process sees the same counts.

Keys (a client address, a presented credential, a handle) are stored only as SHA-256 hashes: the
table holds no addresses, emails or token material. Each update locks its row, so concurrent
failures from several processes all count.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import Column, Connection, Engine, Float, MetaData, String, Table, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from domain.guards.backoff import Backoff
from integrations.storage.database import is_sqlite, read_transaction, write_transaction

metadata = MetaData()

sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("count", Float, nullable=False),
    Column("last_failure", Float, nullable=False),
    Column("blocked_until", Float, nullable=False),
)

_PURGE_EVERY = 200  # failures between sweeps of rows with nothing left to remember


def _hashed(keys: Iterable[str]) -> list[str]:
    return sorted({hashlib.sha256(key.encode("utf-8", "replace")).hexdigest() for key in keys})


class DatabaseFailureCounter:
    """The database implementation of `service.access.throttle.FailureCounter`."""

    def __init__(self, engine: Engine, policy: Backoff | None = None) -> None:
        self.engine = engine
        self.policy = policy or Backoff()
        self._since_purge = 0

    def retry_after(self, keys: Iterable[str], now: float) -> float:
        """Seconds until another failure may be counted for these keys (0: go ahead)."""
        query = select(sign_in_failures.c.blocked_until).where(sign_in_failures.c.key_hash.in_(_hashed(keys)))
        with read_transaction(self.engine) as connection:
            longest = max(connection.scalars(query), default=now)
        return max(0.0, longest - now)

    def failed(self, keys: Iterable[str], now: float) -> None:
        with write_transaction(self.engine) as connection:
            for key_hash in _hashed(keys):  # sorted: two processes lock rows in the same order
                self._count(connection, key_hash, now)
            self._since_purge += 1
            if self._since_purge >= _PURGE_EVERY:
                self._since_purge = 0
                self._purge(connection, now)

    def forget(self, keys: Iterable[str]) -> None:
        with write_transaction(self.engine) as connection:
            connection.execute(delete(sign_in_failures).where(sign_in_failures.c.key_hash.in_(_hashed(keys))))

    def _count(self, connection: Connection, key_hash: str, now: float) -> None:
        dialect_insert = sqlite.insert if is_sqlite(connection) else postgresql.insert
        connection.execute(
            dialect_insert(sign_in_failures)
            .values(key_hash=key_hash, count=0.0, last_failure=now, blocked_until=now)
            .on_conflict_do_nothing()
        )
        count, last = connection.execute(
            select(sign_in_failures.c.count, sign_in_failures.c.last_failure)
            .where(sign_in_failures.c.key_hash == key_hash)
            .with_for_update()
        ).one()
        count, blocked_until = self.policy.after_failure(count, last, now)
        connection.execute(
            update(sign_in_failures)
            .where(sign_in_failures.c.key_hash == key_hash)
            .values(count=count, last_failure=now, blocked_until=blocked_until)
        )

    def _purge(self, connection: Connection, now: float) -> None:
        # A row is idle once its count has decayed to 0: count <= elapsed / forgive_every.
        forgive = self.policy.forgive_every
        connection.execute(
            delete(sign_in_failures).where(
                sign_in_failures.c.blocked_until <= now,
                sign_in_failures.c.count * forgive <= now - sign_in_failures.c.last_failure,
            )
        )
