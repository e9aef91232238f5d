"""CalDAV over the REST API: /api/v1/caldav (connect, status, calendars, sync, disconnect); the
Calendar page's "CalDAV calendar" form is `api/pages/calendar.py`. Every route acts for the
caller's own user: there is no user id in any path, so another person's connection cannot even
be named. Handlers only call `service.caldav`; the password goes straight to the use case (sealed
there), never into an answer or a log line."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.deps import ERRORS, CallerDep, JobsDep, caldav_of
from service.caldav import connect as use_case
from service.caldav.sync import request_sync
from service.operations.jobs import Jobs, task_names
from service.shapes.caldav import CalDAVConnectedOut, CalDAVStatusOut, ServerCalendarOut, SyncRequestedOut

_Name = Annotated[str, Field(max_length=600)]


class CalDAVIn(BaseModel):
    server: str = Field(default="", max_length=600, description="the server's address or domain")
    preset: str | None = Field(default=None, max_length=20, description="icloud, fastmail or nextcloud")
    username: str = Field(min_length=1, max_length=300)
    password: str = Field(
        min_length=1, max_length=1000, description="an app password where the service has them"
    )
    read: list[_Name] | None = Field(
        default=None, max_length=50, description="calendars to read (default: all)"
    )
    plan_into: str | None = Field(
        default=None, max_length=600, description="default: a new “Networking goals”"
    )
    emails: list[Annotated[str, Field(max_length=320)]] = Field(default_factory=list, max_length=20)


router = APIRouter(prefix="/api/v1/caldav", tags=["caldav"], responses=ERRORS)


def poll_now(jobs: Jobs) -> None:
    """After the commit: the workers' CalDAV poll runs now, not at the next minute's beat."""
    jobs.enqueuer.poll_now(task_names().caldav)


@router.get("", response_model=CalDAVStatusOut)
def status(who: CallerDep) -> CalDAVStatusOut:
    """Your CalDAV connection: status, server, calendars and their roles, last and next sync."""
    return CalDAVStatusOut.of(use_case.status(who.app, who.user_id))


@router.post("", status_code=201, response_model=CalDAVConnectedOut)
def connect(who: CallerDep, body: CalDAVIn, jobs: JobsDep, request: Request) -> CalDAVConnectedOut:
    """Connect a CalDAV account (discovery from the address or a preset); the workers sync it."""
    found = use_case.connect(
        who.app,
        caldav_of(request),
        who.user_id,
        body.server,
        username=body.username,
        password=body.password,
        preset=body.preset,
        read=body.read,
        plan_into=body.plan_into,
        emails=body.emails,
    )
    poll_now(jobs)
    return CalDAVConnectedOut.of(found)


@router.get(
    "/calendars",
    response_model=list[ServerCalendarOut],
    responses={422: {"description": "Not connected, or the server refused (the detail says which)"}},
)
def calendars(who: CallerDep, request: Request) -> list[ServerCalendarOut]:
    """The calendars on the server now, and which are read or planned into."""
    return [
        ServerCalendarOut.of(c, role)
        for c, role in use_case.server_calendars(who.app, caldav_of(request), who.user_id)
    ]


@router.post("/sync", status_code=202, response_model=SyncRequestedOut)
def sync(who: CallerDep, jobs: JobsDep) -> SyncRequestedOut:
    """Ask for a sync now: a worker runs it at once (or at its next minute's poll)."""
    requested = request_sync(who.app, who.user_id)
    if requested:
        poll_now(jobs)
    return SyncRequestedOut(requested=requested)


@router.delete("", status_code=204)
def disconnect(who: CallerDep) -> Response:
    """Forget the password and the sync state; history stays."""
    use_case.disconnect(who.app, who.user_id)
    return Response(status_code=204)
