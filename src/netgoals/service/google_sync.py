"""The three steps of a Google Calendar sync for one user: pull, plan, push.

- Pull (invariant 6): list the changes of a calendar page by page, derive done/retracted/skipped/
  rescheduled facts with the pure attendance rule, then append them and store the new sync token in
  ONE transaction, compare-and-set on the token's version. 410 → drop the token and do a full sync,
  which appends nothing twice: every derived event id is a uuid5 of its source.
- Plan: free time from freeBusy, the pure planner, `action.planned/rescheduled/skipped` events and
  outbox rows in one transaction.
- Push (invariant 7): send each outbox row whose revision is ahead of what Google has, then mark it
  pushed at that revision (compare-and-set), so a crash or a failure only delays it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from netgoals.domain import events as ev
from netgoals.domain.attendance import (
    ATTENDED,
    UPCOMING,
    CalendarEvent,
    Credit,
    GoalRule,
    attendance,
    contacts_present,
    matching_kinds,
    reconcile,
    rules_for,
)
from netgoals.domain.events import NewEvent, actions_stream
from netgoals.domain.periods import Frame
from netgoals.domain.planning import BUSY, Block, PlanChanges, plan
from netgoals.domain.profile import Profile
from netgoals.integrations import calendar_store as store
from netgoals.integrations import views
from netgoals.integrations.database import read_transaction, write_transaction
from netgoals.integrations.event_store import StreamAppend
from netgoals.integrations.google_calendar import (
    GoogleCalendar,
    GoogleNotFoundError,
    SyncTokenExpiredError,
    parse_event,
)
from netgoals.service.app import App

NAMESPACE = uuid5(NAMESPACE_URL, "https://netgoals.invalid/google-calendar")
GOALS_CALENDAR = "Networking goals"
PRIMARY, GOALS = "primary", "goals"


def derived_id(text: str) -> UUID:
    return uuid5(NAMESPACE, text)


def google_event_id(action_id: str) -> str:
    """Client-chosen event ids must be base32hex (a-v, 0-9): a uuid5's hex digits are."""
    return derived_id(f"google-event/{action_id}").hex


class SyncConflictError(RuntimeError):
    """Another sync of the same calendar committed first; this one's work is dropped."""


@dataclass(slots=True)
class Report:
    user_id: str
    status: str = "connected"
    planned: int = 0
    moved: int = 0
    removed: int = 0
    pushed: int = 0
    done: int = 0
    retracted: int = 0
    skipped: int = 0
    rescheduled: int = 0
    changes_seen: int = 0
    notices: list[str] = field(default_factory=list)
    error: str | None = None

    def count(self, events: Iterable[NewEvent]) -> None:
        for event in events:
            if event.type == ev.ACTION_DONE:
                self.done += 1
            elif event.type == ev.ACTION_RETRACTED:
                self.retracted += 1
            elif event.type == ev.ACTION_SKIPPED and event.data.get("by") == "user":
                self.skipped += 1
            elif event.type == ev.ACTION_RESCHEDULED and event.data.get("by") == "user":
                self.rescheduled += 1


# --- pull ----------------------------------------------------------------------------------------


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
    seen: int = 0

    def at(self) -> str:
        return self.now.isoformat()


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
        for occurrence in work.touched.values():
            store.save_occurrence(connection, user_id, occurrence)
        for action_id, values in work.outbox.items():
            store.settle_outbox(connection, user_id, action_id, **values)
        app.store.append_in(connection, StreamAppend(actions_stream(user_id), None, work.events))
    report.count(work.events)
    report.changes_seen += work.seen
    return work.seen


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
        for event in parsed:
            occurrence = work.touched.get(event.key) or known.get(event.key)
            _consider(work, event, occurrence, own.get(event.event_id))
        if page.next_sync_token is not None:
            next_token = page.next_sync_token
    return next_token


