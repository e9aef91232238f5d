"""REST: the network — assessed as a whole, rated one contact at a time, and per aspiration with
its gaps (and the goal each proposes)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from api.deps import ERRORS, CallerDep
from api.schemas import RatingIn
from service.commands import Rating
from service.people import contacts, network_assess, network_gaps
from service.shapes.contacts import NetworkOut
from service.shapes.network import AspirationNetworkOut, GapGoalOut, NextCardOut

router = APIRouter(prefix="/api/v1", tags=["network"], responses=ERRORS)
GapKind = Literal["no-contacts", "no-strong-tie", "no-mentor", "no-one-at-kind", "gone-quiet"]


@router.get("/network", response_model=NetworkOut)
def network(who: CallerDep) -> NetworkOut:
    """Assess your network: strength, last contact, who is overdue, who is new."""
    return NetworkOut.of(contacts.network(who.app, who.user_id))


@router.get("/network/assess/next", response_model=NextCardOut)
def next_card(
    who: CallerDep,
    after: Annotated[UUID | None, Query(description="The contact just skipped or rated.")] = None,
) -> NextCardOut:
    """The next contact not yet rated (after `after`, wrapping round)."""
    return NextCardOut.of(network_assess.next_card(who.app, who.user_id, str(after) if after else None))


@router.post("/contacts/{contact_id}/assessment", response_model=NextCardOut)
def rate(contact_id: UUID, body: RatingIn, who: CallerDep) -> NextCardOut:
    """Rate a contact (a re-assessment keeps the history); answers with the next card."""
    rating = Rating(body.strength, tuple(body.tags), body.cadence_days, tuple(body.helps_with))
    network_assess.rate_contact(who.app, who.user_id, str(contact_id), rating)
    return NextCardOut.of(network_assess.next_card(who.app, who.user_id, str(contact_id)))


@router.get("/network/aspirations", response_model=list[AspirationNetworkOut])
def by_aspiration(who: CallerDep) -> list[AspirationNetworkOut]:
    """Per aspiration: who can help, strength distribution, organisations and roles, gaps."""
    return [AspirationNetworkOut.of(v) for v in network_gaps.by_aspiration(who.app, who.user_id)]


@router.post(
    "/network/aspirations/{aspiration_id}/gaps/{kind}/goal",
    status_code=201,
    response_model=GapGoalOut,
)
def close_gap(aspiration_id: UUID, kind: GapKind, who: CallerDep) -> GapGoalOut:
    """Set the goal this gap proposes, linked to the aspiration (again: the same goal)."""
    return GapGoalOut(goal_id=network_gaps.set_gap_goal(who.app, who.user_id, str(aspiration_id), kind))
