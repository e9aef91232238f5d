"""iCalendar over the REST API: the calendars read as sources — add (an address, or an uploaded
file), list, show, remove, read now (queued to the workers: fetching a calendar never runs in
the API's request threads). Every route acts for the caller's own user only; a source of someone
else's is 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.deps import ERRORS, CallerDep, JobsDep, SettingsDep
from service import ical
from service.ical import read_now
from service.shapes.sources import SourceOut, SourceQueuedOut, SourceReadOut

MAX_UPLOAD = 1024 * 1024  # the API's body limit
router = APIRouter(prefix="/api/v1/sources", tags=["calendar feed and sources"], responses=ERRORS)


class SourceIn(BaseModel):
    url: str = Field(min_length=1, max_length=4000, description="https://, http:// or webcal://")
    trust_all: bool = Field(default=False, description="every past event in this calendar counts")
    emails: list[Annotated[str, Field(max_length=320)]] | None = Field(
        default=None, max_length=20, description="your addresses in this calendar (default: your handle)"
    )


@router.get("", response_model=list[SourceOut])
def list_sources(who: CallerDep) -> list[SourceOut]:
    """The calendars netgoals reads for you, with their state (last read, last error, counts)."""
    return [SourceOut.of(s) for s in ical.list_sources(who.app, who.user_id)]


@router.post("", status_code=201, response_model=SourceOut)
def add_source(who: CallerDep, body: SourceIn, settings: SettingsDep) -> SourceOut:
    """Read this calendar every 30 minutes; the first read happens at the next sync."""
    return SourceOut.of(
        ical.add_source(
            who.app, settings, who.user_id, body.url, trust_all=body.trust_all, emails=body.emails
        )
    )


@router.post("/upload", status_code=201, response_model=SourceReadOut)
def upload_source(
    who: CallerDep,
    settings: SettingsDep,
    calendar: Annotated[bytes, Body(media_type="text/calendar", max_length=MAX_UPLOAD)],
    name: Annotated[str, Query(max_length=200)] = "upload.ics",
    trust_all: bool = False,
) -> SourceReadOut:
    """An .ics file, read once now (it is never polled): the answer says what it counted."""
    added = ical.add_file_source(who.app, who.user_id, name, calendar, trust_all=trust_all)
    report = ical.read_file_source(who.app, settings, added.source_id, who.user_id, calendar)
    return SourceReadOut.of(ical.get_source(who.app, who.user_id, added.source_id), report)


@router.get("/{source_id}", response_model=SourceOut)
def get_source(who: CallerDep, source_id: str) -> SourceOut:
    return SourceOut.of(ical.get_source(who.app, who.user_id, source_id))


@router.delete("/{source_id}", status_code=204)
def remove_source(who: CallerDep, source_id: str) -> Response:
    """Stop reading it; what it already counted stays."""
    ical.remove_source(who.app, who.user_id, source_id)
    return Response(status_code=204)


@router.post(
    "/{source_id}/sync",
    status_code=202,
    response_model=SourceQueuedOut,
    responses={
        200: {"model": SourceReadOut, "description": "An uploaded file: nothing to fetch, settled at once"}
    },
)
def sync_source(
    who: CallerDep, settings: SettingsDep, jobs: JobsDep, source_id: str
) -> SourceQueuedOut | JSONResponse:
    """Ask for a read now: a worker fetches the calendar (at most once a minute per source) and
    the answer comes at once; the source's `last_fetched_at`, `last_status` and `last_error`
    show the result. An uploaded file has nothing to fetch: it is settled at once (200)."""
    found = ical.get_source(who.app, who.user_id, source_id)  # 404 unless it is the caller's
    if found.kind != "url":
        report = ical.sync_source(who.app, settings, source_id, who.user_id)
        settled = SourceReadOut.of(ical.get_source(who.app, who.user_id, source_id), report)
        # the 200's own model (declared in `responses`): a Response passes response_model by
        return JSONResponse(settled.model_dump(mode="json"), status_code=200)
    return SourceQueuedOut.of(read_now.request_read(jobs, who.user_id, source_id))
