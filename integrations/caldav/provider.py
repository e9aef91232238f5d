"""CalDAV behind the calendar port (`domain.calendar_port`).

Changes: a WebDAV sync-token (RFC 6578) where the server has one; where it has none, or refuses
the one kept (403/409 valid-sync-token, a 400 from a pruned token), the ETags of every event are
listed and compared with the ones kept (a ctag that has not moved skips even that). Either way
the state kept maps each resource to its ETag and UID, so a resource that vanished names the event
that is gone. Instances are read with `integrations.ical.source_reader` (recurring-ical-events,
x-wr-timezone, repairs), the reader iCal sources use.

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
from urllib.parse import urljoin, urlsplit

from icalendar import Calendar

from domain.attendance import CalendarEvent
from domain.calendar_port import (
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
from integrations.caldav.session import Answer, Session
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

    def _home(self) -> Home:
        if self.home is None:
            self.home = find_home(self.session, self.url)
        return self.home

    def connect(self) -> Connected:
        home = self._home()
        calendars = tuple(c for c in list_calendars(self.session, home.home) if c.events)
        options = self.session.request("OPTIONS", home.home)
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
        url = urljoin(home.home, f"{slug}/")  # the same name, the same place: a retry finds it
        answer = self.session.request("MKCALENDAR", url, dav_xml.mkcalendar(name))
        if answer.status in (200, 201):
            return url
        if answer.status in (403, 405, 409, 415, 501):
            # Already there (an earlier try whose answer was lost answers 405 or 409), or refused.
            listed = list_calendars(self.session, home.home)
            return url if any(c.calendar_id == url for c in listed) else None
        raise ProviderError(f"the CalDAV server answered HTTP {answer.status} to creating a calendar")

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
            fresh.token, fresh.ctag = props.text("d:sync-token"), props.text("cs:getctag")
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

    def _sync_collection(
        self, calendar_id: str, token: str
    ) -> tuple[dict[str, str], list[str], str | None] | None:
        answer = self.session.request("REPORT", calendar_id, dav_xml.sync_collection(token), depth="0")
        if answer.status == 404:
            raise CalendarGoneError(f"the calendar {calendar_id} is gone")
        if answer.status in _TOKEN_REFUSED or answer.status != 207:
            return None  # the token is not accepted (any more): compare ETags instead
        found = dav_xml.read_multistatus(answer.body)
        changed: dict[str, str] = {}
        removed: list[str] = []
        for item in found.items:
            path = _path(answer, item.href)
            if path == _path(answer, calendar_id):
                continue
            if item.status == 404:
                removed.append(path)
            elif etag := item.text("d:getetag"):
                changed[path] = etag
        return changed, removed, found.sync_token

    def _collection_props(self, calendar_id: str) -> dav_xml.Item:
        answer = self.session.request(
            "PROPFIND", calendar_id, dav_xml.propfind("d:sync-token", "cs:getctag"), depth="0"
        )
        if answer.status == 404:
            raise CalendarGoneError(f"the calendar {calendar_id} is gone")
        if answer.status != 207:
            raise ProviderError(f"the calendar {calendar_id} answered HTTP {answer.status}")
        items = dav_xml.read_multistatus(answer.body).items
        return items[0] if items else dav_xml.Item(calendar_id)

    def _etags(self, calendar_id: str) -> dict[str, str]:
        answer = self.session.request("REPORT", calendar_id, dav_xml.event_etags(), depth="1")
        if answer.status != 207:
            raise ProviderError(f"the calendar {calendar_id} answered HTTP {answer.status} to listing events")
        own = _path(answer, calendar_id)
        return {
            _path(answer, i.href): i.text("d:getetag") or ""
            for i in dav_xml.read_multistatus(answer.body).items
            if i.status == 200 and _path(answer, i.href) != own
        }

    def _fetch(self, calendar_id: str, paths: list[str]) -> Iterable[tuple[str, str, bytes]]:
        for start in range(0, len(paths), MULTIGET_CHUNK):
            chunk = paths[start : start + MULTIGET_CHUNK]
            answer = self.session.request("REPORT", calendar_id, dav_xml.multiget(chunk), depth="1")
            if answer.status != 207:
                raise ProviderError(
                    f"the calendar {calendar_id} answered HTTP {answer.status} to reading events"
                )
            for item in dav_xml.read_multistatus(answer.body).items:
                data = item.text("c:calendar-data")
                if item.status == 200 and data:
                    yield _path(answer, item.href), item.text("d:getetag") or "", data.encode()

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
        answer = self.session.request("PUT", url, block_calendar(block, datetime.now().astimezone()), headers)
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
        answer = self.session.request("DELETE", url, headers={"If-Match": version} if version else None)
        if answer.status in (200, 204):
            return WriteResult(WriteOutcome.WRITTEN)
        if answer.status in (404, 410):
            return WriteResult(WriteOutcome.GONE)
        if answer.status == 412:
            return self._conflict(calendar_id, url)
        raise ProviderError(f"the CalDAV server answered HTTP {answer.status} to deleting a block")

    def _conflict(self, calendar_id: str, url: str) -> WriteResult:
        """Somebody changed the block since we read it: answer what the server holds now."""
        answer = self.session.request("GET", url)
        if answer.status in (404, 410):
            return WriteResult(WriteOutcome.GONE)
        _uid_found, events = self._read(calendar_id, answer.body) if answer.status == 200 else ("", [])
        return WriteResult(WriteOutcome.CONFLICT, answer.headers.get("etag"), events[0] if events else None)

    def _etag_of(self, url: str) -> str | None:
        answer = self.session.request("PROPFIND", url, dav_xml.propfind("d:getetag"), depth="0")
        items = dav_xml.read_multistatus(answer.body).items if answer.status == 207 else []
        return items[0].text("d:getetag") if items else None

    def _exists(self, calendar_id: str) -> bool:
        answer = self.session.request("PROPFIND", calendar_id, dav_xml.propfind("d:resourcetype"), depth="0")
        return answer.status == 207

    # -- free time ----------------------------------------------------------------------------

    def busy(self, calendar_ids: Sequence[str], start: datetime, end: datetime) -> list[BusyInterval]:
        """A free-busy-query (RFC 4791 §7.10) per calendar; where it is not answered, the events."""
        found: list[BusyInterval] = []
        for calendar_id in calendar_ids:
            answer = self.session.request("REPORT", calendar_id, dav_xml.free_busy(start, end), depth="1")
            periods = _free_busy(answer) if answer.status == 200 else None
            if periods is None:
                periods = self._busy_from_events(calendar_id, start, end)
            found.extend(periods)
        return sorted(found, key=lambda b: (b.start, b.end))

    def _busy_from_events(self, calendar_id: str, start: datetime, end: datetime) -> list[BusyInterval]:
        current = self._etags(calendar_id)
        busy = []
        for _path_found, _etag, body in self._fetch(calendar_id, list(current)):
            for event in self._read(calendar_id, body)[1]:
                if event.cancelled or event.start is None or event.end is None:
                    continue
                if event.end > start and event.start < end:
                    busy.append(BusyInterval(event.start, event.end))
        return busy

    def freshness(self) -> Freshness:
        return Freshness(push=False, poll_seconds=POLL_SECONDS)


def _path(answer: Answer, href: str) -> str:
    """Hrefs come back as paths or full URLs; both name one resource by its path."""
    return urlsplit(urljoin(answer.url, href)).path


def _uid(body: bytes) -> tuple[str, bool]:
    """The resource's UID, and whether any of its events names an ORGANIZER."""
    try:
        calendar = Calendar.from_ical(body)
    except ValueError:
        return "", True
    events = calendar.walk("VEVENT")
    uid = str(events[0].get("UID", "")) if events else ""
    return uid, any(e.get("ORGANIZER") is not None for e in events)


def _free_busy(answer: Answer) -> list[BusyInterval] | None:
    if "calendar" not in answer.headers.get("content-type", "text/calendar").lower():
        return None
    try:
        calendar = Calendar.from_ical(answer.body)
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
