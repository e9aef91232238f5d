"""Use cases: log a networking action, retract a wrong entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain import decisions
from domain.errors import DomainError, NotFoundError
from integrations.storage import views
from integrations.storage.database import read_transaction
from service.app import App
from service.read_models.lookup import resolve


def log_action(
    app: App,
    user_id: str,
    kind: str,
    at: datetime | None = None,
    *,
    contact_ids: tuple[str, ...] = (),
    title: str | None = None,
    note: str | None = None,
    key: str | None = None,
) -> str:
    action_id = app.new_id(user_id, key, "action")
    if app.replayed(user_id, key):
        return action_id
    now = app.now()
    event = decisions.log_action(
        app.profile(user_id),
        action_id,
        kind,
        at or now,
        now,
        contact_ids=contact_ids,
        title=title,
        note=note,
    )
    app.append_actions(user_id, [event], key)
    return action_id


def retract_action(
    app: App, user_id: str, action_id: str, reason: str | None = None, key: str | None = None
) -> views.ActionRecord | None:
    """Retract an action; the action it was, so an answer can name it (None: a replayed request)."""
    if app.replayed(user_id, key):
        return None
    app.projection.catch_up(user_id)
    with read_transaction(app.engine) as connection:
        found = views.action(connection, user_id, action_id)
    if found is None:
        raise NotFoundError(f"no action with id {action_id!r}")
    if found.retracted:
        raise DomainError(f"action {action_id!r} is already retracted")
    app.append_actions(user_id, [decisions.retract_action(action_id, app.now(), reason)], key)
    return found


def resolve_action(app: App, user_id: str, text: str) -> str:
    app.projection.catch_up(user_id)
    with read_transaction(app.engine) as connection:
        ids = views.action_ids(connection, user_id)
    return resolve(text, ((i, "") for i in ids), "action")


def history(app: App, user_id: str, limit: int = 20, before: int | None = None) -> list[dict[str, Any]]:
    """The user's own events, newest first, straight from the log."""
    with read_transaction(app.engine) as connection:
        return views.history(connection, user_id, limit, before)


def describe(item: dict[str, Any]) -> str:
    """One line saying what an event in the history means."""
    data = item["data"]
    for key in ("title", "text", "name"):
        if data.get(key):
            label = str(data[key])
            break
    else:
        label = ""
    if item["type"] == "action.done":
        return f"{data['kind']} {label}".strip() + f" at {data['at'][:16]}"
    if item["type"] == "goal.revised":
        return f"target {data['target']} from {data['effective_from']}"
    if item["type"].startswith("goal.") or item["type"] == "action.retracted":
        return label or str(data.get("goal_id") or data.get("action_id", ""))[:8]
    return label
