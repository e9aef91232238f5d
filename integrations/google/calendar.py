"""Google Calendar API v3 through google-api-python-client (docs/architecture.md, "Planned blocks").

- `build(..., static_discovery=True)` with `api_endpoint` from the settings: no discovery fetch.
- Every call runs `execute(num_retries=N)` (5xx, 429, 403 rate limits are retried by the client,
  POSTs included: inserts use client-chosen ids) plus our own backoff for what the client does not
  retry (dropped connections, a retry budget used up). 403 `quotaExceeded` is not retried: it
  raises `QuotaExceededError`; a refused refresh token (`invalid_grant`) or a 401 raises
  `ReconnectNeededError`.
- Event lists stream page by page (`fields=` partial answers, 2500 per page).
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as dtime
from typing import Any
from zoneinfo import ZoneInfo

from domain.calendars.attendance import Attendee, CalendarEvent
from integrations.google.oauth import GoogleEndpoints

PAGE_SIZE = 2500
EVENT_FIELDS = (
    "id,status,eventType,summary,description,location,start,end,originalStartTime,"
    "recurringEventId,organizer(self),attendees(email,displayName,self,responseStatus),"
    "extendedProperties/private"
)
LIST_FIELDS = f"nextPageToken,nextSyncToken,timeZone,items({EVENT_FIELDS})"
_RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
_RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})


class GoogleError(RuntimeError):
    """A call to Google failed; the message is safe to show (no tokens)."""


class ReconnectNeededError(GoogleError):
    """Google refused our grant (revoked, expired refresh token): the user must connect again."""


class QuotaExceededError(GoogleError):
    """403 quotaExceeded: stop calling for this user until the quota window passes."""


class UnavailableError(GoogleError):
    """Google kept failing after all retries; try again later."""


class OutOfTimeError(UnavailableError):
    """The caller's deadline passed: no further request is made (the caller's next run goes on)."""


class SyncTokenExpiredError(GoogleError):
    """410: the sync token is no longer valid; do a full sync."""


class GoogleNotFoundError(GoogleError):
    """404 (e.g. the user deleted the calendar)."""


Sleep = Callable[[float], None]


def _reason(error: Any) -> str:
    try:
        details = error.error_details
        if isinstance(details, list) and details and isinstance(details[0], dict):
            return str(details[0].get("reason", ""))
    except Exception:  # noqa: S110 - the reason is a hint only
        pass
    return ""


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    next_sync_token: str | None
    time_zone: str | None


class GoogleCalendar:
    """One user's Calendar API, with retries and error mapping."""

    def __init__(
        self,
        endpoints: GoogleEndpoints,
        credentials: Any,
        *,
        num_retries: int = 4,
        own_retries: int = 3,
        sleep: Sleep = time.sleep,
        timeout: float = 30.0,
        before_call: Callable[[], None] | None = None,
        deadline: float | None = None,
    ) -> None:
        import google_auth_httplib2  # type: ignore[import-untyped]
        import httplib2  # type: ignore[import-untyped]

        self.credentials = credentials
        self.num_retries = num_retries
        self.own_retries = own_retries
        self._sleep = sleep
        # Run before every request (the caller ends its database read: no transaction is held
        # open while Google answers, or while we back off).
        self._before_call = before_call
        # A `time.monotonic()` instant after which no request starts (a task's budget: Celery's
        # threads pool enforces no time limit). The one in flight finishes within its own timeout.
        self.deadline = deadline
        # This user's connection; the API's methods are shared by the process (`_api`).
        self.http = google_auth_httplib2.AuthorizedHttp(credentials, http=httplib2.Http(timeout=timeout))
        self.service = _api(endpoints.api_url)
        self.requests = 0

    # --- plumbing -------------------------------------------------------------------------------

    def _run(self, request: Any) -> Any:
        from google.auth.exceptions import RefreshError, TransportError
        from googleapiclient.errors import HttpError
        from httplib2 import HttpLib2Error

        request._sleep = self._sleep  # the client's own backoff between its retries
        for attempt in range(self.own_retries + 1):
            if self.deadline is not None and time.monotonic() >= self.deadline:
                raise OutOfTimeError("this sync ran out of its time; the next one goes on from here")
            if self._before_call is not None:
                self._before_call()
            self.requests += 1
            try:
                return request.execute(http=self.http, num_retries=self.num_retries)
            except RefreshError as exc:
                if "invalid_grant" in str(exc) or "invalid_client" in str(exc) or not _retryable(exc):
                    raise ReconnectNeededError(
                        "Google refused netgoals' access (invalid_grant): connect your calendar again"
                    ) from None
                failure = "refreshing the access token failed"
            except HttpError as exc:
                status, reason = exc.status_code, _reason(exc)
                if status == 403 and reason == "quotaExceeded":
                    raise QuotaExceededError(
                        "Google Calendar usage limits exceeded (quotaExceeded)"
                    ) from None
                if status == 401:
                    raise ReconnectNeededError("Google no longer accepts netgoals' access (401)") from None
                if status == 410:
                    raise SyncTokenExpiredError(reason or "gone") from None
                if status == 404:
                    raise GoogleNotFoundError(reason or "notFound") from None
                if status not in _RETRYABLE_STATUS and not (status == 403 and reason in _RATE_REASONS):
                    raise
                failure = f"HTTP {status} {reason}".strip()
            except (TransportError, HttpLib2Error, OSError, TimeoutError) as exc:
                failure = type(exc).__name__
            if attempt < self.own_retries:
                pause = min(60.0, (2**attempt) * (0.5 + random.random()))  # noqa: S311
                if self.deadline is not None:
                    pause = max(0.0, min(pause, self.deadline - time.monotonic()))
                self._sleep(pause)
        raise UnavailableError(f"Google Calendar is unavailable ({failure}); will try again")

    # --- calendars ------------------------------------------------------------------------------

    def create_calendar(self, summary: str, time_zone: str, description: str) -> str:
        body = {"summary": summary, "timeZone": time_zone, "description": description}
        answer = self._run(self.service["calendars"].insert(body=body, fields="id"))
        return str(answer["id"])

    # --- events ---------------------------------------------------------------------------------

    def insert_event(self, calendar_id: str, body: dict[str, Any]) -> str:
        """ "created", or "exists" when the id is taken (an earlier try got through, or the user
        deleted it: the id stays reserved and the pull will tell)."""
        from googleapiclient.errors import HttpError

        try:
            self._run(self.service["events"].insert(calendarId=calendar_id, body=body, fields="id"))
        except HttpError as exc:
            if exc.status_code == 409:
                return "exists"
            raise
        return "created"

    def patch_event(self, calendar_id: str, event_id: str, body: dict[str, Any]) -> str:
        """ "patched", or "gone" when the user deleted the event."""
        try:
            self._run(
                self.service["events"].patch(calendarId=calendar_id, eventId=event_id, body=body, fields="id")
            )
        except SyncTokenExpiredError:  # 410 deleted
            return "gone"
        return "patched"

    def delete_event(self, calendar_id: str, event_id: str) -> str:
        try:
            self._run(self.service["events"].delete(calendarId=calendar_id, eventId=event_id))
        except SyncTokenExpiredError:  # 410 already deleted
            return "gone"
        return "deleted"

    def calendar_exists(self, calendar_id: str) -> bool:
        try:
            self._run(self.service["calendars"].get(calendarId=calendar_id, fields="id"))
        except GoogleNotFoundError:
            return False
        return True

    def list_events(self, calendar_id: str, sync_token: str | None) -> Iterator[Page]:
        """All events (full sync) or the changes since `sync_token`, page by page. The parameters
        are the same for both, as Google requires; deleted events are included."""
        page_token: str | None = None
        while True:
            params: dict[str, Any] = {
                "calendarId": calendar_id,
                "singleEvents": True,
                "showDeleted": True,
                "maxResults": PAGE_SIZE,
                "fields": LIST_FIELDS,
            }
            if sync_token:
                params["syncToken"] = sync_token
            if page_token:
                params["pageToken"] = page_token
            answer = self._run(self.service["events"].list(**params))
            page_token = answer.get("nextPageToken")
            yield Page(answer.get("items", []), answer.get("nextSyncToken"), answer.get("timeZone"))
            if not page_token:
                return

    def busy(
        self, time_min: datetime, time_max: datetime, calendar_ids: tuple[str, ...] = ("primary",)
    ) -> list[tuple[datetime, datetime]]:
        body = {
            "timeMin": time_min.isoformat(),
            "timeMax": time_max.isoformat(),
            "items": [{"id": c} for c in calendar_ids],
        }
        answer = self._run(self.service["freebusy"].query(body=body))
        calendars = answer.get("calendars", {})
        return [
            (_instant(b["start"]), _instant(b["end"]))
            for c in calendar_ids
            for b in calendars.get(c, {}).get("busy", [])
        ]

    def calendars(self) -> list[tuple[str, str]]:
        """(id, name) of the calendars the grant can see (with the minimal scopes: the ones
        netgoals made); GoogleError when the grant may not list them."""
        answer = self._run(self.service["calendarList"].list(fields="items(id,summary)"))
        return [(str(c["id"]), str(c.get("summary", ""))) for c in answer.get("items", [])]

    def watch(self, calendar_id: str, channel_id: str, address: str, token: str) -> tuple[str, float]:
        body = {"id": channel_id, "type": "web_hook", "address": address, "token": token}
        answer = self._run(self.service["events"].watch(calendarId=calendar_id, body=body))
        return str(answer["resourceId"]), int(answer.get("expiration", 0)) / 1000

    def stop_channel(self, channel_id: str, resource_id: str) -> None:
        with contextlib.suppress(GoogleNotFoundError):
            self._run(self.service["channels"].stop(body={"id": channel_id, "resourceId": resource_id}))


