"""Google Calendar in the browser: connect (consent with state + PKCE), the OAuth callback and
disconnect. These routes exist on every server; where Google is not configured they answer 404.
Handlers only call `service.google`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import JobsDep, get_app, google_of
from api.pages.common import signed_in, to_signin
from service import google
from service.access import accounts
from service.commands import DomainError
from service.operations import jobs as jobs_service

router = APIRouter(include_in_schema=False, tags=["google"])


@router.get("/connect/google")
def connect(request: Request) -> Response:
    """The dashboard's "Connect Google Calendar" button: off to Google's consent page."""
    session = signed_in(request)
    if session is None:
        return to_signin()
    url = google.begin_connect(
        session.app, google_of(request), session.user_id, session_id=session.session_id
    )
    return RedirectResponse(url, status_code=303)


@router.get("/oauth/google/callback")
def callback(
    request: Request,
    background: BackgroundTasks,
    jobs: JobsDep,
    state: str = "",
    code: str | None = None,
    error: str | None = None,
) -> Response:
    app = get_app(request)
    session = signed_in(request)  # the flow finishes only in the browser bound to it
    browser = google.Browser(session.user_id, session.session_id) if session else google.Browser(None)
    try:
        user_id = google.complete_connect(app, google_of(request), state, code, error, finisher=browser)
    except DomainError as exc:
        return Response(f"Google Calendar was not connected: {exc}", status_code=400, media_type="text/plain")
    # The first sync (it opens the push channels) goes to the workers now, not at the next sweep;
    # after the answer, so the browser never waits on Redis.
    background.add_task(jobs_service.request_sync, jobs, user_id)
    return RedirectResponse("/?done=google-connected", status_code=303)


@router.post("/google/disconnect")
def disconnect_form(request: Request, csrf: Annotated[str, Form(max_length=300)] = "") -> Response:
    session = signed_in(request)
    if session is None:
        return to_signin()
    if not accounts.check_csrf(session.session_id, csrf):
        raise HTTPException(400, "the form expired; reload the page")
    google.disconnect(session.app, google_of(request), session.user_id)
    return RedirectResponse("/?done=google-disconnected", status_code=303)
