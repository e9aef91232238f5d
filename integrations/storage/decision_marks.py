"""Who needs a progress-update decision, and when (invariant 12).

One row per person: `due_at` (epoch seconds; 0 means "now, something changed") and a `version`
that every change bumps. The event store marks a person in the same transaction as the events that
change their progress or their waiting blocks, so a committed change is never left undecided. The
updates tick claims due rows (a short claim, `claimed_until`, so a lost task only delays), and a
decider settles a row compare-and-set on the version it claimed: a change that arrives while it
decides keeps the row due.
"""

from __future__ import annotations

from collections.abc import Iterable
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
    and_,
    bindparam,
    or_,
    select,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from integrations.storage.database import placeholder

metadata = MetaData()

decision_marks = Table(
    "decision_marks",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("due_at", Float, nullable=False),  # epoch seconds; 0: changed, decide now
    Column("version", Integer, nullable=False),  # bumped by every change; a settle compares it
    Column("claimed_until", Float, nullable=True),  # a decider holds the row until then
    Index("ix_decision_marks_due", "due_at"),
)

CHANGED = 0.0


@dataclass(frozen=True, slots=True)
class Mark:
    user_id: str
    version: int


def mark_changed(connection: Connection, user_ids: Iterable[str]) -> None:
    """Mark these people as needing a decision now, in the caller's transaction."""
    users = sorted(set(user_ids))  # one order for every writer: no deadlock between two marks
    if not users:
        return
    p = placeholder(connection)
    sql = (
        "INSERT INTO decision_marks (user_id, due_at, version, claimed_until) "  # noqa: S608
        f"VALUES ({p}, {CHANGED}, 1, NULL) ON CONFLICT (user_id) DO UPDATE SET due_at = {CHANGED}, "
        "version = decision_marks.version + 1"
    )
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(sql, [(u,) for u in users])
    finally:
        cursor.close()


def _claimable(now: float) -> ColumnElement[bool]:
    return and_(
        decision_marks.c.due_at <= now,
        or_(decision_marks.c.claimed_until.is_(None), decision_marks.c.claimed_until < now),
    )


def claim_due(connection: Connection, now: float, hold_seconds: float, limit: int) -> list[Mark]:
    """Take up to `limit` rows that are due (oldest first), each held for `hold_seconds`: an index
    range on `due_at`, so a tick with nobody due costs one short query whoever is registered."""
    t = decision_marks
    query = select(t.c.user_id, t.c.version).where(_claimable(now)).order_by(t.c.due_at).limit(limit)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # two ticks take different rows
    found = [Mark(u, v) for u, v in connection.execute(query)]
    if found:
        connection.execute(
            update(t)
            .where(t.c.user_id.in_([m.user_id for m in found]))
            .values(claimed_until=now + hold_seconds)
        )
    return found


# Run once per decision: built once (issue 26). An UPDATE reserves its columns' names for binds.
_SETTLE = (
    update(decision_marks)
    .where(decision_marks.c.user_id == bindparam("user"), decision_marks.c.version == bindparam("seen"))
    .values(due_at=bindparam("due"), claimed_until=None)
)
_MARK_OF = select(decision_marks.c.due_at, decision_marks.c.version).where(
    decision_marks.c.user_id == bindparam("user")
)


def settle(connection: Connection, mark: Mark, next_due: float) -> bool:
    """Decided: due again at `next_due`, unless a change came meanwhile (then it stays due now)."""
    t = decision_marks
    if connection.execute(_SETTLE, {"user": mark.user_id, "seen": mark.version, "due": next_due}).rowcount:
        return True
    connection.execute(update(t).where(t.c.user_id == mark.user_id).values(claimed_until=None))
    return False


def postpone(connection: Connection, user_id: str, due_at: float) -> None:
    """Deciding failed for this person: try again at `due_at` (never lost, never a hot loop)."""
    t = decision_marks
    connection.execute(update(t).where(t.c.user_id == user_id).values(due_at=due_at, claimed_until=None))


def mark_of(connection: Connection, user_id: str) -> tuple[float, int] | None:
    row = connection.execute(_MARK_OF, {"user": user_id}).first()
    return (float(row[0]), int(row[1])) if row else None
