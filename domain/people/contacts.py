"""Contacts: the network being assessed — who we know, how strong each relationship is, since when,
where we learnt of them, and which aspirations they can help with.

Fields added after the first schema (role, LinkedIn URL, known since, sources, helps with, needs) are
optional in both `contact.added` and `contact.updated`: a payload without them reads as before, so
no upcaster is needed (tests/unit/test_contact_import_rules.py folds an old-shape payload)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
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
    role: str | None = None
    linkedin_url: str | None = None  # normalised: linkedin.com/in/<name>
    known_since: date | None = None  # e.g. LinkedIn's "Connected On"
    sources: tuple[tuple[str, datetime], ...] = ()  # (kind, when imported): linkedin, vcard, ...
    helps_with: tuple[str, ...] = ()  # aspiration ids this person can help with
    needs: tuple[str, ...] = ()  # what they are looking for: "a hire", "advice on pricing"
    # When organisation, position or LinkedIn profile last changed in the log (None: never set):
    # what an import's "take whichever changed last" weighs a vCard's REV against.
    details_changed_at: datetime | None = None

    @property
    def strength(self) -> int | None:
        return self.strengths[-1][1] if self.strengths else None

    @property
    def assessed(self) -> bool:
        return bool(self.strengths)

    @property
    def known_since_moment(self) -> datetime | None:
        return datetime.combine(self.known_since, time(), UTC) if self.known_since else None


_UPDATABLE = ("name", "emails", "organisation", "tags", "how_met", "cadence_days", "role", "linkedin_url")
DETAILS = ("organisation", "role", "linkedin_url")  # the fields an import can disagree about
_TUPLES = ("emails", "tags")


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
        role=data.get("role"),
        linkedin_url=data.get("linkedin_url"),
        known_since=date.fromisoformat(data["known_since"]) if data.get("known_since") else None,
        sources=((data["source"], at),) if data.get("source") else (),
        helps_with=tuple(data.get("helps_with") or ()),
        needs=tuple(data.get("needs") or ()),
        details_changed_at=at if any(data.get(key) for key in DETAILS) else None,
    )


def apply_contact_update(contact: Contact, data: dict[str, Any]) -> Contact:
    changes: dict[str, Any] = {}
    for key in _UPDATABLE:
        if key in data:
            value = data[key]
            changes[key] = tuple(value) if key in _TUPLES else value
    if "helps_with" in data:
        changes["helps_with"] = tuple(data["helps_with"])
    if "needs" in data:
        changes["needs"] = tuple(data["needs"] or ())
    if any(key in data for key in DETAILS):
        changes["details_changed_at"] = datetime.fromisoformat(data["at"])
    if "known_since" in data:
        changes["known_since"] = date.fromisoformat(data["known_since"]) if data["known_since"] else None
    if data.get("source"):
        changes["sources"] = (*contact.sources, (data["source"], datetime.fromisoformat(data["at"])))
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
        "role": contact.role,
        "linkedin_url": contact.linkedin_url,
        "known_since": contact.known_since.isoformat() if contact.known_since else None,
        "sources": [[kind, at.isoformat()] for kind, at in contact.sources],
        "helps_with": list(contact.helps_with),
        "needs": list(contact.needs),
        "details_changed_at": contact.details_changed_at.isoformat() if contact.details_changed_at else None,
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
        # view rows written before these fields existed lack them (a rebuild rewrites them)
        role=data.get("role"),
        linkedin_url=data.get("linkedin_url"),
        known_since=date.fromisoformat(data["known_since"]) if data.get("known_since") else None,
        sources=tuple((kind, datetime.fromisoformat(at)) for kind, at in data.get("sources") or ()),
        helps_with=tuple(data.get("helps_with") or ()),
        needs=tuple(data.get("needs") or ()),
        details_changed_at=(
            datetime.fromisoformat(data["details_changed_at"]) if data.get("details_changed_at") else None
        ),
    )
