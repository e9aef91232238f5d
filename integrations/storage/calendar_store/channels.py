"""Push channels Google notifies on, with the hash of each one's token."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, select

from integrations.storage.calendar_store.tables import google_channels


def add_channel(
    connection: Connection,
    channel_id: str,
    user_id: str,
    role: str,
    resource_id: str,
    token_hash: str,
    expiration: float,
) -> None:
    connection.execute(
        insert(google_channels).values(
            channel_id=channel_id,
            user_id=user_id,
            role=role,
            resource_id=resource_id,
            token_hash=token_hash,
            expiration=expiration,
        )
    )


def channels_of(connection: Connection, user_id: str) -> list[dict[str, Any]]:
    query = select(google_channels).where(google_channels.c.user_id == user_id)
    return [dict(r) for r in connection.execute(query).mappings()]


def channel(connection: Connection, channel_id: str) -> dict[str, Any] | None:
    row = (
        connection.execute(select(google_channels).where(google_channels.c.channel_id == channel_id))
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


def live_channel(connection: Connection, channel_id: str, now: float) -> dict[str, Any] | None:
    """A channel Google may still notify on: known and not expired (an expired one's token may
    have leaked with old logs or configs; Google itself sends nothing on it any more)."""
    found = channel(connection, channel_id)
    return found if found is not None and found["expiration"] > now else None


def drop_channel(connection: Connection, channel_id: str) -> None:
    connection.execute(delete(google_channels).where(google_channels.c.channel_id == channel_id))
