"""iCalendar over the REST API: the calendars read as sources — add (an address, or an uploaded
file), list, show, remove, read now (queued to the workers: fetching a calendar never runs in
the API's request threads). Every route acts for the caller's own user only; a source of someone
else's is 404."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from pydantic import BaseModel, Field

from api.deps import ERRORS, CallerDep, JobsDep, SettingsDep
from service import ical
from service.ical import read_now

MAX_UPLOAD = 1024 * 1024  # the API's body limit
router = APIRouter(prefix="/api/v1/sources", tags=["calendar feed and sources"], responses=ERRORS)


class SourceIn(BaseModel):
    url: str = Field(min_length=1, max_length=4000, description="https://, http:// or webcal://")
    trust_all: bool = Field(default=False, description="every past event in this calendar counts")
    emails: list[Annotated[str, Field(max_length=320)]] | None = Field(
        default=None, max_length=20, description="your addresses in this calendar (default: your handle)"
    )


@router.get("")
def list_sources(who: CallerDep) -> list[dict[str, Any]]:
    """The calendars netgoals reads for you, with their state (last read, last error, counts)."""
    return [s.as_dict() for s in ical.list_sources(who.app, who.user_id)]


@router.post("", status_code=201)
def add_source(who: CallerDep, body: SourceIn, settings: SettingsDep) -> dict[str, Any]:
    """Read this calendar every 30 minutes; the first read happens at the next sync."""
    return ical.add_source(
        who.app, settings, who.user_id, body.url, trust_all=body.trust_all, emails=body.emails
    ).as_dict()


@router.post("/upload", status_code=201)
def upload_source(
    who: CallerDep,
    settings: SettingsDep,
    calendar: Annotated[bytes, Body(media_type="text/calendar", max_length=MAX_UPLOAD)],
    name: Annotated[str, Query(max_length=200)] = "upload.ics",
    trust_all: bool = False,
) -> dict[str, Any]:
    """An .ics file, read once now (it is never polled): the answer says what it counted."""
    added = ical.add_file_source(who.app, who.user_id, name, calendar, trust_all=trust_all)
    report = ical.read_file_source(who.app, settings, added.source_id, who.user_id, calendar)
    return {
        "source": ical.get_source(who.app, who.user_id, added.source_id).as_dict(),
        "read": report.as_dict(),
    }


@router.get("/{source_id}")
def get_source(who: CallerDep, source_id: str) -> dict[str, Any]:
    return ical.get_source(who.app, who.user_id, source_id).as_dict()


@router.delete("/{source_id}", status_code=204)
def remove_source(who: CallerDep, source_id: str) -> Response:
    """Stop reading it; what it already counted stays."""
    ical.remove_source(who.app, who.user_id, source_id)
    return Response(status_code=204)


@router.post(
    "/{source_id}/sync",
    status_code=202,
    responses={200: {"description": "An uploaded file: nothing to fetch, settled at once"}},
)
def sync_source(
    response: Response, who: CallerDep, settings: SettingsDep, jobs: JobsDep, source_id: str
) -> dict[str, Any]:
    """Ask for a read now: a worker fetches the calendar (at most once a minute per source) and
    the answer comes at once; the source's `last_fetched_at`, `last_status` and `last_error`
    show the result. An uploaded file has nothing to fetch: it is settled at once (200)."""
    found = ical.get_source(who.app, who.user_id, source_id)  # 404 unless it is the caller's
    if found.kind != "url":
        response.status_code = 200
        report = ical.sync_source(who.app, settings, source_id, who.user_id)
        return {
            "source": ical.get_source(who.app, who.user_id, source_id).as_dict(),
            "read": report.as_dict(),
        }
    return read_now.request_read(jobs, who.user_id, source_id).as_dict()
