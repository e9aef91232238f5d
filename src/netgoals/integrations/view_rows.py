"""How domain objects become view rows. Incremental updates and rebuilds both use these, so the
two paths write the same bytes (the property tests compare them)."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson

from netgoals.domain.actions import ActionFact, Interactions
from netgoals.domain.contacts import Contact, contact_to_dict
from netgoals.domain.goals import Goal, goal_to_dict
from netgoals.domain.profile import Aspiration, Profile


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


ACTION_COLUMNS = ("user_id", "action_id", "kind", "at", "at_iso", "contact_ids", "retracted")


def action_values(user_id: str, action: ActionFact) -> tuple[Any, ...]:
    """A `v_actions` row as a tuple in ACTION_COLUMNS order (rebuilds insert these in bulk)."""
    return (
        user_id,
        action.action_id,
        action.kind,
        action.at.timestamp(),
        action.at.isoformat(),
        _json(list(action.contact_ids)),
        action.retracted,
    )


def action_row(user_id: str, action: ActionFact) -> dict[str, Any]:
    return dict(zip(ACTION_COLUMNS, action_values(user_id, action), strict=True))


def progress_row(user_id: str, goal_id: str, period_start: date, done: int) -> dict[str, Any]:
    return {"user_id": user_id, "goal_id": goal_id, "period_start": period_start, "done": done}
