"""The network per aspiration (who can help, the gaps and the goal each proposes) and the
assessment card: one shape each for `GET /api/v1/network/aspirations`, the assessment endpoints,
`netgoals network gaps --json` and the dashboard's gaps page."""

from __future__ import annotations

from pydantic import BaseModel

from domain.people.network import ContactStanding
from domain.people.network_gaps import AspirationNetwork, Gap
from service.people.network_assess import AssessCard


class CardOut(BaseModel):
    contact_id: str
    name: str
    emails: list[str]
    organisation: str | None
    role: str | None
    linkedin_url: str | None
    known_since: str | None
    sources: list[str]
    tags: list[str]
    cadence_days: int | None
    helps_with: list[str]
    interactions: int
    remaining: int
    position: int

    @classmethod
    def of(cls, card: AssessCard) -> CardOut:
        c = card.contact
        return cls(
            contact_id=c.contact_id,
            name=c.name,
            emails=list(c.emails),
            organisation=c.organisation,
            role=c.role,
            linkedin_url=c.linkedin_url,
            known_since=c.known_since.isoformat() if c.known_since else None,
            sources=[kind for kind, _ in c.sources],
            tags=list(c.tags),
            cadence_days=c.cadence_days,
            helps_with=list(c.helps_with),
            interactions=card.interactions.count,
            remaining=card.remaining,
            position=card.position,
        )


class NextCardOut(BaseModel):
    card: CardOut | None  # None: everyone is rated

    @classmethod
    def of(cls, card: AssessCard | None) -> NextCardOut:
        return cls(card=CardOut.of(card) if card else None)


class HelperOut(BaseModel):
    contact_id: str
    name: str
    strength: int | None
    organisation: str | None
    role: str | None
    tags: list[str]
    overdue_days: int | None

    @classmethod
    def of(cls, s: ContactStanding) -> HelperOut:
        c = s.contact
        return cls(
            contact_id=c.contact_id,
            name=c.name,
            strength=c.strength,
            organisation=c.organisation,
            role=c.role,
            tags=list(c.tags),
            overdue_days=s.overdue_days,
        )


class CountOut(BaseModel):
    name: str
    contacts: int


class ProposalOut(BaseModel):
    title: str
    action: str
    target: int
    frame: str
    deadline: str | None
    new_contacts_only: bool
    contact_ids: list[str]
    contact_kind: str | None = None  # counts only contacts at this kind of organisation


class GapOut(BaseModel):
    kind: str
    message: str
    goal_id: str | None  # the live goal that already closes it, if any
    goal_title: str | None = None
    shared_with: str | None = None  # the earlier aspiration the same goal is proposed for
    proposal: ProposalOut

    @classmethod
    def of(cls, g: Gap) -> GapOut:
        p = g.proposal
        return cls(
            kind=g.kind,
            message=g.message,
            goal_id=g.goal_id,
            goal_title=g.goal_title,
            shared_with=g.shared_with,
            proposal=ProposalOut(
                title=p.title,
                action=p.action,
                target=p.target,
                frame=p.frame,
                deadline=p.deadline.isoformat() if p.deadline else None,
                new_contacts_only=p.new_contacts_only,
                contact_ids=list(p.contact_ids),
                contact_kind=p.contact_kind,
            ),
        )


class AspirationNetworkOut(BaseModel):
    aspiration_id: str
    aspiration: str
    kind: str
    helpers: list[HelperOut]  # strongest first
    by_strength: dict[str, int]  # "1".."5" and "unrated"
    organisations: list[CountOut]  # most people first
    roles: list[CountOut]
    organisation_kind: str | None
    gaps: list[GapOut]

    @classmethod
    def of(cls, view: AspirationNetwork) -> AspirationNetworkOut:
        return cls(
            aspiration_id=view.aspiration.aspiration_id,
            aspiration=view.aspiration.text,
            kind=view.aspiration.kind,
            helpers=[HelperOut.of(s) for s in view.helpers],
            by_strength=view.by_strength,
            organisations=[CountOut(name=n, contacts=k) for n, k in view.organisations],
            roles=[CountOut(name=n, contacts=k) for n, k in view.roles],
            organisation_kind=view.organisation_kind,
            gaps=[GapOut.of(g) for g in view.gaps],
        )


class GapGoalOut(BaseModel):
    goal_id: str  # the goal a gap proposes, set (or found set)
