"""Suggestions ("people you met") the user dismissed."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select

from integrations.storage.calendar_store.tables import google_dismissed


def dismissed(connection: Connection, user_id: str) -> set[str]:
    return set(
        connection.scalars(select(google_dismissed.c.email).where(google_dismissed.c.user_id == user_id))
    )


def dismiss(connection: Connection, user_id: str, email: str) -> None:
    if email not in dismissed(connection, user_id):
        connection.execute(insert(google_dismissed).values(user_id=user_id, email=email))
