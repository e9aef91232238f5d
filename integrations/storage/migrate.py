"""Bring a database to the newest schema with Alembic (run at start-up; cheap when up to date).

Every CLI command opens the store, so the common case — already at the newest revision — is
answered with one query and without importing Alembic at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # `newest_revision` serves the sqlite3 snapshot reader, which never loads SQLAlchemy
    from sqlalchemy import Engine

_MIGRATE_LOCK_KEY = 0x6D6967726174  # "migrat"
VERSIONS = Path(__file__).parent / "migrations" / "versions"


def newest_revision() -> str:
    """Revisions are numbered like their files (0003_google.py is "0003"), so the newest is the
    highest number; a test checks the files agree with Alembic's own idea of the head."""
    return max(path.name.split("_", 1)[0] for path in VERSIONS.glob("[0-9][0-9][0-9][0-9]_*.py"))


def current_revision(engine: Engine) -> str | None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from integrations.storage.database import read_transaction

    try:
        with read_transaction(engine) as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:  # no alembic_version table: a new database
        return None


def upgrade(engine: Engine) -> None:
    if current_revision(engine) == newest_revision():
        return
    from alembic import command
    from alembic.config import Config

    from integrations.storage.database import is_sqlite, write_transaction

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with write_transaction(engine) as connection:
        if not is_sqlite(connection):
            # Two processes starting at once must not both create the tables.
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATE_LOCK_KEY})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
