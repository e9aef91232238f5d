"""Use cases for clients that address things by id (the HTTP API): one goal, contact, action.

An id that belongs to another user is simply not found: every lookup is scoped to the user.
"""

from __future__ import annotations

from datetime import datetime

from domain.decisions.profile import Aspiration
from domain.errors import NotFoundError
from domain.people.contacts import Contact
from domain.tracking.actions import Interactions
from domain.tracking.goals import Goal
from integrations.storage import views
from integrations.storage.database import read_transaction
from service.app import App
from service.people import contacts
from service.tracking import goals


def goal(app: App, user_id: str, goal_id: str) -> Goal:
    for found in goals.list_goals(app, user_id, include_archived=True):
        if found.goal_id == goal_id:
            return found
    raise NotFoundError(f"no goal with id {goal_id!r}")


def aspiration(app: App, user_id: str, aspiration_id: str) -> Aspiration:
    for found in goals.list_aspirations(app, user_id):
        if found.aspiration_id == aspiration_id:
            return found
    raise NotFoundError(f"no aspiration with id {aspiration_id!r}")


def contact(app: App, user_id: str, contact_id: str) -> tuple[Contact, Interactions]:
    for found, seen in contacts.list_contacts(app, user_id):
        if found.contact_id == contact_id:
            return found, seen
    raise NotFoundError(f"no contact with id {contact_id!r}")


def action(app: App, user_id: str, action_id: str) -> views.ActionRecord:
    app.projection.catch_up(user_id)
    with read_transaction(app.engine) as connection:
        found = views.action(connection, user_id, action_id)
    if found is None:
        raise NotFoundError(f"no action with id {action_id!r}")
    return found


def in_user_zone(app: App, user_id: str, at: datetime) -> datetime:
    """A time without an offset is read in the user's own time zone (as the CLI does)."""
    return at if at.tzinfo is not None else at.replace(tzinfo=app.profile(user_id).tz)
