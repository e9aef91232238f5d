"""Feed tokens: found by their SHA-256 hash, shown again from their encrypted copy."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select

from integrations.storage.ical_store.tables import ical_feed_tokens as t


@dataclass(frozen=True, slots=True)
class TokenRecord:
    token_hash: str
    user_id: str
    scope: str
    sealed: str
    created_at: str


def _record(row: dict[str, object]) -> TokenRecord:
    return TokenRecord(**{k: str(v) for k, v in row.items()})


def token_by_hash(connection: Connection, token_hash: str) -> TokenRecord | None:
    row = connection.execute(select(t).where(t.c.token_hash == token_hash)).mappings().first()
    return _record(dict(row)) if row is not None else None


def token_of(connection: Connection, user_id: str, scope: str) -> TokenRecord | None:
    row = connection.execute(select(t).where(t.c.user_id == user_id, t.c.scope == scope)).mappings().first()
    return _record(dict(row)) if row is not None else None


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
