"""Pull one CalDAV calendar (invariant 6): ask the provider what changed since the kept sync
state, derive done / retracted / skipped / rescheduled facts, then append them and store the new
state in ONE transaction, compare-and-set on the state's version.

- Attendance is the iCal sources' rule (`domain.calendars.ical_attendance.source_attendance`): the person's
  own ATTENDEE said ACCEPTED, or they organised it; ended; not cancelled. What it counts for is
  `domain.calendars.attendance`'s goal rules; the credits are `domain.calendars.crediting`'s
  (invariant 14), so a re-read calendar counts nothing twice.
- An event read again in full whose instance is no longer there (an EXDATE, a shortened series)
  and an event that is gone take their credits back.
- netgoals' own blocks (their UID is the outbox's event id) are intentions, never evidence: the
  person's delete skips the action, their move keeps their time, a ✓ they put in front of the
  title confirms it (invariant 15: their edit wins).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from domain.calendars import crediting
from domain.calendars.attendance import (
    ATTENDED,
    UPCOMING,
    CalendarEvent,
    GoalRule,
    contacts_present,
    matching_kinds,
    rules_for,
)
from domain.calendars.calendar_port import Changes
from domain.calendars.confirmation import ANSWER_DONE, title_says_done
from domain.calendars.crediting import derived_id
from domain.calendars.ical_attendance import source_attendance
from domain.decisions.profile import Profile
from domain.errors import DomainError
from domain.event_types.events import NewEvent, actions_stream
from domain.event_types.facts import action_rescheduled, action_skipped
from integrations.caldav.provider import CalDAVProvider
from integrations.storage import caldav_store
from integrations.storage import calendar_store as outbox_store
from integrations.storage.caldav_store import CalendarRow, Occurrence, Written
from integrations.storage.database import read_transaction, write_transaction
from integrations.storage.event_store import StreamAppend
from service.app import App
from service.google.report import Report
from service.tracking import confirmation

SOURCE = "caldav"


class SyncConflictError(RuntimeError):
    """Another sync of the same calendar committed first; this one's work is dropped."""


@dataclass(slots=True)
class PullWork:
    app: App
    user_id: str
    profile: Profile
    rules: list[GoalRule]
    now: datetime
    events: list[NewEvent] = field(default_factory=list)
    touched: dict[str, Occurrence] = field(default_factory=dict)
    outbox: dict[str, dict[str, Any]] = field(default_factory=dict)
    checked: list[str] = field(default_factory=list)  # our blocks the person marked ✓
    versions: dict[str, str] = field(default_factory=dict)  # our blocks' ETags as read
    changed: dict[str, dict[str, Any]] = field(default_factory=dict)  # outbox changes still to push
    written: dict[str, tuple[str, str]] = field(default_factory=dict)  # our blocks' times as read
    renamed: dict[str, str] = field(default_factory=dict)  # our blocks the person renamed

    def credit(
        self, occurrence: Occurrence, facts: dict[str, Any], wanted: dict[str, str], reason: str
    ) -> None:
        done = crediting.credit(
            self.user_id,
            occurrence.key,
            occurrence.counted,
            occurrence.generation,
            facts,
            wanted,
            reason=reason,
            at=self.now,
            source=SOURCE,
        )
        self.events.extend(done.events)
        occurrence.counted, occurrence.generation, occurrence.facts = (
            done.counted,
            done.generation,
            dict(facts),
        )
        self.touched[occurrence.key] = occurrence


