"""The person's own calendar app, as the tests drive it: plain WebDAV (httpx) and `icalendar`, so
what it sends is exactly what a test says, with no library deciding for it.

It creates events with attendees and replies, recurring events with EXDATE and an overridden
instance, cancels, moves or deletes netgoals' blocks, edits one behind netgoals' back (so that
netgoals' next conditional write meets a 412), and works in any IANA zone.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import icalendar

from tests.caldav.servers import Server

DAV, CALDAV = "DAV:", "urn:ietf:params:xml:ns:caldav"
NS = {"d": DAV, "c": CALDAV}


@dataclass(frozen=True)
class Attendee:
    email: str
    partstat: str = "NEEDS-ACTION"  # ACCEPTED, DECLINED, TENTATIVE, NEEDS-ACTION


@dataclass(frozen=True)
class Stored:
    """One calendar object as the server holds it."""

    href: str
    etag: str
    calendar: icalendar.Calendar

    @property
    def uid(self) -> str:
        return str(self.master["UID"])

    @property
    def master(self) -> icalendar.Event:
        """The series (or single event): the VEVENT without a RECURRENCE-ID."""
        return next(e for e in self.events if "RECURRENCE-ID" not in e)

    @property
    def events(self) -> list[icalendar.Event]:
        return [e for e in self.calendar.walk("VEVENT") if isinstance(e, icalendar.Event)]

    def partstat(self, email: str) -> str:
        """The reply of attendee `email` on the series ("" when not invited)."""
        found = self.master.get("ATTENDEE", [])
        for attendee in found if isinstance(found, list) else [found]:
            if str(attendee).lower() == f"mailto:{email}".lower():
                return str(attendee.params.get("PARTSTAT", ""))
        return ""

    def exdates(self) -> list[datetime]:
        found = self.master.get("EXDATE", [])
        return [d.dt for group in (found if isinstance(found, list) else [found]) for d in group.dts]


class PreconditionFailedError(AssertionError):
    """The server answered 412: somebody changed the object since its ETag was read."""


def event(
    summary: str,
    start: datetime,
    end: datetime | None = None,
    *,
    uid: str | None = None,
    organizer: str | None = None,
    attendees: Sequence[Attendee] = (),
    status: str | None = None,
    rrule: dict[str, Any] | None = None,
    exdates: Iterable[datetime] = (),
) -> icalendar.Event:
    """A VEVENT with a TZID-bearing start (the zone of `start`'s tzinfo) and its end."""
    item = icalendar.Event()
    item.add("uid", uid or f"{uuid.uuid4()}@user.example")
    item.add("dtstamp", datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")))
    item.add("summary", summary)
    item.add("dtstart", start)
    item.add("dtend", end or start + timedelta(hours=1))
    if organizer:
        item.add("organizer", f"mailto:{organizer}")
    for person in attendees:
        item.add("attendee", f"mailto:{person.email}", parameters={"PARTSTAT": person.partstat})
    if status:
        item.add("status", status)
    if rrule:
        item.add("rrule", rrule)
    for excluded in exdates:
        item.add("exdate", excluded)
    return item


def calendar_of(*events: icalendar.Event) -> icalendar.Calendar:
    """A VCALENDAR with the events and a VTIMEZONE for each zone they use (as real clients send)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//netgoals-tests//user client//EN")
    calendar.add("version", "2.0")
    for item in events:
        calendar.add_component(item)
    calendar.add_missing_timezones()
    return calendar


class UserClient:
    """One person's client on one calendar collection."""

    def __init__(self, server: Server, http: httpx.Client) -> None:
        self.server = server
        self.http = http
        self.calendar_url = ""

    @classmethod
    def for_server(cls, server: Server) -> UserClient:
        http = httpx.Client(auth=(server.username, server.password), verify=server.verify, timeout=30)
        return cls(server, http)

    def close(self) -> None:
        self.http.close()

    # --- collections ---------------------------------------------------------------------------

    def make_calendar(self, name: str, display_name: str | None = None) -> str:
        """MKCALENDAR under the calendar home; this client then works in it. Answers its URL."""
        url = f"{self.server.home_url}{name}/"
        body = (
            f'<?xml version="1.0" encoding="utf-8"?><c:mkcalendar xmlns:d="{DAV}" xmlns:c="{CALDAV}">'
            f"<d:set><d:prop><d:displayname>{display_name or name}</d:displayname>"
            '<c:supported-calendar-component-set><c:comp name="VEVENT"/></c:supported-calendar-component-set>'
            "</d:prop></d:set></c:mkcalendar>"
        )
        answer = self.http.request("MKCALENDAR", url, content=body, headers=_xml())
        assert answer.status_code == 201, f"MKCALENDAR {url}: {answer.status_code} {answer.text[:300]}"
        self.calendar_url = url
        return url

    def use(self, calendar_url: str) -> UserClient:
        """Another client of the same person on another calendar (netgoals' own, say)."""
        other = UserClient(self.server, self.http)
        other.calendar_url = calendar_url
        return other

    def calendars(self) -> dict[str, str]:
        """The calendar collections in the home: URL → display name."""
        answer = self.http.request(
            "PROPFIND",
            self.server.home_url,
            headers={**_xml(), "Depth": "1"},
            content=f'<d:propfind xmlns:d="{DAV}"><d:prop><d:resourcetype/><d:displayname/></d:prop>'
            "</d:propfind>",
        )
        assert answer.status_code == 207, answer.text[:300]
        found: dict[str, str] = {}
        for response in ET.fromstring(answer.content).findall("d:response", NS):
            if response.find(".//c:calendar", NS) is None:
                continue
            href = response.findtext("d:href", "", NS)
            found[self._absolute(href)] = response.findtext(".//d:displayname", "", NS)
        return found

    # --- objects -------------------------------------------------------------------------------

    def href_of(self, uid: str) -> str:
        return f"{self.calendar_url}{uuid.uuid5(uuid.NAMESPACE_URL, uid).hex}.ics"

    def put(
        self,
        calendar: icalendar.Calendar,
        *,
        href: str | None = None,
        if_match: str | None = None,
        create_only: bool = False,
    ) -> Stored:
        """PUT an object; with `if_match` only if unchanged (else PreconditionFailedError)."""
        uid = str(next(iter(calendar.walk("VEVENT")))["UID"])
        url = href or self.href_of(uid)
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        if if_match:
            headers["If-Match"] = if_match
        if create_only:
            headers["If-None-Match"] = "*"
        answer = self.http.put(url, content=calendar.to_ical(), headers=headers)
        if answer.status_code == 412:
            raise PreconditionFailedError(f"PUT {url}: 412")
        assert answer.status_code in (200, 201, 204), f"PUT {url}: {answer.status_code} {answer.text[:300]}"
        return self.get_href(url)

    def add(self, *events: icalendar.Event) -> Stored:
        """A new object holding these VEVENTs (a series and its overrides share one object)."""
        return self.put(calendar_of(*events), create_only=True)

    def get_href(self, url: str) -> Stored:
        answer = self.http.get(url)
        assert answer.status_code == 200, f"GET {url}: {answer.status_code}"
        return Stored(url, answer.headers["etag"], icalendar.Calendar.from_ical(answer.content))

    def objects(self) -> list[Stored]:
        """Every object in the calendar (a calendar-query for VEVENTs, calendar-data included)."""
        body = (
            f'<c:calendar-query xmlns:d="{DAV}" xmlns:c="{CALDAV}"><d:prop><d:getetag/><c:calendar-data/>'
            '</d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/>'
            "</c:comp-filter></c:filter></c:calendar-query>"
        )
        answer = self.http.request(
            "REPORT", self.calendar_url, content=body, headers={**_xml(), "Depth": "1"}
        )
        assert answer.status_code == 207, f"REPORT: {answer.status_code} {answer.text[:300]}"
        found = []
        for response in ET.fromstring(answer.content).findall("d:response", NS):
            data = response.findtext(".//c:calendar-data", None, NS)
            if data is None:
                continue
            found.append(
                Stored(
                    self._absolute(response.findtext("d:href", "", NS)),
                    response.findtext(".//d:getetag", "", NS),
                    icalendar.Calendar.from_ical(data),
                )
            )
        return found

    def find(self, uid: str) -> Stored | None:
        return next((o for o in self.objects() if o.uid == uid), None)

    def find_by_summary(self, text: str) -> list[Stored]:
        return [o for o in self.objects() if text in str(o.master.get("SUMMARY", ""))]

    def delete(self, stored: Stored, *, if_match: bool = True) -> None:
        headers = {"If-Match": stored.etag} if if_match else {}
        answer = self.http.delete(stored.href, headers=headers)
        if answer.status_code == 412:
            raise PreconditionFailedError(f"DELETE {stored.href}: 412")
        assert answer.status_code in (200, 204), f"DELETE {stored.href}: {answer.status_code}"

    # --- what a person does in their app -------------------------------------------------------

    def edit(self, stored: Stored, change: Any) -> Stored:
        """Apply `change(master_vevent)` and save with If-Match on the ETag that was read."""
        calendar = icalendar.Calendar.from_ical(stored.calendar.to_ical())
        change(next(e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" not in e))
        return self.put(calendar, href=stored.href, if_match=stored.etag)

    def move(self, stored: Stored, start: datetime, end: datetime | None = None) -> Stored:
        """Move an event (keeping its length unless `end` is given), as dragging it would."""
        master = stored.master
        length = master.decoded("DTEND") - master.decoded("DTSTART")

        def change(item: icalendar.Event) -> None:
            _replace(item, "DTSTART", start)
            _replace(item, "DTEND", end or start + length)
            _bump(item)

        return self.edit(stored, change)

    def rename(self, stored: Stored, summary: str) -> Stored:
        def change(item: icalendar.Event) -> None:
            _replace(item, "SUMMARY", summary)
            _bump(item)

        return self.edit(stored, change)

    def cancel(self, stored: Stored) -> Stored:
        def change(item: icalendar.Event) -> None:
            _replace(item, "STATUS", "CANCELLED")
            _bump(item)

        return self.edit(stored, change)

    def reply(self, stored: Stored, email: str, partstat: str) -> Stored:
        """Answer an invitation: set this attendee's PARTSTAT on the series."""

        def change(item: icalendar.Event) -> None:
            attendees = item.get("ATTENDEE", [])
            for attendee in attendees if isinstance(attendees, list) else [attendees]:
                if str(attendee).lower() == f"mailto:{email}".lower():
                    attendee.params["PARTSTAT"] = partstat
            _bump(item)

        return self.edit(stored, change)

    def recurring(
        self,
        summary: str,
        first: datetime,
        count: int,
        *,
        excluded: Sequence[int] = (),
        overridden: dict[int, timedelta] | None = None,
        organizer: str | None = None,
        attendees: Sequence[Attendee] = (),
        freq: str = "WEEKLY",
    ) -> Stored:
        """A series of `count` instances; the instances numbered in `excluded` are EXDATEs and each
        in `overridden` is moved by its timedelta (a VEVENT with RECURRENCE-ID in the same object)."""
        step = {"DAILY": timedelta(days=1), "WEEKLY": timedelta(weeks=1)}[freq]
        zone = first.tzinfo
        # Wall-clock steps in the event's zone: a series keeps its local time across a DST change.
        starts = [(first.replace(tzinfo=None) + step * n).replace(tzinfo=zone) for n in range(count)]
        master = event(
            summary,
            first,
            uid=f"{uuid.uuid4()}@user.example",
            organizer=organizer,
            attendees=attendees,
            rrule={"FREQ": freq, "COUNT": count},
            exdates=[starts[n] for n in excluded],
        )
        overrides = []
        for n, shift in (overridden or {}).items():
            moved = event(
                f"{summary} (moved)",
                starts[n] + shift,
                uid=str(master["UID"]),
                organizer=organizer,
                attendees=attendees,
            )
            moved.add("recurrence-id", starts[n])
            moved.add("sequence", 1)
            overrides.append(moved)
        return self.add(master, *overrides)

    # --- WebDAV sync (RFC 6578), for tests of the proxy and of the servers themselves ----------

    def sync_collection(self, token: str = "") -> tuple[int, str, list[str]]:
        """A sync-collection REPORT: (status, new token, hrefs changed or removed)."""
        body = (
            f'<d:sync-collection xmlns:d="{DAV}"><d:sync-token>{token}</d:sync-token>'
            "<d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"
        )
        answer = self.http.request("REPORT", self.calendar_url, content=body, headers=_xml())
        if answer.status_code != 207:
            return answer.status_code, "", []
        root = ET.fromstring(answer.content)
        hrefs = [self._absolute(r.findtext("d:href", "", NS)) for r in root.findall("d:response", NS)]
        return 207, root.findtext("d:sync-token", "", NS), hrefs

    def _absolute(self, href: str) -> str:
        return href if href.startswith("http") else self.server.base_url.rstrip("/") + href


def _xml() -> dict[str, str]:
    return {"Content-Type": "application/xml; charset=utf-8"}


def _replace(item: icalendar.Event, name: str, value: Any) -> None:
    item.pop(name, None)
    item.add(name.lower(), value)


def _bump(item: icalendar.Event) -> None:
    """A client raises SEQUENCE on a significant change (RFC 5545 §3.8.7.4)."""
    _replace(item, "SEQUENCE", int(item.get("SEQUENCE", 0)) + 1)


def local(
    year: int, month: int, day: int, hour: int, minute: int = 0, zone: str = "Europe/Berlin"
) -> datetime:
    """A wall-clock time in an IANA zone (the way a person enters it)."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))
