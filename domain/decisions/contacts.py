"""Decisions about the network: adding and updating contacts, re-assessing relationship strength,
and the one-pass assessment (strength, tags, cadence, which aspirations they can help with)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from domain.decisions.common import (
    require_registered,
    text_field,
)
from domain.decisions.profile import Profile
from domain.errors import DomainError, NotFoundError
from domain.event_types import facts
from domain.event_types.events import Event
from domain.event_types.payloads import ContactFields
from domain.people.contact_matching import checked_url
from domain.people.contacts import Contact, validate_cadence, validate_email, validate_strength
from domain.people.offers import validate_list


@dataclass(frozen=True, slots=True)
class ContactSpec:
    name: str | None = None
    emails: tuple[str, ...] | None = None
    organisation: str | None = None
    tags: tuple[str, ...] | None = None
    how_met: str | None = None
    strength: int | None = None
    cadence_days: int | None = None
    role: str | None = None
    linkedin_url: str | None = None
    helps_with: tuple[str, ...] | None = None  # aspiration ids
    needs: tuple[str, ...] | None = None  # what they are looking for


def _contact_fields(spec: ContactSpec, profile: Profile) -> ContactFields:
    data: ContactFields = {}
    if spec.needs is not None:
        data["needs"] = validate_list(spec.needs, "what they are looking for")
    if spec.name is not None:
        data["name"] = text_field(spec.name, "contact name", limit=200)
    if spec.emails is not None:
        data["emails"] = sorted({validate_email(e) for e in spec.emails})
    if spec.organisation is not None:
        data["organisation"] = (
            text_field(spec.organisation, "organisation", required=False, limit=200) or None
        )
    if spec.tags is not None:
        data["tags"] = sorted({text_field(t, "tag", limit=50).lower() for t in spec.tags})
    if spec.how_met is not None:
        data["how_met"] = text_field(spec.how_met, "how you met", required=False) or None
    if spec.strength is not None:
        data["strength"] = validate_strength(spec.strength)
    if spec.cadence_days is not None:
        data["cadence_days"] = validate_cadence(spec.cadence_days)
    if spec.role is not None:
        data["role"] = text_field(spec.role, "role", required=False, limit=200) or None
    if spec.linkedin_url is not None:
        data["linkedin_url"] = checked_url(spec.linkedin_url, "LinkedIn URL") if spec.linkedin_url else None
    if spec.helps_with is not None:
        for aspiration_id in spec.helps_with:
            if aspiration_id not in profile.aspirations:
                raise NotFoundError(f"no aspiration with id {aspiration_id!r}")
        data["helps_with"] = sorted(set(spec.helps_with))
    return data


def _check_emails_free(profile: Profile, contact_id: str, emails: list[str]) -> None:
    """One email, one person: attendance and suggestions match people by their email."""
    for other in profile.contacts.values():
        if other.contact_id == contact_id:
            continue
        for email in emails:
            if email in other.emails:
                raise DomainError(
                    f"{other.name} already has the email {email}: one email belongs to one contact"
                )


def _current(contact: Contact, key: str) -> Any:
    value = getattr(contact, key)
    if key == "needs":  # in the order the person wrote them
        return list(value)
    return sorted(value) if isinstance(value, tuple) else value


def add_contact(profile: Profile, contact_id: str, spec: ContactSpec, now: datetime) -> Event:
    require_registered(profile)
    if spec.name is None:
        raise DomainError("a contact needs a name")
    fields = _contact_fields(spec, profile)
    _check_emails_free(profile, contact_id, fields.get("emails", []))
    return facts.contact_added(contact_id, fields, now)


def contact_warnings(profile: Profile, spec: ContactSpec, contact_id: str | None = None) -> tuple[str, ...]:
    """Two people may share a name, but a second one is more often a typo than a namesake."""
    name = (spec.name or "").strip().lower()
    for other in profile.contacts.values():
        if name and other.contact_id != contact_id and other.name.strip().lower() == name:
            return (f"you already have a contact named {other.name}; added another one",)
    return ()


def update_contact(profile: Profile, contact_id: str, spec: ContactSpec, now: datetime) -> list[Event]:
    require_registered(profile)
    if contact_id not in profile.contacts:
        raise NotFoundError(f"no contact with id {contact_id!r}")
    changes = _contact_fields(spec, profile)
    if not changes:
        raise DomainError("nothing to update: give at least one field")
    # only what differs (a form sends every field); a strength is always a new, dated assessment
    current = profile.contacts[contact_id]
    differing = {k: v for k, v in changes.items() if k == "strength" or v != _current(current, k)}
    if not differing:
        return []
    changed = cast(ContactFields, differing)
    _check_emails_free(profile, contact_id, changed.get("emails", []))
    return [facts.contact_updated(contact_id, changed, now)]


@dataclass(frozen=True, slots=True)
class Rating:
    """One card of the assessment pass: a strength always, the rest as the person gives it."""

    strength: int
    tags: tuple[str, ...] = ()
    cadence_days: int | None = None
    helps_with: tuple[str, ...] = ()


def assess_contact(profile: Profile, contact_id: str, rating: Rating, now: datetime) -> list[Event]:
    """A rating is a `contact.updated` with a strength, so every re-assessment stays in the history.
    Tags, cadence and aspirations replace what was there (an empty cadence keeps the old one)."""
    spec = ContactSpec(
        strength=rating.strength,
        tags=rating.tags,
        cadence_days=rating.cadence_days,
        helps_with=rating.helps_with,
    )
    return update_contact(profile, contact_id, spec, now)