def pull(
    app: App, provider: CalDAVProvider, user_id: str, row: CalendarRow, profile: Profile, report: Report
) -> int:
    """Pull one calendar's changes; returns how many changed events it reported."""
    changes = provider.changes(row.calendar_id, row.state)
    work = PullWork(app, user_id, profile, rules_for(profile.goals.values(), profile.contacts), app.now())
    _derive(work, row.calendar_id, changes)
    with write_transaction(app.engine) as connection:
        if not caldav_store.advance_state(connection, user_id, row.calendar_id, row.version, changes.state):
            raise SyncConflictError(f"the calendar {row.name!r} was synced by someone else meanwhile")
        for occurrence in work.touched.values():
            caldav_store.save_occurrence(connection, user_id, occurrence)
        save_own(connection, work)
        app.store.append_in(connection, StreamAppend(actions_stream(user_id), None, work.events))
    report.count(work.events)
    report.changes_seen += len(changes.events) + len(changes.removed)
    for action_id in work.checked:
        try:
            answered = confirmation.confirm(app, user_id, action_id, ANSWER_DONE, "title")
        except DomainError:
            continue  # not started yet, or decided otherwise: the title alone changes nothing
        report.confirmed += answered.changed
    return len(changes.events) + len(changes.removed)


def save_own(connection: Connection, work: PullWork) -> None:
    """What the person did to our blocks, in the caller's transaction."""
    for action_id, values in work.outbox.items():
        outbox_store.settle_outbox(connection, work.user_id, action_id, **values)
    for action_id, values in work.changed.items():
        outbox_store.change_outbox(connection, work.user_id, action_id, push=True, **values)
    for action_id, etag in work.versions.items():
        caldav_store.set_block_etag(connection, work.user_id, action_id, etag)
    for action_id, (start, end) in work.written.items():
        caldav_store.save_block_times(connection, work.user_id, action_id, start, end)
    for action_id, title in work.renamed.items():
        caldav_store.set_user_title(connection, work.user_id, action_id, title)


def _derive(work: PullWork, calendar_id: str, changes: Changes) -> None:
    instances: dict[str, list[CalendarEvent]] = defaultdict(list)
    for event in changes.events:
        instances[event.event_id].append(event)
    uids = list(dict.fromkeys([*changes.touched, *instances, *changes.removed]))
    with read_transaction(work.app.engine) as connection:
        own = outbox_store.outbox_by_event_ids(connection, work.user_id, uids)
        written = caldav_store.block_times(connection, work.user_id, [r["action_id"] for r in own.values()])
        known = caldav_store.occurrences_of_events(
            connection, work.user_id, [f"{calendar_id}/{uid}/" for uid in uids if uid not in own]
        )
    stored: dict[str, list[Occurrence]] = defaultdict(list)
    for occurrence in known.values():
        stored[occurrence.key[len(calendar_id) + 1 :].partition("/")[0]].append(occurrence)
    for uid in uids:
        row = own.get(uid)
        if row is not None:
            found = instances.get(uid, [])
            own_block(work, row, found, gone=uid in changes.removed, written=written.get(row["action_id"]))
            if uid in changes.versions:
                work.versions[row["action_id"]] = changes.versions[uid]
            continue
        seen = set()
        for event in instances.get(uid, []):
            seen.add(event.key)
            _consider(work, event, known.get(event.key))
        for occurrence in stored.get(uid, []):
            if occurrence.key not in seen and occurrence.counted:  # gone, or an instance of it is
                work.credit(occurrence, occurrence.facts, {}, "gone from the calendar")
                occurrence.due_at = None
            elif occurrence.key not in seen and occurrence.due_at is not None:
                occurrence.due_at = None
                work.touched[occurrence.key] = occurrence


def _consider(work: PullWork, event: CalendarEvent, occurrence: Occurrence | None) -> None:
    kinds = matching_kinds(event, work.rules)
    contact_ids = contacts_present(event, work.profile.contacts)
    if not kinds and occurrence is None and not contact_ids:
        return  # kept too when it counts for nothing: a meeting with people known gets a brief
    state = source_attendance(event, work.now)
    facts = crediting.occurrence_facts(event, kinds, contact_ids, attended=state == ATTENDED)
    if occurrence is None:
        occurrence = Occurrence(event.key, None, {}, {}, 0, stored=False)
    wanted = {k: str(facts["at"]) for k in kinds} if state == ATTENDED else {}
    reason = "cancelled in the calendar" if event.cancelled else "no longer attended in the calendar"
    work.credit(occurrence, facts, wanted, reason)
    occurrence.due_at = event.end.timestamp() if state == UPCOMING and kinds and event.end else None


