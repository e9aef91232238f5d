"""What the workers need to know about each calendar besides its tokens: when it last synced, how
that went and what it changed (for people), and the queries the sweep and `netgoals status` ask —
whose sync was requested, whose outbox has pending rows, whose poll is due.

The "sync requested" mark is data (invariant 7): set when a push notification or a connect asks,
cleared by the sync that served it with compare-and-set, so a request that arrives while a sync
runs survives it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Column, Connection, Float, String, Table, Text, case, func, insert, select, update

from integrations.storage.calendar_store.tables import (
    google_channels,
    google_connections,
    google_outbox,
    metadata,
)

google_sync_runs = Table(
    "google_sync_runs",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("last_synced_at", Float, nullable=False),  # epoch seconds of the last finished sync
    Column("outcome", String(30), nullable=False),  # connected, error, reconnect-needed, paused
    Column("changes", Text, nullable=False),  # JSON: what it changed (counts)
)


@dataclass(frozen=True, slots=True)
class SyncRun:
    last_synced_at: float
    outcome: str
    changes: dict[str, int]


def record_sync(
    connection: Connection, user_id: str, at: float, outcome: str, changes: dict[str, int]
) -> None:
    values = {"last_synced_at": at, "outcome": outcome, "changes": json.dumps(changes, sort_keys=True)}
    key = google_sync_runs.c.user_id == user_id
    if not connection.execute(update(google_sync_runs).where(key).values(**values)).rowcount:
        connection.execute(insert(google_sync_runs).values(user_id=user_id, **values))


def sync_run(connection: Connection, user_id: str) -> SyncRun | None:
    row = connection.execute(select(google_sync_runs).where(google_sync_runs.c.user_id == user_id)).first()
    return SyncRun(row.last_synced_at, row.outcome, json.loads(row.changes)) if row else None


def request_sync(connection: Connection, user_id: str, now: float) -> None:
    """Ask for a sync. Always moves the mark, so a sync already running will not clear it. A
    connection Google refused (reconnect-needed) takes no mark: nothing could serve it."""
    connection.execute(
        update(google_connections)
        .where(
            google_connections.c.user_id == user_id,
            # A refused grant is a state for the person (reconnect), not work the sweep can do.
            google_connections.c.status.not_in(("disconnected", "reconnect-needed")),
        )
        # Strictly newer than any mark a running sync may have read (clocks can repeat a value).
        .values(
            sync_requested=case(
                (google_connections.c.sync_requested >= now, google_connections.c.sync_requested + 0.001),
                else_=now,
            )
        )
    )


def clear_sync_request(connection: Connection, user_id: str, seen: float | None) -> bool:
    """The sync that read the mark as `seen` served it: clear it unless a newer request came."""
    if seen is None:
        return True
    return bool(
        connection.execute(
            update(google_connections)
            .where(google_connections.c.user_id == user_id, google_connections.c.sync_requested == seen)
            .values(sync_requested=None)
        ).rowcount
    )


@dataclass(frozen=True, slots=True)
class Calendar:
    """One connected calendar as the sweep sees it."""

    user_id: str
    status: str
    paused_until: float | None
    sync_requested: float | None
    last_synced_at: float | None
    push_until: float | None  # the latest expiry of its live push channels


def calendars(connection: Connection) -> list[Calendar]:
    channels = (
        select(google_channels.c.user_id, func.max(google_channels.c.expiration).label("until"))
        .group_by(google_channels.c.user_id)
        .subquery()
    )
    query = (
        select(
            google_connections.c.user_id,
            google_connections.c.status,
            google_connections.c.paused_until,
            google_connections.c.sync_requested,
            google_sync_runs.c.last_synced_at,
            channels.c.until,
        )
        .select_from(
            google_connections.outerjoin(
                google_sync_runs, google_sync_runs.c.user_id == google_connections.c.user_id
            ).outerjoin(channels, channels.c.user_id == google_connections.c.user_id)
        )
        .where(google_connections.c.status != "disconnected", google_connections.c.tokens.is_not(None))
        .order_by(google_connections.c.user_id)
    )
    return [Calendar(*row) for row in connection.execute(query)]


def pending_outbox(connection: Connection) -> dict[str, int]:
    """Users with outbox rows Google has not seen yet, and how many."""
    query = (
        select(google_outbox.c.user_id, func.count())
        .where(google_outbox.c.revision != google_outbox.c.pushed_revision)
        .group_by(google_outbox.c.user_id)
    )
    return {user_id: int(count) for user_id, count in connection.execute(query)}


def channels_expiring(connection: Connection, before: float) -> list[str]:
    query = select(google_channels.c.user_id).where(google_channels.c.expiration < before).distinct()
    return sorted(connection.scalars(query))


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncCounts:
    """What one sync changed, as stored in `changes` (the service's report builds it)."""

    planned: int = 0
    moved: int = 0
    removed: int = 0
    pushed: int = 0
    done: int = 0  # every `action.done` the sync appended, confirmations by ✓ included
    retracted: int = 0
    rescheduled: int = 0
    skipped: int = 0
    confirmed: int = 0  # blocks the user confirmed with ✓ in the title
    fulfilled: int = 0
    not_confirmed: int = 0


def as_changes(counts: SyncCounts) -> dict[str, int]:
    """A sync's counts, for `changes`."""
    return {name: getattr(counts, name) for name in SyncCounts.__dataclass_fields__}
