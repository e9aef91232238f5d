"""Use cases: register a user, change their settings, list users."""

from __future__ import annotations

from uuid import uuid4

from domain import decisions
from domain.errors import ConcurrencyError, DomainError
from domain.event_types import facts
from domain.event_types.events import handle_stream, profile_stream
from integrations.storage import views
from integrations.storage.database import read_transaction
from integrations.storage.event_store import StreamAppend
from service.app import App


def register(
    app: App, handle: str, timezone: str, *, week_start: int = 0, weekly_budget: int = 5
) -> views.UserRecord:
    """A new user: their handle is claimed in its own stream, so two registrations of one handle
    cannot both succeed (the second finds the claim stream at version 1)."""
    now = app.now()
    registered = decisions.register(handle, timezone, now, week_start=week_start, weekly_budget=weekly_budget)
    handle = registered.data["handle"]
    user_id = str(uuid4())
    claim = facts.handle_claimed(handle, user_id, now).with_id(uuid4())
    try:
        app.store.append(
            StreamAppend(handle_stream(handle), 0, [claim], user_id=user_id),
            StreamAppend(profile_stream(user_id), 0, [registered.with_id(uuid4())]),
        )
    except ConcurrencyError:
        raise DomainError(f"user {handle!r} already exists") from None
    return app.user(user_id)


def change_settings(
    app: App,
    user_id: str,
    *,
    timezone: str | None = None,
    week_start: int | None = None,
    weekly_budget: int | None = None,
) -> views.UserRecord:
    app.decide_profile(
        user_id,
        lambda p: decisions.change_settings(
            p, app.now(), timezone=timezone, week_start=week_start, weekly_budget=weekly_budget
        ),
    )
    return app.user(user_id)


def list_users(app: App) -> list[views.UserRecord]:
    app.projection.catch_up()
    with read_transaction(app.engine) as connection:
        return views.list_users(connection)
