"""The person's Google Calendar app on the Google fake, with the `UserClient` methods the port
contract uses: what it shows comes back as `Stored` (a VEVENT made from Google's JSON), and what the
person does goes through the fake's control API, as Google's own app would change the event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import icalendar

from tests.caldav.applicability import not_applicable
from tests.caldav.user_client import Stored, calendar_of
from tests.fakes.google_calendar import GoogleCalendarFake

_RESPONSES = {"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "tentative"}
_PARTSTATS = {v: k for k, v in _RESPONSES.items()} | {"needsAction": "NEEDS-ACTION"}
NO_SERIES = "the person's Google client here writes no series (the fake cannot move one instance of one)"


class GoogleUser:
    def __init__(self, fake: GoogleCalendarFake, email: str, calendar_id: str) -> None:
        self.fake, self.email, self.calendar_url = fake, email, calendar_id

    def close(self) -> None:
        """Nothing to close: the fake belongs to its fixture."""

    def objects(self) -> list[Stored]:
        shown = self.fake.list_events(self.email, calendar_id=self.calendar_url)
        return [_stored(e) for e in shown if e.get("status") != "cancelled"]

    def find(self, uid: str) -> Stored | None:
        return next((o for o in self.objects() if o.uid == uid), None)

    def add(self, *events: icalendar.Event) -> Stored:
        if len(events) > 1:
            not_applicable("google", NO_SERIES)
        created = self.fake.add_event(self.email, _google(events[0]), calendar_id=self.calendar_url)
        return _stored(created)

    def recurring(self, *_args: Any, **_kwargs: Any) -> Stored:
        not_applicable("google", NO_SERIES)

    def move(self, stored: Stored, start: datetime, end: datetime | None = None) -> Stored:
        moved = self.fake.move_event(
            self.email, stored.href, start=start, end=end, calendar_id=self.calendar_url
        )
        return _stored(moved)

    def rename(self, stored: Stored, summary: str) -> Stored:
        changed = self.fake.update_event(
            self.email, stored.href, {"summary": summary}, calendar_id=self.calendar_url
        )
        return _stored(changed)

    def cancel(self, stored: Stored) -> Stored:
        return _stored(self.fake.cancel_event(self.email, stored.href, calendar_id=self.calendar_url))

    def delete(self, stored: Stored, *, if_match: bool = True) -> None:
        self.fake.delete_event(self.email, stored.href, calendar_id=self.calendar_url)

    def reply(self, stored: Stored, email: str, partstat: str) -> Stored:
        assert email == self.email, "the person answers for themselves"
        changed = self.fake.set_response_status(
            self.email, stored.href, _RESPONSES[partstat], calendar_id=self.calendar_url
        )
        return _stored(changed)


def _google(item: icalendar.Event) -> dict[str, Any]:
    """A VEVENT as Google's event JSON (times with their IANA zone)."""
    start, end = item.decoded("DTSTART"), item.decoded("DTEND")
    body: dict[str, Any] = {
        "summary": str(item["SUMMARY"]),
        "start": {"dateTime": start.isoformat(), "timeZone": str(start.tzinfo)},
        "end": {"dateTime": end.isoformat(), "timeZone": str(end.tzinfo)},
    }
    if "ORGANIZER" in item:
        body["organizer"] = {"email": str(item["ORGANIZER"]).removeprefix("mailto:")}
    found = item.get("ATTENDEE", [])
    attendees = found if isinstance(found, list) else [found]
    if attendees:
        body["attendees"] = [
            {
                "email": str(a).removeprefix("mailto:"),
                "responseStatus": _RESPONSES.get(str(a.params.get("PARTSTAT", "")), "needsAction"),
            }
            for a in attendees
        ]
    if "STATUS" in item:
        body["status"] = str(item["STATUS"]).lower()
    if "RRULE" in item:
        body["recurrence"] = [
            line for line in item.to_ical().decode().splitlines() if line.startswith("RRULE:")
        ]
    return body


def _stored(shown: dict[str, Any]) -> Stored:
    item = icalendar.Event()
    item.add("uid", shown["id"])
    item.add("summary", shown.get("summary", ""))
    item.add("dtstart", datetime.fromisoformat(shown["start"]["dateTime"]))
    item.add("dtend", datetime.fromisoformat(shown["end"]["dateTime"]))
    item.add("status", str(shown.get("status", "confirmed")).upper())
    for attendee in shown.get("attendees", []):
        partstat = _PARTSTATS.get(attendee.get("responseStatus", "needsAction"), "NEEDS-ACTION")
        item.add("attendee", f"mailto:{attendee['email']}", parameters={"PARTSTAT": partstat})
    return Stored(shown["id"], shown.get("etag", ""), calendar_of(item))
