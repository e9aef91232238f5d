"""Meetings from every calendar the person connected, for briefs and after-meeting nudges (issue 28).

One reader per occurrence table (Google, CalDAV, iCal sources), in a small registry: a calendar kind
that keeps its own occurrences adds its reader with `register`. Each reader turns the rows it keeps
for a user into `domain.people.meetings.Meeting`s; the rows' `facts` hold the event's start, end, title,
known contacts, other attendees and whether the person is going (older rows without them read as
best they can).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select

from domain.people.meetings import Meeting
from integrations.storage.caldav_store.tables import caldav_occurrences
from integrations.storage.calendar_store.tables import google_occurrences
from integrations.storage.ical_store.tables import ical_occurrences, ical_sources

MeetingReader = Callable[[Connection, str], list[Meeting]]
_READERS: dict[str, MeetingReader] = {}


def register(source: str, reader: MeetingReader) -> None:
    """Add (or replace) the reader of one calendar kind's occurrences."""
    _READERS[source] = reader


def meetings(connection: Connection, user_id: str) -> list[Meeting]:
    """Every meeting the person's calendars hold, from every registered reader."""
    found: dict[str, Meeting] = {}
    for source in sorted(_READERS):
        for meeting in _READERS[source](connection, user_id):
            found.setdefault(meeting.meeting_id, meeting)
    return sorted(found.values(), key=lambda m: (m.start, m.meeting_id))


def meeting_id(source: str, key: str) -> str:
    """A short id that stays the same for the same occurrence (what a person types)."""
    return hashlib.sha256(f"{source}/{key}".encode()).hexdigest()[:12]


def from_facts(source: str, key: str, facts: Mapping[str, Any]) -> Meeting | None:
    """A meeting from an occurrence's facts; None for one without a start or anyone in it."""
    at = facts.get("at")
    if not isinstance(at, str):
        return None
    start = datetime.fromisoformat(at)
    if start.tzinfo is None:
        return None
    end = datetime.fromisoformat(facts["end"]) if isinstance(facts.get("end"), str) else None
    contacts = tuple(str(c) for c in facts.get("contact_ids") or ())
    attendees = tuple(
        (a[0], a[1] if len(a) > 1 and isinstance(a[1], str) else None)
        for a in facts.get("attendees") or ()
        if a and isinstance(a[0], str)
    )
    if not contacts and not attendees:
        return None
    going = facts.get("going")
    if going is None:  # rows written before "going" was kept: counted or attended means going
        going = bool(facts.get("attended", True))
    return Meeting(
        meeting_id(source, key),
        source,
        str(facts.get("title") or ""),
        start,
        end,
        contacts,
        attendees,
        bool(going),
        tuple(str(k) for k in facts.get("kinds") or ()),
    )


# Each read for every next list and digest: built once (issue 26).
_GOOGLE = select(google_occurrences.c.key, google_occurrences.c.facts).where(
    google_occurrences.c.user_id == bindparam("user_id")
)
_ICAL = (
    select(ical_occurrences.c.source_id, ical_occurrences.c.key, ical_occurrences.c.facts)
    .join(ical_sources, ical_sources.c.source_id == ical_occurrences.c.source_id)
    .where(ical_sources.c.user_id == bindparam("user_id"))
)
_CALDAV = select(caldav_occurrences.c.key, caldav_occurrences.c.facts).where(
    caldav_occurrences.c.user_id == bindparam("user_id")
)


def _google(connection: Connection, user_id: str) -> list[Meeting]:
    rows = connection.execute(_GOOGLE, {"user_id": user_id})
    found = (from_facts("google", key, json.loads(facts)) for key, facts in rows)
    return [m for m in found if m is not None]


def _ical(connection: Connection, user_id: str) -> list[Meeting]:
    rows = connection.execute(_ICAL, {"user_id": user_id})
    found = (from_facts("ical", f"{source}/{key}", json.loads(facts)) for source, key, facts in rows)
    return [m for m in found if m is not None]


def _caldav(connection: Connection, user_id: str) -> list[Meeting]:
    rows = connection.execute(_CALDAV, {"user_id": user_id})
    found = (from_facts("caldav", key, json.loads(facts)) for key, facts in rows)
    return [m for m in found if m is not None]


register("caldav", _caldav)
register("google", _google)
register("ical", _ical)
