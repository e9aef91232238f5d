"""CalDAV on the web: JSON under /api/v1/caldav (connect, status, calendars, sync, disconnect) and
the Calendar page's "CalDAV calendar" form. Every route acts for the caller's own user: there is no
user id in any path, so another person's connection cannot even be named. Handlers only call
`service.caldav`; the password goes straight to the use case (sealed there), never into an answer
or a log line."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from api.deps import CallerDep
from api.pages.common import checked
from api.webhooks import jobs_of
from service.caldav import connect as use_case
from service.caldav.context import CalDAV
from service.caldav.sync import request_sync
from service.commands import DomainError
from service.jobs import task_names
from service.settings import Settings

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


def router_for(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["caldav"])
    context: list[CalDAV] = []  # opened on first use (a server without CalDAV users needs no vault key)

    def caldav() -> CalDAV:
        if not context:
            context.append(CalDAV.open(settings))
        return context[0]

    def poll_now(request: Request) -> None:
        """After the commit: the workers' CalDAV poll runs now, not at the next minute's beat."""
        jobs_of(request).enqueuer.poll_now(task_names().caldav)

    @router.get("/api/v1/caldav")
    def status(who: CallerDep) -> dict[str, Any]:
        """Your CalDAV connection: status, server, calendars and their roles, last and next sync."""
        return use_case.status(who.app, who.user_id).as_dict()

    @router.post("/api/v1/caldav", status_code=201)
    def connect(who: CallerDep, body: CalDAVIn, request: Request) -> dict[str, Any]:
        """Connect a CalDAV account (discovery from the address or a preset); the workers sync it."""
        found = use_case.connect(
            who.app,
            caldav(),
            who.user_id,
            body.server,
            username=body.username,
            password=body.password,
            preset=body.preset,
            read=body.read,
            plan_into=body.plan_into,
            emails=body.emails,
        )
        poll_now(request)
        return {
            "account": found.account,
            "plan_into": {"name": found.plan_into.name, "url": found.plan_into.calendar_id},
            "read": [{"name": c.name, "url": c.calendar_id} for c in found.read],
            "created": found.created,
        }

    @router.get(
        "/api/v1/caldav/calendars",
        responses={422: {"description": "Not connected, or the server refused (the detail says which)"}},
    )
    def calendars(who: CallerDep) -> list[dict[str, Any]]:
        """The calendars on the server now, and which are read or planned into."""
        return [
            {"name": c.name, "url": c.calendar_id, "writable": c.writable, "role": role}
            for c, role in use_case.server_calendars(who.app, caldav(), who.user_id)
        ]

    @router.post("/api/v1/caldav/sync", status_code=202)
    def sync(who: CallerDep, request: Request) -> dict[str, bool]:
        """Ask for a sync now: a worker runs it at once (or at its next minute's poll)."""
        requested = request_sync(who.app, who.user_id)
        if requested:
            poll_now(request)
        return {"requested": requested}

    @router.delete("/api/v1/caldav", status_code=204)
    def disconnect(who: CallerDep) -> Response:
        """Forget the password and the sync state; history stays."""
        use_case.disconnect(who.app, who.user_id)
        return Response(status_code=204)

    # --- the Calendar page's form ------------------------------------------------------------

    @router.post("/calendar/caldav", include_in_schema=False)
    def connect_form(
        request: Request,
        server: Annotated[str, Form(max_length=600)] = "",
        preset: Annotated[str, Form(max_length=20)] = "",
        username: Annotated[str, Form(max_length=300)] = "",
        password: Annotated[str, Form(max_length=1000)] = "",
        plan_into: Annotated[str, Form(max_length=600)] = "",
        csrf: Annotated[str, Form(max_length=300)] = "",
    ) -> Response:
        found = checked(request, csrf)
        if isinstance(found, Response):
            return found
        try:
            use_case.connect(
                found.app,
                caldav(),
                found.user_id,
                server,
                username=username,
                password=password,
                preset=preset or None,
                plan_into=plan_into or None,
            )
        except DomainError as exc:
            return Response(
                f"The CalDAV calendar was not connected: {exc}", status_code=422, media_type="text/plain"
            )
        poll_now(request)
        return RedirectResponse("/calendar?done=caldav-connected", status_code=303)

    @router.post("/calendar/caldav/{verb}", include_in_schema=False)
    def change_form(request: Request, verb: str, csrf: Annotated[str, Form(max_length=300)] = "") -> Response:
        found = checked(request, csrf)
        if isinstance(found, Response):
            return found
        if verb == "sync":
            if request_sync(found.app, found.user_id):
                poll_now(request)
        elif verb == "disconnect":
            use_case.disconnect(found.app, found.user_id)
        else:
            return Response(status_code=404)
        return RedirectResponse(f"/calendar?done=caldav-{verb}", status_code=303)

    return router
