"""REST: the "next" list — who to reach out to next and why — its answers, each contact's
closeness, and what the person can offer and a contact is looking for (issue 28). Every route acts
for the caller only (`CallerDep`): item ids and contact ids are looked up in the caller's own log."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ERRORS, CallerDep, IdempotencyKey, once
from api.schemas import Day
from service.people import next_actions
from service.people.next_actions import DEFAULT_LIMIT, MAX_ITEMS, MAX_LENGTH, MAX_PROMISE, MAX_PROMISES
from service.shapes.next import AnswerOut, BriefOut, ClosenessOut, NextItemOut

router = APIRouter(prefix="/api/v1", tags=["next"], responses=ERRORS)

Entry = Annotated[str, Field(min_length=1, max_length=MAX_LENGTH)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


Promised = Annotated[str, Field(min_length=1, max_length=MAX_PROMISE)]


class AnswerIn(_In):
    answer: Literal["done", "snoozed", "dismissed", "never"]
    until: Day | None = None
    promises: list[Promised] = Field(default_factory=list, max_length=MAX_PROMISES)


class OffersIn(_In):
    offers: list[Entry] = Field(max_length=MAX_ITEMS)


class NeedsIn(_In):
    needs: list[Entry] = Field(max_length=MAX_ITEMS)


class ListOut(BaseModel):
    items: list[str]


ItemPath = Annotated[str, Path(min_length=1, max_length=200, description="An item's id (or its number).")]


@router.get("/next", response_model=list[NextItemOut])
def next_list(
    who: CallerDep,
    as_of: Annotated[Day | None, Query(description="The list as it stood at the end of this day.")] = None,
    limit: Annotated[int, Query(ge=1, le=next_actions.MAX_LIMIT)] = DEFAULT_LIMIT,
) -> list[NextItemOut]:
    """Who to reach out to next, and why: ranked, one item per person, each with its reason."""
    items = next_actions.next_items(who.app, who.user_id, as_of, limit)
    return [NextItemOut.of(i) for i in items]


@router.post("/next/{item_id}/answer", response_model=AnswerOut)
def answer(
    item_id: ItemPath,
    body: AnswerIn,
    who: CallerDep,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> AnswerOut:
    """Answer an item: done (logs its action, which counts for goals), snoozed (until a day), not
    now (7 days) or never (this person)."""

    def produce(key: str | None) -> AnswerOut:
        answered = next_actions.answer(
            who.app,
            who.user_id,
            item_id,
            body.answer,
            until=body.until,
            key=key,
            promises=tuple(body.promises),
        )
        return AnswerOut(**answered)

    return once(who, request, response, idempotency_key, body, produce)


MeetingPath = Annotated[str, Path(min_length=1, max_length=40, description="A meeting's id.")]


@router.get("/next/briefs", response_model=list[BriefOut])
def briefs(
    who: CallerDep,
    as_of: Annotated[Day | None, Query(description="As it stood at the end of this day.")] = None,
) -> list[BriefOut]:
    """Briefs for your meetings with people you know, from now to the end of tomorrow."""
    return [BriefOut.of(b) for b in next_actions.briefs(who.app, who.user_id, as_of)]


@router.get("/next/briefs/{meeting_id}", response_model=BriefOut)
def brief(meeting_id: MeetingPath, who: CallerDep) -> BriefOut:
    """The brief for one of your meetings (404 for a meeting not in your calendars)."""
    return BriefOut.of(next_actions.meeting_brief(who.app, who.user_id, meeting_id))


class AddedOut(BaseModel):
    name: str
    contact_id: str


@router.post("/next/briefs/{meeting_id}/add-people", response_model=list[AddedOut])
def add_people(meeting_id: MeetingPath, who: CallerDep) -> list[dict[str, Any]]:
    """Add the meeting's attendees who are not contacts yet ("met at <meeting>"); again adds nothing."""
    added = next_actions.add_people(who.app, who.user_id, meeting_id)
    return [{"name": name, "contact_id": contact_id} for name, contact_id in added]


@router.get("/next/closeness", response_model=list[ClosenessOut])
def closeness(
    who: CallerDep,
    as_of: Annotated[Day | None, Query(description="As it stood at the end of this day.")] = None,
) -> list[ClosenessOut]:
    """How close each contact is, closest first, with a sentence saying why."""
    return [ClosenessOut.of(n, c) for n, c in next_actions.closeness_list(who.app, who.user_id, as_of)]


@router.put("/next/offers", response_model=ListOut)
def set_offers(body: OffersIn, who: CallerDep) -> dict[str, Any]:
    """What you can offer others (replaces the list)."""
    return {"items": list(next_actions.set_offers(who.app, who.user_id, tuple(body.offers)))}


@router.put("/contacts/{contact_id}/needs", response_model=ListOut, tags=["contacts"])
def set_needs(contact_id: UUID, body: NeedsIn, who: CallerDep) -> dict[str, Any]:
    """What a contact is looking for (replaces the list)."""
    found = next_actions.set_needs(who.app, who.user_id, str(contact_id), tuple(body.needs))
    return {"items": list(found)}
