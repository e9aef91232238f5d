"""Old payloads are upcast to the current schema when read; a missing step is an error, not a guess."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from domain.event_types.upcasting import register, upcast
from integrations.storage.event_store import EventStore


@register("test.legacy-goal", 0)
def _target_was_called_count(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["target"] = data.pop("count")
    return data


def test_the_chain_turns_an_old_payload_into_the_current_shape() -> None:
    assert upcast("test.legacy-goal", 0, {"count": 3}) == {"target": 3}
    assert upcast("test.legacy-goal", 1, {"target": 3}) == {"target": 3}


def test_a_missing_upcaster_is_an_error() -> None:
    with pytest.raises(LookupError, match=r"no upcaster for test\.unknown from schema version 0"):
        upcast("test.unknown", 0, {})


def test_events_stored_with_an_old_schema_are_read_upcast(sqlite_engine: Engine) -> None:
    with sqlite_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO events"
                " (event_id, stream_id, version, user_id, type, schema_version, data, recorded_at)"
                " VALUES ('00000000-0000-0000-0000-000000000001', 'user-x', 1, 'x', 'test.legacy-goal', 0,"
                " '{\"count\": 2}', '2020-01-01T00:00:00+00:00')"
            )
        )
    [event] = EventStore(sqlite_engine).read_all()
    assert event.data == {"target": 2}
