"""Use cases: the network — add and update contacts, list them, assess the network."""

from __future__ import annotations

from domain import decisions
from domain.decisions import ContactSpec
from domain.people.contacts import Contact
from domain.people.network import NetworkAssessment, assess
from domain.tracking.actions import Interactions
from integrations.storage import views
from integrations.storage.database import read_transaction
from service.app import App
from service.read_models.lookup import resolve


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
