"""Calendar state outside the log: connections with encrypted tokens, OAuth states, sync tokens,
the outbox of what Google must show, calendar occurrences that earned (or may earn) completions,
and push channels.

These are mutable rows, not facts (DESIGN.md invariants 6-8): tokens are Fernet-encrypted, sync
tokens move by compare-and-set in the same transaction as the events a pull derived, and pending
remote work is a row (`revision != pushed_revision`), never only a message.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    insert,
    select,
    update,
)

metadata = MetaData()

google_connections = Table(
    "google_connections",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("status", String(30), nullable=False),  # connected, reconnect-needed, disconnected
    Column("detail", Text, nullable=True),  # the last failure or notice, for people
    Column("tokens", Text, nullable=True),  # Fernet-encrypted JSON; NULL once disconnected
    Column("goals_calendar_id", String(300), nullable=True),
    Column("paused_until", Float, nullable=True),  # epoch seconds (quotaExceeded)
    Column("sync_requested", Float, nullable=True),  # epoch seconds; a push notification asked
    Column("plan_fingerprint", String(200), nullable=True),
    Column("connected_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

google_oauth_states = Table(
    "google_oauth_states",
    metadata,
    Column("state_hash", String(64), primary_key=True),
    Column("user_id", String(36), nullable=False),
    Column("sealed", Text, nullable=False),  # encrypted {code_verifier, redirect_uri}
    Column("created_at", Float, nullable=False),
)

google_sync_state = Table(
    "google_sync_state",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("role", String(20), primary_key=True),  # primary | goals
    Column("calendar_id", String(300), nullable=False),
    Column("sync_token", Text, nullable=True),
    Column("version", Integer, nullable=False),
)

google_outbox = Table(
    "google_outbox",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("action_id", String(36), primary_key=True),
    Column("goal_id", String(36), nullable=True),
    Column("kind", String(40), nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("start", String(40), nullable=False),
    Column("end", String(40), nullable=False),
    Column("start_at", Float, nullable=False),
    Column("period_start", String(10), nullable=True),
    Column("contact_ids", Text, nullable=True),  # comma-separated, for follow-up blocks
    Column("google_event_id", String(64), nullable=False),
    Column("status", String(20), nullable=False),  # planned, done, skipped, removed
    Column("present", Boolean, nullable=False),  # should Google show it?
    Column("pushed", Boolean, nullable=False),  # was it ever inserted?
    Column("user_moved", Boolean, nullable=False),
    Column("skipped_by_user", Boolean, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("pushed_revision", Integer, nullable=False),
    Index("ix_google_outbox_event", "user_id", "google_event_id"),
    Index("ix_google_outbox_pending", "user_id", "status", "start_at"),
)

google_occurrences = Table(
    "google_occurrences",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("key", String(600), primary_key=True),  # calendarId/eventId/originalStart
    Column("role", String(20), nullable=False),
    Column("due_at", Float, nullable=True),  # accepted but not over yet: look again at this moment
    Column("facts", Text, nullable=False),  # JSON: kinds, at, title, contact_ids, attendees
    Column("counted", Text, nullable=False),  # JSON: kind -> [action_id, at]
    Column("generation", Integer, nullable=False),
    Index("ix_google_occurrences_due", "user_id", "due_at"),
)

google_channels = Table(
    "google_channels",
    metadata,
    Column("channel_id", String(64), primary_key=True),
    Column("user_id", String(36), nullable=False),
    Column("role", String(20), nullable=False),
    Column("resource_id", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("expiration", Float, nullable=False),
    Index("ix_google_channels_user", "user_id"),
)

google_dismissed = Table(
    "google_dismissed",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("email", String(320), primary_key=True),
)


# --- connections ------------------------------------------------------------------------------------


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


# --- OAuth states -----------------------------------------------------------------------------------


def add_state(connection: Connection, state_hash: str, user_id: str, sealed: str, now: float) -> None:
    connection.execute(delete(google_oauth_states).where(google_oauth_states.c.created_at < now - 3600))
    connection.execute(
        insert(google_oauth_states).values(
            state_hash=state_hash, user_id=user_id, sealed=sealed, created_at=now
        )
    )


def take_state(connection: Connection, state_hash: str, now: float) -> tuple[str, str] | None:
    """(user_id, sealed) of a state, used once: it is deleted as it is read."""
    row = (
        connection.execute(select(google_oauth_states).where(google_oauth_states.c.state_hash == state_hash))
        .mappings()
        .first()
    )
    if row is None:
        return None
    connection.execute(delete(google_oauth_states).where(google_oauth_states.c.state_hash == state_hash))
    if row["created_at"] < now - 3600:
        return None
    return row["user_id"], row["sealed"]


# --- sync tokens ------------------------------------------------------------------------------------


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


# --- the outbox ---------------------------------------------------------------------------------------


def outbox_rows(connection: Connection, user_id: str, *, pending_only: bool = False) -> list[dict[str, Any]]:
    query = select(google_outbox).where(google_outbox.c.user_id == user_id)
    if pending_only:
        query = query.where(google_outbox.c.revision != google_outbox.c.pushed_revision)
    return [dict(r) for r in connection.execute(query.order_by(google_outbox.c.start_at)).mappings()]


def outbox_by_event_ids(
    connection: Connection, user_id: str, event_ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    if not event_ids:
        return {}
    query = select(google_outbox).where(
        google_outbox.c.user_id == user_id, google_outbox.c.google_event_id.in_(list(event_ids))
    )
    return {r["google_event_id"]: dict(r) for r in connection.execute(query).mappings()}


def add_outbox(connection: Connection, rows: Iterable[dict[str, Any]]) -> None:
    rows = list(rows)
    if rows:
        connection.execute(insert(google_outbox), rows)


def change_outbox(connection: Connection, user_id: str, action_id: str, *, push: bool, **values: Any) -> None:
    """Change a row; with `push`, Google must be told (the revision moves past what was pushed)."""
    key = and_(google_outbox.c.user_id == user_id, google_outbox.c.action_id == action_id)
    if push:
        values["revision"] = google_outbox.c.revision + 1
    connection.execute(update(google_outbox).where(key).values(**values))


def settle_outbox(connection: Connection, user_id: str, action_id: str, **values: Any) -> None:
    """Record what Google already shows (the user's own edit): nothing to push for it. With
    `bump`, the revision moves on too (a new user edit)."""
    key = and_(google_outbox.c.user_id == user_id, google_outbox.c.action_id == action_id)
    if values.pop("bump", False):
        values["revision"] = google_outbox.c.revision + 1
        values["pushed_revision"] = google_outbox.c.revision + 1
    elif values.get("present") is False:
        values["pushed_revision"] = google_outbox.c.revision
    if values:
        connection.execute(update(google_outbox).where(key).values(**values))


def mark_pushed(connection: Connection, user_id: str, action_id: str, revision: int, **values: Any) -> bool:
    """Compare-and-set: the row is pushed at this revision unless it changed meanwhile."""
    return bool(
        connection.execute(
            update(google_outbox)
            .where(
                google_outbox.c.user_id == user_id,
                google_outbox.c.action_id == action_id,
                google_outbox.c.revision == revision,
            )
            .values(pushed_revision=revision, **values)
        ).rowcount
    )


def repush_all(connection: Connection, user_id: str, now: float) -> None:
    """The calendar was recreated: every block still to come must be inserted again."""
    connection.execute(
        update(google_outbox)
        .where(
            google_outbox.c.user_id == user_id,
            google_outbox.c.present.is_(True),
            google_outbox.c.status == "planned",
            google_outbox.c.start_at > now,
        )
        .values(pushed=False, revision=google_outbox.c.revision + 1)
    )


# --- occurrences ------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Occurrence:
    key: str
    role: str
    due_at: float | None
    facts: dict[str, Any]
    counted: dict[str, list[str]]  # kind -> [action_id, at]
    generation: int
    stored: bool = True


def _occurrence(row: Any) -> Occurrence:
    return Occurrence(
        row["key"],
        row["role"],
        row["due_at"],
        json.loads(row["facts"]),
        json.loads(row["counted"]),
        row["generation"],
    )


def occurrences(connection: Connection, user_id: str, keys: Sequence[str]) -> dict[str, Occurrence]:
    found: dict[str, Occurrence] = {}
    for start in range(0, len(keys), 500):
        chunk = list(keys[start : start + 500])
        query = select(google_occurrences).where(
            google_occurrences.c.user_id == user_id, google_occurrences.c.key.in_(chunk)
        )
        for row in connection.execute(query).mappings():
            found[row["key"]] = _occurrence(row)
    return found


def due_occurrences(connection: Connection, user_id: str, now: float) -> list[Occurrence]:
    query = select(google_occurrences).where(
        google_occurrences.c.user_id == user_id,
        google_occurrences.c.due_at.is_not(None),
        google_occurrences.c.due_at <= now,
    )
    return [_occurrence(r) for r in connection.execute(query).mappings()]


def counted_occurrences(connection: Connection, user_id: str) -> list[Occurrence]:
    query = select(google_occurrences).where(
        google_occurrences.c.user_id == user_id, google_occurrences.c.counted != "{}"
    )
    return [_occurrence(r) for r in connection.execute(query).mappings()]


def save_occurrence(connection: Connection, user_id: str, item: Occurrence) -> None:
    values = {
        "role": item.role,
        "due_at": item.due_at,
        "facts": json.dumps(item.facts, separators=(",", ":"), sort_keys=True),
        "counted": json.dumps(item.counted, separators=(",", ":"), sort_keys=True),
        "generation": item.generation,
    }
    key = and_(google_occurrences.c.user_id == user_id, google_occurrences.c.key == item.key)
    if item.stored:
        connection.execute(update(google_occurrences).where(key).values(**values))
    else:
        connection.execute(insert(google_occurrences).values(user_id=user_id, key=item.key, **values))
        item.stored = True


# --- push channels ----------------------------------------------------------------------------------------


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


def drop_channel(connection: Connection, channel_id: str) -> None:
    connection.execute(delete(google_channels).where(google_channels.c.channel_id == channel_id))


# --- suggestions ------------------------------------------------------------------------------------------


def dismissed(connection: Connection, user_id: str) -> set[str]:
    return set(
        connection.scalars(select(google_dismissed.c.email).where(google_dismissed.c.user_id == user_id))
    )


def dismiss(connection: Connection, user_id: str, email: str) -> None:
    if email not in dismissed(connection, user_id):
        connection.execute(insert(google_dismissed).values(user_id=user_id, email=email))
