"""A realistic log for benchmarks: users with goals and contacts, and many logged actions."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.event_types import events as ev
from domain.event_types.events import NewEvent
from integrations.storage.event_store import EventStore, StreamAppend

START = datetime(2024, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 28, 10, tzinfo=UTC)
KINDS = ("attend-event", "reach-out", "follow-up", "meet-mentor", "offer-help")


def profile_events(user_id: str, contacts: int) -> list[NewEvent]:
    at = START.isoformat()
    made: list[NewEvent] = [
        NewEvent(
            uuid.uuid4(),
            ev.USER_REGISTERED,
            {
                "handle": f"user-{user_id[:8]}",
                "timezone": "Europe/Berlin",
                "week_start": 0,
                "weekly_budget": 5,
                "at": at,
            },
        )
    ]
    contact_ids = [str(uuid.uuid5(uuid.NAMESPACE_OID, f"{user_id}/{i}")) for i in range(contacts)]
    for i, contact_id in enumerate(contact_ids):
        data = {
            "contact_id": contact_id,
            "name": f"Contact {i}",
            "emails": [f"c{i}@example.org"],
            "strength": 1 + i % 5,
            "at": at,
        }
        made.append(NewEvent(uuid.uuid4(), ev.CONTACT_ADDED, data))
    goals: list[dict[str, Any]] = [
        {
            "action": "attend-event",
            "target": 1,
            "frame": "month",
            "new_contacts_only": False,
            "contact_ids": [],
        },
        {
            "action": "reach-out",
            "target": 1,
            "frame": "week",
            "new_contacts_only": True,
            "contact_ids": [],
        },
        {
            "action": "follow-up",
            "target": 3,
            "frame": "quarter",
            "new_contacts_only": False,
            "contact_ids": [],
        },
    ]
    for i, goal in enumerate(goals):
        data = {
            "goal_id": str(uuid.uuid5(uuid.NAMESPACE_OID, f"{user_id}/goal/{i}")),
            "title": f"Goal {i}",
            "start": START.date().isoformat(),
            "deadline": None,
            "aspiration_id": None,
            "template": None,
            "at": at,
            **goal,
        }
        made.append(NewEvent(uuid.uuid4(), ev.GOAL_SET, data))
    return made


def action_events(user_id: str, count: int, contacts: int, seed: int) -> Iterator[NewEvent]:
    rng = random.Random(seed)
    span = (NOW - START).total_seconds()
    contact_ids = [str(uuid.uuid5(uuid.NAMESPACE_OID, f"{user_id}/{i}")) for i in range(contacts)]
    recent: list[str] = []
    for i in range(count):
        if recent and i % 50 == 49:
            yield NewEvent(
                uuid.uuid4(),
                ev.ACTION_RETRACTED,
                {"action_id": recent.pop(), "reason": None, "at": NOW.isoformat()},
            )
            continue
        action_id = str(uuid.uuid4())
        at = START + timedelta(seconds=rng.random() * span)
        chosen = rng.sample(contact_ids, k=rng.choice((0, 1, 1, 2)))
        yield NewEvent(
            uuid.uuid4(),
            ev.ACTION_DONE,
            {
                "action_id": action_id,
                "kind": rng.choice(KINDS),
                "at": at.isoformat(),
                "contact_ids": sorted(chosen),
                "title": "Climate Tech Meetup",
                "note": None,
                "source": "manual",
                "logged_at": at.isoformat(),
            },
        )
        recent.append(action_id)


def fill(
    store: EventStore, total: int, users: int = 10, contacts: int | None = None, batch: int = 5000
) -> list[str]:
    """Append about `total` events spread over `users` users; returns the user ids.

    The mix is the same at every size, so ratios compare sizes, not compositions: per user, one
    contact for every 20 events (5%), three goals, and actions (1 in 50 of them a retraction).
    """
    user_ids = [str(uuid.uuid5(uuid.NAMESPACE_OID, f"bench-user-{u}")) for u in range(users)]
    per_user_events = total // users
    contacts = contacts if contacts is not None else max(2, per_user_events // 20)
    per_user = max(0, per_user_events - contacts - 4)
    for index, user_id in enumerate(user_ids):
        store.append(StreamAppend(ev.profile_stream(user_id), None, profile_events(user_id, contacts)))
        pending: list[NewEvent] = []
        for event in action_events(user_id, per_user, contacts, seed=index):
            pending.append(event)
            if len(pending) == batch:
                store.append(StreamAppend(ev.actions_stream(user_id), None, pending))
                pending = []
        if pending:
            store.append(StreamAppend(ev.actions_stream(user_id), None, pending))
    return user_ids
