"""Feed tokens: found by their SHA-256 hash, shown again from their encrypted copy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, literal, or_, select, update

from integrations.storage.ical_store.tables import ical_feed_tokens as t
from integrations.storage.schema import events, v_users


@dataclass(frozen=True, slots=True)
class TokenRecord:
    token_hash: str
    user_id: str
    scope: str
    sealed: str
    created_at: str


def _record(row: dict[str, object]) -> TokenRecord:
    return TokenRecord(**{k: str(row[k]) for k in TokenRecord.__slots__})


def token_by_hash(connection: Connection, token_hash: str) -> TokenRecord | None:
    row = connection.execute(select(t).where(t.c.token_hash == token_hash)).mappings().first()
    return _record(dict(row)) if row is not None else None


def token_of(connection: Connection, user_id: str, scope: str) -> TokenRecord | None:
    row = connection.execute(select(t).where(t.c.user_id == user_id, t.c.scope == scope)).mappings().first()
    return _record(dict(row)) if row is not None else None


def scopes_of(connection: Connection, user_id: str) -> list[str]:
    """The feeds a person has a token for: "" (all goals) and goal ids."""
    return sorted(connection.scalars(select(t.c.scope).where(t.c.user_id == user_id)))


def replace_token(
    connection: Connection, user_id: str, scope: str, token_hash: str, sealed: str, created_at: str
) -> None:
    """The scope's one token becomes this one; the previous one stops working."""
    connection.execute(delete(t).where(t.c.user_id == user_id, t.c.scope == scope))
    connection.execute(
        insert(t).values(
            token_hash=token_hash, user_id=user_id, scope=scope, sealed=sealed, created_at=created_at
        )
    )


@dataclass(frozen=True, slots=True)
class FeedState:
    """What answering a feed request needs, in one query: whose token, their zone, and the
    versions of their two streams (the cache key)."""

    token_hash: str
    user_id: str
    scope: str
    timezone: str
    profile_version: int
    actions_version: int
    body_hash: str | None  # the bytes last served, and when they changed (Last-Modified)
    changed_at: str | None


def _stream_version(prefix: str) -> Any:
    return (
        select(func.coalesce(func.max(events.c.version), 0))
        .where(events.c.stream_id == literal(prefix) + t.c.user_id)
        .scalar_subquery()
    )


# Built once: this query answers every feed request, 304s included, so its construction counts.
_FEED_STATE = (
    select(
        t.c.token_hash,
        t.c.user_id,
        t.c.scope,
        v_users.c.timezone,
        _stream_version("user-"),
        _stream_version("actions-"),
        t.c.body_hash,
        t.c.changed_at,
    )
    .join(v_users, v_users.c.user_id == t.c.user_id)
    .where(t.c.token_hash == bindparam("wanted"))
)


def feed_state(connection: Connection, token_hash: str) -> FeedState | None:
    row = connection.execute(_FEED_STATE, {"wanted": token_hash}).first()
    return FeedState(*row) if row is not None else None


def record_body(connection: Connection, token_hash: str, body_hash: str, changed_at: str) -> str:
    """The token's feed now has these bytes: keep when they changed. Answers the time the current
    bytes were first served (a concurrent request that recorded the same bytes first wins)."""
    connection.execute(
        update(t)
        .where(t.c.token_hash == token_hash, or_(t.c.body_hash.is_(None), t.c.body_hash != body_hash))
        .values(body_hash=body_hash, changed_at=changed_at)
    )
    query = select(t.c.changed_at).where(t.c.token_hash == token_hash)
    stored = connection.execute(query).scalar_one_or_none()
    return str(stored) if stored is not None else changed_at
