"""REST: contacts — list, add, show, update — and importing them from an export file."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from api.deps import ERRORS, CallerDep, IdempotencyKey, once
from api.schemas import ContactIn, ContactUpdate
from service.commands import ContactSpec
from service.people import contacts
from service.people.contact_import import import_contacts
from service.read_models import records
from service.shapes.contacts import ContactOut
from service.shapes.imports import ImportOut

router = APIRouter(prefix="/api/v1/contacts", tags=["contacts"], responses=ERRORS)
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


@router.get("", response_model=list[ContactOut])
def list_contacts(who: CallerDep) -> list[ContactOut]:
    return [ContactOut.of(c, seen) for c, seen in contacts.list_contacts(who.app, who.user_id)]


@router.post("", status_code=201, response_model=ContactOut)
def add_contact(
    body: ContactIn,
    who: CallerDep,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> ContactOut:
    def produce(key: str | None) -> ContactOut:
        contact_id = contacts.add_contact(who.app, who.user_id, _spec(body), key)
        return ContactOut.of(*records.contact(who.app, who.user_id, contact_id))

    return once(who, request, response, idempotency_key, body, produce)


@router.post("/import", response_model=ImportOut, openapi_extra=_FILE_BODY)
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
) -> ImportOut:
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
    return ImportOut.of(result)


@router.get("/{contact_id}", response_model=ContactOut)
def get_contact(contact_id: UUID, who: CallerDep) -> ContactOut:
    return ContactOut.of(*records.contact(who.app, who.user_id, str(contact_id)))


@router.patch("/{contact_id}", response_model=ContactOut)
def update_contact(
    contact_id: UUID,
    body: ContactUpdate,
    who: CallerDep,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> ContactOut:
    """Update a contact; a new strength is a re-assessment and the history is kept."""

    def produce(key: str | None) -> ContactOut:
        contacts.update_contact(who.app, who.user_id, str(contact_id), _spec(body), key)
        return ContactOut.of(*records.contact(who.app, who.user_id, str(contact_id)))

    return once(who, request, response, idempotency_key, body, produce)
