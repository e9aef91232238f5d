"""Deciding what a source's events count for (pure rules from `domain/`), into a `Work` that the
sync commits in one transaction: new and retracted actions, and the occurrences that remember
what each event counted (by UID and instance start, or by content fingerprint)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.calendars import crediting
from domain.calendars.attendance import (
    ATTENDED,
    UPCOMING,
    CalendarEvent,
    contacts_present,
    matching_kinds,
    rules_for,
)
from domain.calendars.ical_attendance import fingerprint, occurrence_key, source_attendance
from domain.decisions.profile import Profile
from domain.event_types.events import NewEvent
from domain.people.meetings import going
from integrations.storage import ical_store as store
from integrations.storage.database import read_transaction
from service.app import App

_NAMESPACE = uuid5(NAMESPACE_URL, "https://netgoals.invalid/ical-source")
IDS = crediting.IdScheme(_NAMESPACE, "ical/")


def derived_id(text: str) -> UUID:
    """Ids of what a source derived: the same event, kind and generation give the same id."""
    return uuid5(_NAMESPACE, text)


@dataclass(slots=True)
class Work:
    """What one read of one source decided, committed together at the end."""

    user_id: str
    now: datetime
    events: list[NewEvent] = field(default_factory=list)
    touched: dict[str, store.SourceOccurrence] = field(default_factory=dict)


def derive(
    app: App, work: Work, record: store.SourceRecord, profile: Profile, instances: list[CalendarEvent]
) -> None:
    rules = rules_for(profile.goals.values(), profile.contacts)
    with read_transaction(app.engine) as connection:
        known = store.known(connection, record.source_id)
    by_key = {o.key: o for o in known}
    by_print = {o.fingerprint: o for o in known}
    for event in instances:
        key, mark = occurrence_key(event), fingerprint(event)
        occurrence = work.touched.get(key) or by_key.get(key)
        if occurrence is None:  # an invented UID: the same summary, start and place is the same event
            occurrence = by_print.get(mark)
            if occurrence is not None and occurrence.key in work.touched:
                occurrence = None  # two instances alike in one read are two events
        kinds = matching_kinds(event, rules)
        contact_ids = contacts_present(event, profile.contacts)
        if not kinds and occurrence is None and not contact_ids:
            continue  # kept too when it counts for nothing: a meeting with people known gets a brief
        state = source_attendance(event, work.now, record.trust_all)
        if occurrence is None:
            occurrence = store.SourceOccurrence(key, mark, None, {}, {}, stored=False)
        at = event.start.isoformat() if event.start else None
        facts = {
            "kinds": kinds,
            "at": at,
            "end": event.end.isoformat() if event.end else None,
            "title": event.summary[:200],
            "contact_ids": contact_ids,
            "attendees": [[a.email, a.name] for a in event.others() if a.response != "declined"],
            "going": going(event),
        }
        wanted = {k: at for k in kinds} if state == ATTENDED and at else {}
        reason = "cancelled in the calendar" if event.cancelled else "no longer attended in the calendar"
        credit(work, occurrence, facts, wanted, reason)
        occurrence.fingerprint = mark
        occurrence.due_at = event.end.timestamp() if state == UPCOMING and kinds and event.end else None
        work.touched[occurrence.key] = occurrence


def credit(
    work: Work,
    occurrence: store.SourceOccurrence,
    facts: dict[str, Any],
    wanted: dict[str, str],
    reason: str,
) -> None:
    """Move an occurrence from what it counted to what it should count now: the one crediting rule
    (`domain.calendars.crediting`, invariant 14). Its action ids are keyed by user and event, not by source:
    the same event read from two calendars (or from a calendar removed and added again) is one."""
    done = crediting.credit(
        work.user_id,
        occurrence.key,
        occurrence.counted,
        int(occurrence.facts.get("generation", 0)),
        {**facts, "own": None},
        wanted,
        reason=reason,
        at=work.now,
        source="ical",
        ids=IDS,
    )
    work.events.extend(done.events)
    occurrence.counted = done.counted
    occurrence.facts = {**facts, "generation": done.generation}


def settle_due(app: App, work: Work, record: store.SourceRecord) -> None:
    """Accepted events that were still to come at the last full read and have ended since."""
    with read_transaction(app.engine) as connection:
        due = store.due(connection, record.source_id, work.now.timestamp())
    for occurrence in due:
        facts = occurrence.facts
        wanted = {k: facts["at"] for k in facts.get("kinds", [])} if facts.get("at") else {}
        credit(work, occurrence, facts, wanted, "")
        occurrence.due_at = None
        work.touched[occurrence.key] = occurrence
