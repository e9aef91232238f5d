"""Network pages: everyone with strength, last interaction, cadence and tags; one contact with its
timeline and strength re-assessments; the people met at attended events, to add or dismiss."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.pages import charts, network_list
from api.pages.common import Session, listed, optional_int, render, run_form, signed_in, to_signin
from service import google
from service.commands import ContactSpec, DomainError, NotFoundError
from service.people import contacts
from service.read_models import pages
from service.tracking import goals

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(max_length=500)]


def _draw_network(
    request: Request, session: Session, *, error: str | None = None, status: int = 200
) -> Response:
    page = pages.network_page(session.app, session.user_id)
    everyone = page.assessment.contacts
    try:
        wanted = network_list.listing(request.query_params)
    except DomainError as exc:
        wanted, error, status = network_list.Listing(), error or str(exc), 422
    context = {
        "n": page,
        "strengths": charts.strengths(page.assessment.by_strength),
        "shown": network_list.select(everyone, page.last_seen, wanted),
        "wanted": wanted,
        "sorts": network_list.SORTS,
        "tags": network_list.tags_of(everyone),
        "current": "network",
    }
    return render(request, session, "network.html", context, error=error, status=status)


@router.get("/network", response_class=HTMLResponse)
def network(request: Request) -> Response:
    found = signed_in(request)
    return to_signin() if found is None else _draw_network(request, found)


def _draw_contact(
    request: Request, session: Session, contact_id: str, *, error: str | None = None, status: int = 200
) -> Response:
    before = optional_int(request.query_params.get("before", ""), "before") if error is None else None
    try:
        page = pages.contact_page(session.app, session.user_id, contact_id, before=before)
    except (NotFoundError, DomainError):
        return render(request, session, "missing.html", {"what": "contact"}, status=404)
    return render(
        request,
        session,
        "contact.html",
        {
            "c": page,
            "trend": charts.strength_trend(page.strengths),
            "action_kinds": sorted(goals.known_action_kinds(session.app, session.user_id)),
            "today": session.app.now().astimezone(session.tz).date(),
        },
        error=error,
        status=status,
    )


@router.get("/network/{contact_id}", response_class=HTMLResponse)
def contact(request: Request, contact_id: str) -> Response:
    found = signed_in(request)
    if found is None:
        return to_signin()
    try:
        return _draw_contact(request, found, contact_id)
    except DomainError:
        return render(request, found, "missing.html", {"what": "contact"}, status=404)


@router.post("/network/{contact_id}/edit")
def edit_contact(
    request: Request,
    contact_id: str,
    csrf: Field = "",
    name: Field = "",
    emails: Field = "",
    organisation: Field = "",
    tags: Field = "",
    how_met: Field = "",
    cadence_days: Field = "",
    role: Field = "",
    linkedin_url: Field = "",
) -> Response:
    def command(s: Session) -> Any:
        spec = ContactSpec(
            name=name,
            emails=listed(emails),
            organisation=organisation,
            tags=listed(tags),
            how_met=how_met,
            cadence_days=optional_int(cadence_days, "keep-in-touch days"),
            role=role,
            linkedin_url=linkedin_url.strip(),
        )
        warnings = contacts.contact_warnings(s.app, s.user_id, spec, contact_id)
        contacts.update_contact(s.app, s.user_id, contact_id, spec)
        return f"/network/{contact_id}?done=contact-saved", warnings

    values = (name, emails, organisation, tags, how_met, cadence_days, role, linkedin_url)
    return run_form(
        request,
        csrf,
        values,
        command,
        lambda s, e: _draw_contact(request, s, contact_id, error=e, status=422),
    )


@router.post("/network/{contact_id}/strength")
def reassess(request: Request, contact_id: str, csrf: Field = "", strength: Field = "") -> Response:
    def command(s: Session) -> str:
        value = optional_int(strength, "strength")
        if value is None:
            raise DomainError("pick a strength from 1 (weak) to 5 (strong)")
        contacts.update_contact(s.app, s.user_id, contact_id, ContactSpec(strength=value))
        return f"/network/{contact_id}?done=contact-saved"

    return run_form(
        request,
        csrf,
        (strength,),
        command,
        lambda s, e: _draw_contact(request, s, contact_id, error=e, status=422),
    )


@router.post("/network/suggestions/add")
def add_suggestion(request: Request, csrf: Field = "", email: Field = "", name: Field = "") -> Response:
    def command(s: Session) -> str:
        public_url = str(request.base_url).rstrip("/")
        google.add_suggestion(s.app, s.user_id, email, name.strip() or None, public_url=public_url)
        return "/network?done=suggestion-added"

    return run_form(
        request, csrf, (email, name), command, lambda s, e: _draw_network(request, s, error=e, status=422)
    )


@router.post("/network/suggestions/dismiss")
def dismiss_suggestion(request: Request, csrf: Field = "", email: Field = "") -> Response:
    def command(s: Session) -> str:
        google.dismiss_suggestion(s.app, s.user_id, email)
        return "/network?done=suggestion-dismissed"

    return run_form(
        request, csrf, (email,), command, lambda s, e: _draw_network(request, s, error=e, status=422)
    )
