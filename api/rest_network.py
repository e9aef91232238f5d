"""REST: contacts, actions, progress, the network assessment, history and export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from api.deps import CallerDep, IdempotencyKey, once
from api.schemas import (
    ActionIn,
    ActionOut,
    ContactIn,
    ContactOut,
    ContactUpdate,
    Day,
    HistoryItem,
    NetworkOut,
    ProgressOut,
    Retraction,
)
from service import actions, archive, contacts, records
from service import progress as progress_service
from service.commands import ContactSpec

router = APIRouter()


def _spec(body: ContactIn | ContactUpdate) -> ContactSpec:
    return ContactSpec(
        name=body.name,
        emails=tuple(body.emails) if body.emails is not None else None,
        organisation=body.organisation,
        tags=tuple(body.tags) if body.tags is not None else None,
        how_met=body.how_met,
        strength=body.strength,
        cadence_days=body.cadence_days,
        role=body.role,
        linkedin_url=body.linkedin_url,
    )


@router.get("/contacts", response_model=list[ContactOut], tags=["contacts"])
def list_contacts(who: CallerDep) -> list[dict[str, Any]]:
    return [contacts.contact_as_dict(c, seen) for c, seen in contacts.list_contacts(who.app, who.user_id)]


@router.post("/contacts", status_code=201, response_model=ContactOut, tags=["contacts"])
def add_contact(
    body: ContactIn, who: CallerDep, request: Request, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    def produce(key: str | None) -> dict[str, Any]:
        contact_id = contacts.add_contact(who.app, who.user_id, _spec(body), key)
        return contacts.contact_as_dict(*records.contact(who.app, who.user_id, contact_id))

    return once(who, request, idempotency_key, body, 201, produce)


@router.get("/contacts/{contact_id}", response_model=ContactOut, tags=["contacts"])
def get_contact(contact_id: UUID, who: CallerDep) -> dict[str, Any]:
    return contacts.contact_as_dict(*records.contact(who.app, who.user_id, str(contact_id)))


@router.patch("/contacts/{contact_id}", response_model=ContactOut, tags=["contacts"])
def update_contact(
    contact_id: UUID,
    body: ContactUpdate,
    who: CallerDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Update a contact; a new strength is a re-assessment and the history is kept."""

    def produce(key: str | None) -> dict[str, Any]:
        contacts.update_contact(who.app, who.user_id, str(contact_id), _spec(body), key)
        return contacts.contact_as_dict(*records.contact(who.app, who.user_id, str(contact_id)))

    return once(who, request, idempotency_key, body, 200, produce)


@router.post("/actions", status_code=201, response_model=ActionOut, tags=["actions"])
def log_action(
    body: ActionIn, who: CallerDep, request: Request, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Log a networking action you took."""

    def produce(key: str | None) -> dict[str, Any]:
        at = records.in_user_zone(who.app, who.user_id, body.at) if body.at else None
        action_id = actions.log_action(
            who.app,
            who.user_id,
            body.action,
            at,
            contact_ids=tuple(body.contact_ids),
            title=body.title,
            note=body.note,
            key=key,
        )
        return records.action_as_dict(records.action(who.app, who.user_id, action_id))

    return once(who, request, idempotency_key, body, 201, produce)


@router.get("/actions/{action_id}", response_model=ActionOut, tags=["actions"])
def get_action(action_id: UUID, who: CallerDep) -> dict[str, Any]:
    return records.action_as_dict(records.action(who.app, who.user_id, str(action_id)))


@router.post("/actions/{action_id}/retract", response_model=ActionOut, tags=["actions"])
def retract_action(
    action_id: UUID,
    who: CallerDep,
    request: Request,
    body: Retraction | None = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Retract an action logged by mistake (a correction is a new fact; nothing is edited)."""

    def produce(key: str | None) -> dict[str, Any]:
        reason = body.reason if body else None
        actions.retract_action(who.app, who.user_id, str(action_id), reason, key)
        return records.action_as_dict(records.action(who.app, who.user_id, str(action_id)))

    return once(who, request, idempotency_key, body, 200, produce)


@router.get("/progress", response_model=list[ProgressOut], tags=["progress"])
def progress(
    who: CallerDep,
    as_of: Annotated[
        Day | None, Query(description="YYYY-MM-DD: progress as it stood at the end of that day.")
    ] = None,
    include_archived: Annotated[bool, Query(description="Include archived goals.")] = False,
) -> list[dict[str, Any]]:
    """Your goals this period: done, status and streaks; the same list as `netgoals progress --json`."""
    lines = progress_service.progress(who.app, who.user_id, as_of, include_archived=include_archived)
    return [line.as_dict() for line in lines]


@router.get("/network", response_model=NetworkOut, tags=["network"])
def network(who: CallerDep) -> dict[str, Any]:
    """Assess your network: strength, last contact, who is overdue, who is new."""
    return contacts.assessment_as_dict(contacts.network(who.app, who.user_id))


@router.get("/history", response_model=list[HistoryItem], tags=["history"])
def history(
    who: CallerDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="How many events.")] = 20,
    before: Annotated[
        int | None, Query(ge=1, le=2**62, description="Only events before this log position (paging).")
    ] = None,
) -> list[dict[str, Any]]:
    """What happened, newest first, straight from the event log."""
    return actions.history(who.app, who.user_id, limit, before)


@router.get(
    "/export",
    tags=["history"],
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {"schema": {"type": "string"}}}}},
)
def export(who: CallerDep) -> StreamingResponse:
    """Your raw events as JSON Lines, oldest first (the format `netgoals import` reads)."""
    lines = list(archive.export_lines(who.app, who.user_id))

    def body() -> Iterator[str]:
        for line in lines:
            yield line + "\n"

    return StreamingResponse(
        body(),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="netgoals-export.jsonl"'},
    )