def _consider(
    work: _Pull, event: CalendarEvent, occurrence: store.Occurrence | None, row: dict[str, Any] | None
) -> None:
    own_kind = None
    if row is not None:
        _own_block(work, event, row)
        if row["status"] != "removed":
            own_kind = row["kind"]
    kinds = matching_kinds(event, work.rules, own_kind)
    if not kinds and occurrence is None:
        return
    state = attendance(event, work.now)
    contact_ids = contacts_present(event, work.profile.contacts)
    if row is not None:
        contact_ids = sorted(
            {*contact_ids, *filter(None, event.private.get("netgoals_contacts", "").split(","))}
        )
    facts = {
        "kinds": kinds,
        "at": event.start.isoformat() if event.start else None,
        "title": event.summary[:200],
        "contact_ids": contact_ids,
        "attendees": [[a.email, a.name] for a in event.others() if a.response != "declined"],
        "own": row["action_id"] if row is not None else None,
        "attended": state == ATTENDED,
    }
    if occurrence is None:
        occurrence = store.Occurrence(event.key, work.role, None, {}, {}, 0, stored=False)
    wanted = {k: facts["at"] for k in kinds} if state == ATTENDED else {}
    reason = "cancelled in Google Calendar" if event.cancelled else "no longer attended in Google Calendar"
    credit(work, occurrence, facts, wanted, reason)
    occurrence.due_at = event.end.timestamp() if state == UPCOMING and kinds and event.end else None
    work.touched[event.key] = occurrence


def credit(
    work: _Pull, occurrence: store.Occurrence, facts: dict[str, Any], wanted: dict[str, Any], reason: str
) -> None:
    """Move an occurrence from what it counted to what it should count now."""
    counted = {k: Credit(v[0], v[1]) for k, v in occurrence.counted.items()}
    retract, new = reconcile(counted, wanted)
    for kind in retract:
        action_id = counted[kind].action_id
        work.events.append(
            NewEvent(
                derived_id(f"{action_id}/retracted"),
                ev.ACTION_RETRACTED,
                {"action_id": action_id, "reason": reason, "at": work.at()},
            )
        )
        del occurrence.counted[kind]
        if facts.get("own") == action_id:
            work.outbox.setdefault(action_id, {}).update(status="skipped", present=False)
    for kind in new:
        own = facts.get("own")
        if own and occurrence.generation == 0:
            action_id = own
        else:
            action_id = str(derived_id(f"{work.user_id}/{occurrence.key}/{kind}/{occurrence.generation}"))
        occurrence.generation += 1
        work.events.append(
            NewEvent(
                derived_id(f"{action_id}/done"),
                ev.ACTION_DONE,
                {
                    "action_id": action_id,
                    "kind": kind,
                    "at": wanted[kind],
                    "contact_ids": facts["contact_ids"],
                    "title": facts["title"] or None,
                    "note": None,
                    "source": "google",
                    "calendar_event": occurrence.key,
                    "logged_at": work.at(),
                },
            )
        )
        occurrence.counted[kind] = [action_id, wanted[kind]]
        if own == action_id:
            work.outbox.setdefault(action_id, {})["status"] = "done"
    occurrence.facts = facts


