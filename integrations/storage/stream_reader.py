"""One stream's events as (type, payload), fast: the driver's own cursor and orjson, as projections
read the log (a user's actions stream can hold 10^5 events; SQLAlchemy rows would cost more than
decoding them). Payloads come upcast to the current schema."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection

from integrations.storage.database import placeholder
from integrations.storage.event_store import decoded


def stream_payloads(connection: Connection, stream_id: str) -> list[tuple[str, dict[str, Any]]]:
    marker = placeholder(connection)
    sql = f"SELECT position, stream_id, type, schema_version, data FROM events WHERE stream_id = {marker}"  # noqa: S608
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql + " ORDER BY version", [stream_id])
        rows: Iterable[Any] = cursor.fetchall()
    finally:
        cursor.close()
    return [(event_type, data) for _stream, event_type, data in decoded(rows)]
