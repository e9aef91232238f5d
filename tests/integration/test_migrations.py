"""Migrations: a new database gets the newest schema; an up-to-date one is left alone, fast."""

from __future__ import annotations

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from integrations.storage.database import make_engine
from integrations.storage.migrate import VERSIONS, current_revision, newest_revision, upgrade


def test_the_file_numbering_agrees_with_alembics_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(VERSIONS.parent))
    assert ScriptDirectory.from_config(config).get_heads() == [newest_revision()]


def test_a_new_database_is_brought_to_the_newest_revision(database_url: str) -> None:
    engine: Engine = make_engine(database_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == newest_revision()
        tables = set(inspect(engine).get_table_names())
        assert {"events", "v_progress", "api_tokens", "projection_quarantine"} <= tables
        upgrade(engine)  # a second start: nothing to do
        assert current_revision(engine) == newest_revision()
    finally:
        engine.dispose()