def _own_block(work: _Pull, event: CalendarEvent, row: dict[str, Any]) -> None:
    """The user's edits of our blocks: a deletion skips the action, a move keeps their time."""
    action_id = row["action_id"]
    if row["status"] != "planned" or not row["present"]:
        return
    if event.cancelled:
        work.events.append(
            NewEvent(
                derived_id(f"{action_id}/skipped"),
                ev.ACTION_SKIPPED,
                {
                    "action_id": action_id,
                    "reason": "deleted in Google Calendar",
                    "by": "user",
                    "at": work.at(),
                },
            )
        )
        work.outbox[action_id] = {"status": "skipped", "present": False, "skipped_by_user": True}
        return
    if row["revision"] != row["pushed_revision"] or event.start is None or event.end is None:
        return  # our own change is on its way; it wins
    start, end = datetime.fromisoformat(row["start"]), datetime.fromisoformat(row["end"])
    if event.start == start and event.end == end:
        return
    new_start, new_end = event.start.astimezone(work.profile.tz), event.end.astimezone(work.profile.tz)
    work.events.append(
        NewEvent(
            derived_id(f"{action_id}/rescheduled/{row['revision']}/{new_start.isoformat()}"),
            ev.ACTION_RESCHEDULED,
            {
                "action_id": action_id,
                "start": new_start.isoformat(),
                "end": new_end.isoformat(),
                "by": "user",
                "at": work.at(),
            },
        )
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
        facts["attended"] = True
        credit(work, occurrence, facts, wanted, "")
        occurrence.due_at = None
        work.touched[occurrence.key] = occurrence
    if not work.touched:
        return
    with write_transaction(app.engine) as connection:
        for occurrence in work.touched.values():
            store.save_occurrence(connection, user_id, occurrence)
        for action_id, values in work.outbox.items():
            store.settle_outbox(connection, user_id, action_id, **values)
        app.store.append_in(connection, StreamAppend(actions_stream(user_id), None, work.events))
    report.count(work.events)


# --- plan ----------------------------------------------------------------------------------------


def _block(row: dict[str, Any]) -> Block:
    return Block(
        row["action_id"],
        row["goal_id"],
        row["kind"],
        datetime.fromisoformat(row["start"]),
        datetime.fromisoformat(row["end"]),
        date.fromisoformat(row["period_start"]) if row["period_start"] else None,
        row["status"],
        row["user_moved"],
        row["skipped_by_user"],
    )


def make_plan(
    app: App,
    client: GoogleCalendar,
    user_id: str,
    profile: Profile,
    weeks: int,
    public_url: str,
    report: Report,
) -> None:
    app.projection.catch_up()
    now = app.now()
    with read_transaction(app.engine) as connection:
        counts = views.progress_counts(connection, user_id)
        rows = store.outbox_rows(connection, user_id)
    blocks = [_block(r) for r in rows]
    busy = client.busy(now, now + timedelta(weeks=weeks))

    def new_id(goal_id: str, period_start: date, index: int) -> str:
        return str(derived_id(f"{user_id}/plan/{goal_id}/{period_start.isoformat()}/{index}"))

    changes = plan(
        profile.goals.values(), counts, blocks, busy, now, profile.tz, profile.week_start, new_id, weeks=weeks
    )
    retitled = _retitled(profile, rows, changes, now)
    if not changes and not retitled:
        return
    at = now.isoformat()
    events: list[NewEvent] = []
    new_rows: list[dict[str, Any]] = []
    for block in changes.new:
        title = block_title(profile, block.goal_id)
        start, end = block.start.astimezone(profile.tz), block.end.astimezone(profile.tz)
        events.append(
            NewEvent(
                derived_id(f"{block.action_id}/planned"),
                ev.ACTION_PLANNED,
                {
                    "action_id": block.action_id,
                    "goal_id": block.goal_id,
                    "kind": block.kind,
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                    "title": title,
                    "at": at,
                },
            )
        )
        new_rows.append(
            outbox_row(
                user_id,
                block.action_id,
                block.goal_id,
                block.kind,
                title,
                describe(
                    profile,
                    block.goal_id,
                    done_so_far(profile, counts, block),
                    public_url,
                    block.period_start,
                ),
                start,
                end,
                block.period_start,
            )
        )
    for block, start, end in changes.moved:
        local_start, local_end = start.astimezone(profile.tz), end.astimezone(profile.tz)
        events.append(
            NewEvent(
                derived_id(
                    f"{block.action_id}/rescheduled/{block.start.isoformat()}/{local_start.isoformat()}"
                ),
                ev.ACTION_RESCHEDULED,
                {
                    "action_id": block.action_id,
                    "start": local_start.isoformat(),
                    "end": local_end.isoformat(),
                    "by": "netgoals",
                    "reason": changes.why_moved.get(block.action_id, BUSY),
                    "at": at,
                },
            )
        )
    for block, reason in changes.removed:
        events.append(
            NewEvent(
                derived_id(f"{block.action_id}/skipped"),
                ev.ACTION_SKIPPED,
                {"action_id": block.action_id, "reason": reason, "by": "netgoals", "at": at},
            )
        )
    with write_transaction(app.engine) as connection:
        store.add_outbox(connection, new_rows)
        for block, start, end in changes.moved:
            local_start, local_end = start.astimezone(profile.tz), end.astimezone(profile.tz)
            store.change_outbox(
                connection,
                user_id,
                block.action_id,
                push=True,
                start=local_start.isoformat(),
                end=local_end.isoformat(),
                start_at=local_start.timestamp(),
            )
        for block, _reason in changes.removed:
            store.change_outbox(
                connection, user_id, block.action_id, push=True, status="removed", present=False
            )
        for action_id, title in retitled.items():
            store.change_outbox(connection, user_id, action_id, push=True, title=title)
        app.store.append_in(connection, StreamAppend(actions_stream(user_id), None, events))
    report.planned += len(changes.new)
    report.moved += len(changes.moved)
    report.removed += len(changes.removed)


def block_title(profile: Profile, goal_id: str | None) -> str:
    goal = profile.goals.get(goal_id) if goal_id else None
    return f"Networking: {goal.title}" if goal else "Networking"


def _retitled(
    profile: Profile, rows: list[dict[str, Any]], changes: PlanChanges, now: datetime
) -> dict[str, str]:
    """A revised goal's new title, for its blocks still to come (action id -> title)."""
    gone = {block.action_id for block, _reason in changes.removed}
    found = {}
    for row in rows:
        if row["goal_id"] is None or row["status"] != "planned" or not row["present"]:
            continue
        if row["action_id"] in gone or row["start_at"] <= now.timestamp():
            continue
        title = block_title(profile, row["goal_id"])
        if row["goal_id"] in profile.goals and row["title"] != title:
            found[row["action_id"]] = title
    return found


def done_so_far(profile: Profile, counts: dict[str, dict[date, int]], block: Block) -> int:
    """Done in the block's goal period (a deadline goal counts over its whole span)."""
    goal = profile.goals.get(block.goal_id) if block.goal_id else None
    if goal is None or block.period_start is None:
        return 0
    period = (
        goal.first_period(profile.week_start).start if goal.frame is Frame.DEADLINE else block.period_start
    )
    return counts.get(goal.goal_id, {}).get(period, 0)


def outbox_row(
    user_id: str,
    action_id: str,
    goal_id: str | None,
    kind: str,
    title: str,
    description: str,
    start: datetime,
    end: datetime,
    period_start: date | None,
) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "action_id": action_id,
        "goal_id": goal_id,
        "kind": kind,
        "title": title,
        "description": description,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "start_at": start.timestamp(),
        "period_start": period_start.isoformat() if period_start else None,
        "contact_ids": None,
        "google_event_id": google_event_id(action_id),
        "status": "planned",
        "present": True,
        "pushed": False,
        "user_moved": False,
        "skipped_by_user": False,
        "revision": 1,
        "pushed_revision": 0,
    }


