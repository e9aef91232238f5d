"""Google's push notifications (`POST /webhooks/google`) and how fresh the caller's calendar is
(`GET /api/v1/google/sync`).

A notification only says that something changed: it is checked (channel id and token), answered
at once, and — on `exists` — turned into at most one queued sync for the user; the message goes
out after the answer, and after the "sync requested" mark committed. Forged, stale or unknown
notifications get a 404 and a log line without secrets.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, FastAPI, Header, Request
from fastapi.responses import Response

from api.deps import CallerDep
from service import jobs as jobs_service
from service.app import App
from service.settings import Settings
from service.sync_status import CalendarSync, calendar_sync


def attach(web: FastAPI, settings: Settings, service: App, responses: dict[int | str, Any]) -> None:
    """The producer side of the queue for this API process, and the routes that use it (the JSON
    route only where Google is configured, like the rest of /api/v1/google)."""
    web.state.jobs = jobs_service.Jobs.open(settings, service)
    web.include_router(router)
    if settings.google_configured:
        web.include_router(api_router, responses=responses)


def jobs_of(request: Request) -> jobs_service.Jobs:
    found: jobs_service.Jobs = request.app.state.jobs
    return found


def calendar_sync_of(request: Request, service: App, user_id: str) -> CalendarSync | None:
    """For the dashboard: None where Google is not configured."""
    jobs = jobs_of(request)
    if not jobs.settings.google_configured:
        return None
    return calendar_sync(service, jobs.settings, user_id, jobs.redis)


router = APIRouter(tags=["google"])


@router.post("/webhooks/google", include_in_schema=False)
def webhook(
    request: Request,
    background: BackgroundTasks,
    channel_id: Annotated[str, Header(alias="X-Goog-Channel-ID", max_length=200)] = "",
    token: Annotated[str, Header(alias="X-Goog-Channel-Token", max_length=300)] = "",
    resource_state: Annotated[str, Header(alias="X-Goog-Resource-State", max_length=40)] = "",
) -> Response:
    """Google says only that something changed: verify, ask for one sync, answer fast."""
    notice = jobs_service.push_notification(jobs_of(request), channel_id, token, resource_state)
    if not notice.accepted:
        return Response(status_code=404)
    if notice.send is not None:
        background.add_task(notice.send)  # after the answer: Google waits for nobody
    return Response(status_code=204)


api_router = APIRouter(tags=["google"])


@api_router.get("/api/v1/google/sync")
def sync_status(request: Request, who: CallerDep) -> dict[str, Any]:
    """When the calendar last synced, what that changed, and whether push or polling keeps it
    fresh; `sync` says "queued" only while a worker is alive to run it."""
    jobs = jobs_of(request)
    return calendar_sync(who.app, jobs.settings, who.user_id, jobs.redis).as_dict()
