"""Read queries over the projection's views: what the service layer shows people."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, or_, select

from domain.decisions.profile import Aspiration, Profile
from domain.event_types import events as ev
from domain.people.contacts import Contact, contact_from_dict
from domain.tracking.actions import ActionFact, Interactions
from domain.tracking.goals import Goal, goal_from_dict
from domain.tracking.periods import Period, local_midnight
from integrations.storage.event_store import decoded
from integrations.storage.schema import (
    events,
    v_actions,
    v_aspirations,
    v_contacts,
    v_goals,
    v_progress,
    v_users,
)
from integrations.storage.view_rows import UserRecord

__all__ = ["UserRecord"]  # defined with the other view rows, read from here by the service layer


# The statements a digest decision runs, built once (issue 26): building a select and its cache key
# per call cost more of our CPU than executing it. Values go in as bound parameters.
_USER = select(v_users).where(
    or_(v_users.c.user_id == bindparam("key"), v_users.c.handle == bindparam("handle"))
)
_GOALS = select(v_goals.c.data).where(v_goals.c.user_id == bindparam("user_id"))
_ASPIRATIONS = (
    select(v_aspirations)
    .where(v_aspirations.c.user_id == bindparam("user_id"))
    .order_by(v_aspirations.c.added_at)
)
_CONTACTS = select(v_contacts).where(v_contacts.c.user_id == bindparam("user_id"))
_COUNTS = select(v_progress.c.goal_id, v_progress.c.period_start, v_progress.c.done).where(
    v_progress.c.user_id == bindparam("user_id")
)
_ACTIONS_BETWEEN = select(v_actions.c.action_id, v_actions.c.at_iso, v_actions.c.contact_ids).where(
    v_actions.c.user_id == bindparam("user_id"),
    v_actions.c.kind == bindparam("kind"),
    v_actions.c.retracted.is_(False),
    v_actions.c.at >= bindparam("start"),
    v_actions.c.at < bindparam("end"),
)
_FIRST_INTERACTIONS = select(v_contacts.c.contact_id, v_contacts.c.first_at).where(
    v_contacts.c.user_id == bindparam("user_id"), v_contacts.c.first_at.is_not(None)
)
_DONE_PAYLOADS = (
    select(events.c.position, events.c.stream_id, events.c.type, events.c.schema_version, events.c.data)
    .where(events.c.user_id == bindparam("user_id"), events.c.type.in_([ev.ACTION_DONE, ev.ACTION_RETRACTED]))
    .order_by(events.c.position)
)


def find_user(connection: Connection, handle_or_id: str) -> UserRecord | None:
    key = handle_or_id.strip()
    row = connection.execute(_USER, {"key": key, "handle": key.lower()}).mappings().first()
    if row is None:
        return None
    return UserRecord(row["user_id"], row["handle"], row["timezone"], row["week_start"], row["weekly_budget"])


def list_users(connection: Connection) -> list[UserRecord]:
    rows = connection.execute(select(v_users).order_by(v_users.c.handle)).mappings()
    return [
        UserRecord(r["user_id"], r["handle"], r["timezone"], r["week_start"], r["weekly_budget"])
        for r in rows
    ]


def goals(connection: Connection, user_id: str) -> list[Goal]:
    rows = connection.scalars(_GOALS, {"user_id": user_id})
    return sorted((goal_from_dict(json.loads(d)) for d in rows), key=lambda g: (g.set_at, g.goal_id))


def aspirations(connection: Connection, user_id: str) -> list[Aspiration]:
    rows = connection.execute(_ASPIRATIONS, {"user_id": user_id}).mappings()
    return [
        Aspiration(r["aspiration_id"], r["text"], r["kind"], datetime.fromisoformat(r["added_at"]))
        for r in rows
    ]


def _instant(epoch: float | None) -> datetime | None:
    return datetime.fromtimestamp(epoch, UTC) if epoch is not None else None


def contacts(connection: Connection, user_id: str) -> list[tuple[Contact, Interactions]]:
    found = []
    for row in connection.execute(_CONTACTS, {"user_id": user_id}).mappings():
        seen = Interactions(_instant(row["first_at"]), _instant(row["last_at"]), row["interactions"])
        found.append((contact_from_dict(json.loads(row["data"])), seen))
    found.sort(key=lambda pair: pair[0].name.lower())
    return found


def progress_counts(connection: Connection, user_id: str) -> dict[str, dict[date, int]]:
    """Done per period for every goal of a user: rows per goal and period, not per event."""
    counts: dict[str, dict[date, int]] = {}
    for goal_id, period_start, done in connection.execute(_COUNTS, {"user_id": user_id}):
        counts.setdefault(goal_id, {})[period_start] = done
    return counts


def actions_between(
    connection: Connection, user_id: str, kind: str, period: Period, profile: Profile
) -> list[ActionFact]:
    tz = profile.tz
    bounds = {
        "user_id": user_id,
        "kind": kind,
        "start": local_midnight(period.start, tz).timestamp(),
        "end": local_midnight(period.end, tz).timestamp(),
    }
    return [
        ActionFact(action_id, kind, datetime.fromisoformat(at), tuple(json.loads(cids)))
        for action_id, at, cids in connection.execute(_ACTIONS_BETWEEN, bounds)
    ]


def first_interactions(connection: Connection, user_id: str) -> dict[str, datetime]:
    rows = connection.execute(_FIRST_INTERACTIONS, {"user_id": user_id})
    return {c: datetime.fromtimestamp(at, UTC) for c, at in rows}


@dataclass(frozen=True, slots=True)
class ActionRecord:
    action_id: str
    kind: str
    at: datetime
    contact_ids: tuple[str, ...]
    retracted: bool


def action(connection: Connection, user_id: str, action_id: str) -> ActionRecord | None:
    row = (
        connection.execute(
            select(v_actions).where(v_actions.c.user_id == user_id, v_actions.c.action_id == action_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return ActionRecord(
        row["action_id"],
        row["kind"],
        datetime.fromisoformat(row["at_iso"]),
        tuple(json.loads(row["contact_ids"])),
        row["retracted"],
    )


def action_ids(connection: Connection, user_id: str) -> list[str]:
    return list(connection.scalars(select(v_actions.c.action_id).where(v_actions.c.user_id == user_id)))


def history(
    connection: Connection,
    user_id: str,
    limit: int,
    before: int | None,
    *,
    types: Collection[str] | None = None,
    mentions: Sequence[tuple[str | None, str]] = (),
) -> list[dict[str, Any]]:
    """The user's events, newest first, paged by position. `types` keeps only those types;
    `mentions` keeps events whose payload contains one of the texts (each limited to one type, or
    to any type with None)."""
    query = select(events.c.position, events.c.type, events.c.data, events.c.recorded_at).where(
        events.c.user_id == user_id
    )
    if before is not None:
        query = query.where(events.c.position < before)
    if types is not None:
        query = query.where(events.c.type.in_(sorted(types)))
    if mentions:
        query = query.where(
            or_(
                *(
                    and_(events.c.data.contains(text, autoescape=True), *([events.c.type == t] if t else []))
                    for t, text in mentions
                )
            )
        )
    query = query.order_by(events.c.position.desc()).limit(limit)
    return [
        {"position": p, "type": t, "data": json.loads(d), "recorded_at": r}
        for p, t, d, r in connection.execute(query)
    ]


def done_payloads(connection: Connection, user_id: str) -> list[dict[str, Any]]:
    """The payloads of the user's done actions that were not retracted (the first of a repeated id
    stands), in log order: what a digest lists with its title and source."""
    done: dict[str, dict[str, Any]] = {}
    retracted: set[str] = set()
    rows = connection.execute(_DONE_PAYLOADS, {"user_id": user_id})
    for _stream, event_type, data in decoded(tuple(row) for row in rows):
        if event_type == ev.ACTION_RETRACTED:
            retracted.add(data["action_id"])
        else:
            done.setdefault(data["action_id"], data)
    return [data for action_id, data in done.items() if action_id not in retracted]