def describe(
    profile: Profile, goal_id: str | None, done: int, public_url: str, period_start: date | None = None
) -> str:
    lines = []
    goal = profile.goals.get(goal_id) if goal_id else None
    if goal is not None:
        lines.append(f"Goal: {goal.title}")
        aspiration = profile.aspirations.get(goal.aspiration_id) if goal.aspiration_id else None
        if aspiration is not None:
            lines.append(f"Why: {aspiration.text}")
        frame = "in all" if goal.frame.value == "deadline" else f"this {goal.frame.value}"
        target = (
            goal.target_for(period_start)
            if period_start and goal.frame is not Frame.DEADLINE
            else goal.target
        )
        lines.append(f"Progress so far: {done} of {target} {frame}")
    lines += [
        "",
        f"Dashboard: {public_url.rstrip('/')}/",
        "Planned by netgoals in your free time. Move it if another time suits you better; "
        "delete it to skip this one.",
    ]
    return "\n".join(lines)


# --- push ----------------------------------------------------------------------------------------


def event_body(row: dict[str, Any], time_zone: str, contact_ids: Iterable[str] = ()) -> dict[str, Any]:
    private = {"netgoals": "1", "netgoals_action": row["action_id"], "netgoals_goal": row["goal_id"] or ""}
    contacts = ",".join(contact_ids)
    if contacts:
        private["netgoals_contacts"] = contacts
    return {
        "id": row["google_event_id"],
        "summary": row["title"],
        "description": row["description"],
        "start": {"dateTime": row["start"], "timeZone": time_zone},
        "end": {"dateTime": row["end"], "timeZone": time_zone},
        "reminders": {"useDefault": False, "overrides": [{"method": "popup", "minutes": 10}]},
        "transparency": "opaque",
        "extendedProperties": {"private": private},
    }


