"""Bring a database to the newest schema with Alembic (run at start-up; cheap when up to date)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from netgoals.integrations.database import is_sqlite, write_transaction

_MIGRATE_LOCK_KEY = 0x6D6967726174  # "migrat"


def upgrade(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with write_transaction(engine) as connection:
        if not is_sqlite(connection):
            # Two processes starting at once must not both create the tables.
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATE_LOCK_KEY})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
