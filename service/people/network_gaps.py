"""Use cases: the network per aspiration — who can help, how strong, which organisations and
roles, the gaps — and setting the goal a gap proposes, linked to its aspiration."""

from __future__ import annotations

from domain.decisions import GoalSpec
from domain.errors import NotFoundError
from domain.people.network import ContactStanding
from domain.people.network_gaps import AspirationNetwork, Gap, aspiration_networks
from domain.tracking.periods import local_date
from service.app import App
from service.people.contacts import network
from service.tracking.goals import set_goal


def by_aspiration(app: App, user_id: str) -> list[AspirationNetwork]:
    assessment = network(app, user_id)
    profile = app.profile(user_id)
    today = local_date(app.now(), profile.tz)
    return aspiration_networks(profile.aspirations.values(), assessment.contacts, profile.goals, today)


def quiet(app: App, user_id: str) -> list[ContactStanding]:
    """Everyone past their keep-in-touch cadence, most overdue first."""
    return list(network(app, user_id).overdue)


def _gap(app: App, user_id: str, aspiration_id: str, kind: str) -> Gap:
    for view in by_aspiration(app, user_id):
        if view.aspiration.aspiration_id == aspiration_id:
            for gap in view.gaps:
                if gap.kind == kind:
                    return gap
            raise NotFoundError(f"aspiration {aspiration_id!r} has no {kind!r} gap (any more)")
    raise NotFoundError(f"no aspiration with id {aspiration_id!r}")


def set_gap_goal(app: App, user_id: str, aspiration_id: str, kind: str) -> str:
    """Set the goal this gap proposes, linked to the aspiration; a second click finds it set."""
    gap = _gap(app, user_id, aspiration_id, kind)
    if gap.goal_id is not None:
        return gap.goal_id
    p = gap.proposal
    spec = GoalSpec(
        title=p.title,
        action=p.action,
        target=p.target,
        frame=p.frame,
        deadline=p.deadline,
        aspiration_id=aspiration_id,
        contact_ids=p.contact_ids,
        new_contacts_only=p.new_contacts_only,
        contact_kind=p.contact_kind,
    )
    return set_goal(app, user_id, spec).goal_id