class CalendarGoneError(RuntimeError):
    """The user deleted the Networking goals calendar."""


def push(
    app: App,
    client: GoogleCalendar,
    user_id: str,
    calendar_id: str,
    time_zone: str,
    report: Report,
    public_url: str | None = None,
) -> None:
    """Send what changed. A goal's block going out anyway (inserted or patched) carries a fresh
    description, so its "progress so far" is current whenever the block changes; progress alone
    never costs a request per block (with `public_url`; without, the stored text goes out)."""
    with read_transaction(app.engine) as connection:
        rows = store.outbox_rows(connection, user_id, pending_only=True)
        counts = views.progress_counts(connection, user_id) if public_url and rows else {}
    profile = app.profile(user_id) if public_url and rows else None
    for row in rows:
        values: dict[str, Any] = {}
        events: list[NewEvent] = []
        if profile is not None and public_url and row["goal_id"] and row["present"]:
            block = _block(row)
            fresh = describe(
                profile, row["goal_id"], done_so_far(profile, counts, block), public_url, block.period_start
            )
            if fresh != row["description"]:
                row = {**row, "description": fresh}
                values["description"] = fresh
        try:
            if row["present"] and not row["pushed"]:
                contacts = (row.get("contact_ids") or "").split(",")
                client.insert_event(calendar_id, event_body(row, time_zone, filter(None, contacts)))
                values["pushed"] = True
            elif row["present"]:
                body = {
                    "summary": row["title"],
                    "description": row["description"],
                    "start": {"dateTime": row["start"], "timeZone": time_zone},
                    "end": {"dateTime": row["end"], "timeZone": time_zone},
                }
                if client.patch_event(calendar_id, row["google_event_id"], body) == "gone":
                    events.append(
                        NewEvent(
                            derived_id(f"{row['action_id']}/skipped"),
                            ev.ACTION_SKIPPED,
                            {
                                "action_id": row["action_id"],
                                "reason": "deleted in Google Calendar",
                                "by": "user",
                                "at": app.now().isoformat(),
                            },
                        )
                    )
                    values.update(status="skipped", present=False, skipped_by_user=True)
            elif row["pushed"]:
                client.delete_event(calendar_id, row["google_event_id"])
        except GoogleNotFoundError:
            if not client.calendar_exists(calendar_id):
                raise CalendarGoneError(calendar_id) from None
            values.update(status="skipped", present=False)  # the event itself is gone
        with write_transaction(app.engine) as connection:
            store.mark_pushed(connection, user_id, row["action_id"], row["revision"], **values)
            app.store.append_in(connection, StreamAppend(actions_stream(user_id), None, events))
        report.pushed += 1
        report.count(events)


def to_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
