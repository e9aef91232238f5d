"""The outbox of what Google must show: pending remote work is a row (`revision != pushed_revision`),
never only a message (invariant 7).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, and_, bindparam, insert, select, update

from integrations.storage.calendar_store.tables import google_outbox


def outbox_rows(connection: Connection, user_id: str, *, pending_only: bool = False) -> list[dict[str, Any]]:
    query = _PENDING if pending_only else _ROWS
    return [dict(r) for r in connection.execute(query, {"user_id": user_id}).mappings()]


# A digest reads the outbox (what is planned next week): built once (issue 26).
_ROWS = (
    select(google_outbox)
    .where(google_outbox.c.user_id == bindparam("user_id"))
    .order_by(google_outbox.c.start_at)
)
_PENDING = (
    select(google_outbox)
    .where(
        google_outbox.c.user_id == bindparam("user_id"),
        google_outbox.c.revision != google_outbox.c.pushed_revision,
    )
    .order_by(google_outbox.c.start_at)
)


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
