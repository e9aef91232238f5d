"""A scratch database on the machine's PostgreSQL for one benchmark run, dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text

ADMIN_URL = os.environ.get(
    "NETGOALS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def scratch_database(admin_url: str = ADMIN_URL) -> Iterator[str]:
    """The SQLAlchemy URL of a new, empty database; it is dropped when the block ends."""
    name = f"netgoals_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def driver_url(url: str) -> str:
    """The libpq form of a SQLAlchemy URL, for raw psycopg baselines."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)
