"""Progress updates in the browser: the dashboard's update settings, and the signed, GET-safe
unsubscribe and confirm-email pages (the JSON API is `api/rest/updates.py`). Handlers only call
`service.updates`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import JobsDep, get_app, updates_of
from api.pages.common import Session, checked, render, signed_in, templates, to_signin
from api.rest.updates import queue_test
from service import updates
from service.commands import DomainError
from service.shapes.updates import UpdatePreferencesOut

router = APIRouter(include_in_schema=False, tags=["updates"])


@router.get("/updates/unsubscribe", response_class=HTMLResponse)
def unsubscribe_page(request: Request, token: str = "") -> Response:
    """A link in every message. Opening it changes nothing (mail scanners open links): it shows
    one button, and only that POST stops the updates."""
    try:
        updates.user_of_unsubscribe(get_app(request), updates_of(request), token)
    except DomainError as exc:
        return _page(request, "unsubscribe.html", {"error": str(exc)}, 400)
    return _page(request, "unsubscribe.html", {"token": token})


@router.post("/updates/unsubscribe", response_class=HTMLResponse)
def unsubscribe(
    request: Request,
    token: Annotated[str, Form(max_length=2000)] = "",
    one_click: Annotated[str, Form(alias="List-Unsubscribe", max_length=20)] = "",
    link_token: Annotated[str, Query(alias="token", max_length=2000)] = "",
) -> Response:
    # The signed token is the credential, never a cookie, so a forged cross-site POST has nothing
    # to ride on. It comes in the page's form body, or — RFC 8058's one-click POST a mail client
    # sends to the List-Unsubscribe URL with the body `List-Unsubscribe=One-Click` — in the link.
    credential = token or (link_token if one_click == "One-Click" else "")
    try:
        updates.unsubscribe(get_app(request), updates_of(request), credential)
    except DomainError as exc:
        return _page(request, "unsubscribe.html", {"error": str(exc)}, 400)
    return _page(request, "unsubscribe.html", {"done": True})


@router.get("/updates/confirm-email", response_class=HTMLResponse)
def confirm_email_page(request: Request, token: Annotated[str, Query(max_length=2000)] = "") -> Response:
    """The link in the confirmation mail. Opening it changes nothing (mail scanners open links):
    one button, whose POST confirms."""
    try:
        email = updates.address_of_confirmation(get_app(request), updates_of(request), token)
    except DomainError as exc:
        return _page(request, "confirm_email.html", {"error": str(exc)}, 400)
    return _page(request, "confirm_email.html", {"token": token, "email": email})


@router.post("/updates/confirm-email", response_class=HTMLResponse)
def confirm_email(request: Request, token: Annotated[str, Form(max_length=2000)] = "") -> Response:
    # The signed token in the body is the credential, as for unsubscribing.
    try:
        email = updates.confirm_address(get_app(request), updates_of(request), token)
    except DomainError as exc:
        return _page(request, "confirm_email.html", {"error": str(exc)}, 400)
    return _page(request, "confirm_email.html", {"done": True, "email": email})


@router.post("/settings/updates")
def settings_form(
    request: Request,
    jobs: JobsDep,
    csrf: Annotated[str, Form(max_length=300)] = "",
    channel: Annotated[str, Form(max_length=20)] = "none",
    email: Annotated[str, Form(max_length=254)] = "",
    webhook_url: Annotated[str, Form(max_length=2000)] = "",
    slack: Annotated[str, Form(max_length=5)] = "",
    immediate: Annotated[str, Form(max_length=5)] = "",
    digest: Annotated[str, Form(max_length=5)] = "",
    test: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    session = checked(request, csrf)
    if not isinstance(session, Session):
        return session
    app, user_id = session.app, session.user_id
    try:
        if test:
            try:
                queue_test(request, jobs, app, user_id)
            except HTTPException as exc:
                return _settings(request, session, error=str(exc.detail), status=exc.status_code)
            note = "Test queued: it shows below, delivered or not, once a worker has sent it."
            return _settings(request, session, note=note)
        change = updates.set_channel(
            app,
            updates_of(request),
            user_id,
            channel,
            email=email or None,
            webhook_url=webhook_url or None,
            webhook_format="slack" if slack else "json",
            immediate=bool(immediate),
            digest=bool(digest),
            deliver_now=False,
        )
        if change.waiting_for:
            jobs.enqueuer.request("updates", user_id)  # a worker sends the link
    except DomainError as exc:
        return _settings(request, session, error=str(exc), status=422)
    note = "Saved."
    if change.waiting_for:
        note = f"Saved. We are sending a link to {change.waiting_for}: updates start once you open it."
    return _settings(request, session, note=note, secret=change.webhook_secret)


@router.get("/settings/updates", response_class=HTMLResponse)
def settings_page(request: Request) -> Response:
    session = signed_in(request)
    if session is None:
        return to_signin()
    return _settings(request, session)


def _settings(
    request: Request,
    session: Session,
    *,
    note: str | None = None,
    error: str | None = None,
    secret: str | None = None,
    status: int = 200,
) -> Response:
    current = updates.status(session.app, session.user_id)
    values = {
        "s": UpdatePreferencesOut.of(current),
        "sent": updates.sent(session.app, session.user_id, 10),
        "email_available": updates_of(request).smtp is not None,
        "saved_note": note,
        "secret": secret,
    }
    return render(request, session, "updates_settings.html", values, error=error, status=status)


def _page(request: Request, name: str, values: dict[str, Any], status: int = 200) -> Response:
    response: Response = templates.TemplateResponse(request, name, values, status_code=status)
    return response
