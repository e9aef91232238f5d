"""The iCalendar feed over HTTP, and the dashboard's "Calendar feed & sources" page.

`GET|HEAD /feeds/{token}.ics`: the same state is the same bytes, so a strong ETag and
Last-Modified answer 304 to If-None-Match (which wins when both are sent) and If-Modified-Since.
An unknown or rotated token is 404, found by the token's hash. The token is the URL's only secret:
no log line prints one (`service/log_redaction.py`).

`/calendar`: the links (https and webcal://, a copy button, one-click "add to" links and how often
each app refreshes), rotation, and the sources with their state. The copy button is the one bit of
JavaScript here, a static file, allowed by this page's own Content-Security-Policy.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.dashboard import signed_in
from api.pages.common import Session, checked, layout
from api.security import CONTENT_SECURITY_POLICY
from api.webhooks import jobs_of
from service import ical
from service.app import App
from service.caldav.connect import status as caldav_status
from service.commands import DomainError, NotFoundError
from service.ical import read_now
from service.settings import Settings

MEDIA_TYPE = "text/calendar; charset=utf-8"
# Its own loader over the shared templates folder: the dashboard's modules are being reworked.
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
PAGE_CSP = CONTENT_SECURITY_POLICY.replace("default-src 'none';", "default-src 'none'; script-src 'self';")


def _local(stored: str, zone: tzinfo) -> str:
    """A stored moment (UTC) as the person reads it, in their zone: "Wed 25 Nov 2026, 12:00"."""
    when = datetime.fromisoformat(stored)
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return when.astimezone(zone).strftime("%a %d %b %Y, %H:%M")


def _wants_gzip(request: Request) -> bool:
    """Accept-Encoding names gzip (or *) with a q-value above zero."""
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, *params = (p.strip() for p in part.split(";"))
        if coding.lower() in {"gzip", "x-gzip", "*"}:
            q = next((p[2:] for p in params if p.lower().startswith("q=")), "1")
            try:
                return float(q) > 0
            except ValueError:
                return False
    return False


def _not_modified(request: Request, answer: ical.FeedAnswer) -> bool:
    match = request.headers.get("if-none-match")
    if match is not None:
        tags = {t.strip().removeprefix("W/") for t in match.split(",")}
        return "*" in tags or answer.etag in tags or answer.gzip_etag in tags
    since = request.headers.get("if-modified-since")
    if since:
        try:
            moment = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return answer.last_modified.replace(microsecond=0) <= moment
    return False


def router_for(settings: Settings) -> APIRouter:
    router = APIRouter()

    documented: dict[int | str, dict[str, Any]] = {
        200: {"content": {"text/calendar": {}}, "description": "The feed"},
        304: {"description": "Not modified (If-None-Match or If-Modified-Since)"},
        404: {"content": {"text/plain": {}}, "description": "No such feed (unknown or rotated token)"},
    }

    def feed(request: Request, token: str) -> Response:
        """Your networking tasks as an iCalendar feed (subscribe to it; the URL is the secret)."""
        app: App = request.app.state.netgoals
        answer = ical.feed_for_token(app, settings, token) if len(token) <= 100 else None
        if answer is None:
            return Response("no such feed", status_code=404, media_type="text/plain")
        compressed = _wants_gzip(request)
        body = answer.gzipped if compressed else answer.body
        headers = {
            "ETag": answer.gzip_etag if compressed else answer.etag,
            "Last-Modified": answer.http_date,
            "Cache-Control": "private, no-cache",
            "Content-Disposition": 'inline; filename="netgoals.ics"',
            "Vary": "Accept-Encoding",
        }
        if compressed:
            headers["Content-Encoding"] = "gzip"
        if _not_modified(request, answer):
            headers.pop("Content-Encoding", None)
            return Response(status_code=304, headers=headers)
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(body))
            return Response(status_code=200, headers=headers, media_type=MEDIA_TYPE)
        return Response(body, headers=headers, media_type=MEDIA_TYPE)

    path = "/feeds/{token}.ics"
    router.get(path, tags=["feed"], response_class=Response, responses=documented)(feed)
    router.head(path, tags=["feed"], response_class=Response, responses=documented, operation_id="feed_head")(
        feed
    )

    @router.get("/calendar", response_class=HTMLResponse, include_in_schema=False)
    def page(request: Request) -> Response:
        found = signed_in(request)
        if found is None:
            return RedirectResponse("/signin", status_code=303)
        app, user_id, session_id = found
        session = Session(app, user_id, session_id)
        sources = ical.list_sources(app, user_id)
        context = {
            "links": ical.feed_links(app, settings, user_id),
            "refresh_notes": ical.REFRESH_NOTES,
            "refresh_minutes": settings.feed_refresh // 60,
            "sources": sources,
            "read_at": {
                s.source_id: _local(s.last_fetched_at, session.tz) for s in sources if s.last_fetched_at
            },
            "zone": session.tz.key,
            "caldav": caldav_status(app, user_id),
            "done": request.query_params.get("done"),
            **layout(request, session),
        }
        response = templates.TemplateResponse(request, "feeds.html", context)
        response.headers["Content-Security-Policy"] = PAGE_CSP
        return response

    @router.post("/calendar/rotate", include_in_schema=False)
    def rotate(request: Request, csrf: Annotated[str, Form(max_length=300)] = "") -> Response:
        found = checked(request, csrf)
        if isinstance(found, Response):
            return found
        ical.rotate_feed(found.app, settings, found.user_id)
        return RedirectResponse("/calendar?done=rotated", status_code=303)

    @router.post("/calendar/sources", include_in_schema=False)
    def add(
        request: Request,
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
        request: Request, source_id: str, verb: str, csrf: Annotated[str, Form(max_length=300)] = ""
    ) -> Response:
        found = checked(request, csrf)
        if isinstance(found, Response):
            return found
        app, user_id = found.app, found.user_id
        try:
            if verb == "sync" and ical.get_source(app, user_id, source_id).kind == "url":
                read_now.request_read(jobs_of(request), user_id, source_id)  # a worker fetches it
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

    return router
