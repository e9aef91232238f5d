"""In-memory state and rules of the fake: OAuth grants, calendars, events, sync, channels, faults.

Everything here runs under one lock; the HTTP layer (`_server.py`) only parses and renders.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from urllib.parse import quote, urlencode, urlsplit

from . import _times
from ._discovery import SCOPE_PREFIX, all_scopes, method_scopes
from ._notify import Notification, Notifier
from ._util import (
    JSON,
    ONE_MS,
    ApiError,
    ControlError,
    OAuthError,
    bad_request,
    deep_merge,
    format_rfc3339_ms,
    format_utc,
    google_error_body,
    invalid_parameter,
    ms,
    not_found,
    parse_rfc3339,
    random_alnum,
    random_base32hex,
    random_token,
    valid_event_id,
    zone,
)

ACCESS_TOKEN_LIFETIME = timedelta(seconds=3599)
AUTH_CODE_LIFETIME = timedelta(minutes=10)
CHANNEL_LIFETIME = timedelta(days=7)
UPDATED_MIN_HORIZON = timedelta(days=28)
DEFAULT_PAGE_SIZE = 250
MAX_PAGE_SIZE = 2500

IDENTITY_SCOPES = frozenset(
    {
        "openid",
        "email",
        "profile",
        SCOPE_PREFIX + "userinfo.email",
        SCOPE_PREFIX + "userinfo.profile",
    }
)

# Fields of an event resource that the server owns; clients cannot set them.
SERVER_FIELDS = frozenset(
    {
        "kind",
        "etag",
        "id",
        "htmlLink",
        "created",
        "updated",
        "creator",
        "organizer",
        "iCalUID",
        "sequence",
        "recurringEventId",
        "originalStartTime",
    }
)
# Event list parameters that cannot be combined with syncToken.
SYNC_TOKEN_EXCLUSIVE = (
    "privateExtendedProperty",
    "sharedExtendedProperty",
    "q",
    "timeMin",
    "timeMax",
    "updatedMin",
    "iCalUID",
    "orderBy",
)

FAULTS: dict[str, tuple[int, JSON]] = {
    "429": (
        429,
        google_error_body(429, "rateLimitExceeded", "Rate Limit Exceeded", "usageLimits"),
    ),
    "500": (500, google_error_body(500, "backendError", "Backend Error")),
    "503": (503, google_error_body(503, "backendError", "The service is currently unavailable.")),
    "rateLimitExceeded": (
        403,
        google_error_body(403, "rateLimitExceeded", "Rate Limit Exceeded", "usageLimits"),
    ),
    "userRateLimitExceeded": (
        403,
        google_error_body(403, "userRateLimitExceeded", "User Rate Limit Exceeded", "usageLimits"),
    ),
    "quotaExceeded": (
        403,
        google_error_body(403, "quotaExceeded", "Calendar usage limits exceeded.", "usageLimits"),
    ),
    "401": (401, google_error_body(401, "authError", "Invalid Credentials")),
    "invalid_grant": (
        400,
        {"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
    ),
    "delay": (0, {}),
    "disconnect": (0, {}),
}
"""Fault kinds for `inject_fault`: status and body of the answer ("delay" answers normally
after the delay, "disconnect" closes the connection without an answer)."""


class RequestRecord(NamedTuple):
    """One request the fake received (control requests are not logged)."""

    method: str
    path: str
    query: dict[str, list[str]]


@dataclass
class Fault:
    kind: str
    method: str | None
    path: re.Pattern[str]
    remaining: int | None
    delay: float
    status: int
    body: JSON


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    allow_loopback: bool = True


@dataclass
class Grant:
    email: str
    client_id: str
    scopes: list[str]
    refresh_tokens: list[str] = field(default_factory=list)
    revoked: bool = False


@dataclass
class AuthCode:
    email: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    challenge: str | None
    offline: bool
    force_consent: bool
    expires_at: datetime
    used: bool = False


@dataclass
class AccessToken:
    grant: Grant
    scopes: list[str]
    expires_at: datetime


@dataclass
class StoredEvent:
    data: JSON
    change: int
    deleted: bool = False

    @property
    def cancelled(self) -> bool:
        return self.deleted or self.data.get("status") == "cancelled"


@dataclass
class Calendar:
    id: str
    owner: str
    summary: str
    time_zone: str
    primary: bool
    created_by: str | None  # OAuth client id of the app that created it
    description: str = ""
    etag: str = '"0"'
    updated: datetime = field(default_factory=lambda: datetime.now(UTC))
    token_generation: int = 0
    events: dict[str, StoredEvent] = field(default_factory=dict)

    def resource(self) -> JSON:
        data: JSON = {
            "kind": "calendar#calendar",
            "etag": self.etag,
            "id": self.id,
            "summary": self.summary,
            "timeZone": self.time_zone,
            "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
        }
        if self.description:
            data["description"] = self.description
        return data


@dataclass
class User:
    email: str
    time_zone: str
    calendars: dict[str, Calendar] = field(default_factory=dict)


@dataclass
class SyncToken:
    email: str
    calendar_id: str
    change: int
    generation: int


@dataclass
class PageState:
    email: str
    calendar_id: str
    items: list[JSON]
    offset: int
    top: JSON
    next_sync_token: str | None


@dataclass
class Channel:
    id: str
    resource_id: str
    resource_uri: str
    token: str | None
    address: str
    expiration_ms: int
    email: str
    calendar_id: str
    message_number: int = 0


@dataclass(frozen=True)
class Caller:
    """Who calls the API: the user and app behind the access token, and the granted scopes."""

    email: str
    client_id: str
    scopes: frozenset[str]  # short names, e.g. "calendar.app.created"


def _pkce_s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def _event_time(value: Mapping[str, Any] | datetime) -> JSON:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ControlError("datetimes must be timezone-aware")
        return {"dateTime": value.isoformat()}
    return dict(value)


class Backend:
    """The state of the fake and the operations on it. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._users: dict[str, User] = {}
        self._current_user: str | None = None
        self._clients: dict[str, Client] = {}
        self._codes: dict[str, AuthCode] = {}
        self._grants: list[Grant] = []
        self._refresh_tokens: dict[str, Grant] = {}
        self._access_tokens: dict[str, AccessToken] = {}
        self._sync_tokens: dict[str, SyncToken] = {}
        self._pages: dict[str, PageState] = {}
        self._channels: dict[str, Channel] = {}
        self._faults: list[Fault] = []
        self._requests: list[RequestRecord] = []
        self._change = 0
        self._clock_offset = timedelta()
        self._last_updated = datetime.fromtimestamp(0, UTC)
        self._notifier = Notifier()
        self.base_url = "http://127.0.0.1:0"
        self.max_page_size = MAX_PAGE_SIZE
        """A fake-wide cap on events.list page sizes (lower it to see small pages in tests)."""
        self.require_pkce = True
        """The authorize endpoint demands code_challenge (S256), as netgoals always sends it."""
        self.require_state = True
        """The authorize endpoint demands a state parameter."""
        self.deny_consent = False
        """When true, the authorize endpoint redirects with error=access_denied."""
        self.refresh_token_only_on_first_consent = True
        """As Google: a refresh token is issued on the first offline consent of a user to a
        client, or again when prompt=consent is sent; otherwise the token answer lacks one."""
        self.client_id = "netgoals-test.apps.googleusercontent.com"
        self.client_secret = "fake-client-secret"
        self.add_client(self.client_id, self.client_secret, [])
        self.latency = 0.0
        """Seconds each OAuth or API request waits before it is answered, as a real server's round
        trip does (requests wait side by side: the server answers each on its own thread)."""
        self.before_answer: Callable[[], None] | None = None
        """Called on a request's thread before it is answered (a test's turnstile holds it there)."""
        self._in_flight = 0
        self.most_in_flight = 0
        """The most OAuth or API requests the fake was answering at one moment (overlap seen)."""

    @contextmanager
    def answering(self) -> Iterator[None]:
        """One OAuth or API request being answered: counted while it lasts, after the latency."""
        with self._lock:
            self._in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self._in_flight)
        try:
            if self.latency > 0:
                time.sleep(self.latency)
            if self.before_answer is not None:
                self.before_answer()
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    # ------------------------------------------------------------------ clock & basics

    def now(self) -> datetime:
        """The fake's clock (real time plus `advance_clock` offsets)."""
        return datetime.now(UTC) + self._clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Move the fake's clock forward: expires access tokens, auth codes, channels."""
        with self._lock:
            self._clock_offset += timedelta(seconds=seconds)

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/calendar/v3/"

    def _next_updated(self) -> datetime:
        now = self.now()
        moment = now.replace(microsecond=now.microsecond // 1000 * 1000)
        if moment <= self._last_updated:
            moment = self._last_updated + ONE_MS
        self._last_updated = moment
        return moment

    # ------------------------------------------------------------------ users & clients

    def add_client(
        self,
        client_id: str,
        client_secret: str,
        redirect_uris: list[str],
        *,
        allow_loopback: bool = True,
    ) -> None:
        """Register an OAuth client. With allow_loopback, any http://127.0.0.1|localhost:PORT/...
        redirect URI is accepted (as Google does for installed apps)."""
        with self._lock:
            self._clients[client_id] = Client(client_id, client_secret, list(redirect_uris), allow_loopback)

    def add_user(self, email: str, *, time_zone: str = "UTC") -> None:
        """A Google account with its primary calendar (id = email). The first user added
        becomes the current user (the one the authorize endpoint approves as)."""
        zone(time_zone)
        with self._lock:
            if email in self._users:
                raise ControlError(f"user {email} exists", 409)
            user = User(email, time_zone)
            user.calendars[email] = Calendar(
                id=email,
                owner=email,
                summary=email,
                time_zone=time_zone,
                primary=True,
                created_by=None,
            )
            self._users[email] = user
            if self._current_user is None:
                self._current_user = email

    @property
    def current_user(self) -> str | None:
        with self._lock:
            return self._current_user

    @current_user.setter
    def current_user(self, email: str | None) -> None:
        with self._lock:
            if email is not None and email not in self._users:
                raise ControlError(f"unknown user {email}", 404)
            self._current_user = email

    def _user(self, email: str) -> User:
        user = self._users.get(email)
        if user is None:
            raise ControlError(f"unknown user {email}", 404)
        return user

    def _control_calendar(self, email: str, calendar_id: str) -> Calendar:
        user = self._user(email)
        cal = user.calendars.get(email if calendar_id == "primary" else calendar_id)
        if cal is None:
            raise ControlError(f"unknown calendar {calendar_id} of {email}", 404)
        return cal

    def _control_event(self, email: str, calendar_id: str, event_id: str) -> StoredEvent:
        cal = self._control_calendar(email, calendar_id)
        stored = cal.events.get(event_id)
        if stored is None:
            raise ControlError(f"unknown event {event_id}", 404)
        return stored

    # ------------------------------------------------------------------ control: acting as user

    def add_calendar(
        self,
        email: str,
        summary: str,
        *,
        calendar_id: str | None = None,
        time_zone: str | None = None,
        created_by: str | None = None,
    ) -> str:
        """A secondary calendar of a user (not created by an app unless created_by is a client
        id). Returns its id."""
        with self._lock:
            user = self._user(email)
            cid = calendar_id or f"{random_alnum(26)}@group.calendar.google.com"
            if cid in user.calendars:
                raise ControlError(f"calendar {cid} exists", 409)
            tz = time_zone or user.time_zone
            zone(tz)
            user.calendars[cid] = Calendar(
                id=cid,
                owner=email,
                summary=summary,
                time_zone=tz,
                primary=False,
                created_by=created_by,
            )
            return cid

    def add_event(self, email: str, event: Mapping[str, Any], *, calendar_id: str = "primary") -> JSON:
        """Put an event into a user's calendar as if the user (or an inviter) made it.

        Accepts a Calendar API event resource; `organizer` may name someone else (an invitation),
        `attendees` may include the user with a responseStatus. Returns the stored event."""
        with self._lock:
            cal = self._control_calendar(email, calendar_id)
            try:
                stored = self._create_event(cal, dict(event), trusted=True)
            except ApiError as exc:
                raise ControlError(exc.message) from None
            return self._render(cal, stored)

    def update_event(
        self,
        email: str,
        event_id: str,
        changes: Mapping[str, Any],
        *,
        calendar_id: str = "primary",
    ) -> JSON:
        """Patch an event (Google patch semantics) as the user or organizer would."""
        with self._lock:
            cal = self._control_calendar(email, calendar_id)
            stored = self._control_event(email, calendar_id, event_id)
            changes = dict(changes)
            organizer = changes.pop("organizer", None)
            try:
                self._change_event(cal, stored, changes, replace=False)
            except ApiError as exc:
                raise ControlError(exc.message) from None
            if organizer is not None:
                stored.data["organizer"] = dict(organizer)
            return self._render(cal, stored)

    def move_event(
        self,
        email: str,
        event_id: str,
        *,
        start: Mapping[str, Any] | datetime,
        end: Mapping[str, Any] | datetime | None = None,
        calendar_id: str = "primary",
    ) -> JSON:
        """Reschedule an event; without `end` the duration is kept."""
        with self._lock:
            cal = self._control_calendar(email, calendar_id)
            stored = self._control_event(email, calendar_id, event_id)
            new_start = _event_time(start)
            if end is None:
                span = _times.event_span(stored.data, cal.time_zone)
                if "date" in new_start:
                    days = (span.end - span.start).days
                    begin = datetime.fromisoformat(new_start["date"])
                    new_end: JSON = {"date": (begin + timedelta(days=days)).date().isoformat()}
                else:
                    probe = {"start": new_start, "end": new_start}
                    begin_at = _times.event_span(probe, cal.time_zone).start
                    new_end = {"dateTime": (begin_at + (span.end - span.start)).isoformat()}
                    if "timeZone" in new_start:
                        new_end["timeZone"] = new_start["timeZone"]
            else:
                new_end = _event_time(end)
            try:
                self._change_event(cal, stored, {"start": new_start, "end": new_end}, replace=False)
            except ApiError as exc:
                raise ControlError(exc.message) from None
            return self._render(cal, stored)

    def cancel_event(self, email: str, event_id: str, *, calendar_id: str = "primary") -> JSON:
        """The organizer cancels: status becomes "cancelled" (the data stays visible)."""
        return self.update_event(email, event_id, {"status": "cancelled"}, calendar_id=calendar_id)

    def delete_event(self, email: str, event_id: str, *, calendar_id: str = "primary") -> None:
        """The user deletes the event: it is cancelled and its id stays reserved."""
        with self._lock:
            cal = self._control_calendar(email, calendar_id)
            stored = self._control_event(email, calendar_id, event_id)
            if stored.deleted:
                raise ControlError(f"event {event_id} is already deleted", 410)
            self._delete(cal, stored)

    def set_response_status(
        self,
        email: str,
        event_id: str,
        status: str,
        *,
        calendar_id: str = "primary",
    ) -> JSON:
        """The user answers an invitation: accepted, declined, tentative or needsAction.
        Adds the user's own attendee entry if the event has none."""
        if status not in ("accepted", "declined", "tentative", "needsAction"):
            raise ControlError(f"bad responseStatus {status}")
        with self._lock:
            cal = self._control_calendar(email, calendar_id)
            stored = self._control_event(email, calendar_id, event_id)
            attendees = [dict(a) for a in stored.data.get("attendees", [])]
            for attendee in attendees:
                if str(attendee.get("email", "")).lower() == email.lower():
                    attendee["responseStatus"] = status
                    break
            else:
                attendees.append({"email": email, "responseStatus": status})
            stored.data["attendees"] = attendees
            self._commit(cal, stored, bump_sequence=False)
            return self._render(cal, stored)

    def get_event(self, email: str, event_id: str, *, calendar_id: str = "primary") -> JSON:
        """An event as stored (rendered for the user), deleted ones included."""
        with self._lock:
            cal = self._control_calendar(email, calendar_id)
            return self._render(cal, self._control_event(email, calendar_id, event_id))

    def list_events(
        self, email: str, *, calendar_id: str = "primary", include_deleted: bool = False
    ) -> list[JSON]:
        """All events of a calendar as stored (not expanded)."""
        with self._lock:
            cal = self._control_calendar(email, calendar_id)
            return [self._render(cal, s) for s in cal.events.values() if include_deleted or not s.cancelled]

    def list_calendars(self, email: str) -> list[JSON]:
        with self._lock:
            user = self._user(email)
            result = []
            for cal in user.calendars.values():
                data = cal.resource()
                data["primary"] = cal.primary
                data["createdBy"] = cal.created_by
                result.append(data)
            return result

    def expire_sync_tokens(self, email: str, calendar_id: str = "primary") -> None:
        """All sync tokens of the calendar become invalid: the next incremental list answers
        410 fullSyncRequired."""
        with self._lock:
            cal = self._control_calendar(email, calendar_id)
            cal.token_generation += 1
            for token, page in list(self._pages.items()):
                if page.calendar_id == cal.id:
                    del self._pages[token]

    def revoke_access(self, email: str) -> None:
        """The user removes the app's access (or Google expires its refresh tokens): every
        grant of the user is revoked; refresh answers invalid_grant, API calls 401."""
        with self._lock:
            for grant in self._grants:
                if grant.email == email:
                    grant.revoked = True

    def expire_access_tokens(self, email: str | None = None) -> None:
        """Access tokens (of one user, or all) expire now; clients must refresh."""
        with self._lock:
            past = self.now() - timedelta(seconds=1)
            for token in self._access_tokens.values():
                if email is None or token.grant.email == email:
                    token.expires_at = past

    def granted_scopes(self, email: str, client_id: str | None = None) -> list[str]:
        with self._lock:
            scopes: list[str] = []
            for grant in self._grants:
                if (
                    grant.email == email
                    and not grant.revoked
                    and (client_id is None or grant.client_id == client_id)
                ):
                    scopes += [s for s in grant.scopes if s not in scopes]
            return scopes

    # ------------------------------------------------------------------ faults & logs

    def inject_fault(
        self,
        kind: str,
        *,
        method: str | None = None,
        path: str | None = None,
        count: int | None = 1,
        delay: float = 0.0,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        """Answer the next `count` matching requests (None: all, until clear_faults) with a
        fault instead of the real answer.

        kind: one of FAULTS ("429", "500", "503", "rateLimitExceeded", "userRateLimitExceeded",
        "quotaExceeded", "401", "invalid_grant", "delay", "disconnect"). `path` is a regex
        searched in the request path; default: "^/token$" for invalid_grant, else
        "^/calendar/v3/". `method` is an HTTP method (None: any). `delay` seconds are waited
        before answering (for "delay": before the normal answer). `body` overrides the
        answer's JSON body.
        """
        if kind not in FAULTS:
            raise ControlError(f"unknown fault kind {kind!r}; known: {sorted(FAULTS)}")
        if count is not None and count < 1:
            raise ControlError("count must be >= 1 or None")
        status, default_body = FAULTS[kind]
        if path is None:
            path = "^/token$" if kind == "invalid_grant" else "^/calendar/v3/"
        try:
            pattern = re.compile(path)
        except re.error as exc:
            raise ControlError(f"bad path regex: {exc}") from None
        fault = Fault(
            kind=kind,
            method=method.upper() if method else None,
            path=pattern,
            remaining=count,
            delay=delay if kind != "delay" or delay else 1.0,
            status=status,
            body=dict(body) if body is not None else copy.deepcopy(default_body),
        )
        with self._lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.method not in (None, method) or not fault.path.search(path):
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                return fault
            return None

    def record_request(self, method: str, path: str, query: dict[str, list[str]]) -> None:
        with self._lock:
            self._requests.append(RequestRecord(method, path, query))

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request received so far (OAuth and API; not control requests)."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def count_requests(self, method: str | None = None, path: str = "^/calendar/v3/") -> int:
        """How many logged requests match the method and the path regex."""
        pattern = re.compile(path)
        return sum(
            1
            for r in self.requests
            if (method is None or r.method == method.upper()) and pattern.search(r.path)
        )

    @property
    def notifications(self) -> list[Notification]:
        """Push notification delivery attempts so far."""
        return self._notifier.log

    def wait_for_notifications(self, count: int | None = None, timeout: float = 5.0) -> list[Notification]:
        """Wait until all queued notifications were attempted (and at least `count` in all)."""
        return self._notifier.wait(count, timeout)

    # ------------------------------------------------------------------ OAuth

    def client_config(self, redirect_uri: str | None = None) -> JSON:
        """A client config for google_auth_oauthlib.flow.Flow.from_client_config."""
        return {
            "web": {
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "auth_uri": f"{self.base_url}/o/oauth2/auth",
                "token_uri": f"{self.base_url}/token",
                "redirect_uris": [redirect_uri] if redirect_uri else [],
            }
        }

    def _redirect_allowed(self, client: Client, uri: str) -> bool:
        if uri in client.redirect_uris:
            return True
        parts = urlsplit(uri)
        return (
            client.allow_loopback
            and parts.scheme == "http"
            and parts.hostname in ("127.0.0.1", "localhost", "::1")
        )

    def authorize(self, params: Mapping[str, str]) -> str:
        """The consent screen, auto-approved. Returns the redirect location.

        Raises ControlError (rendered as an error page) when the client or the redirect URI
        are wrong; other problems are redirected to the client as error=... ."""
        with self._lock:
            client = self._clients.get(params.get("client_id", ""))
            if client is None:
                raise ControlError("Error 401: invalid_client. The OAuth client was not found.", 401)
            redirect_uri = params.get("redirect_uri", "")
            if not redirect_uri or not self._redirect_allowed(client, redirect_uri):
                raise ControlError("Error 400: redirect_uri_mismatch", 400)
            state = params.get("state")

            def fail(error: str, description: str) -> str:
                answer = {"error": error, "error_description": description}
                if state is not None:
                    answer["state"] = state
                sep = "&" if "?" in redirect_uri else "?"
                return redirect_uri + sep + urlencode(answer)

            if params.get("response_type") != "code":
                return fail("unsupported_response_type", "response_type must be code")
            scopes = params.get("scope", "").split()
            if not scopes:
                return fail("invalid_request", "Missing required parameter: scope")
            known = all_scopes() | IDENTITY_SCOPES
            unknown = [s for s in scopes if s not in known]
            if unknown:
                return fail("invalid_scope", f"Some requested scopes were invalid: {unknown}")
            if self.require_state and not state:
                return fail("invalid_request", "Missing required parameter: state")
            challenge = params.get("code_challenge")
            method = params.get("code_challenge_method")
            if challenge is not None or self.require_pkce:
                if not challenge:
                    return fail("invalid_request", "Missing required parameter: code_challenge")
                if method != "S256":
                    return fail("invalid_request", "code_challenge_method must be S256")
                if not re.fullmatch(r"[A-Za-z0-9\-._~]{43,128}", challenge):
                    return fail("invalid_request", "Invalid code_challenge")
            if self.deny_consent:
                return fail("access_denied", "The user denied access")
            email = params.get("login_hint")
            if email not in self._users:
                email = self._current_user
            if email is None:
                return fail("access_denied", "No signed-in user (set current_user)")
            if params.get("include_granted_scopes") == "true":
                for previous in self.granted_scopes(email, client.client_id):
                    if previous not in scopes:
                        scopes.append(previous)
            access_type = params.get("access_type", "online")
            if access_type not in ("online", "offline"):
                return fail("invalid_request", "Invalid access_type")
            code = random_token("4/0A", 32)
            self._codes[code] = AuthCode(
                email=email,
                client_id=client.client_id,
                redirect_uri=redirect_uri,
                scopes=scopes,
                challenge=challenge,
                offline=access_type == "offline",
                force_consent="consent" in params.get("prompt", "").split(),
                expires_at=self.now() + AUTH_CODE_LIFETIME,
            )
            answer = {"code": code, "scope": " ".join(scopes)}
            if state is not None:
                answer["state"] = state
            sep = "&" if "?" in redirect_uri else "?"
            return redirect_uri + sep + urlencode(answer)

    def _client_auth(self, form: Mapping[str, str], basic: tuple[str, str] | None) -> Client:
        client_id, secret = basic if basic else (form.get("client_id"), form.get("client_secret"))
        client = self._clients.get(client_id or "")
        if client is None or secret != client.client_secret:
            raise OAuthError("invalid_client", "Unauthorized", 401)
        return client

    def _issue_access(self, grant: Grant, scopes: list[str]) -> JSON:
        token = random_token("ya29.", 32)
        self._access_tokens[token] = AccessToken(grant, scopes, self.now() + ACCESS_TOKEN_LIFETIME)
        return {
            "access_token": token,
            "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()),
            "scope": " ".join(scopes),
            "token_type": "Bearer",
        }

    def token(self, form: Mapping[str, str], basic: tuple[str, str] | None) -> JSON:
        """The token endpoint: authorization_code and refresh_token grants."""
        with self._lock:
            grant_type = form.get("grant_type")
            if grant_type not in ("authorization_code", "refresh_token"):
                raise OAuthError("unsupported_grant_type", f"Invalid grant_type: {grant_type}")
            client = self._client_auth(form, basic)
            if grant_type == "refresh_token":
                return self._refresh(client, form)
            code_value = form.get("code")
            if not code_value:
                raise OAuthError("invalid_request", "Missing required parameter: code")
            code = self._codes.get(code_value)
            if code is None or code.client_id != client.client_id:
                raise OAuthError("invalid_grant", "Malformed auth code.")
            if code.used or code.expires_at < self.now():
                raise OAuthError("invalid_grant", "Bad Request")
            if form.get("redirect_uri") != code.redirect_uri:
                raise OAuthError("redirect_uri_mismatch", "Bad Request")
            if code.challenge is not None:
                verifier = form.get("code_verifier")
                if not verifier:
                    raise OAuthError("invalid_grant", "Missing code verifier.")
                if _pkce_s256(verifier) != code.challenge:
                    raise OAuthError("invalid_grant", "Invalid code verifier.")
            code.used = True
            grant = next(
                (
                    g
                    for g in self._grants
                    if g.email == code.email and g.client_id == client.client_id and not g.revoked
                ),
                None,
            )
            first_consent = grant is None or not grant.refresh_tokens
            if grant is None:
                grant = Grant(code.email, client.client_id, list(code.scopes))
                self._grants.append(grant)
            else:
                grant.scopes = list(code.scopes)
            answer = self._issue_access(grant, list(code.scopes))
            if code.offline and (
                first_consent or code.force_consent or not self.refresh_token_only_on_first_consent
            ):
                refresh = random_token("1//0", 48)
                grant.refresh_tokens.append(refresh)
                self._refresh_tokens[refresh] = grant
                answer["refresh_token"] = refresh
            return answer

    def _refresh(self, client: Client, form: Mapping[str, str]) -> JSON:
        value = form.get("refresh_token")
        if not value:
            raise OAuthError("invalid_request", "Missing required parameter: refresh_token")
        grant = self._refresh_tokens.get(value)
        if grant is None or grant.revoked:
            raise OAuthError("invalid_grant", "Token has been expired or revoked.")
        if grant.client_id != client.client_id:
            raise OAuthError("unauthorized_client", "Unauthorized")
        scopes = list(grant.scopes)
        if form.get("scope"):
            wanted = form["scope"].split()
            if any(s not in grant.scopes for s in wanted):
                raise OAuthError("invalid_scope", "Scopes not granted")
            scopes = wanted
        return self._issue_access(grant, scopes)

    def revoke(self, token: str) -> None:
        """Revoke the grant behind an access or refresh token."""
        with self._lock:
            grant: Grant | None = self._refresh_tokens.get(token)
            if grant is None and token in self._access_tokens:
                access = self._access_tokens[token]
                if access.expires_at > self.now():
                    grant = access.grant
            if grant is None or grant.revoked:
                raise OAuthError("invalid_token", "Token expired or revoked")
            grant.revoked = True

    def authenticate(self, authorization: str | None, query_token: str | None) -> Caller:
        """The caller behind a Bearer token, or 401."""
        value = None
        if authorization and authorization.lower().startswith("bearer "):
            value = authorization[7:].strip()
        elif query_token:
            value = query_token
        www = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
        if not value:
            raise ApiError(
                401,
                "required",
                "Request is missing required authentication credential.",
                headers=www,
            )
        with self._lock:
            access = self._access_tokens.get(value)
            if access is None or access.grant.revoked or access.expires_at <= self.now():
                raise ApiError(401, "authError", "Invalid Credentials", headers=www)
            if access.grant.email not in self._users:
                raise ApiError(401, "authError", "Invalid Credentials", headers=www)
            short = frozenset(s.removeprefix(SCOPE_PREFIX) for s in access.scopes)
            return Caller(access.grant.email, access.grant.client_id, short)

    # ------------------------------------------------------------------ Calendar API helpers

    def _require(self, caller: Caller, method_id: str, cal: Calendar | None) -> None:
        usable = set(caller.scopes & method_scopes(method_id))
        usable.discard("calendar.events.public.readonly")  # the fake has no public calendars
        if method_id.startswith("events."):
            usable.discard("calendar.events.freebusy")  # free/busy-only views are not modelled
        if cal is not None and cal.created_by != caller.client_id:
            usable.discard("calendar.app.created")
        if not usable:
            raise ApiError(403, "insufficientPermissions", "Request had insufficient authentication scopes.")

    def _calendar(self, caller: Caller, calendar_id: str) -> Calendar:
        user = self._users[caller.email]
        cal = user.calendars.get(caller.email if calendar_id == "primary" else calendar_id)
        if cal is None:
            raise not_found()
        return cal

    def _commit(self, cal: Calendar, stored: StoredEvent, *, bump_sequence: bool) -> None:
        self._change += 1
        stored.change = self._change
        moment = self._next_updated()
        stored.data["updated"] = format_rfc3339_ms(moment)
        stored.data["etag"] = f'"{3_400_000_000_000_000 + self._change}"'
        if bump_sequence:
            stored.data["sequence"] = int(stored.data.get("sequence", 0)) + 1
        cal.updated = moment
        cal.etag = f'"{3_400_000_000_000_000 + self._change}"'
        self._notify_change(cal)

    def _validate_event(self, cal: Calendar, data: JSON) -> None:
        _times.normalize_times(data, cal.time_zone)
        if data.get("recurrence") is not None:
            _times.validate_recurrence(data["recurrence"])
            start = _times.event_span(data, cal.time_zone).start
            _times.expand({**data, "id": "x"}, cal.time_zone, None, start + timedelta(days=1))
        if data.get("status", "confirmed") not in ("confirmed", "tentative", "cancelled"):
            raise bad_request(f"Invalid status {data.get('status')!r}", "invalid")
        if data.get("transparency", "opaque") not in ("opaque", "transparent"):
            raise bad_request("Invalid transparency", "invalid")
        attendees = data.get("attendees")
        if attendees is not None:
            if not isinstance(attendees, list):
                raise bad_request("Invalid attendees", "invalid")
            for attendee in attendees:
                if not isinstance(attendee, dict) or not attendee.get("email"):
                    raise ApiError(400, "required", "Missing attendee email.")
                status = attendee.setdefault("responseStatus", "needsAction")
                if status not in ("needsAction", "declined", "tentative", "accepted"):
                    raise bad_request("Invalid attendee responseStatus", "invalid")
                attendee.pop("self", None)
                attendee.pop("organizer", None)
        props = data.get("extendedProperties")
        if props is not None:
            if not isinstance(props, dict):
                raise bad_request("Invalid extendedProperties", "invalid")
            for scope in ("private", "shared"):
                values = props.get(scope, {})
                if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
                    raise bad_request(f"Invalid extendedProperties.{scope}", "invalid")

    def _create_event(self, cal: Calendar, body: JSON, *, trusted: bool) -> StoredEvent:
        """trusted: from the control API (may set organizer/creator/iCalUID...)."""
        data = copy.deepcopy(body)
        event_id = data.get("id")
        if event_id is not None:
            if not isinstance(event_id, str) or not valid_event_id(event_id):
                raise invalid_parameter("Invalid resource id value.")
            if event_id in cal.events:
                raise ApiError(409, "duplicate", "The requested identifier already exists.")
        else:
            event_id = random_base32hex(26)
        organizer = data.get("organizer") if trusted else None
        creator = data.get("creator") if trusted else None
        ical_uid = data.get("iCalUID")
        for key in SERVER_FIELDS:
            data.pop(key, None)
        self._validate_event(cal, data)
        owner = cal.owner
        if creator is None:
            creator = organizer if organizer is not None else {"email": owner}
        if organizer is None:
            organizer = {"email": owner} if cal.primary else {"email": cal.id, "displayName": cal.summary}
        organizer_is_owner = str(organizer.get("email", "")).lower() in (owner.lower(), cal.id)
        for attendee in data.get("attendees", []):
            if (
                organizer_is_owner
                and str(attendee["email"]).lower() == owner.lower()
                and "responseStatus" not in body_attendee(body, attendee["email"])
            ):
                attendee["responseStatus"] = "accepted"
        now = self._next_updated()
        resource: JSON = {
            "kind": "calendar#event",
            "etag": "",
            "id": event_id,
            "status": data.pop("status", "confirmed"),
            "htmlLink": self._html_link(cal, event_id),
            "created": format_rfc3339_ms(now),
            "updated": format_rfc3339_ms(now),
            "creator": dict(creator),
            "organizer": dict(organizer),
        }
        resource.update(data)
        resource["iCalUID"] = ical_uid or f"{event_id}@google.com"
        resource["sequence"] = int(body.get("sequence", 0)) if trusted else 0
        resource.setdefault("reminders", {"useDefault": True})
        resource.setdefault("eventType", "default")
        stored = StoredEvent(resource, 0)
        cal.events[event_id] = stored
        self._commit(cal, stored, bump_sequence=False)
        return stored

    def _html_link(self, cal: Calendar, event_id: str) -> str:
        eid = base64.urlsafe_b64encode(f"{event_id} {cal.id}".encode()).decode().rstrip("=")
        return f"{self.base_url}/calendar/event?eid={eid}"

    def _change_event(self, cal: Calendar, stored: StoredEvent, body: JSON, *, replace: bool) -> None:
        if stored.cancelled:
            raise ApiError(410, "deleted", "Resource has been deleted")
        if "id" in body and body["id"] != stored.data["id"]:
            raise bad_request("The event id in the body does not match.", "invalid")
        changes = {k: copy.deepcopy(v) for k, v in body.items() if k not in SERVER_FIELDS}
        server = {k: v for k, v in stored.data.items() if k in SERVER_FIELDS}
        if replace:
            new = dict(changes)
            new.setdefault("status", stored.data.get("status", "confirmed"))
        else:
            user_part = {k: v for k, v in stored.data.items() if k not in SERVER_FIELDS}
            new = deep_merge(user_part, changes)
        self._validate_event(cal, new)
        new.setdefault("reminders", {"useDefault": True})
        new.setdefault("eventType", stored.data.get("eventType", "default"))
        stored.data = {**server, **new}
        self._commit(cal, stored, bump_sequence=True)

    def _delete(self, cal: Calendar, stored: StoredEvent) -> None:
        stored.deleted = True
        stored.data["status"] = "cancelled"
        self._commit(cal, stored, bump_sequence=False)

    def _render(
        self,
        cal: Calendar,
        stored: StoredEvent | JSON,
        *,
        minimal: bool = False,
        max_attendees: int | None = None,
    ) -> JSON:
        data = stored.data if isinstance(stored, StoredEvent) else stored
        if minimal:
            slim: JSON = {k: data[k] for k in ("kind", "etag", "id", "status") if k in data}
            for key in ("recurringEventId", "originalStartTime"):
                if key in data:
                    slim[key] = copy.deepcopy(data[key])
            return slim
        out = copy.deepcopy(data)
        owner = cal.owner.lower()
        for key in ("organizer", "creator"):
            person = out.get(key)
            if isinstance(person, dict):
                person.pop("self", None)
                if str(person.get("email", "")).lower() in (owner, cal.id.lower()):
                    person["self"] = True
        attendees = out.get("attendees")
        if isinstance(attendees, list):
            organizer_email = str(out.get("organizer", {}).get("email", "")).lower()
            for attendee in attendees:
                email = str(attendee.get("email", "")).lower()
                if email == owner:
                    attendee["self"] = True
                if email == organizer_email:
                    attendee["organizer"] = True
            if max_attendees is not None and len(attendees) > max_attendees:
                out["attendees"] = attendees[:max_attendees]
                out["attendeesOmitted"] = True
        return out

    def _instances(
        self,
        cal: Calendar,
        stored: StoredEvent,
        window_start: datetime | None,
        window_end: datetime | None,
    ) -> list[JSON]:
        """Occurrences of an event (itself if not recurring) overlapping the window."""
        data = stored.data
        if not data.get("recurrence"):
            if window_start is None and window_end is None:
                return [data]
            span = _times.event_span(data, cal.time_zone)
            if window_start is not None and span.end <= window_start:
                return []
            if window_end is not None and span.start >= window_end:
                return []
            return [data]
        return _times.expand(data, cal.time_zone, window_start, window_end)

    def _notify_change(self, cal: Calendar) -> None:
        for channel in self._channels.values():
            if channel.email == cal.owner and channel.calendar_id == cal.id:
                self._send(channel, "exists")

    def _send(self, channel: Channel, state: str) -> None:
        if channel.expiration_ms <= ms(self.now()):
            return
        channel.message_number += 1
        headers = {
            "X-Goog-Channel-ID": channel.id,
            "X-Goog-Resource-ID": channel.resource_id,
            "X-Goog-Resource-URI": channel.resource_uri,
            "X-Goog-Resource-State": state,
            "X-Goog-Message-Number": str(channel.message_number),
            "X-Goog-Channel-Expiration": datetime.fromtimestamp(channel.expiration_ms / 1000, UTC).strftime(
                "%a, %d %b %Y %H:%M:%S GMT"
            ),
        }
        if channel.token is not None:
            headers["X-Goog-Channel-Token"] = channel.token
        self._notifier.send(
            channel.address,
            headers,
            channel_id=channel.id,
            resource_state=state,
            message_number=channel.message_number,
        )

    # ------------------------------------------------------------------ Calendar API: calendars

    def calendars_insert(self, caller: Caller, body: JSON) -> JSON:
        self._require(caller, "calendars.insert", None)
        with self._lock:
            summary = body.get("summary")
            if not summary or not isinstance(summary, str):
                raise ApiError(400, "required", "Missing title.")
            user = self._users[caller.email]
            tz = body.get("timeZone") or user.time_zone
            zone(tz)
            cid = f"{random_alnum(26)}@group.calendar.google.com"
            cal = Calendar(
                id=cid,
                owner=caller.email,
                summary=summary,
                time_zone=tz,
                primary=False,
                created_by=caller.client_id,
                description=str(body.get("description", "")),
                etag=f'"{3_400_000_000_000_000 + self._change}"',
            )
            user.calendars[cid] = cal
            return cal.resource()

    def calendars_get(self, caller: Caller, calendar_id: str) -> JSON:
        with self._lock:
            cal = self._calendar(caller, calendar_id)
            self._require(caller, "calendars.get", cal)
            return cal.resource()

    def calendars_change(self, caller: Caller, calendar_id: str, body: JSON, *, replace: bool) -> JSON:
        with self._lock:
            cal = self._calendar(caller, calendar_id)
            self._require(caller, "calendars.update" if replace else "calendars.patch", cal)
            if replace and not body.get("summary"):
                raise ApiError(400, "required", "Missing title.")
            if "summary" in body:
                cal.summary = str(body["summary"])
            if "description" in body or replace:
                cal.description = str(body.get("description") or "")
            if body.get("timeZone"):
                zone(body["timeZone"])
                cal.time_zone = body["timeZone"]
            return cal.resource()

    def calendars_delete(self, caller: Caller, calendar_id: str) -> None:
        with self._lock:
            cal = self._calendar(caller, calendar_id)
            self._require(caller, "calendars.delete", cal)
            if cal.primary:
                raise bad_request("Cannot delete a primary calendar; use calendars.clear.")
            del self._users[caller.email].calendars[cal.id]
            for channel_id, channel in list(self._channels.items()):
                if channel.calendar_id == cal.id:
                    del self._channels[channel_id]

    def calendar_list_list(self, caller: Caller) -> JSON:
        self._require(caller, "calendarList.list", None)
        with self._lock:
            items = [self._list_entry(cal) for cal in self._users[caller.email].calendars.values()]
            return {"kind": "calendar#calendarList", "etag": '"1"', "items": items}

    def calendar_list_get(self, caller: Caller, calendar_id: str) -> JSON:
        with self._lock:
            cal = self._calendar(caller, calendar_id)
            self._require(caller, "calendarList.get", cal)
            return self._list_entry(cal)

    def _list_entry(self, cal: Calendar) -> JSON:
        entry = cal.resource()
        entry["kind"] = "calendar#calendarListEntry"
        entry["accessRole"] = "owner"
        entry["defaultReminders"] = []
        if cal.primary:
            entry["primary"] = True
        return entry

    # ------------------------------------------------------------------ Calendar API: events

    def events_insert(self, caller: Caller, calendar_id: str, body: JSON) -> JSON:
        with self._lock:
            cal = self._calendar(caller, calendar_id)
            self._require(caller, "events.insert", cal)
            stored = self._create_event(cal, body, trusted=False)
            return self._render(cal, stored)

    def events_get(self, caller: Caller, calendar_id: str, event_id: str, params: Mapping[str, Any]) -> JSON:
        with self._lock:
            cal = self._calendar(caller, calendar_id)
            self._require(caller, "events.get", cal)
            max_attendees = params.get("maxAttendees")
            stored = cal.events.get(event_id)
            if stored is not None:
                return self._render(cal, stored, max_attendees=max_attendees)
            master_id, _, _ = event_id.partition("_")
            master = cal.events.get(master_id)
            if master is not None and master.data.get("recurrence"):
                for instance in _times.expand(master.data, cal.time_zone, None, None):
                    if instance["id"] == event_id:
                        return self._render(cal, instance, max_attendees=max_attendees)
            raise not_found()

    def events_change(
        self, caller: Caller, calendar_id: str, event_id: str, body: JSON, *, replace: bool
    ) -> JSON:
        with self._lock:
            cal = self._calendar(caller, calendar_id)
            self._require(caller, "events.update" if replace else "events.patch", cal)
            stored = cal.events.get(event_id)
            if stored is None:
                raise not_found()
            self._change_event(cal, stored, body, replace=replace)
            return self._render(cal, stored)

    def events_delete(self, caller: Caller, calendar_id: str, event_id: str) -> None:
        with self._lock:
            cal = self._calendar(caller, calendar_id)
            self._require(caller, "events.delete", cal)
            stored = cal.events.get(event_id)
            if stored is None:
                raise not_found()
            if stored.cancelled:
                raise ApiError(410, "deleted", "Resource has been deleted")
            self._delete(cal, stored)

    def events_list(self, caller: Caller, calendar_id: str, params: Mapping[str, Any]) -> JSON:
        with self._lock:
            cal = self._calendar(caller, calendar_id)
            self._require(caller, "events.list", cal)
            page_token = params.get("pageToken")
            if page_token is not None:
                page = self._pages.get(page_token)
                if page is None or page.email != caller.email or page.calendar_id != cal.id:
                    raise bad_request("Invalid page token value.", "invalid")
            elif params.get("syncToken") is not None:
                page = self._incremental(cal, params)
            else:
                page = self._full(cal, params)
            size = min(
                int(params.get("maxResults", DEFAULT_PAGE_SIZE)),
                MAX_PAGE_SIZE,
                max(1, self.max_page_size),
            )
            chunk = page.items[page.offset : page.offset + size]
            answer = copy.deepcopy(page.top)
            answer["items"] = chunk
            if page.offset + size < len(page.items):
                next_token = random_token("CiA", 24)
                self._pages[next_token] = PageState(
                    page.email,
                    page.calendar_id,
                    page.items,
                    page.offset + size,
                    page.top,
                    page.next_sync_token,
                )
                answer["nextPageToken"] = next_token
            elif page.next_sync_token is not None:
                answer["nextSyncToken"] = page.next_sync_token
            return answer

    def _list_top(self, cal: Calendar) -> JSON:
        return {
            "kind": "calendar#events",
            "etag": cal.etag,
            "summary": cal.summary,
            "description": cal.description,
            "updated": format_rfc3339_ms(cal.updated),
            "timeZone": cal.time_zone,
            "accessRole": "owner",
            "defaultReminders": [],
        }

    def _new_sync_token(self, cal: Calendar) -> str:
        token = random_token("CPDAlvWD", 24)
        self._sync_tokens[token] = SyncToken(cal.owner, cal.id, self._change, cal.token_generation)
        return token

    def _incremental(self, cal: Calendar, params: Mapping[str, Any]) -> PageState:
        conflicting = [name for name in SYNC_TOKEN_EXCLUSIVE if name in params]
        if conflicting:
            raise bad_request(
                f"Sync token cannot be used with other request restrictions ({conflicting}).",
                "invalid",
            )
        if params.get("showDeleted") is False:
            raise bad_request("showDeleted cannot be false with a sync token.", "invalid")
        token = self._sync_tokens.get(params["syncToken"])
        if (
            token is None
            or token.email != cal.owner
            or token.calendar_id != cal.id
            or token.generation != cal.token_generation
        ):
            raise ApiError(
                410,
                "fullSyncRequired",
                "Sync token is no longer valid, a full sync is required.",
            )
        changed = sorted((s for s in cal.events.values() if s.change > token.change), key=lambda s: s.change)
        event_types = params.get("eventTypes")
        single = bool(params.get("singleEvents", False))
        max_attendees = params.get("maxAttendees")
        items: list[JSON] = []
        for stored in changed:
            if event_types and stored.data.get("eventType", "default") not in event_types:
                continue
            if single and stored.data.get("recurrence"):
                for instance in _times.expand(stored.data, cal.time_zone, None, None):
                    items.append(
                        self._render(cal, instance, minimal=stored.deleted, max_attendees=max_attendees)
                    )
            else:
                items.append(self._render(cal, stored, minimal=stored.deleted, max_attendees=max_attendees))
        return PageState(cal.owner, cal.id, items, 0, self._list_top(cal), self._new_sync_token(cal))

    def _full(self, cal: Calendar, params: Mapping[str, Any]) -> PageState:
        single = bool(params.get("singleEvents", False))
        order_by = params.get("orderBy")
        if order_by == "startTime" and not single:
            raise bad_request(
                "The requested ordering is not available for the particular query.", "badRequest"
            )
        time_min = parse_rfc3339(params["timeMin"], "timeMin") if "timeMin" in params else None
        time_max = parse_rfc3339(params["timeMax"], "timeMax") if "timeMax" in params else None
        if time_min is not None and time_max is not None and time_max < time_min:
            raise ApiError(400, "timeRangeEmpty", "The specified time range is empty.")
        updated_min = parse_rfc3339(params["updatedMin"], "updatedMin") if "updatedMin" in params else None
        if updated_min is not None and updated_min < self.now() - UPDATED_MIN_HORIZON:
            raise ApiError(410, "updatedMinTooLongAgo", "The requested updatedMin was too long ago.")
        show_deleted = bool(params.get("showDeleted", False)) or updated_min is not None
        private = self._property_filters(params.get("privateExtendedProperty"))
        shared = self._property_filters(params.get("sharedExtendedProperty"))
        event_types = params.get("eventTypes")
        ical_uid = params.get("iCalUID")
        terms = str(params.get("q", "")).lower().split()
        max_attendees = params.get("maxAttendees")
        selected: list[tuple[JSON, StoredEvent]] = []
        for stored in cal.events.values():
            data = stored.data
            if stored.cancelled and not show_deleted:
                continue
            if event_types and data.get("eventType", "default") not in event_types:
                continue
            if ical_uid is not None and data.get("iCalUID") != ical_uid:
                continue
            if updated_min is not None and _updated(data) < updated_min:
                continue
            props = data.get("extendedProperties", {})
            if any(props.get("private", {}).get(k) != v for k, v in private):
                continue
            if any(props.get("shared", {}).get(k) != v for k, v in shared):
                continue
            if terms and not all(t in _search_text(data) for t in terms):
                continue
            instances = self._instances(cal, stored, time_min, time_max)
            if not instances:
                continue
            if single:
                selected += [(instance, stored) for instance in instances]
            else:
                selected.append((data, stored))
        if order_by == "startTime":
            selected.sort(key=lambda pair: _times.event_span(pair[0], cal.time_zone).start)
        elif order_by == "updated":
            selected.sort(key=lambda pair: _updated(pair[0]))
        items = [
            self._render(cal, data, minimal=stored.deleted, max_attendees=max_attendees)
            for data, stored in selected
        ]
        return PageState(cal.owner, cal.id, items, 0, self._list_top(cal), self._new_sync_token(cal))

    @staticmethod
    def _property_filters(values: list[str] | None) -> list[tuple[str, str]]:
        result = []
        for value in values or []:
            key, sep, wanted = value.partition("=")
            if not sep or not key:
                raise bad_request(f"Invalid extended property filter {value!r}.", "invalid")
            result.append((key, wanted))
        return result

    # ------------------------------------------------------------------ freeBusy

    def freebusy(self, caller: Caller, body: JSON) -> JSON:
        self._require(caller, "freebusy.query", None)
        if not body.get("timeMin"):
            raise ApiError(400, "required", "Missing timeMin parameter.")
        if not body.get("timeMax"):
            raise ApiError(400, "required", "Missing timeMax parameter.")
        time_min = parse_rfc3339(str(body["timeMin"]), "timeMin")
        time_max = parse_rfc3339(str(body["timeMax"]), "timeMax")
        if time_max < time_min:
            raise ApiError(400, "timeRangeEmpty", "The specified time range is empty.")
        out_zone = zone(body["timeZone"]) if body.get("timeZone") else None

        def render(moment: datetime) -> str:
            if out_zone is None:
                return format_utc(moment)
            return moment.astimezone(out_zone).isoformat(timespec="seconds")

        calendars: JSON = {}
        with self._lock:
            for item in body.get("items") or []:
                requested = str(item.get("id", "")) if isinstance(item, dict) else ""
                cal = self._freebusy_calendar(caller, requested)
                if cal is None:
                    calendars[requested] = {
                        "errors": [{"domain": "global", "reason": "notFound"}],
                        "busy": [],
                    }
                    continue
                busy = self._busy(cal, time_min, time_max)
                calendars[requested] = {"busy": [{"start": render(s), "end": render(e)} for s, e in busy]}
        return {
            "kind": "calendar#freeBusy",
            "timeMin": format_rfc3339_ms(time_min),
            "timeMax": format_rfc3339_ms(time_max),
            "calendars": calendars,
        }

    def _freebusy_calendar(self, caller: Caller, calendar_id: str) -> Calendar | None:
        own = self._users[caller.email].calendars
        cal = own.get(caller.email if calendar_id == "primary" else calendar_id)
        if cal is None and calendar_id in self._users:
            cal = self._users[calendar_id].calendars[calendar_id]
        return cal

    def _busy(self, cal: Calendar, time_min: datetime, time_max: datetime) -> list[tuple[datetime, datetime]]:
        intervals: list[tuple[datetime, datetime]] = []
        owner = cal.owner.lower()
        for stored in cal.events.values():
            data = stored.data
            if stored.cancelled or data.get("transparency") == "transparent":
                continue
            declined = any(
                str(a.get("email", "")).lower() == owner and a.get("responseStatus") == "declined"
                for a in data.get("attendees", [])
            )
            if declined:
                continue
            for instance in self._instances(cal, stored, time_min, time_max):
                span = _times.event_span(instance, cal.time_zone)
                start, end = max(span.start, time_min), min(span.end, time_max)
                if start < end:
                    intervals.append((start, end))
        intervals.sort()
        merged: list[tuple[datetime, datetime]] = []
        for start, end in intervals:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged

    # ------------------------------------------------------------------ push channels

    def events_watch(self, caller: Caller, calendar_id: str, body: JSON) -> JSON:
        with self._lock:
            cal = self._calendar(caller, calendar_id)
            self._require(caller, "events.watch", cal)
            channel_id = body.get("id")
            if not channel_id or not isinstance(channel_id, str):
                raise ApiError(400, "required", "Missing channel id.")
            if body.get("type") not in ("web_hook", "webhook"):
                raise bad_request("Invalid channel type; use web_hook.", "invalid")
            address = body.get("address")
            if not address or not isinstance(address, str):
                raise ApiError(400, "required", "Missing channel address.")
            if urlsplit(address).scheme not in ("http", "https"):
                raise bad_request("Invalid channel address.", "invalid")
            if channel_id in self._channels:
                raise bad_request(f"Channel id {channel_id} not unique", "channelIdNotUnique")
            now_ms = ms(self.now())
            expiration = now_ms + int(CHANNEL_LIFETIME.total_seconds() * 1000)
            ttl = (body.get("params") or {}).get("ttl")
            if ttl is not None:
                expiration = now_ms + int(float(ttl) * 1000)
            if body.get("expiration") is not None:
                try:
                    expiration = int(body["expiration"])
                except (TypeError, ValueError):
                    raise bad_request("Invalid expiration.", "invalid") from None
            channel = Channel(
                id=channel_id,
                resource_id=random_token("", 20),
                resource_uri=f"{self.api_url}calendars/{quote(calendar_id, safe='')}/events?alt=json",
                token=body.get("token"),
                address=address,
                expiration_ms=expiration,
                email=caller.email,
                calendar_id=cal.id,
            )
            self._channels[channel_id] = channel
            self._send(channel, "sync")
            answer: JSON = {
                "kind": "api#channel",
                "id": channel.id,
                "resourceId": channel.resource_id,
                "resourceUri": channel.resource_uri,
                "expiration": str(channel.expiration_ms),
            }
            if channel.token is not None:
                answer["token"] = channel.token
            return answer

    def channels_stop(self, caller: Caller, body: JSON) -> None:
        self._require(caller, "channels.stop", None)
        with self._lock:
            channel = self._channels.get(str(body.get("id", "")))
            if (
                channel is None
                or channel.resource_id != body.get("resourceId")
                or channel.email != caller.email
            ):
                raise not_found(f"Channel '{body.get('id')}' not found for project")
            del self._channels[channel.id]

    def active_channels(self, email: str | None = None) -> list[JSON]:
        """Open push channels (for inspection)."""
        with self._lock:
            return [
                {
                    "id": c.id,
                    "resourceId": c.resource_id,
                    "address": c.address,
                    "calendarId": c.calendar_id,
                    "expiration": c.expiration_ms,
                    "email": c.email,
                }
                for c in self._channels.values()
                if email is None or c.email == email
            ]


def body_attendee(body: JSON, email: str) -> JSON:
    for attendee in body.get("attendees", []) or []:
        if isinstance(attendee, dict) and str(attendee.get("email", "")).lower() == email.lower():
            return attendee
    return {}


def _updated(data: JSON) -> datetime:
    return datetime.fromisoformat(str(data.get("updated", "1970-01-01T00:00:00Z")))


def _search_text(data: JSON) -> str:
    parts = [str(data.get(k, "")) for k in ("summary", "description", "location")]
    for person in [data.get("organizer", {}), *data.get("attendees", [])]:
        if isinstance(person, dict):
            parts += [str(person.get("email", "")), str(person.get("displayName", ""))]
    return " ".join(parts).lower()
