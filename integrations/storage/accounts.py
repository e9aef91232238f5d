"""Account secrets and request bookkeeping: API token hashes, dashboard sessions, idempotent answers.

Mutable tables outside the event log (DESIGN.md invariant 8): only SHA-256 hashes of tokens and
session ids are stored, so a copy of the database signs nobody in.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    Column,
    Connection,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    select,
)
from sqlalchemy import insert as sa_insert
from sqlalchemy.exc import IntegrityError

metadata = MetaData()

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", String(40), nullable=False),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),
    Column("user_id", String(36), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", Float, nullable=False),
    Index("ix_web_sessions_user", "user_id"),
)

idempotent_responses = Table(
    "idempotent_responses",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("idempotency_key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)


# --- API tokens ------------------------------------------------------------------------------------


def replace_token(connection: Connection, user_id: str, token_hash: str, created_at: str) -> None:
    """One token per user: a new one replaces (revokes) the old one."""
    connection.execute(delete(api_tokens).where(api_tokens.c.user_id == user_id))
    connection.execute(
        sa_insert(api_tokens).values(user_id=user_id, token_hash=token_hash, created_at=created_at)
    )


def delete_token(connection: Connection, user_id: str) -> bool:
    return bool(connection.execute(delete(api_tokens).where(api_tokens.c.user_id == user_id)).rowcount)


def token_owner(connection: Connection, token_hash: str) -> tuple[str, str] | None:
    """(user_id, stored hash) of the token with this hash."""
    row = connection.execute(
        select(api_tokens.c.user_id, api_tokens.c.token_hash).where(api_tokens.c.token_hash == token_hash)
    ).first()
    return (row[0], row[1]) if row else None


def users_with_tokens(connection: Connection) -> set[str]:
    return set(connection.scalars(select(api_tokens.c.user_id)))


# --- dashboard sessions ----------------------------------------------------------------------------


def add_session(
    connection: Connection, session_hash: str, user_id: str, created_at: str, expires_at: float
) -> None:
    connection.execute(
        sa_insert(web_sessions).values(
            session_hash=session_hash, user_id=user_id, created_at=created_at, expires_at=expires_at
        )
    )


def session_owner(connection: Connection, session_hash: str, now: float) -> tuple[str, str] | None:
    """(user_id, stored hash) of a live session."""
    row = connection.execute(
        select(web_sessions.c.user_id, web_sessions.c.session_hash).where(
            web_sessions.c.session_hash == session_hash, web_sessions.c.expires_at > now
        )
    ).first()
    return (row[0], row[1]) if row else None


def delete_session(connection: Connection, session_hash: str) -> None:
    connection.execute(delete(web_sessions).where(web_sessions.c.session_hash == session_hash))


def delete_sessions(connection: Connection, user_id: str) -> None:
    connection.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id))


def delete_expired_sessions(connection: Connection, now: float) -> None:
    connection.execute(delete(web_sessions).where(web_sessions.c.expires_at <= now))


# --- idempotent requests ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredResponse:
    request_hash: str
    status: int
    body: str


def stored_response(connection: Connection, user_id: str, key: str) -> StoredResponse | None:
    row = connection.execute(
        select(
            idempotent_responses.c.request_hash, idempotent_responses.c.status, idempotent_responses.c.body
        ).where(idempotent_responses.c.user_id == user_id, idempotent_responses.c.idempotency_key == key)
    ).first()
    return StoredResponse(row[0], row[1], row[2]) if row else None


def store_response(
    connection: Connection, user_id: str, key: str, response: StoredResponse, created_at: str
) -> bool:
    """Keep the first answer to a key; False when another request stored one first."""
    try:
        with connection.begin_nested():
            connection.execute(
                sa_insert(idempotent_responses).values(
                    user_id=user_id,
                    idempotency_key=key,
                    request_hash=response.request_hash,
                    status=response.status,
                    body=response.body,
                    created_at=created_at,
                )
            )
    except IntegrityError:
        return False
    return True
