"""Pull (invariant 6): list the changes of a calendar page by page, derive done/retracted/skipped/
rescheduled facts with the pure attendance rule, then append them and store the new sync token in
ONE transaction, compare-and-set on the token's version. 410 → drop the token and do a full sync,
which appends nothing twice: every derived event id is a uuid5 of its source.

Attendance credit lives here too: an occurrence moves from what it counted to what it should count
now, when pulled or (accepted, still to come) once it has ended.
"""

from __future__ import annotations

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
    attendance,
    contacts_present,
    matching_kinds,
    rules_for,
)
from domain.calendars.confirmation import ANSWER_DONE, title_says_done
from domain.decisions.profile import Profile
from domain.errors import DomainError
from domain.event_types.events import NewEvent, actions_stream
from domain.event_types.facts import action_rescheduled
from integrations.google.calendar import (
    GoogleCalendar,
    SyncTokenExpiredError,
    parse_event,
)
from integrations.storage import calendar_store as store
from integrations.storage.database import read_transaction, write_transaction
from integrations.storage.event_store import StreamAppend
from service.app import App
from service.google.blocks import deleted_in_google
from service.google.ids import GOALS, derived_id
from service.google.recovery import recover
from service.google.report import Report
from service.tracking import confirmation


class SyncConflictError(RuntimeError):
    """Another sync of the same calendar committed first; this one's work is dropped."""


@dataclass(slots=True)
class _Pull:
    """What one pull of one calendar decided, committed together at the end."""

    app: App
    user_id: str
    role: str
    profile: Profile
    rules: list[GoalRule]
    now: datetime
    events: list[NewEvent] = field(default_factory=list)
    touched: dict[str, store.Occurrence] = field(default_factory=dict)
    outbox: dict[str, dict[str, Any]] = field(default_factory=dict)  # action_id -> settled values
    checked: list[str] = field(default_factory=list)  # our blocks whose title now starts with ✓
    seen: int = 0


def _save(connection: Connection, work: _Pull) -> None:
    """What a pull (or a settling of due occurrences) decided, inside the caller's transaction:
    the occurrences, the outbox rows the user's own edits settled, and the derived events."""
    for occurrence in work.touched.values():
        store.save_occurrence(connection, work.user_id, occurrence)
    for action_id, values in work.outbox.items():
        store.settle_outbox(connection, work.user_id, action_id, **values)
    work.app.store.append_in(connection, StreamAppend(actions_stream(work.user_id), None, work.events))


def pull(app: App, client: GoogleCalendar, user_id: str, role: str, profile: Profile, report: Report) -> int:
    """Pull one calendar's changes; returns how many changed events Google reported."""
    with read_transaction(app.engine) as connection:
        state = store.sync_state(connection, user_id, role)
    if state is None:
        return 0
    work = _Pull(app, user_id, role, profile, rules_for(profile.goals.values(), profile.contacts), app.now())
    try:
        token = _collect(work, client, state.calendar_id, state.sync_token)
    except SyncTokenExpiredError:
        if state.sync_token is None:
            raise
        work = _Pull(app, user_id, role, profile, work.rules, work.now)
        token = _collect(work, client, state.calendar_id, None)
    with write_transaction(app.engine) as connection:
        if not store.advance_sync_token(connection, user_id, role, state.version, token):
            raise SyncConflictError(f"the {role} calendar was synced by someone else meanwhile")
        _save(connection, work)
    report.count(work.events)
    report.changes_seen += work.seen
    _confirm_checked(app, user_id, profile, work.checked, report)
    return work.seen


def _confirm_checked(app: App, user_id: str, profile: Profile, action_ids: list[str], report: Report) -> None:
    """✓ (or "done") at the start of a block's title is the user's "done", read at the pull."""
    for action_id in action_ids:
        try:
            answered = confirmation.confirm(app, user_id, action_id, ANSWER_DONE, "title", profile=profile)
        except DomainError:
            continue  # not started yet, or decided otherwise: the title alone changes nothing
        report.confirmed += answered.changed


def _collect(work: _Pull, client: GoogleCalendar, calendar_id: str, sync_token: str | None) -> str | None:
    next_token = None
    for page in client.list_events(calendar_id, sync_token):
        parsed = [parse_event(calendar_id, item, page.time_zone) for item in page.items]
        work.seen += len(parsed)
        keys = [e.key for e in parsed if e.key not in work.touched]
        with read_transaction(work.app.engine) as connection:
            known = store.occurrences(connection, work.user_id, keys)
            own = (
                store.outbox_by_event_ids(connection, work.user_id, [e.event_id for e in parsed])
                if work.role == GOALS
                else {}
            )
            # The kinds each event could count for (our own blocks: decided in _consider).
            kinds = {e.key: matching_kinds(e, work.rules) for e in parsed if e.event_id not in own}
            # New events, or calendar state lost while the log kept their credits (a restore): ask
            # the log about those that could have earned any (most of a calendar never does).
            if missing := [k for k in keys if k not in known and kinds.get(k, True)]:
                own_actions = {e.key: own[e.event_id]["action_id"] for e in parsed if e.event_id in own}
                known.update(recover(connection, work.user_id, work.role, missing, own_actions))
        for event in parsed:
            occurrence = work.touched.get(event.key) or known.get(event.key)
            _consider(work, event, occurrence, own.get(event.event_id), kinds.get(event.key))
        if page.next_sync_token is not None:
            next_token = page.next_sync_token
    return next_token


