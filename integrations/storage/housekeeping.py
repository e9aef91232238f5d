"""Rows that only age: expired web sessions, old stored idempotent answers, stale OAuth states."""

from __future__ import annotations

from sqlalchemy import Connection, delete

from integrations.storage.accounts import idempotent_responses, web_sessions
from integrations.storage.calendar_store.tables import google_oauth_states


def delete_expired_sessions(connection: Connection, now: float) -> int:
    return int(connection.execute(delete(web_sessions).where(web_sessions.c.expires_at <= now)).rowcount)


def delete_idempotent_answers_before(connection: Connection, cutoff_iso: str) -> int:
    """Answers stored before `cutoff_iso` (ISO-8601 in UTC, as they are written) are forgotten."""
    query = delete(idempotent_responses).where(idempotent_responses.c.created_at < cutoff_iso)
    return int(connection.execute(query).rowcount)


def delete_oauth_states_before(connection: Connection, cutoff: float) -> int:
    query = delete(google_oauth_states).where(google_oauth_states.c.created_at < cutoff)
    return int(connection.execute(query).rowcount)
