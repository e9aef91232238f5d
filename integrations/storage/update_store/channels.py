"""A person's sealed webhook URL and signing secret (the caller seals and opens them)."""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select, update

from integrations.storage.update_store.tables import update_channels


def save_channel_secrets(connection: Connection, user_id: str, sealed: str, now: float) -> None:
    changed = connection.execute(
        update(update_channels)
        .where(update_channels.c.user_id == user_id)
        .values(sealed=sealed, updated_at=now)
    ).rowcount
    if not changed:
        connection.execute(insert(update_channels).values(user_id=user_id, sealed=sealed, updated_at=now))


def channel_secrets(connection: Connection, user_id: str) -> str | None:
    return connection.scalar(select(update_channels.c.sealed).where(update_channels.c.user_id == user_id))


def drop_channel_secrets(connection: Connection, user_id: str) -> None:
    connection.execute(delete(update_channels).where(update_channels.c.user_id == user_id))