_RESOURCES = ("events", "calendars", "calendarList", "freebusy", "channels")
_built: dict[str, dict[str, Any]] = {}
_building = threading.Lock()


def _api(api_url: str) -> dict[str, Any]:
    """The Calendar API's resources, built from the packaged discovery document once per process
    and endpoint. Building them (each method with its generated docstring) cost about a quarter of
    a sync's CPU when every sync built its own; a request they make runs on the `http` its
    `execute` is given, so each user's calls still carry that user's credentials, and making a
    request only reads them, so threads share them."""
    with _building:
        found = _built.get(api_url)
        if found is None:
            import httplib2
            from googleapiclient.discovery import build

            service = build(
                "calendar",
                "v3",
                http=httplib2.Http(),  # never used: every request is executed with a user's http
                static_discovery=True,
                cache_discovery=False,
                client_options={"api_endpoint": api_url},
            )
            found = _built[api_url] = {name: getattr(service, name)() for name in _RESOURCES}
        return found


def _retryable(exc: Any) -> bool:
    return bool(getattr(exc, "retryable", False))


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _moment(value: dict[str, Any] | None, zone: ZoneInfo) -> datetime | None:
    if not value:
        return None
    if value.get("dateTime"):
        moment = _instant(value["dateTime"])
        return moment if moment.tzinfo else moment.replace(tzinfo=zone)
    if value.get("date"):  # all-day: local midnight in the calendar's zone
        return datetime.combine(date.fromisoformat(value["date"]), dtime(), tzinfo=zone)
    return None


