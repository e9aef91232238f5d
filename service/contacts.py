"""Use cases: the network — add and update contacts, list them, assess the network."""

from __future__ import annotations

from typing import Any

from domain import decisions
from domain.actions import Interactions
from domain.contacts import Contact
from domain.decisions import ContactSpec
from domain.network import ContactStanding, NetworkAssessment, assess
from integrations.storage import views
from integrations.storage.database import read_transaction
from service.app import App
from service.lookup import resolve


def add_contact(app: App, user_id: str, spec: ContactSpec, key: str | None = None) -> str:
    contact_id = app.new_id(user_id, key, "contact")
    app.decide_profile(user_id, lambda p: [decisions.add_contact(p, contact_id, spec, app.now())], key)
    return contact_id


def contact_warnings(
    app: App, user_id: str, spec: ContactSpec, contact_id: str | None = None
) -> tuple[str, ...]:
    """What to question about adding (or renaming) a contact, before doing it."""
    return decisions.contact_warnings(app.profile(user_id), spec, contact_id)


def update_contact(
    app: App, user_id: str, contact_id: str, spec: ContactSpec, key: str | None = None
) -> None:
    app.decide_profile(user_id, lambda p: decisions.update_contact(p, contact_id, spec, app.now()), key)


def list_contacts(app: App, user_id: str) -> list[tuple[Contact, Interactions]]:
    app.projection.catch_up(user_id)
    with read_transaction(app.engine) as connection:
        return views.contacts(connection, user_id)


def resolve_contact(app: App, user_id: str, text: str) -> str:
    """A contact by id, unique id prefix, name, or the unique start of a name."""
    return resolve(text, ((c.contact_id, c.name) for c, _ in list_contacts(app, user_id)), "contact")


def network(app: App, user_id: str) -> NetworkAssessment:
    user = app.user(user_id)
    with read_transaction(app.engine) as connection:
        found = views.contacts(connection, user_id)
    profile = app.profile(user_id)
    return assess(found, app.now(), profile.tz, user.week_start)


def contact_as_dict(contact: Contact, seen: Interactions, overdue_days: int | None = None) -> dict[str, Any]:
    return {
        "contact_id": contact.contact_id,
        "name": contact.name,
        "emails": list(contact.emails),
        "organisation": contact.organisation,
        "tags": list(contact.tags),
        "how_met": contact.how_met,
        "strength": contact.strength,
        "strength_history": [{"at": at.isoformat(), "strength": s} for at, s in contact.strengths],
        "cadence_days": contact.cadence_days,
        "added_at": contact.added_at.isoformat(),
        "first_interaction": seen.first.isoformat() if seen.first else None,
        "last_interaction": seen.last.isoformat() if seen.last else None,
        "interactions": seen.count,
        "overdue_days": overdue_days,
        "role": contact.role,
        "linkedin_url": contact.linkedin_url,
        "known_since": contact.known_since.isoformat() if contact.known_since else None,
    }


def assessment_as_dict(assessment: NetworkAssessment) -> dict[str, Any]:
    def standing(s: ContactStanding) -> dict[str, Any]:
        return contact_as_dict(s.contact, s.interactions, s.overdue_days)

    return {
        "contacts": [standing(s) for s in assessment.contacts],
        "by_strength": assessment.by_strength,
        "overdue": [standing(s) for s in assessment.overdue],
        "new_this_week": [standing(s) for s in assessment.new_this_week],
        "new_this_month": [standing(s) for s in assessment.new_this_month],
    }
