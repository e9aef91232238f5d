"""Sync tokens per calendar role, moved by compare-and-set on a version (invariant 6)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, insert, select, update

from integrations.storage.calendar_store.tables import google_sync_state


@dataclass(frozen=True, slots=True)
class SyncState:
    calendar_id: str
    sync_token: str | None
    version: int


def sync_state(connection: Connection, user_id: str, role: str) -> SyncState | None:
    row = (
        connection.execute(
            select(google_sync_state).where(
                google_sync_state.c.user_id == user_id, google_sync_state.c.role == role
            )
        )
        .mappings()
        .first()
    )
    return SyncState(row["calendar_id"], row["sync_token"], row["version"]) if row is not None else None


def set_calendar(connection: Connection, user_id: str, role: str, calendar_id: str) -> None:
    """Start over for a (new) calendar: no sync token, a fresh version."""
    key = and_(google_sync_state.c.user_id == user_id, google_sync_state.c.role == role)
    current = connection.scalar(select(google_sync_state.c.version).where(key))
    if current is None:
        connection.execute(
            insert(google_sync_state).values(
                user_id=user_id, role=role, calendar_id=calendar_id, sync_token=None, version=0
            )
        )
    else:
        connection.execute(
            update(google_sync_state)
            .where(key)
            .values(calendar_id=calendar_id, sync_token=None, version=current + 1)
        )


def advance_sync_token(
    connection: Connection, user_id: str, role: str, expected_version: int, token: str | None
) -> bool:
    """Compare-and-set: store the new token only if nobody moved the state since we read it."""
    return bool(
        connection.execute(
            update(google_sync_state)
            .where(
                google_sync_state.c.user_id == user_id,
                google_sync_state.c.role == role,
                google_sync_state.c.version == expected_version,
            )
            .values(sync_token=token, version=expected_version + 1)
        ).rowcount
    )