def parse_event(calendar_id: str, item: dict[str, Any], time_zone: str | None) -> CalendarEvent:
    """A Calendar API event resource as the attendance rule sees it."""
    zone = ZoneInfo(time_zone) if time_zone else ZoneInfo("UTC")
    original = item.get("originalStartTime") or {}
    original_start = original.get("dateTime") or original.get("date") or ""
    attendees = tuple(
        Attendee(
            str(a.get("email", "")).lower(),
            a.get("displayName"),
            bool(a.get("self", False)),
            str(a.get("responseStatus", "needsAction")),
        )
        for a in item.get("attendees") or []
        if a.get("email")
    )
    start = _moment(item.get("start"), zone)
    return CalendarEvent(
        calendar_id=calendar_id,
        event_id=str(item["id"]),
        status=str(item.get("status", "confirmed")),
        start=start.astimezone(UTC) if start else None,
        end=(lambda e: e.astimezone(UTC) if e else None)(_moment(item.get("end"), zone)),
        original_start=_instant(original_start).astimezone(UTC).isoformat()
        if "T" in original_start
        else original_start,
        event_type=str(item.get("eventType", "default")),
        summary=str(item.get("summary", "")),
        description=str(item.get("description", "")),
        location=str(item.get("location", "")),
        organizer_self=bool((item.get("organizer") or {}).get("self", False)),
        attendees=attendees,
        private=dict((item.get("extendedProperties") or {}).get("private") or {}),
    )
