"""A user's Google connection (status, sealed tokens, the goals calendar, a quota pause, a pending
sync request) and the OAuth states of sign-ins on their way to one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from integrations.storage.calendar_store.tables import google_connections, google_oauth_states


@dataclass(frozen=True, slots=True)
class ConnectionRecord:
    user_id: str
    status: str
    detail: str | None
    tokens: str | None
    goals_calendar_id: str | None
    paused_until: float | None
    sync_requested: float | None
    plan_fingerprint: str | None
    connected_at: str
    updated_at: str


def connection_of(connection: Connection, user_id: str) -> ConnectionRecord | None:
    row = (
        connection.execute(select(google_connections).where(google_connections.c.user_id == user_id))
        .mappings()
        .first()
    )
    return ConnectionRecord(**dict(row)) if row is not None else None


def connected_users(connection: Connection) -> list[str]:
    query = select(google_connections.c.user_id).where(google_connections.c.status != "disconnected")
    return list(connection.scalars(query.order_by(google_connections.c.user_id)))


def save_connection(connection: Connection, user_id: str, sealed_tokens: str, now: str) -> None:
    """A new (or renewed) grant: connected, tokens replaced; the calendar id is kept."""
    values = {
        "status": "connected",
        "detail": None,
        "tokens": sealed_tokens,
        "paused_until": None,
        "updated_at": now,
    }
    changed = connection.execute(
        update(google_connections).where(google_connections.c.user_id == user_id).values(**values)
    ).rowcount
    if not changed:
        connection.execute(
            insert(google_connections).values(
                user_id=user_id, connected_at=now, goals_calendar_id=None, sync_requested=None, **values
            )
        )


def update_connection(connection: Connection, user_id: str, **values: Any) -> None:
    connection.execute(
        update(google_connections).where(google_connections.c.user_id == user_id).values(**values)
    )


def replace_tokens(connection: Connection, user_id: str, old_sealed: str, new_sealed: str) -> bool:
    """Store refreshed tokens unless someone replaced them meanwhile (compare-and-set)."""
    return bool(
        connection.execute(
            update(google_connections)
            .where(google_connections.c.user_id == user_id, google_connections.c.tokens == old_sealed)
            .values(tokens=new_sealed)
        ).rowcount
    )


STATE_LIFETIME = 600.0  # seconds a consent may take: a person clicks "Allow" within minutes


def add_state(connection: Connection, state_hash: str, user_id: str, sealed: str, now: float) -> None:
    connection.execute(
        delete(google_oauth_states).where(google_oauth_states.c.created_at < now - STATE_LIFETIME)
    )
    connection.execute(
        insert(google_oauth_states).values(
            state_hash=state_hash, user_id=user_id, sealed=sealed, created_at=now
        )
    )


def take_state(connection: Connection, state_hash: str, now: float) -> tuple[str, str] | None:
    """(user_id, sealed) of a live state, used once: it is deleted as it is read, in one statement,
    so of two callbacks racing with the same state only one gets it (DELETE ... RETURNING)."""
    row = connection.execute(
        delete(google_oauth_states)
        .where(google_oauth_states.c.state_hash == state_hash)
        .returning(
            google_oauth_states.c.user_id, google_oauth_states.c.sealed, google_oauth_states.c.created_at
        )
    ).first()
    if row is None or row.created_at < now - STATE_LIFETIME:
        return None
    return row.user_id, row.sealed
