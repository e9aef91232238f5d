"""Progress updates over the REST API: choose a channel, send a test, what was sent. The dashboard's
update settings and the signed, GET-safe unsubscribe and confirm-email pages are
`api/pages/updates.py`. The update context is opened at first use (`api/deps.py`); handlers only
call `service.updates`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ERRORS, CallerDep, JobsDep, updates_of
from service import updates
from service.app import App
from service.operations.jobs import Jobs


class UpdatePreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Literal["email", "webhook", "none"]
    email: Annotated[str, Field(min_length=3, max_length=254)] | None = None
    webhook_url: Annotated[str, Field(min_length=8, max_length=2000)] | None = None
    webhook_format: Literal["json", "slack"] = "json"
    immediate: bool = True
    digest: bool = True


class UpdatePreferencesOut(BaseModel):
    channel: str
    email: str | None
    webhook_format: str | None
    immediate: bool
    digest: bool
    failing: dict[str, str]
    pending: int
    confirmation: Literal["waiting", "confirmed"] | None = Field(
        default=None,
        description='For email: "waiting" until the owner opens the link sent to the address (nothing '
        'else is sent to it before), then "confirmed".',
    )
    webhook_secret: str | None = Field(
        default=None, description="Only in the answer that set a webhook: the signing secret, shown once."
    )


class QueuedTestOut(BaseModel):
    delivery_id: str
    channel: str
    state: str
    result: str = Field(description="Where the outcome shows: the list of updates, this delivery's state")
    detail: str


class SentUpdateOut(BaseModel):
    delivery_id: str
    kind: str
    subject: str | None
    channel: str
    state: str
    attempts: int
    detail: str | None
    decided_at: str | None
    finished_at: str | None


router = APIRouter(prefix="/api/v1/updates", tags=["updates"], responses=ERRORS)


@router.get("/preferences", response_model=UpdatePreferencesOut)
def get_preferences(who: CallerDep) -> dict[str, Any]:
    """Where your progress updates go, and whether the last one got there."""
    return updates.status(who.app, who.user_id).as_dict()


@router.put("/preferences", response_model=UpdatePreferencesOut)
def put_preferences(
    request: Request, who: CallerDep, jobs: JobsDep, body: UpdatePreferencesIn
) -> dict[str, Any]:
    """Choose the channel. Setting a webhook answers its signing secret, once. A new email address
    gets one mail, a link to confirm it (a worker sends it); nothing else goes there until it is
    confirmed."""
    change = updates.set_channel(
        who.app, updates_of(request), who.user_id, **body.model_dump(), deliver_now=False
    )
    if change.waiting_for:
        jobs.enqueuer.request("updates", who.user_id)  # after the commit; else the sweep
    return {**updates.status(who.app, who.user_id).as_dict(), "webhook_secret": change.webhook_secret}


@router.post(
    "/test",
    response_model=QueuedTestOut,
    status_code=202,
    responses={
        422: {"description": "Updates are off, or the address waits for its owner to confirm it"},
        429: {"description": "Too many tests this hour; see Retry-After"},
    },
)
def post_test(request: Request, who: CallerDep, jobs: JobsDep) -> dict[str, Any]:
    """Ask for a test on your channel: a worker sends it, and `GET /api/v1/updates` shows
    whether it was delivered, or why not. At most a few an hour."""
    return queue_test(request, jobs, who.app, who.user_id).as_dict()


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
def get_sent(who: CallerDep, limit: Annotated[int, Field(ge=1, le=500)] = 50) -> list[dict[str, Any]]:
    """The updates decided for you, newest first, with what became of each."""
    return updates.sent(who.app, who.user_id, limit)
