"""CalDAV state outside the log: accounts, calendars with their sync state (compare-and-set on a
version, invariant 6), occurrences and blocks. Functions take the caller's connection, so a pull's
events and its new sync state commit in one transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from integrations.storage.caldav_store.tables import (
    caldav_accounts,
    caldav_blocks,
    caldav_calendars,
    caldav_occurrences,
    metadata,
)

__all__ = [
    "Account",
    "CalendarRow",
    "Occurrence",
    "Written",
    "account_of",
    "advance_state",
    "block_of",
    "block_times",
    "calendars_of",
    "connected_accounts",
    "due_accounts",
    "due_occurrences",
    "metadata",
    "occurrences",
    "save_account",
    "save_block",
    "save_block_times",
    "save_occurrence",
    "set_block_etag",
    "set_calendars",
    "set_user_title",
    "update_account",
]


@dataclass(frozen=True, slots=True)
class Account:
    user_id: str
    status: str
    detail: str | None
    server_url: str
    username: str
    sealed: str | None
    principal: str
    home: str
    emails: tuple[str, ...]
    goals_calendar: str | None
    plan_fingerprint: str | None
    next_poll_at: float | None
    failures: int
    last_sync_at: str | None


def _account(row: Any) -> Account:
    return Account(
        row["user_id"],
        row["status"],
        row["detail"],
        row["server_url"],
        row["username"],
        row["sealed"],
        row["principal"],
        row["home"],
        tuple(json.loads(row["emails"])),
        row["goals_calendar"],
        row["plan_fingerprint"],
        row["next_poll_at"],
        row["failures"],
        row["last_sync_at"],
    )


def account_of(connection: Connection, user_id: str) -> Account | None:
    row = (
        connection.execute(select(caldav_accounts).where(caldav_accounts.c.user_id == user_id))
        .mappings()
        .first()
    )
    return _account(row) if row is not None else None


def save_account(connection: Connection, user_id: str, values: dict[str, Any]) -> None:
    """Insert or replace the account (a reconnect keeps nothing of the old credentials)."""
    values = {**values, "emails": json.dumps(list(values.get("emails", ())))}
    exists = connection.execute(
        select(caldav_accounts.c.user_id).where(caldav_accounts.c.user_id == user_id)
    ).first()
    if exists:
        connection.execute(
            update(caldav_accounts).where(caldav_accounts.c.user_id == user_id).values(**values)
        )
    else:
        connection.execute(insert(caldav_accounts).values(**{"failures": 0, **values, "user_id": user_id}))


def update_account(connection: Connection, user_id: str, **values: Any) -> None:
    connection.execute(update(caldav_accounts).where(caldav_accounts.c.user_id == user_id).values(**values))


def due_accounts(connection: Connection, now: float, limit: int = 100) -> list[str]:
    """Connected accounts whose next poll has come, the longest waiting first."""
    query = (
        select(caldav_accounts.c.user_id)
        .where(
            caldav_accounts.c.status == "connected",
            caldav_accounts.c.next_poll_at.is_not(None),
            caldav_accounts.c.next_poll_at <= now,
        )
        .order_by(caldav_accounts.c.next_poll_at)
        .limit(limit)
    )
    return [str(r[0]) for r in connection.execute(query)]


def connected_accounts(connection: Connection) -> list[str]:
    """Accounts `netgoals sync` syncs: all but the disconnected (one that needs reconnecting is
    synced to say so), in user order."""
    query = select(caldav_accounts.c.user_id).where(caldav_accounts.c.status != "disconnected")
    return list(connection.scalars(query.order_by(caldav_accounts.c.user_id)))


@dataclass(frozen=True, slots=True)
class CalendarRow:
    calendar_id: str
    name: str
    role: str  # read | goals
    state: str | None
    version: int


def calendars_of(connection: Connection, user_id: str) -> list[CalendarRow]:
    query = (
        select(caldav_calendars)
        .where(caldav_calendars.c.user_id == user_id)
        .order_by(caldav_calendars.c.role)
    )
    return [
        CalendarRow(r["calendar_id"], r["name"], r["role"], r["state"], r["version"])
        for r in connection.execute(query).mappings()
    ]


def set_calendars(connection: Connection, user_id: str, chosen: Sequence[tuple[str, str, str]]) -> None:
    """Keep exactly these (calendar_id, name, role); a calendar kept keeps its sync state."""
    kept = {c.calendar_id: c for c in calendars_of(connection, user_id)}
    wanted = {calendar_id for calendar_id, _name, _role in chosen}
    for calendar_id in kept.keys() - wanted:
        connection.execute(
            delete(caldav_calendars).where(
                caldav_calendars.c.user_id == user_id, caldav_calendars.c.calendar_id == calendar_id
            )
        )
    for calendar_id, name, role in chosen:
        if calendar_id in kept:
            connection.execute(
                update(caldav_calendars)
                .where(caldav_calendars.c.user_id == user_id, caldav_calendars.c.calendar_id == calendar_id)
                .values(name=name, role=role)
            )
        else:
            connection.execute(
                insert(caldav_calendars).values(
                    user_id=user_id, calendar_id=calendar_id, name=name, role=role, state=None, version=0
                )
            )


def advance_state(
    connection: Connection, user_id: str, calendar_id: str, version: int, state: str | None
) -> bool:
    """Compare-and-set: False when another pull stored a state first (its work wins)."""
    done = connection.execute(
        update(caldav_calendars)
        .where(
            caldav_calendars.c.user_id == user_id,
            caldav_calendars.c.calendar_id == calendar_id,
            caldav_calendars.c.version == version,
        )
        .values(state=state, version=version + 1)
    )
    return done.rowcount == 1


@dataclass(slots=True)
class Occurrence:
    key: str
    due_at: float | None
    facts: dict[str, Any]
    counted: dict[str, list[str]]  # kind -> [action_id, at]
    generation: int
    stored: bool = True


def _occurrence(row: Any) -> Occurrence:
    return Occurrence(
        row["key"], row["due_at"], json.loads(row["facts"]), json.loads(row["counted"]), row["generation"]
    )


def occurrences(connection: Connection, user_id: str, keys: Sequence[str]) -> dict[str, Occurrence]:
    found: dict[str, Occurrence] = {}
    for start in range(0, len(keys), 500):
        query = select(caldav_occurrences).where(
            caldav_occurrences.c.user_id == user_id,
            caldav_occurrences.c.key.in_(list(keys[start : start + 500])),
        )
        found.update({r["key"]: _occurrence(r) for r in connection.execute(query).mappings()})
    return found


def occurrences_of_events(
    connection: Connection, user_id: str, prefixes: Sequence[str]
) -> dict[str, Occurrence]:
    """The occurrences stored for these events (`calendar/uid/`): every instance of each."""
    found: dict[str, Occurrence] = {}
    for prefix in prefixes:
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = select(caldav_occurrences).where(
            caldav_occurrences.c.user_id == user_id, caldav_occurrences.c.key.like(escaped + "%", escape="\\")
        )
        found.update({r["key"]: _occurrence(r) for r in connection.execute(query).mappings()})
    return found


def due_occurrences(connection: Connection, user_id: str, now: float) -> list[Occurrence]:
    query = select(caldav_occurrences).where(
        caldav_occurrences.c.user_id == user_id,
        caldav_occurrences.c.due_at.is_not(None),
        caldav_occurrences.c.due_at <= now,
    )
    return [_occurrence(r) for r in connection.execute(query).mappings()]


def save_occurrence(connection: Connection, user_id: str, item: Occurrence) -> None:
    values = {
        "due_at": item.due_at,
        "facts": json.dumps(item.facts, sort_keys=True),
        "counted": json.dumps(item.counted, sort_keys=True),
        "generation": item.generation,
    }
    if item.stored:
        connection.execute(
            update(caldav_occurrences)
            .where(caldav_occurrences.c.user_id == user_id, caldav_occurrences.c.key == item.key)
            .values(**values)
        )
    else:
        connection.execute(insert(caldav_occurrences).values(user_id=user_id, key=item.key, **values))
        item.stored = True


def forget(connection: Connection, user_id: str) -> None:
    """A disconnect: the sync state and blocks go; occurrences stay (their credits are history)."""
    connection.execute(delete(caldav_calendars).where(caldav_calendars.c.user_id == user_id))
    connection.execute(delete(caldav_blocks).where(caldav_blocks.c.user_id == user_id))


def block_of(connection: Connection, user_id: str, action_id: str) -> dict[str, Any] | None:
    query = select(caldav_blocks).where(
        caldav_blocks.c.user_id == user_id, caldav_blocks.c.action_id == action_id
    )
    row = connection.execute(query).mappings().first()
    return dict(row) if row is not None else None


def save_block(connection: Connection, user_id: str, action_id: str, **values: Any) -> None:
    """Insert or change what we know of a block as the server has it (its ETag, times)."""
    key = (caldav_blocks.c.user_id == user_id, caldav_blocks.c.action_id == action_id)
    if connection.execute(select(caldav_blocks.c.action_id).where(*key)).first():
        connection.execute(update(caldav_blocks).where(*key).values(**values))
    else:
        connection.execute(insert(caldav_blocks).values(user_id=user_id, action_id=action_id, **values))


def set_block_etag(connection: Connection, user_id: str, action_id: str, etag: str) -> None:
    key = (caldav_blocks.c.user_id == user_id, caldav_blocks.c.action_id == action_id)
    connection.execute(update(caldav_blocks).where(*key).values(etag=etag))


@dataclass(frozen=True, slots=True)
class Written:
    """A block as netgoals last wrote it (or last read the person's move or rename of it)."""

    start: str
    end: str
    title: str | None
    user_title: str | None  # set once the person renamed it


def block_times(connection: Connection, user_id: str, action_ids: Sequence[str]) -> dict[str, Written]:
    if not action_ids:
        return {}
    b = caldav_blocks.c
    query = select(b.action_id, b.start, b.end, b.title, b.user_title).where(
        b.user_id == user_id, b.action_id.in_(list(action_ids))
    )
    return {r[0]: Written(r[1], r[2], r[3], r[4]) for r in connection.execute(query)}


def save_block_times(connection: Connection, user_id: str, action_id: str, start: str, end: str) -> None:
    key = (caldav_blocks.c.user_id == user_id, caldav_blocks.c.action_id == action_id)
    connection.execute(update(caldav_blocks).where(*key).values(start=start, end=end))


def set_user_title(connection: Connection, user_id: str, action_id: str, title: str) -> None:
    key = (caldav_blocks.c.user_id == user_id, caldav_blocks.c.action_id == action_id)
    connection.execute(update(caldav_blocks).where(*key).values(title=title, user_title=title))
