"""REST: import contacts from an export file, rate contacts one at a time, and the network per
aspiration with its gaps (and the goal each proposes)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request

from api.deps import CallerDep
from api.network_schemas import AspirationNetworkOut, GapGoalOut, ImportOut, NextCardOut, RatingIn
from service import network_assess, network_gaps
from service.commands import Rating
from service.contact_import import import_contacts

router = APIRouter()
GapKind = Literal["no-contacts", "no-strong-tie", "no-mentor", "no-one-at-kind", "gone-quiet"]
_FILE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The export file as it is: LinkedIn's Connections.csv, a vCard (.vcf), or a"
        " Google Contacts or Outlook CSV.",
        "content": {
            media: {"schema": {"type": "string"}}
            for media in ("text/csv", "text/vcard", "application/octet-stream")
        },
    }
}


@router.post("/contacts/import", response_model=ImportOut, tags=["contacts"], openapi_extra=_FILE_BODY)
async def import_file(
    request: Request,
    who: CallerDep,
    dry_run: Annotated[bool, Query(description="Only preview: new, already known, conflicting.")] = True,
    file_format: Annotated[
        Literal["linkedin", "vcard", "google", "outlook"] | None,
        Query(alias="format", description="Force a format instead of recognising it."),
    ] = None,
    on_conflict: Annotated[
        Literal["keep", "file", "newer"],
        Query(
            description="Where the file disagrees with a known contact: keep yours, take the file's,"
            " or whichever changed last (a vCard's REV against the contact's last change)."
        ),
    ] = "keep",
    import_rest: Annotated[
        bool, Query(description="Import the readable rows and list the wrong ones (`bad_rows`).")
    ] = False,
) -> dict[str, Any]:
    """Import contacts: a preview by default (`dry_run=true`); `dry_run=false` applies it as one
    all-or-nothing append. A file with wrong rows answers 422 with one entry per row (line or card,
    field, what was wrong) and imports nothing, unless `import_rest`; importing the same file again
    adds nothing."""
    data = await request.body()
    result = import_contacts(
        who.app,
        who.user_id,
        data,
        apply=not dry_run,
        source=file_format,
        skip_bad=import_rest,
        on_conflict=on_conflict,
    )
    return result.as_dict()


@router.get("/network/assess/next", response_model=NextCardOut, tags=["network"])
def next_card(
    who: CallerDep,
    after: Annotated[UUID | None, Query(description="The contact just skipped or rated.")] = None,
) -> dict[str, Any]:
    """The next contact not yet rated (after `after`, wrapping round)."""
    card = network_assess.next_card(who.app, who.user_id, str(after) if after else None)
    return {"card": network_assess.card_as_dict(card) if card else None}


@router.post("/contacts/{contact_id}/assessment", response_model=NextCardOut, tags=["network"])
def rate(contact_id: UUID, body: RatingIn, who: CallerDep) -> dict[str, Any]:
    """Rate a contact (a re-assessment keeps the history); answers with the next card."""
    rating = Rating(body.strength, tuple(body.tags), body.cadence_days, tuple(body.helps_with))
    network_assess.rate_contact(who.app, who.user_id, str(contact_id), rating)
    card = network_assess.next_card(who.app, who.user_id, str(contact_id))
    return {"card": network_assess.card_as_dict(card) if card else None}


@router.get("/network/aspirations", response_model=list[AspirationNetworkOut], tags=["network"])
def by_aspiration(who: CallerDep) -> list[dict[str, Any]]:
    """Per aspiration: who can help, strength distribution, organisations and roles, gaps."""
    return [network_gaps.view_as_dict(v) for v in network_gaps.by_aspiration(who.app, who.user_id)]


@router.post(
    "/network/aspirations/{aspiration_id}/gaps/{kind}/goal",
    status_code=201,
    response_model=GapGoalOut,
    tags=["network"],
)
def close_gap(aspiration_id: UUID, kind: GapKind, who: CallerDep) -> dict[str, str]:
    """Set the goal this gap proposes, linked to the aspiration (again: the same goal)."""
    return {"goal_id": network_gaps.set_gap_goal(who.app, who.user_id, str(aspiration_id), kind)}
