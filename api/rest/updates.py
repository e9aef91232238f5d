"""Progress updates over the REST API: choose a channel, send a test, what was sent. The dashboard's
update settings and the signed, GET-safe unsubscribe and confirm-email pages are
`api/pages/updates.py`. The update context is opened at first use (`api/deps.py`); handlers only
call `service.updates`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ERRORS, CallerDep, JobsDep, updates_of
from service import updates
from service.app import App
from service.operations.jobs import Jobs
from service.shapes.updates import QueuedTestOut, SentUpdateOut, UpdatePreferencesOut


class UpdatePreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Literal["email", "webhook", "none"]
    email: Annotated[str, Field(min_length=3, max_length=254)] | None = None
    webhook_url: Annotated[str, Field(min_length=8, max_length=2000)] | None = None
    webhook_format: Literal["json", "slack"] = "json"
    immediate: bool = True
    digest: bool = True


router = APIRouter(prefix="/api/v1/updates", tags=["updates"], responses=ERRORS)


@router.get("/preferences", response_model=UpdatePreferencesOut)
def get_preferences(who: CallerDep) -> UpdatePreferencesOut:
    """Where your progress updates go, and whether the last one got there."""
    return UpdatePreferencesOut.of(updates.status(who.app, who.user_id))


@router.put("/preferences", response_model=UpdatePreferencesOut)
def put_preferences(
    request: Request, who: CallerDep, jobs: JobsDep, body: UpdatePreferencesIn
) -> UpdatePreferencesOut:
    """Choose the channel. Setting a webhook answers its signing secret, once. A new email address
    gets one mail, a link to confirm it (a worker sends it); nothing else goes there until it is
    confirmed."""
    change = updates.set_channel(
        who.app, updates_of(request), who.user_id, **body.model_dump(), deliver_now=False
    )
    if change.waiting_for:
        jobs.enqueuer.request("updates", who.user_id)  # after the commit; else the sweep
    return UpdatePreferencesOut.of(updates.status(who.app, who.user_id), change.webhook_secret)


@router.post(
    "/test",
    response_model=QueuedTestOut,
    status_code=202,
    responses={
        422: {"description": "Updates are off, or the address waits for its owner to confirm it"},
        429: {"description": "Too many tests this hour; see Retry-After"},
    },
)
def post_test(request: Request, who: CallerDep, jobs: JobsDep) -> QueuedTestOut:
    """Ask for a test on your channel: a worker sends it, and `GET /api/v1/updates` shows
    whether it was delivered, or why not. At most a few an hour."""
    return QueuedTestOut.of(queue_test(request, jobs, who.app, who.user_id))


def queue_test(request: Request, jobs: Jobs, app: App, user_id: str) -> updates.QueuedTest:
    """Queue a test on the person's channel (the dashboard's button too); 429 past the hour's few."""
    updates_of(request)  # 503 first on a server that cannot send updates at all
    try:
        queued = updates.queue_test(app, user_id)
    except updates.TooManyTestsError as exc:
        raise HTTPException(429, str(exc), headers={"Retry-After": str(exc.retry_after)}) from None
    jobs.enqueuer.request("updates", user_id)  # after the commit; else the sweep
    return queued


@router.get("", response_model=list[SentUpdateOut])
def get_sent(who: CallerDep, limit: Annotated[int, Field(ge=1, le=500)] = 50) -> list[SentUpdateOut]:
    """The updates decided for you, newest first, with what became of each."""
    return [SentUpdateOut.of(row) for row in updates.sent(who.app, who.user_id, limit)]
