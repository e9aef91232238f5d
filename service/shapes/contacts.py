"""A contact (with what the log says about them), and the network assessed as a whole."""

from __future__ import annotations

from pydantic import BaseModel

from domain.people.contacts import Contact
from domain.people.network import ContactStanding, NetworkAssessment
from domain.tracking.actions import Interactions


class StrengthOut(BaseModel):
    at: str
    strength: int


class ContactOut(BaseModel):
    contact_id: str
    name: str
    emails: list[str]
    organisation: str | None
    tags: list[str]
    how_met: str | None
    strength: int | None
    strength_history: list[StrengthOut]
    cadence_days: int | None
    added_at: str
    first_interaction: str | None
    last_interaction: str | None
    interactions: int
    overdue_days: int | None
    role: str | None = None
    linkedin_url: str | None = None  # normalised: linkedin.com/in/<name>
    known_since: str | None = None

    @classmethod
    def of(cls, contact: Contact, seen: Interactions, overdue_days: int | None = None) -> ContactOut:
        return cls(
            contact_id=contact.contact_id,
            name=contact.name,
            emails=list(contact.emails),
            organisation=contact.organisation,
            tags=list(contact.tags),
            how_met=contact.how_met,
            strength=contact.strength,
            strength_history=[StrengthOut(at=at.isoformat(), strength=s) for at, s in contact.strengths],
            cadence_days=contact.cadence_days,
            added_at=contact.added_at.isoformat(),
            first_interaction=seen.first.isoformat() if seen.first else None,
            last_interaction=seen.last.isoformat() if seen.last else None,
            interactions=seen.count,
            overdue_days=overdue_days,
            role=contact.role,
            linkedin_url=contact.linkedin_url,
            known_since=contact.known_since.isoformat() if contact.known_since else None,
        )


class NetworkOut(BaseModel):
    contacts: list[ContactOut]  # strongest relationships first
    by_strength: dict[str, int]  # "1".."5" and "unrated"
    overdue: list[ContactOut]  # most overdue first
    new_this_week: list[ContactOut]
    new_this_month: list[ContactOut]

    @classmethod
    def of(cls, assessment: NetworkAssessment) -> NetworkOut:
        def standing(s: ContactStanding) -> ContactOut:
            return ContactOut.of(s.contact, s.interactions, s.overdue_days)

        return cls(
            contacts=[standing(s) for s in assessment.contacts],
            by_strength=assessment.by_strength,
            overdue=[standing(s) for s in assessment.overdue],
            new_this_week=[standing(s) for s in assessment.new_this_week],
            new_this_month=[standing(s) for s in assessment.new_this_month],
        )
