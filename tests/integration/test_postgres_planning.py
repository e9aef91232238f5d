"""PostgreSQL plans each statement for its own parameters: with psycopg's prepared statements,
the generic plan of the idempotency check (`event_id IN (...)`) scanned the whole log, so appends
grew slower with the log (bench/pg_append.py found it: 0.9 ms at 4,000 events, 89 ms at 15,000;
too slow to reproduce in a test, so this checks the setting that prevents it on every connection)."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from domain.event_types import events as ev
from domain.event_types.events import NewEvent
from integrations.storage.database import make_engine
from integrations.storage.event_store import EventStore, StreamAppend
from integrations.storage.migrate import upgrade


def test_connections_plan_each_statement_for_its_parameters(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    upgrade(engine)
    store = EventStore(engine)
    stream = ev.actions_stream(str(uuid.uuid4()))
    for _ in range(8):  # past psycopg's prepare threshold (5)
        batch = [NewEvent(uuid.uuid4(), ev.ACTION_DONE, {"action_id": str(uuid.uuid4())}) for _ in range(50)]
        store.append(StreamAppend(stream, None, batch))
    with engine.connect() as connection:
        assert connection.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
    engine.dispose()
