"""The delivery outbox: one row per (update, channel), claimed by one sender at a time.

A sender claims a row with a lease (compare-and-set on its state); a sender killed mid-send leaves
the lease to expire, and the row is claimed again. Finishing is compare-and-set on the lease, so a
sender whose lease was taken over cannot overwrite the newer outcome.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Connection,
    Float,
    Update,
    and_,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from integrations.storage.update_store.tables import update_deliveries as t

PENDING, SENDING, DELIVERED, FAILED = "pending", "sending", "delivered", "failed"
# Told in another delivery's message (blocks waiting together): recorded, so told once; never sent.
GATHERED = "gathered"


@dataclass(frozen=True, slots=True)
class Delivery:
    delivery_id: str
    user_id: str
    update_key: str
    kind: str
    channel: str
    payload: dict[str, Any]
    state: str
    attempts: int
    lease_until: float | None
    detail: str | None
    created_at: float
    finished_at: float | None


def _delivery(row: Any) -> Delivery:
    return Delivery(
        row.delivery_id,
        row.user_id,
        row.update_key,
        row.kind,
        row.channel,
        json.loads(row.payload),
        row.state,
        row.attempts,
        row.lease_until,
        row.detail,
        row.created_at,
        row.finished_at,
    )


def insert_new(connection: Connection, rows: Iterable[dict[str, Any]], state: str = PENDING) -> int:
    """Insert rows whose delivery id is new; returns how many were inserted."""
    values = [
        {**r, "payload": json.dumps(r["payload"], sort_keys=True), "state": state, "attempts": 0}
        for r in rows
    ]
    if not values:
        return 0
    statement = _INSERT_NEW[connection.dialect.name == "sqlite"]
    inserted = 0
    for value in values:  # rowcount of an ON CONFLICT insert is not portable; RETURNING is
        inserted += len(connection.execute(statement, value).all())
    return inserted


def insert_finished(connection: Connection, row: dict[str, Any], state: str, detail: str, now: float) -> None:
    """A delivery sent at once (a test message), recorded with its outcome."""
    values = {**row, "payload": json.dumps(row["payload"], sort_keys=True), "state": state, "attempts": 1}
    connection.execute(insert(t).values(**values, detail=detail, finished_at=now))


def _claimable(now: float | BindParameter[float]) -> Any:
    return or_(
        and_(t.c.state == PENDING, t.c.next_attempt_at <= now),
        and_(t.c.state == SENDING, t.c.lease_until < now),  # its sender died or hung
    )


# What each delivery of a batch runs, built once (issue 26): building the statement and its cache
# key per row cost more of our CPU than running it.
_CLAIM_ONE = (
    update(t)
    .where(t.c.delivery_id == bindparam("id"), _claimable(bindparam("now", type_=Float)))
    .values(state=SENDING, lease_until=bindparam("lease"), attempts=t.c.attempts + 1)
)
_ONE = select(t).where(t.c.delivery_id == bindparam("id"))
_DECIDED_KEYS = select(t.c.update_key).where(t.c.user_id == bindparam("user_id"))
_INSERT_NEW = {  # by whether the engine is SQLite
    lite: dialect.insert(t).on_conflict_do_nothing(index_elements=["delivery_id"]).returning(t.c.delivery_id)
    for lite, dialect in ((True, sqlite), (False, postgresql))
}


def due_ids(connection: Connection, now: float, *, user_id: str | None = None, limit: int = 20) -> list[str]:
    """Up to `limit` rows a sender may claim now (oldest first), not claimed yet: the sender claims
    each just before it sends it (`claim_one`), so a lease never has to outlast a whole batch."""
    query = select(t.c.delivery_id).where(_claimable(now))
    if user_id is not None:
        query = query.where(t.c.user_id == user_id)
    return list(connection.scalars(query.order_by(t.c.created_at).limit(limit)))


def hand_out(connection: Connection, now: float, hold_seconds: float, limit: int) -> list[tuple[str, str]]:
    """Due rows not handed to a delivery task yet (or whose task is overdue), as (id, kind), now
    handed out until `now + hold_seconds`. Handing out is no claim: the sender claims each row as it
    sends it (`claim_one`), so a row handed out twice is still sent once."""
    handed = or_(t.c.queued_until.is_(None), t.c.queued_until < now)
    query = (
        select(t.c.delivery_id, t.c.kind)
        .where(_claimable(now), handed)
        .order_by(t.c.next_attempt_at)
        .limit(limit)
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    found = [(d, k) for d, k in connection.execute(query)]
    if found:
        ids = [d for d, _ in found]
        connection.execute(update(t).where(t.c.delivery_id.in_(ids)).values(queued_until=now + hold_seconds))
    return found


def hand_back(connection: Connection, delivery_ids: list[str]) -> None:
    """Rows a delivery task did not reach before its budget ran out: the next tick hands them out
    again at once (unclaimed, they are pending still; one claimed meanwhile is the claimer's)."""
    if delivery_ids:
        connection.execute(update(t).where(t.c.delivery_id.in_(delivery_ids)).values(queued_until=None))


def claim_one(connection: Connection, delivery_id: str, now: float, lease_seconds: float) -> Delivery | None:
    """Claim one row just before sending it: the lease only has to outlast one send (bounded by
    the SMTP and webhook timeouts), however slow the rest of the batch is."""
    values = {"id": delivery_id, "now": now, "lease": now + lease_seconds}
    took = connection.execute(_CLAIM_ONE, values).rowcount
    if not took:
        return None  # sent, failed for good, or another sender holds it
    row = connection.execute(_ONE, {"id": delivery_id}).first()
    return _delivery(row) if row is not None else None


def finish(connection: Connection, delivery: Delivery, state: str, detail: str, now: float) -> bool:
    """Record the outcome (delivered or failed for good), unless the lease was taken over."""
    return _settle(connection, delivery, state=state, detail=detail, finished_at=now)


def retry_later(connection: Connection, delivery: Delivery, next_attempt_at: float, detail: str) -> bool:
    """Hand the row back for another try at `next_attempt_at`, unless the lease was taken over."""
    return _settle(connection, delivery, state=PENDING, detail=detail, next_attempt_at=next_attempt_at)


def _settle(connection: Connection, delivery: Delivery, **values: Any) -> bool:
    """Compare-and-set on the lease this sender holds: a sender whose lease ran out and was taken
    over by another changes nothing."""
    held = {"id": delivery.delivery_id, "held_until": delivery.lease_until}
    statement = _settled(tuple(sorted(values)))
    return bool(
        connection.execute(statement, {**held, **{f"new_{k}": v for k, v in values.items()}}).rowcount
    )


@lru_cache(maxsize=8)
def _settled(columns: tuple[str, ...]) -> Update:
    """The compare-and-set of `_settle` for these columns, built once (issue 26)."""
    held = and_(
        t.c.delivery_id == bindparam("id"), t.c.state == SENDING, t.c.lease_until == bindparam("held_until")
    )
    # Binds named new_*: an UPDATE reserves its columns' names for binds.
    return update(t).where(held).values(lease_until=None, **{c: bindparam(f"new_{c}") for c in columns})


def decided_keys(connection: Connection, user_id: str) -> set[str]:
    return set(connection.scalars(_DECIDED_KEYS, {"user_id": user_id}))


def deliveries_of(connection: Connection, user_id: str, limit: int = 50) -> list[Delivery]:
    query = (
        select(t)
        .where(t.c.user_id == user_id, t.c.state != GATHERED)  # those are in another delivery's message
        .order_by(t.c.created_at.desc(), t.c.delivery_id)
        .limit(limit)
    )
    return [_delivery(r) for r in connection.execute(query)]


def pending_count(connection: Connection, user_id: str) -> int:
    """How many of the user's deliveries are still to be sent (waiting or being sent)."""
    query = (
        select(func.count()).select_from(t).where(t.c.user_id == user_id, t.c.state.in_([PENDING, SENDING]))
    )
    return int(connection.scalar(query) or 0)


def due_users(connection: Connection, now: float) -> list[str]:
    """Users with a delivery to send now (the sweep re-enqueues them: a lost message delays, never loses)."""
    return sorted(set(connection.scalars(select(t.c.user_id).where(_claimable(now)))))


def failing_channels(connection: Connection, user_id: str) -> dict[str, str]:
    """Per channel, why its newest finished or retried delivery did not go out (absent when it did)."""
    query = (
        select(t.c.channel, t.c.state, t.c.detail)
        .where(t.c.user_id == user_id, t.c.state.not_in([SENDING, GATHERED]))
        .order_by(t.c.created_at)
    )
    failing: dict[str, str] = {}
    for channel, state, detail in connection.execute(query):
        if state == DELIVERED:
            failing.pop(channel, None)
        elif detail and (state == FAILED or (state == PENDING and detail)):
            failing[channel] = detail
    return failing


def created_since(connection: Connection, user_id: str, kind: str, since: float) -> list[float]:
    """When each of the user's deliveries of `kind` made after `since` was made (oldest first)."""
    query = select(t.c.created_at).where(t.c.user_id == user_id, t.c.kind == kind, t.c.created_at > since)
    return [float(c) for c in connection.scalars(query.order_by(t.c.created_at))]
