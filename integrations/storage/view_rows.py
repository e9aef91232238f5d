"""How domain objects become view rows. Incremental updates and rebuilds both use these, so the
two paths write the same bytes (the property tests compare them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson

from domain.decisions.profile import Aspiration, Profile
from domain.people.contacts import Contact, contact_to_dict
from domain.tracking.actions import Interactions
from domain.tracking.goals import Goal, goal_to_dict


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A row of `v_users`: who a user is and the settings their periods are computed in."""

    user_id: str
    handle: str
    timezone: str
    week_start: int
    weekly_budget: int


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def user_row(profile: Profile) -> dict[str, Any]:
    assert profile.registered_at is not None
    return {
        "user_id": profile.user_id,
        "handle": profile.handle,
        "timezone": profile.timezone,
        "week_start": profile.week_start,
        "weekly_budget": profile.weekly_budget,
        "registered_at": profile.registered_at.isoformat(),
    }


def aspiration_row(user_id: str, aspiration: Aspiration) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "aspiration_id": aspiration.aspiration_id,
        "text": aspiration.text,
        "kind": aspiration.kind,
        "added_at": aspiration.added_at.isoformat(),
    }


def goal_row(user_id: str, goal: Goal) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "goal_id": goal.goal_id,
        "action": goal.action,
        "data": _json(goal_to_dict(goal)),
    }


def contact_row(user_id: str, contact: Contact, interactions: Interactions | None) -> dict[str, Any]:
    seen = interactions or Interactions()
    return {
        "user_id": user_id,
        "contact_id": contact.contact_id,
        "data": _json(contact_to_dict(contact)),
        "first_at": seen.first.timestamp() if seen.first else None,
        "last_at": seen.last.timestamp() if seen.last else None,
        "interactions": seen.count,
    }


ACTION_COLUMNS = ("user_id", "action_id", "kind", "at", "at_iso", "contact_ids", "retracted", "position")


def action_values(user_id: str, done: dict[str, Any], position: int) -> tuple[Any, ...]:
    """A `v_actions` row, as a tuple in ACTION_COLUMNS order, straight from an `action.done`
    payload: the index is the largest view, and rebuilds insert it in bulk."""
    at = datetime.fromisoformat(done["at"])
    return (
        user_id,
        done["action_id"],
        done["kind"],
        at.timestamp(),
        at.isoformat(),
        _json(list(done.get("contact_ids") or ())),
        False,
        position,
    )


def action_row(user_id: str, done: dict[str, Any], position: int) -> dict[str, Any]:
    return dict(zip(ACTION_COLUMNS, action_values(user_id, done, position), strict=True))


def progress_row(user_id: str, goal_id: str, period_start: date, done: int) -> dict[str, Any]:
    return {"user_id": user_id, "goal_id": goal_id, "period_start": period_start, "done": done}
