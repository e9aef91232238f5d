"""The dashboard's "Calendar feed & sources" page and its forms (the feed, the sources, CalDAV). The
feed itself is served by `api/rest/feeds.py`.

`/calendar`: the links (https and webcal://, a copy button, one-click "add to" links and how often
each app refreshes), rotation, and the sources with their state. The copy button is the one bit of
JavaScript here, a static file, allowed by this page's own Content-Security-Policy.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import JobsDep, SettingsDep, caldav_of
from api.pages.common import checked, layout, signed_in, templates, to_signin
from api.rest.caldav import poll_now
from api.security import CONTENT_SECURITY_POLICY
from service import ical
from service.caldav import connect as caldav
from service.caldav.sync import request_sync
from service.commands import DomainError, NotFoundError
from service.ical import read_now

router = APIRouter(include_in_schema=False)
PAGE_CSP = CONTENT_SECURITY_POLICY.replace("default-src 'none';", "default-src 'none'; script-src 'self';")


def _local(stored: str, zone: tzinfo) -> str:
    """A stored moment (UTC) as the person reads it, in their zone: "Wed 25 Nov 2026, 12:00"."""
    when = datetime.fromisoformat(stored)
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return when.astimezone(zone).strftime("%a %d %b %Y, %H:%M")


@router.get("/calendar", response_class=HTMLResponse, include_in_schema=False)
def page(request: Request, settings: SettingsDep) -> Response:
    session = signed_in(request)
    if session is None:
        return to_signin()
    app, user_id = session.app, session.user_id
    sources = ical.list_sources(app, user_id)
    context = {
        "links": ical.feed_links(app, settings, user_id),
        "refresh_notes": ical.REFRESH_NOTES,
        "refresh_minutes": settings.feed_refresh // 60,
        "sources": sources,
        "read_at": {s.source_id: _local(s.last_fetched_at, session.tz) for s in sources if s.last_fetched_at},
        "zone": session.tz.key,
        "caldav": caldav.status(app, user_id),
        "done": request.query_params.get("done"),
        **layout(request, session),
    }
    response = templates.TemplateResponse(request, "feeds.html", context)
    response.headers["Content-Security-Policy"] = PAGE_CSP
    return response


@router.post("/calendar/rotate", include_in_schema=False)
def rotate(
    request: Request, settings: SettingsDep, csrf: Annotated[str, Form(max_length=300)] = ""
) -> Response:
    found = checked(request, csrf)
    if isinstance(found, Response):
        return found
    ical.rotate_feed(found.app, settings, found.user_id)
    return RedirectResponse("/calendar?done=rotated", status_code=303)


@router.post("/calendar/sources", include_in_schema=False)
def add(
    request: Request,
    settings: SettingsDep,
    url: Annotated[str, Form(max_length=4000)] = "",
    trust_all: Annotated[bool, Form()] = False,
    csrf: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    found = checked(request, csrf)
    if isinstance(found, Response):
        return found
    try:
        ical.add_source(found.app, settings, found.user_id, url, trust_all=trust_all)
    except DomainError as exc:
        return Response(f"The calendar was not added: {exc}", status_code=422, media_type="text/plain")
    return RedirectResponse("/calendar?done=source-added", status_code=303)


@router.post("/calendar/sources/{source_id}/{verb}", include_in_schema=False)
def change(
    request: Request,
    settings: SettingsDep,
    jobs: JobsDep,
    source_id: str,
    verb: str,
    csrf: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    found = checked(request, csrf)
    if isinstance(found, Response):
        return found
    app, user_id = found.app, found.user_id
    try:
        if verb == "sync" and ical.get_source(app, user_id, source_id).kind == "url":
            read_now.request_read(jobs, user_id, source_id)  # a worker fetches it
            verb = "read-queued"
        elif verb == "sync":  # an uploaded file: nothing to fetch, settled at once
            ical.sync_source(app, settings, source_id, user_id)
        elif verb == "remove":
            ical.remove_source(app, user_id, source_id)
        else:
            return Response(status_code=404)
    except NotFoundError:
        return Response("no such source", status_code=404, media_type="text/plain")
    return RedirectResponse(f"/calendar?done=source-{verb}", status_code=303)


# --- the "CalDAV calendar" form -------------------------------------------------------------------


@router.post("/calendar/caldav")
def connect_form(
    request: Request,
    jobs: JobsDep,
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
        caldav.connect(
            found.app,
            caldav_of(request),
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
    poll_now(jobs)
    return RedirectResponse("/calendar?done=caldav-connected", status_code=303)


@router.post("/calendar/caldav/{verb}")
def change_form(
    request: Request, jobs: JobsDep, verb: str, csrf: Annotated[str, Form(max_length=300)] = ""
) -> Response:
    found = checked(request, csrf)
    if isinstance(found, Response):
        return found
    if verb == "sync":
        if request_sync(found.app, found.user_id):
            poll_now(jobs)
    elif verb == "disconnect":
        caldav.disconnect(found.app, found.user_id)
    else:
        return Response(status_code=404)
    return RedirectResponse(f"/calendar?done=caldav-{verb}", status_code=303)
