"""Google Calendar over the REST API, under /api/v1/google: the connection's status, a consent URL,
disconnecting, how fresh the calendar is, and the people met at events who are not contacts yet.

`api/app.py` registers this router only where Google is configured: a server that cannot connect
a calendar has no JSON API for one. The browser's side (connect, the OAuth callback, disconnect)
is `api/pages/google.py`; Google's push notifications are `api/rest/webhooks.py`. Handlers only
call `service.google`; no logic lives here.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.deps import ERRORS, CallerDep, JobsDep, SettingsDep, google_of
from service import google
from service.read_models.sync_status import calendar_sync
from service.shapes.google import (
    CalendarSyncOut,
    ConsentOut,
    DisconnectedOut,
    GoogleStatusOut,
    SuggestionAddedOut,
    SuggestionOut,
)

router = APIRouter(prefix="/api/v1/google", tags=["google"], responses=ERRORS)


@router.get("", response_model=GoogleStatusOut)
def google_status(who: CallerDep) -> GoogleStatusOut:
    """The calendar connection: connected, paused (quota), reconnect-needed, not-connected."""
    return GoogleStatusOut.of(google.status(who.app, who.user_id))


@router.post("/connect", response_model=ConsentOut)
def api_connect(who: CallerDep, request: Request) -> ConsentOut:
    """A consent URL to open in a browser signed in to the dashboard as the same user; Google
    redirects back to /oauth/google/callback, which refuses any other browser."""
    return ConsentOut(url=google.begin_connect(who.app, google_of(request), who.user_id))


@router.post("/disconnect", response_model=DisconnectedOut)
def api_disconnect(who: CallerDep, request: Request) -> DisconnectedOut:
    return DisconnectedOut(disconnected=google.disconnect(who.app, google_of(request), who.user_id))


@router.get("/sync", response_model=CalendarSyncOut)
def sync_status(who: CallerDep, jobs: JobsDep) -> CalendarSyncOut:
    """When the calendar last synced, what that changed, and whether push or polling keeps it
    fresh; `sync` says "queued" only while a worker is alive to run it."""
    return CalendarSyncOut.of(calendar_sync(who.app, jobs.settings, who.user_id, jobs.redis))


@router.get("/suggestions", response_model=list[SuggestionOut])
def list_suggestions(who: CallerDep) -> list[SuggestionOut]:
    """People you met at attended events who are not contacts yet."""
    return [SuggestionOut.of(s) for s in google.suggestions(who.app, who.user_id)]


@router.post("/suggestions/{email}/add", status_code=201, response_model=SuggestionAddedOut)
def add_suggestion(who: CallerDep, email: str, settings: SettingsDep) -> SuggestionAddedOut:
    """Add the person as a contact and plan a short follow-up within three days."""
    return SuggestionAddedOut.of(
        google.add_suggestion(who.app, who.user_id, email, public_url=settings.public_url)
    )
