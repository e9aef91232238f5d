"""The iCalendar feed over HTTP, and its links over the REST API (whole feed or one goal's) with their
rotation. The dashboard's "Calendar feed & sources" page is `api/pages/calendar.py`.

`GET|HEAD /feeds/{token}.ics`: the same state is the same bytes, so a strong ETag and
Last-Modified answer 304 to If-None-Match (which wins when both are sent) and If-Modified-Since.
An unknown or rotated token is 404, found by the token's hash. The token is the URL's only secret:
no log line prints one (`service/access/log_redaction.py`).
"""

from __future__ import annotations

from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import ERRORS, CallerDep, SettingsDep, get_app
from service import ical
from service.shapes.feeds import FeedLinksOut

MEDIA_TYPE = "text/calendar; charset=utf-8"
feeds = APIRouter(tags=["feed"])  # the feed itself: its URL is the credential
router = APIRouter(prefix="/api/v1", tags=["calendar feed and sources"], responses=ERRORS)


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


_DOCUMENTED: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {}}, "description": "The feed"},
    304: {"description": "Not modified (If-None-Match or If-Modified-Since)"},
    404: {"content": {"text/plain": {}}, "description": "No such feed (unknown or rotated token)"},
}


def feed(request: Request, token: str, settings: SettingsDep) -> Response:
    """Your networking tasks as an iCalendar feed (subscribe to it; the URL is the secret)."""
    app = get_app(request)
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


_PATH = "/feeds/{token}.ics"
feeds.get(_PATH, response_class=Response, responses=_DOCUMENTED)(feed)
feeds.head(_PATH, response_class=Response, responses=_DOCUMENTED, operation_id="feed_head")(feed)


@router.get("/feed", response_model=FeedLinksOut)
def feed_url(who: CallerDep, settings: SettingsDep) -> FeedLinksOut:
    """Your feed's links (https, webcal://, add-to-calendar links); made on first use."""
    return FeedLinksOut.of(ical.feed_links(who.app, settings, who.user_id))


@router.post("/feed/rotate", response_model=FeedLinksOut)
def feed_rotate(who: CallerDep, settings: SettingsDep) -> FeedLinksOut:
    """A new feed link; the old one answers 404 from now on."""
    return FeedLinksOut.of(ical.rotate_feed(who.app, settings, who.user_id))


@router.get("/goals/{goal_id}/feed", response_model=FeedLinksOut)
def goal_feed_url(who: CallerDep, goal_id: str, settings: SettingsDep) -> FeedLinksOut:
    """A feed of one goal's tasks only."""
    return FeedLinksOut.of(ical.feed_links(who.app, settings, who.user_id, goal_id))


@router.post("/goals/{goal_id}/feed/rotate", response_model=FeedLinksOut)
def goal_feed_rotate(who: CallerDep, goal_id: str, settings: SettingsDep) -> FeedLinksOut:
    return FeedLinksOut.of(ical.rotate_feed(who.app, settings, who.user_id, goal_id))
