"""Attendance for events read from an iCalendar source: the same idea as Google's
(`domain.calendars.attendance`), in iCalendar's words. An instance counts when it has ended, is not
cancelled, and the person's own ATTENDEE says PARTSTAT=ACCEPTED — or they are its ORGANIZER (and
did not decline as an attendee) of an event whose STATUS is not TENTATIVE (their own "maybe" is a
placeholder, not a plan) — or the source is trusted: any past event in it counts. Which goals
it counts for is `domain.calendars.attendance`'s rule, unchanged.

Feeds such as Meetup's invent a new UID on every fetch, so an instance also has a content
fingerprint (summary, start, location) that finds it again.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from domain.calendars.attendance import ATTENDED, NOT_ATTENDED, UPCOMING, CalendarEvent


def source_attendance(event: CalendarEvent, now: datetime, trust_all: bool = False) -> str:
    """ATTENDED, UPCOMING (would count once it has ended) or NOT_ATTENDED."""
    if event.cancelled or event.start is None or event.end is None:
        return NOT_ATTENDED
    me = next((a for a in event.attendees if a.is_self), None)
    if trust_all:
        going = me is None or me.response != "declined"
    elif me is not None and me.response == "accepted":
        going = True
    else:
        going = (
            event.organizer_self and event.status != "tentative" and (me is None or me.response != "declined")
        )
    if not going:
        return NOT_ATTENDED
    return ATTENDED if event.end <= now else UPCOMING


def fingerprint(event: CalendarEvent) -> str:
    """The same event however its UID was made up: what it is called, when and where."""
    start = event.start.astimezone(UTC).isoformat() if event.start else ""
    text = "\x1f".join(
        (" ".join(event.summary.lower().split()), start, " ".join(event.location.lower().split()))
    )
    return hashlib.sha256(text.encode()).hexdigest()


def occurrence_key(event: CalendarEvent) -> str:
    """UID and instance start (RECURRENCE-ID for an instance of a series); without a UID, the
    fingerprint is all there is."""
    if not event.event_id:
        return f"fp/{fingerprint(event)}"
    return f"{event.event_id}/{event.original_start}"[:600]