def _our_check_mark(row: dict[str, Any]) -> bool:
    """Whether a ✓ on our block may be the one netgoals wrote itself: the title we last sent carries
    it (a fulfilled or done block), or a change of ours is still on its way. Only a ✓ the person
    added to a title of ours without one is their "done"; read back, our own would turn a
    fulfilment whose evidence was retracted into a confirmation nobody gave."""
    return str(row["title"]).startswith(confirmation.CHECK) or row["revision"] != row["pushed_revision"]


def _consider(
    work: _Pull,
    event: CalendarEvent,
    occurrence: store.Occurrence | None,
    row: dict[str, Any] | None,
    matched: list[str] | None,
) -> None:
    if row is not None:
        _own_block(work, event, row)
        if title_says_done(event.summary) and not event.cancelled and not _our_check_mark(row):
            work.checked.append(row["action_id"])
        if occurrence is not None and occurrence.counted:
            _counted_by_the_old_rule(work, event, occurrence, row)
        return  # our blocks are intentions, not evidence: passing earns them nothing
    if event.private.get("netgoals") == "1":
        return  # one of ours that the outbox no longer knows: still not evidence
    kinds = matched if matched is not None else matching_kinds(event, work.rules)
    contact_ids = contacts_present(event, work.profile.contacts)
    if not kinds and occurrence is None and not contact_ids:
        return  # kept too when it counts for nothing: a meeting with people known gets a brief
    state = attendance(event, work.now)
    facts = crediting.occurrence_facts(event, kinds, contact_ids, attended=state == ATTENDED)
    if occurrence is None:
        occurrence = store.Occurrence(event.key, work.role, None, {}, {}, 0, stored=False)
    wanted = {k: facts["at"] for k in kinds} if state == ATTENDED else {}
    reason = "cancelled in Google Calendar" if event.cancelled else "no longer attended in Google Calendar"
    credit(work, occurrence, facts, wanted, reason)
    occurrence.due_at = event.end.timestamp() if state == UPCOMING and kinds and event.end else None
    work.touched[event.key] = occurrence


def _counted_by_the_old_rule(
    work: _Pull, event: CalendarEvent, occurrence: store.Occurrence, row: dict[str, Any]
) -> None:
    """A block counted as attended before confirmation was asked keeps its count (it is history)
    while it stands; cancelled or no longer attended, it is retracted as it always was."""
    standing = attendance(event, work.now) == ATTENDED and row["status"] != "removed"
    wanted = {k: v[1] for k, v in occurrence.counted.items()} if standing else {}
    reason = "cancelled in Google Calendar" if event.cancelled else "no longer attended in Google Calendar"
    credit(work, occurrence, occurrence.facts, wanted, reason)
    work.touched[occurrence.key] = occurrence


def credit(
    work: _Pull, occurrence: store.Occurrence, facts: dict[str, Any], wanted: dict[str, Any], reason: str
) -> None:
    """Move an occurrence from what it counted to what it should count now (`domain.calendars.crediting`)."""
    done = crediting.credit(
        work.user_id,
        occurrence.key,
        occurrence.counted,
        occurrence.generation,
        facts,
        wanted,
        reason=reason,
        at=work.now,
        source="google",
    )
    work.events.extend(done.events)
    occurrence.counted, occurrence.generation = done.counted, done.generation
    for action_id, values in done.outbox.items():
        work.outbox.setdefault(action_id, {}).update(values)
    occurrence.facts = facts


def _own_block(work: _Pull, event: CalendarEvent, row: dict[str, Any]) -> None:
    """The user's edits of our blocks: a deletion skips the action, a move keeps their time."""
    action_id = row["action_id"]
    if row["status"] != "planned" or not row["present"]:
        return
    if event.cancelled:
        work.events.append(deleted_in_google(action_id, work.now))
        work.outbox[action_id] = {"status": "skipped", "present": False, "skipped_by_user": True}
        return
    if row["revision"] != row["pushed_revision"] or event.start is None or event.end is None:
        return  # our own change is on its way; it wins
    start, end = datetime.fromisoformat(row["start"]), datetime.fromisoformat(row["end"])
    if event.start == start and event.end == end:
        return
    new_start, new_end = event.start.astimezone(work.profile.tz), event.end.astimezone(work.profile.tz)
    moved = action_rescheduled(action_id, new_start, new_end, "user", work.now)
    work.events.append(
        moved.with_id(derived_id(f"{action_id}/rescheduled/{row['revision']}/{new_start.isoformat()}"))
    )
    work.outbox[action_id] = {
        "start": new_start.isoformat(),
        "end": new_end.isoformat(),
        "start_at": new_start.timestamp(),
        "user_moved": True,
        "bump": True,
    }


def settle_due(app: App, user_id: str, profile: Profile, report: Report) -> None:
    """Accepted events that were still to come when pulled and have ended since: count them now."""
    now = app.now()
    work = _Pull(app, user_id, "due", profile, [], now)
    with read_transaction(app.engine) as connection:
        due = store.due_occurrences(connection, user_id, now.timestamp())
    for occurrence in due:
        facts = occurrence.facts
        wanted = {k: facts["at"] for k in facts.get("kinds", [])} if facts.get("at") else {}
        if facts.get("own"):  # a block due under the old rule: it now waits to be confirmed instead
            wanted = {k: v[1] for k, v in occurrence.counted.items()}
        facts["attended"] = True
        credit(work, occurrence, facts, wanted, "")
        occurrence.due_at = None
        work.touched[occurrence.key] = occurrence
    if not work.touched:
        return
    with write_transaction(app.engine) as connection:
        _save(connection, work)
    report.count(work.events)
