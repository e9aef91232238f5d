"""CalDAV behind the calendar port (`domain.calendars.calendar_port`).

Changes: a WebDAV sync-token (RFC 6578) where the server has one; where it has none, or refuses
the one kept (403/409 valid-sync-token, a 400 from a pruned token), the ETags of every event are
listed and compared with the ones kept (a ctag that has not moved skips even that). Either way
the state kept maps each resource to its ETag and UID, so a resource that vanished names the event
that is gone. Instances are read with `integrations.ical.source_reader` (recurring-ical-events,
x-wr-timezone, repairs), the reader iCal sources use.

The WebDAV is the `caldav` package's (its XML builders, its multistatus reader, sync-collection,
free-busy, MKCALENDAR), every request over the guarded session (`transport.py`).

Writes: PUT with `If-None-Match: *` (create) or `If-Match: <etag>` (update), DELETE with
`If-Match`: a 412 answers CONFLICT with what the server holds now, and the caller decides again
(invariant 15). A server that answers a write without an ETag (iCloud) is asked for it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from urllib.parse import quote, unquote, urljoin, urlsplit

from caldav import Calendar as DAVCalendar
from caldav import DAVClient
from caldav.collection import CalendarSet
from caldav.davclient import DAVResponse
from caldav.elements import cdav, dav
from caldav.elements.base import BaseElement
from caldav.lib import error as dav_error
from icalendar import Calendar

from domain.calendars.attendance import CalendarEvent
from domain.calendars.calendar_port import (
    Block,
    BusyInterval,
    CalendarGoneError,
    Changes,
    Connected,
    Freshness,
    ProviderError,
    WriteOutcome,
    WriteResult,
)
from integrations.caldav import dav_xml
from integrations.caldav.blocks import block_calendar
from integrations.caldav.discovery import Home, find_home, list_calendars
from integrations.caldav.session import Session
from integrations.caldav.transport import dav_client, dav_errors, status_of
from integrations.ical.source_reader import SourceError, read_calendar

POLL_SECONDS = 15 * 60.0
MULTIGET_CHUNK = 100
_TOKEN_REFUSED = frozenset({400, 403, 409, 412, 501})  # RFC 6578's valid-sync-token and kin


@dataclass(slots=True)
class _State:
    token: str | None = None
    ctag: str | None = None
    items: dict[str, list[str]] = field(default_factory=dict)  # path -> [etag, uid]

    @classmethod
    def load(cls, text: str | None) -> _State:
        if not text:
            return cls()
        data = json.loads(text)
        return cls(
            data.get("token"), data.get("ctag"), {k: list(v) for k, v in data.get("items", {}).items()}
        )

    def dump(self) -> str:
        return json.dumps({"token": self.token, "ctag": self.ctag, "items": self.items}, sort_keys=True)


@dataclass
class CalDAVProvider:
    """One CalDAV account. `home` comes from discovery (`connect` finds it when not given); `tz` and
    the window bound how far repeating events are expanded."""

    session: Session
    url: str
    tz: tzinfo
    window: tuple[datetime, datetime]
    emails: tuple[str, ...] = ()
    home: Home | None = None
    name: str = "caldav"
    _clients: dict[str, DAVClient] = field(default_factory=dict, init=False, repr=False)

    def _client(self, url: str) -> DAVClient:
        """A client on `url`'s own origin. A calendar home may live on another host than the
        address typed (iCloud's partition hosts; RFC 4791 allows any), and the library refuses to
        join an absolute URL of another origin to its base: one client per origin, one session."""
        parts = urlsplit(urljoin(self.url, url))
        origin = f"{parts.scheme}://{parts.netloc}/"
        if origin not in self._clients:
            self._clients[origin] = dav_client(self.session, origin)
        return self._clients[origin]

    def _home(self) -> Home:
        if self.home is None:
            self.home = find_home(self.session, self.url)
        return self.home

    def connect(self) -> Connected:
        home = self._home()
        calendars = tuple(c for c in list_calendars(self.session, home.home) if c.events)
        with dav_errors("OPTIONS on the calendar home"):
            options = self._client(home.home).options(home.home)
        allowed = options.headers.get("allow", "").upper()
        can_create = "MKCALENDAR" in allowed or not allowed
        return Connected(home.principal, calendars, can_create)

    def me(self) -> tuple[str, ...]:
        """Who the person is in ATTENDEE and ORGANIZER: the principal's addresses, and the user
        name when it is an address."""
        found = list(self.emails)
        if self.home is not None:
            found += [e for e in self.home.emails if e not in found]
        if "@" in self.session.username and self.session.username.lower() not in found:
            found.append(self.session.username.lower())
        return tuple(found)

    # -- the goals calendar -------------------------------------------------------------------

    def create_calendar(self, name: str, time_zone: str) -> str | None:
        home = self._home()
        slug = "-".join(re.findall(r"[a-z0-9]+", name.lower())) or "netgoals"
        home_set = CalendarSet(self._client(home.home), url=home.home)  # known since connecting
        try:
            # The same name, the same place (home/slug/): a retry finds it.
            made = home_set.make_calendar(name, slug, supported_calendar_component_set=["VEVENT"])
            return str(made.url)
        except dav_error.DAVError as exc:
            status = status_of(exc)
            if status not in (200, 403, 405, 409, 415, 501):
                answered = f"the CalDAV server answered HTTP {status}"
                raise ProviderError(f"{answered} to creating a calendar") from None
        # Already there (an earlier try whose answer was lost answers 405 or 409), or refused.
        url = urljoin(home.home, f"{slug}/")
        listed = list_calendars(self.session, home.home)
        return url if any(c.calendar_id == url for c in listed) else None

    # -- changes ------------------------------------------------------------------------------

    def changes(self, calendar_id: str, state: str | None) -> Changes:
        kept = _State.load(state)
        fresh = _State(kept.token, kept.ctag, dict(kept.items))
        changed: dict[str, str] | None = None
        removed_paths: list[str] = []
        if kept.token:
            listed = self._sync_collection(calendar_id, kept.token)
            if listed is not None:
                changed, removed_paths, fresh.token = listed
                changed = {p: e for p, e in changed.items() if kept.items.get(p, [None])[0] != e}
        full = not kept.items and changed is None
        if changed is None:
            props = self._collection_props(calendar_id)
            fresh.token, fresh.ctag = props.get(dav.SyncToken.tag), props.get(dav_xml.GetCtag.tag)
            if kept.items and fresh.ctag and fresh.ctag == kept.ctag and not kept.token:
                return Changes((), (), fresh.dump())
            current = self._etags(calendar_id)
            changed = {p: e for p, e in current.items() if kept.items.get(p, [None])[0] != e}
            removed_paths = [p for p in kept.items if p not in current]
        removed = [fresh.items.pop(p)[1] for p in removed_paths if p in fresh.items]
        events: list[CalendarEvent] = []
        versions: dict[str, str] = {}
        touched: list[str] = []
        for path, etag, body in self._fetch(calendar_id, list(changed)):
            uid, instances = self._read(calendar_id, body)
            fresh.items[path] = [etag, uid]
            touched.append(uid)
            versions[uid] = etag
            events.extend(instances)
        return Changes(events, removed, fresh.dump(), full, touched, versions)

    def _calendar(self, calendar_id: str) -> DAVCalendar:
        return DAVCalendar(self._client(calendar_id), url=calendar_id)

    def _sync_collection(
        self, calendar_id: str, token: str
    ) -> tuple[dict[str, str], list[str], str | None] | None:
        """RFC 6578 sync-collection, built from the library's elements and read by its DAVResponse.
        Not `calendar.objects_by_sync_token`: caldav 1.x sends that with Depth: 1, which
        RFC 6578 §3.2 forbids and sabre/dav servers (Nextcloud, Baïkal) have answered 403; nor does
        it tell a removed member (a 404 response) from a changed one."""
        level = dav.SyncLevel(value="1")
        query = dav.SyncCollection() + dav.SyncToken(value=token) + level + (dav.Prop() + dav.GetEtag())
        with dav_errors("a sync-collection report"):
            try:
                answer = self._client(calendar_id).report(calendar_id, dav_xml.body(query), depth=0)
            except dav_error.AuthorizationError:
                return None  # 403 valid-sync-token: the token is not accepted any more
            if answer.status == 404:
                raise CalendarGoneError(f"the calendar {calendar_id} is gone")
            if answer.status in _TOKEN_REFUSED or answer.status != 207:
                return None  # the token is not accepted (any more): compare ETags instead
            found = answer.expand_simple_props([dav.GetEtag()])
        changed: dict[str, str] = {}
        removed: list[str] = []
        own = _path(calendar_id)
        for href, props in found.items():
            path = _path(urljoin(calendar_id, href))
            if path == own:
                continue
            if "404" in (answer.statuses.get(href) or ""):
                removed.append(path)
            elif etag := props.get(dav.GetEtag.tag):
                changed[path] = etag
        return changed, removed, getattr(answer, "sync_token", None)

    def _collection_props(self, calendar_id: str) -> dict[str, str | None]:
        with dav_errors(f"reading the calendar {calendar_id}"):
            try:
                found = self._calendar(calendar_id).get_properties([dav.SyncToken(), dav_xml.GetCtag()])
            except dav_error.NotFoundError:
                raise CalendarGoneError(f"the calendar {calendar_id} is gone") from None
        return {str(k): v for k, v in (found or {}).items()}

    def _report(self, calendar_id: str, query: BaseElement, what: str) -> DAVResponse:
        with dav_errors(what):
            answer = self._client(calendar_id).report(calendar_id, dav_xml.body(query), depth=1)
        if answer.status != 207:
            raise ProviderError(f"the calendar {calendar_id} answered HTTP {answer.status} to {what}")
        return answer

    def _etags(self, calendar_id: str) -> dict[str, str]:
        events = cdav.Filter() + (cdav.CompFilter("VCALENDAR") + cdav.CompFilter("VEVENT"))
        query = cdav.CalendarQuery() + (dav.Prop() + dav.GetEtag()) + events
        answer = self._report(calendar_id, query, "listing events")
        own = _path(calendar_id)
        with dav_errors("listing events"):
            found = answer.expand_simple_props([dav.GetEtag()])
        return {
            _path(urljoin(calendar_id, href)): props.get(dav.GetEtag.tag) or ""
            for href, props in found.items()
            if "404" not in (answer.statuses.get(href) or "") and _path(urljoin(calendar_id, href)) != own
        }

    def _fetch(self, calendar_id: str, paths: list[str]) -> Iterable[tuple[str, str, bytes]]:
        for start in range(0, len(paths), MULTIGET_CHUNK):
            chunk = paths[start : start + MULTIGET_CHUNK]
            query = (
                cdav.CalendarMultiGet()
                + (dav.Prop() + [dav.GetEtag(), cdav.CalendarData()])
                + [dav.Href(value=quote(p)) for p in chunk]
            )
            answer = self._report(calendar_id, query, "reading events")
            with dav_errors("reading events"):
                found = answer.expand_simple_props([dav.GetEtag(), cdav.CalendarData()])
            for href, props in found.items():
                data = props.get(cdav.CalendarData.tag)
                if data and "404" not in (answer.statuses.get(href) or ""):
                    yield _path(urljoin(calendar_id, href)), props.get(dav.GetEtag.tag) or "", data.encode()

    def _read(self, calendar_id: str, body: bytes) -> tuple[str, list[CalendarEvent]]:
        uid, organised = _uid(body)
        start, end = self.window
        try:
            read = read_calendar(
                body, source_id=calendar_id, emails=self.me(), start=start, end=end, tz=self.tz
            )
        except SourceError:
            return uid, []  # one unreadable resource never stops the rest
        # An event in the person's own calendar with no ORGANIZER and no ATTENDEE is their own
        # (what a calendar app makes when they add something): they organised it.
        return uid, [
            replace(e, organizer_self=True) if not organised and not e.attendees else e for e in read.events
        ]

    # -- blocks -------------------------------------------------------------------------------

    def block_url(self, calendar_id: str, uid: str) -> str:
        return urljoin(calendar_id if calendar_id.endswith("/") else calendar_id + "/", f"{uid}.ics")

    def put_block(self, calendar_id: str, block: Block, version: str | None) -> WriteResult:
        url = self.block_url(calendar_id, block.uid)
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        headers["If-Match" if version else "If-None-Match"] = version or "*"
        body = block_calendar(block, datetime.now().astimezone()).decode()
        with dav_errors("writing a block"):
            answer = self._client(url).put(url, body, headers)
        if answer.status in (200, 201, 204):
            return WriteResult(WriteOutcome.WRITTEN, answer.headers.get("etag") or self._etag_of(url))
        if answer.status == 412:
            return self._conflict(calendar_id, url)
        if answer.status in (404, 410):
            if not self._exists(calendar_id):
                raise CalendarGoneError(f"the calendar {calendar_id} is gone")
            return WriteResult(WriteOutcome.GONE)
        raise ProviderError(f"the CalDAV server answered HTTP {answer.status} to writing a block")

    def delete_block(self, calendar_id: str, uid: str, version: str | None) -> WriteResult:
        url = self.block_url(calendar_id, uid)
        with dav_errors("deleting a block"):
            answer = self._client(url).request(url, "DELETE", "", {"If-Match": version} if version else {})
        if answer.status in (200, 204):
            return WriteResult(WriteOutcome.WRITTEN)
        if answer.status in (404, 410):
            return WriteResult(WriteOutcome.GONE)
        if answer.status == 412:
            return self._conflict(calendar_id, url)
        raise ProviderError(f"the CalDAV server answered HTTP {answer.status} to deleting a block")

    def _conflict(self, calendar_id: str, url: str) -> WriteResult:
        """Somebody changed the block since we read it: answer what the server holds now."""
        with dav_errors("reading a block again"):
            answer = self._client(url).request(url, "GET")
        if answer.status in (404, 410):
            return WriteResult(WriteOutcome.GONE)
        body = answer.raw.encode() if answer.status == 200 else b""
        _uid_found, events = self._read(calendar_id, body) if body else ("", [])
        return WriteResult(WriteOutcome.CONFLICT, answer.headers.get("etag"), events[0] if events else None)

    def _etag_of(self, url: str) -> str | None:
        with dav_errors("asking for a block's ETag"):
            answer = self._client(url).propfind(url, dav_xml.propfind(dav.GetEtag()), depth=0)
            found = answer.expand_simple_props([dav.GetEtag()]) if answer.status == 207 else {}
        return next((p.get(dav.GetEtag.tag) for p in found.values() if p.get(dav.GetEtag.tag)), None)

    def _exists(self, calendar_id: str) -> bool:
        try:
            client = self._client(calendar_id)
            answer = client.propfind(calendar_id, dav_xml.propfind(dav.ResourceType()), depth=0)
        except dav_error.DAVError:
            return False
        return bool(answer.status == 207)

    # -- free time ----------------------------------------------------------------------------

    def busy(self, calendar_ids: Sequence[str], start: datetime, end: datetime) -> list[BusyInterval]:
        """A free-busy-query (RFC 4791 §7.10) per calendar; where it is not answered, the events."""
        found: list[BusyInterval] = []
        for calendar_id in calendar_ids:
            try:
                periods = _free_busy(self._calendar(calendar_id).freebusy_request(start, end).data or "")
            except dav_error.DAVError:
                periods = None  # not answered (501, 403 …): the events say it
            if periods is None:
                periods = self._busy_from_events(calendar_id, start, end)
            found.extend(periods)
        return sorted(found, key=lambda b: (b.start, b.end))

    def _busy_from_events(self, calendar_id: str, start: datetime, end: datetime) -> list[BusyInterval]:
        """The events the server finds in the range (a calendar-query with a time-range,
        RFC 4791 §9.9: repeating events whose instances fall in it included), read as the pull
        reads them."""
        calendar = self._calendar(calendar_id)
        query, _kind = calendar.build_search_xml_query(  # type: ignore[no-untyped-call]  # caldav 1.x
            event=True, start=start, end=end
        )
        answer = self._report(calendar_id, query, "listing events in a time range")
        with dav_errors("listing events in a time range"):
            found = answer.expand_simple_props([cdav.CalendarData()])
        busy = []
        for props in found.values():
            body = props.get(cdav.CalendarData.tag)
            for event in self._read(calendar_id, body.encode())[1] if body else []:
                if event.cancelled or event.start is None or event.end is None:
                    continue
                if event.end > start and event.start < end:
                    busy.append(BusyInterval(event.start, event.end))
        return busy

    def freshness(self) -> Freshness:
        return Freshness(push=False, poll_seconds=POLL_SECONDS)


def _path(url: str) -> str:
    """Hrefs come back as paths or full URLs, quoted or not; all name one resource by its path."""
    return unquote(urlsplit(url).path)


def _uid(body: bytes) -> tuple[str, bool]:
    """The resource's UID, and whether any of its events names an ORGANIZER."""
    try:
        calendar = Calendar.from_ical(body)
    except ValueError:
        return "", True
    events = calendar.walk("VEVENT")
    uid = str(events[0].get("UID", "")) if events else ""
    return uid, any(e.get("ORGANIZER") is not None for e in events)


def _free_busy(data: str) -> list[BusyInterval] | None:
    """The busy periods of a free-busy answer; None where it is not iCalendar (then the events)."""
    try:
        calendar = Calendar.from_ical(data)
    except ValueError:
        return None
    found = []
    for component in calendar.walk("VFREEBUSY"):
        values = component.get("FREEBUSY")
        for value in values if isinstance(values, list) else [values] if values is not None else []:
            if str(getattr(value, "params", {}).get("FBTYPE", "BUSY")).upper() == "FREE":
                continue
            for period in (
                getattr(value, "dt", []) if isinstance(getattr(value, "dt", None), list) else [value.dt]
            ):
                begin, finish = period
                if not isinstance(finish, datetime):
                    finish = begin + finish
                found.append(BusyInterval(begin, finish))
    return found
