"""Contacts: the network being assessed — who we know and how strong each relationship is."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from domain.errors import DomainError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def validate_strength(strength: int) -> int:
    if not 1 <= strength <= 5:
        raise DomainError(f"relationship strength {strength} is out of range: use 1 (weak) to 5 (strong)")
    return strength


def validate_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise DomainError(f"invalid email address {email!r}")
    return email


def validate_cadence(days: int | None) -> int | None:
    if days is not None and not 1 <= days <= 3660:
        raise DomainError(f"keep-in-touch cadence {days} days is out of range: use 1 to 3660 days")
    return days


@dataclass(frozen=True, slots=True)
class Contact:
    contact_id: str
    name: str
    added_at: datetime
    emails: tuple[str, ...] = ()
    organisation: str | None = None
    tags: tuple[str, ...] = ()
    how_met: str | None = None
    strengths: tuple[tuple[datetime, int], ...] = ()  # assessment history, oldest first
    cadence_days: int | None = None

    @property
    def strength(self) -> int | None:
        return self.strengths[-1][1] if self.strengths else None


_UPDATABLE = ("name", "emails", "organisation", "tags", "how_met", "cadence_days")


def contact_from_added(data: dict[str, Any]) -> Contact:
    at = datetime.fromisoformat(data["at"])
    strength = data.get("strength")
    return Contact(
        contact_id=data["contact_id"],
        name=data["name"],
        added_at=at,
        emails=tuple(data.get("emails") or ()),
        organisation=data.get("organisation"),
        tags=tuple(data.get("tags") or ()),
        how_met=data.get("how_met"),
        strengths=((at, int(strength)),) if strength else (),
        cadence_days=data.get("cadence_days"),
    )


def apply_contact_update(contact: Contact, data: dict[str, Any]) -> Contact:
    changes: dict[str, Any] = {}
    for key in _UPDATABLE:
        if key in data:
            value = data[key]
            changes[key] = tuple(value) if key in ("emails", "tags") else value
    if data.get("strength") is not None:
        changes["strengths"] = (
            *contact.strengths,
            (datetime.fromisoformat(data["at"]), int(data["strength"])),
        )
    return replace(contact, **changes)


def contact_to_dict(contact: Contact) -> dict[str, Any]:
    return {
        "contact_id": contact.contact_id,
        "name": contact.name,
        "added_at": contact.added_at.isoformat(),
        "emails": list(contact.emails),
        "organisation": contact.organisation,
        "tags": list(contact.tags),
        "how_met": contact.how_met,
        "strengths": [[at.isoformat(), s] for at, s in contact.strengths],
        "cadence_days": contact.cadence_days,
    }


def contact_from_dict(data: dict[str, Any]) -> Contact:
    return Contact(
        contact_id=data["contact_id"],
        name=data["name"],
        added_at=datetime.fromisoformat(data["added_at"]),
        emails=tuple(data["emails"]),
        organisation=data["organisation"],
        tags=tuple(data["tags"]),
        how_met=data["how_met"],
        strengths=tuple((datetime.fromisoformat(at), int(s)) for at, s in data["strengths"]),
        cadence_days=data["cadence_days"],
    )
