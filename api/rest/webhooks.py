"""Google's push notifications: `POST /webhooks/google`.

A notification only says that something changed: it is checked (channel id and token), answered
at once, and — on `exists` — turned into at most one queued sync for the user; the message goes
out after the answer, and after the "sync requested" mark committed. Forged, stale or unknown
notifications get a 404 and a log line without secrets. How fresh the caller's calendar is, is
`GET /api/v1/google/sync` (`api/rest/google.py`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Header
from fastapi.responses import Response

from api.deps import JobsDep
from service.operations import jobs as jobs_service

router = APIRouter(tags=["google"], include_in_schema=False)


@router.post("/webhooks/google")
def webhook(
    background: BackgroundTasks,
    jobs: JobsDep,
    channel_id: Annotated[str, Header(alias="X-Goog-Channel-ID", max_length=200)] = "",
    token: Annotated[str, Header(alias="X-Goog-Channel-Token", max_length=300)] = "",
    resource_state: Annotated[str, Header(alias="X-Goog-Resource-State", max_length=40)] = "",
) -> Response:
    """Google says only that something changed: verify, ask for one sync, answer fast."""
    notice = jobs_service.push_notification(jobs, channel_id, token, resource_state)
    if not notice.accepted:
        return Response(status_code=404)
    if notice.send is not None:
        background.add_task(notice.send)  # after the answer: Google waits for nobody
    return Response(status_code=204)
