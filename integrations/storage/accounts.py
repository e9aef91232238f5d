"""Account secrets and request bookkeeping: API token hashes, dashboard sessions, idempotent answers.

Mutable tables outside the event log (invariant 8 in docs/architecture.md): only SHA-256 hashes of tokens and
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
    update,
)
from sqlalchemy import insert as sa_insert
from sqlalchemy.dialects import postgresql, sqlite

from integrations.storage.database import is_sqlite

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

# A person's signed links made before `not_before` (epoch seconds) are refused: "rotate everything"
# sets it. No row: every link they hold is good until it expires.
link_epochs = Table(
    "link_epochs",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("not_before", Float, nullable=False),
)


def links_not_before(connection: Connection, user_id: str) -> float | None:
    found = connection.scalar(select(link_epochs.c.not_before).where(link_epochs.c.user_id == user_id))
    return float(found) if found is not None else None


def revoke_links_before(connection: Connection, user_id: str, moment: float) -> None:
    dialect = sqlite if is_sqlite(connection) else postgresql
    statement = dialect.insert(link_epochs).values(user_id=user_id, not_before=moment)
    connection.execute(
        statement.on_conflict_do_update(index_elements=[link_epochs.c.user_id], set_={"not_before": moment})
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


PENDING = 0  # the status of a key claimed by a request still being answered


def claim_key(
    connection: Connection, user_id: str, key: str, request_hash: str, created_at: str
) -> StoredResponse | None:
    """Claim an idempotency key for a request before it runs: None when this request claimed it,
    else what the first claimer left (status PENDING while it is still running). One statement,
    so of two concurrent requests exactly one claims the key (the other waits for its commit)."""
    dialect_insert = sqlite.insert if is_sqlite(connection) else postgresql.insert
    claimed = connection.execute(
        dialect_insert(idempotent_responses)
        .values(
            user_id=user_id,
            idempotency_key=key,
            request_hash=request_hash,
            status=PENDING,
            body="",
            created_at=created_at,
        )
        .on_conflict_do_nothing()
        .returning(idempotent_responses.c.status)  # rowcount is not reliable here on psycopg
    ).first()
    if claimed is not None:
        return None
    found = stored_response(connection, user_id, key)
    assert found is not None  # a conflict means the row exists, and rows are never deleted but below
    return found


def finish_key(connection: Connection, user_id: str, key: str, status: int, body: str) -> None:
    """Keep the answer of the request that claimed the key."""
    connection.execute(
        update(idempotent_responses)
        .where(
            idempotent_responses.c.user_id == user_id,
            idempotent_responses.c.idempotency_key == key,
            idempotent_responses.c.status == PENDING,
        )
        .values(status=status, body=body)
    )


def release_key(connection: Connection, user_id: str, key: str, request_hash: str) -> None:
    """The claiming request failed: nothing was kept, so the key is free again."""
    connection.execute(
        delete(idempotent_responses).where(
            idempotent_responses.c.user_id == user_id,
            idempotent_responses.c.idempotency_key == key,
            idempotent_responses.c.request_hash == request_hash,
            idempotent_responses.c.status == PENDING,
        )
    )
