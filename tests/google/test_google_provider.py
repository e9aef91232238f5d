"""Google behind the calendar port (`integrations/google/provider.py`), against the Google fake:
blocks written under their UID, changes listed with the sync token (a refused token falls back to a
full listing by itself), a block the person deleted answers GONE, errors are the port's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain.calendars.calendar_port import Block, WriteOutcome
from integrations.google.provider import GoogleProvider
from integrations.storage import calendar_store as store
from integrations.storage.database import read_transaction
from tests.google.conftest import NOW, TZ, World


def _provider(world: World) -> GoogleProvider:
    with read_transaction(world.app.engine) as connection:
        found = store.connection_of(connection, world.user_id)
    assert found is not None and found.tokens is not None
    tokens: dict[str, Any] = world.google.vault.open_sealed(found.tokens)
    return GoogleProvider(world.google.client(tokens))


def test_blocks_and_changes_through_the_port(make_world: Any) -> None:
    world: World = make_world()
    world.connect()
    provider = _provider(world)
    calendar_id = provider.create_calendar("Networking goals", TZ)
    assert calendar_id
    start = NOW + timedelta(days=2)
    block = Block(
        "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6",
        "action-1",
        None,
        "Networking",
        "",
        start,
        start + timedelta(hours=1),
        TZ,
    )
    assert provider.put_block(calendar_id, block, None).outcome is WriteOutcome.WRITTEN
    first = provider.changes(calendar_id, None)
    assert first.full and [e.event_id for e in first.events] == [block.uid]
    assert [e.summary for e in first.events] == ["Networking"]
    moved = Block(
        block.uid,
        "action-1",
        None,
        "Networking",
        "",
        start + timedelta(hours=2),
        start + timedelta(hours=3),
        TZ,
    )
    assert provider.put_block(calendar_id, moved, "any").outcome is WriteOutcome.WRITTEN
    later = provider.changes(calendar_id, first.state)
    assert not later.full and [e.start for e in later.events] == [moved.start]
    refused = provider.changes(calendar_id, "not-a-token-google-knows")
    assert refused.full and [e.event_id for e in refused.events] == [block.uid]
    assert provider.delete_block(calendar_id, block.uid, None).outcome is WriteOutcome.WRITTEN
    assert provider.delete_block(calendar_id, block.uid, None).outcome is WriteOutcome.GONE
    assert provider.freshness().push
