"""The dashboard's contact import: upload an export file, see the preview (new, already known,
conflicting), confirm. The confirmation posts the same file content back (a hidden field), so the
server keeps no state between the two steps and re-checks everything when applying."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from api.pages.common import checked, network_page, session_or_signin
from service.commands import DomainError
from service.people.contact_import import file_text, import_contacts
from service.shapes.imports import ImportOut

router = APIRouter(include_in_schema=False)
_SHOWN = 50
_SOURCE_NAMES = {"linkedin": "LinkedIn", "vcard": "vCard", "google": "Google Contacts", "outlook": "Outlook"}


@router.get("/network/import")
def import_form(request: Request) -> Response:
    found = session_or_signin(request)
    if isinstance(found, Response):
        return found
    done = request.query_params.get("imported")
    updated = request.query_params.get("updated", "0")
    context = {"preview": None, "imported": done, "updated": updated if updated.isdigit() else "0"}
    return network_page(request, found, "network_import.html", context)


@router.post("/network/import")
async def import_upload(
    request: Request,
    csrf: Annotated[str, Form(max_length=300)] = "",
    file: UploadFile | None = None,
    content: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
    the_rest: Annotated[str, Form(max_length=10)] = "",
    on_conflict: Annotated[str, Form(max_length=10)] = "keep",
) -> Response:
    found = checked(request, csrf)
    if isinstance(found, Response):
        return found
    app, user_id = found.app, found.user_id
    data = (await file.read()) if file is not None and file.filename else content.encode("utf-8")
    apply = confirm == "yes"
    try:
        if not data.strip():
            raise DomainError("choose an export file to upload")
        # the preview reads past wrong rows to list them all; applying leaves them out only when
        # the person chose "import the rest" (all or nothing otherwise)
        skip_bad = the_rest == "yes" or not apply
        result = import_contacts(app, user_id, data, apply=apply, skip_bad=skip_bad, on_conflict=on_conflict)
    except DomainError as exc:
        return network_page(request, found, "network_import.html", {"preview": None, "error": str(exc)}, 422)
    if apply:
        counts = result.plan.summary()
        taken = sum(1 for c in result.plan.conflicts if c.taken)
        return RedirectResponse(f"/network/import?imported={counts['new']}&updated={taken}", status_code=303)
    text = file_text(data)
    return network_page(
        request,
        found,
        "network_import.html",
        {
            "preview": ImportOut.of(result).model_dump(mode="json"),
            "content": text,
            "shown": _SHOWN,
            "source_names": _SOURCE_NAMES,
            # a choice only for people matched to one contact (two at once are left alone)
            "choosable": any(len(c.contact_ids) == 1 for c in result.plan.conflicts),
        },
    )