def _our_check_mark(row: dict[str, Any]) -> bool:
    """A ✓ netgoals wrote itself (a fulfilled or done block, or a change still on its way) is not
    the person's answer."""
    return str(row["title"]).startswith(confirmation.CHECK) or row["revision"] != row["pushed_revision"]


def own_block(
    work: PullWork,
    row: dict[str, Any],
    events: list[CalendarEvent],
    *,
    gone: bool,
    written: Written | None = None,
) -> None:
    """The person's edits of our blocks: a deletion skips the action, a move keeps their time.
    `written` is the time netgoals last wrote: a block found elsewhere was moved by the person,
    even while a change of ours is on its way (which then goes out on top of their time)."""
    action_id = row["action_id"]
    if row["status"] != "planned" or not row["present"] or not row["pushed"]:
        return
    event = events[0] if events else None
    if gone or (event is not None and event.cancelled):
        skipped = action_skipped(action_id, "deleted in your calendar", "user", work.now)
        work.events.append(skipped.with_id(derived_id(f"{action_id}/skipped")))
        work.outbox[action_id] = {"status": "skipped", "present": False, "skipped_by_user": True}
        return
    if event is None or event.start is None or event.end is None:
        return  # outside the window read: nothing to say about it
    if title_says_done(event.summary) and not _our_check_mark(row):
        work.checked.append(action_id)
    elif written is not None and written.title is not None and event.summary != written.title:
        work.renamed[action_id] = event.summary  # the person's words: kept from now on (invariant 15)
    pending = row["revision"] != row["pushed_revision"]
    if written is None and pending:
        return  # no record of what we wrote, and our own change is on its way: it decides
    times = (written.start, written.end) if written is not None else (row["start"], row["end"])
    start, end = (datetime.fromisoformat(t) for t in times)
    if event.start == start and event.end == end:
        return
    moved(work, row, event.start, event.end, pending=pending)


def moved(work: PullWork, row: dict[str, Any], start: datetime, end: datetime, *, pending: bool) -> None:
    """The person moved our block: their time is kept, and the planner plans around it."""
    action_id = row["action_id"]
    new_start, new_end = start.astimezone(work.profile.tz), end.astimezone(work.profile.tz)
    rescheduled = action_rescheduled(action_id, new_start, new_end, "user", work.now)
    work.events.append(
        rescheduled.with_id(derived_id(f"{action_id}/rescheduled/{row['revision']}/{new_start.isoformat()}"))
    )
    values: dict[str, Any] = {
        "start": new_start.isoformat(),
        "end": new_end.isoformat(),
        "start_at": new_start.timestamp(),
        "user_moved": True,
    }
    if pending:
        work.changed[action_id] = values  # ours still goes out, now at their time
    else:
        work.outbox[action_id] = {**values, "bump": True}
    work.written[action_id] = (new_start.isoformat(), new_end.isoformat())


def settle_due(app: App, user_id: str, report: Report) -> None:
    """Accepted events that were still to come when pulled and have ended since: count them now."""
    now = app.now()
    work = PullWork(app, user_id, app.profile(user_id), [], now)
    with read_transaction(app.engine) as connection:
        due = caldav_store.due_occurrences(connection, user_id, now.timestamp())
    for occurrence in due:
        facts = occurrence.facts
        wanted = {k: str(facts["at"]) for k in facts.get("kinds", [])} if facts.get("at") else {}
        facts["attended"] = True
        work.credit(occurrence, facts, wanted, "")
        occurrence.due_at = None
    if not work.touched:
        return
    with write_transaction(app.engine) as connection:
        for occurrence in work.touched.values():
            caldav_store.save_occurrence(connection, user_id, occurrence)
        app.store.append_in(connection, StreamAppend(actions_stream(user_id), None, work.events))
    report.count(work.events)
