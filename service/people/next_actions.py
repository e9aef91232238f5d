"""Use cases: the "next" list (who to reach out to next, and why), each contact's closeness, and
answering an item (done, snoozed, not now, never) — answers are facts in the actions stream, so
`--as-of`, export and rebuild keep working (issue 28)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from domain import decisions
from domain.calendars.block_ledger import DONE as DONE_BLOCK
from domain.calendars.block_ledger import FULFILLED, SKIPPED, BlockLedger, PlannedBlock
from domain.decisions.profile import Profile
from domain.errors import DomainError, NotFoundError
from domain.event_types import events as ev
from domain.event_types.events import Event
from domain.people.closeness import Closeness
from domain.people.meetings import Brief, Meeting, brief, brief_text, coming_up, new_people
from domain.people.next_actions import DEFAULT_LIMIT, NextItem, closeness_of, next_list
from domain.people.next_answers import (
    DONE,
    MAX_PROMISE,
    MAX_PROMISES,
    Answer,
    answer_event,
    answer_from_event,
    check_promises,
    open_promises,
)
from domain.people.offers import MAX_ITEMS, MAX_LENGTH
from domain.tracking.actions import ActionFact, action_from_done
from domain.tracking.periods import local_date, local_midnight
from integrations.storage import unit_of_work
from integrations.storage.database import read_transaction
from integrations.storage.event_store import EventStore
from integrations.storage.meetings import meetings as stored_meetings
from service.app import App
from service.people import contacts as contacts_service

MAX_LIMIT = 50
__all__ = [
    "DEFAULT_LIMIT",
    "MAX_ITEMS",
    "MAX_LENGTH",
    "MAX_LIMIT",
    "MAX_PROMISE",
    "MAX_PROMISES",
    "Brief",
    "brief_text",
]  # the API's bounds and the CLI's brief words come from here


@dataclass(frozen=True, slots=True)
class _Log:
    profile: Profile
    actions: list[ActionFact]
    blocks: list[PlannedBlock]
    answers: list[Answer]
    meetings: list[Meeting]  # from the calendars' occurrence tables (current state, not the log)
    details: dict[str, tuple[str | None, str | None]]  # action id -> (title, note), for briefs


def _read(app: App, user_id: str, as_of: date | None = None) -> tuple[_Log, datetime]:
    """The person's profile and actions stream, folded as the log says (no projection needed), and
    the moment to read them at. As of a past day, profile changes made after it are not known yet
    (offers, needs, cadences, goals); facts with a time of their own are cut by the domain."""
    # Inside a unit of work, now: the unit's one profile replay, read in the same transaction as
    # the rest (a digest decision replays it anyway; issue 26). Read-only, as every caller of it.
    unit_profile = (
        app.profile(user_id) if as_of is None and unit_of_work.memo(app.engine) is not None else None
    )
    with read_transaction(app.engine) as connection:
        stored = (
            []
            if unit_profile is not None
            else EventStore.stream_payloads(connection, ev.profile_stream(user_id))
        )
        recorded = EventStore.stream_payloads(connection, ev.actions_stream(user_id))
        meetings = stored_meetings(connection, user_id)
    profile = unit_profile if unit_profile is not None else Profile(user_id)
    for event_type, data in stored:
        profile.apply(event_type, data)
    if not profile.registered:
        raise NotFoundError(f"no user with id {user_id!r}")
    now = _moment(app, profile, as_of)
    if as_of is not None:
        profile = Profile(user_id)
        for event_type, data in stored:
            when = data.get("at")
            if event_type == ev.USER_REGISTERED or not when or datetime.fromisoformat(when) <= now:
                profile.apply(event_type, data)
    actions: dict[str, ActionFact] = {}
    blocks: dict[str, PlannedBlock] = {}
    answers: list[Answer] = []
    details: dict[str, tuple[str | None, str | None]] = {}
    for event_type, data in recorded:
        if event_type == ev.ACTION_DONE:
            action_id = data["action_id"]
            if action_id not in actions:
                actions[action_id] = action_from_done(data)
                details[action_id] = (data.get("title"), data.get("note"))
            block = blocks.get(action_id)
            if block is not None:
                block.outcome = DONE_BLOCK
        elif event_type == ev.ACTION_RETRACTED:
            found = actions.get(data["action_id"])
            if found is not None:
                found.retracted = True
        elif event_type == ev.NEXT_ANSWERED:
            answers.append(answer_from_event(data))
        elif event_type in _BLOCK_EVENTS:
            _fold_block(blocks, event_type, data)
    log = _Log(profile, list(actions.values()), list(blocks.values()), answers, meetings, details)
    return log, now


# Only whether a block is still open matters here (an upcoming one to prepare): the ledger's full
# rules (which action fulfils which block) are for the confirmation sweep.
_BLOCK_EVENTS = frozenset({ev.ACTION_PLANNED, ev.ACTION_RESCHEDULED, ev.ACTION_SKIPPED, ev.ACTION_FULFILLED})


def _fold_block(blocks: dict[str, PlannedBlock], event_type: str, data: dict[str, Any]) -> None:
    if event_type == ev.ACTION_PLANNED:
        ledger = BlockLedger(blocks)
        ledger.apply(event_type, data)
        return
    block = blocks.get(data["action_id"])
    if block is None:
        return
    if event_type == ev.ACTION_RESCHEDULED:
        block.start = datetime.fromisoformat(data["start"])
        block.end = datetime.fromisoformat(data["end"])
    else:
        block.outcome = SKIPPED if event_type == ev.ACTION_SKIPPED else FULFILLED


def _moment(app: App, profile: Profile, as_of: date | None) -> datetime:
    """Now, or the end of a past local day."""
    now = app.now()
    if as_of is None:
        return now
    if as_of > local_date(now, profile.tz):
        raise DomainError(f"as-of date {as_of.isoformat()} is in the future")
    return min(now, local_midnight(as_of + timedelta(days=1), profile.tz) - timedelta(microseconds=1))


def _check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise DomainError(f"limit {limit} is out of range: use 1 to {MAX_LIMIT}")
    return limit


def next_items(
    app: App, user_id: str, as_of: date | None = None, limit: int = DEFAULT_LIMIT
) -> list[NextItem]:
    log, now = _read(app, user_id, as_of)
    return _list(log, now, _check_limit(limit))


def _list(log: _Log, now: datetime, limit: int) -> list[NextItem]:
    return next_list(log.profile, log.actions, log.blocks, log.answers, now, limit, log.meetings)


def _brief(log: _Log, meeting: Meeting, now: datetime) -> Brief:
    return brief(meeting, log.profile, log.actions, log.details, open_promises(log.answers, now), now)


def briefs(app: App, user_id: str, as_of: date | None = None) -> list[Brief]:
    """Briefs for the meetings with people you know from now to the end of tomorrow, soonest first."""
    log, now = _read(app, user_id, as_of)
    return [_brief(log, m, now) for m in coming_up(log.meetings, log.profile, now)]


def today(app: App, user_id: str) -> tuple[list[NextItem], list[Brief]]:
    """The dashboard's Today: the next list and the coming meetings' briefs, from one read."""
    log, now = _read(app, user_id)
    found = [_brief(log, m, now) for m in coming_up(log.meetings, log.profile, now)]
    return _list(log, now, DEFAULT_LIMIT), found


def _meeting(log: _Log, now: datetime, text: str) -> Meeting:
    """One of the person's meetings, by its id or its place in the coming-up list (1-based)."""
    text = text.strip()
    for meeting in log.meetings:
        if meeting.meeting_id == text:
            return meeting
    upcoming = coming_up(log.meetings, log.profile, now)
    if text.isdigit() and 1 <= int(text) <= len(upcoming):
        return upcoming[int(text) - 1]
    raise NotFoundError(f"no meeting {text!r} in your calendars")


def meeting_brief(app: App, user_id: str, meeting: str) -> Brief:
    """The brief for one of the person's meetings (past or coming), found in their calendars only."""
    log, now = _read(app, user_id)
    return _brief(log, _meeting(log, now, meeting), now)


def add_people(app: App, user_id: str, meeting: str) -> list[tuple[str, str]]:
    """Add the people met at a meeting who are not contacts yet: (name, contact id) for each, with
    "met at <title>" as how you met. Adding them again adds nothing (the key is the address)."""
    log, now = _read(app, user_id)
    found = _meeting(log, now, meeting)
    names = {email.lower(): name for email, name in found.attendees}
    added = []
    for email in new_people(found, log.profile):
        name = names.get(email) or email.split("@")[0]
        how_met = f"met at {found.title}" if found.title else "met at a meeting"
        spec = decisions.ContactSpec(name=name, emails=(email,), how_met=how_met)
        key = f"meeting-people/{found.meeting_id}/{email}"
        added.append((name, contacts_service.add_contact(app, user_id, spec, key=key)))
    return added


def closeness_list(app: App, user_id: str, as_of: date | None = None) -> list[tuple[str, Closeness]]:
    """(name, closeness) for every contact, closest first."""
    log, now = _read(app, user_id, as_of)
    found = closeness_of(log.profile, log.actions, now)
    names = {c.contact_id: c.name for c in log.profile.contacts.values()}
    return sorted(((names[c], k) for c, k in found.items()), key=lambda p: (-p[1].score, p[0].casefold()))


def find_item(items: list[NextItem], text: str) -> NextItem:
    """An item of the list by its id, or by its place in the list (1-based)."""
    text = text.strip()
    for item in items:
        if item.item_id == text:
            return item
    if text.isdigit() and 1 <= int(text) <= len(items):
        return items[int(text) - 1]
    raise NotFoundError(f"no item {text!r} in your next list (it may be answered or done already)")


def answer(
    app: App,
    user_id: str,
    item_text: str,
    reply: str,
    *,
    until: date | None = None,
    key: str | None = None,
    promises: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Answer an item of the current list. Done also logs its action (which counts for goals), in
    the same append as the answer; never hides everything about that person from now on.
    `promises` are what the person promised (to the item's person), kept open until done."""
    if app.replayed(user_id, key):
        return {"item_id": item_text, "answer": reply, "action_id": None, "promise_ids": []}
    check_promises(promises)
    log, now = _read(app, user_id)
    item = find_item(_list(log, now, MAX_LIMIT), item_text)
    today = local_date(now, log.profile.tz)
    decided: list[Event] = []
    action_id = None
    if reply == DONE and item.action is not None:
        action_id = app.new_id(user_id, key, "action")
        who: tuple[str, ...] = (item.contact_id,) if item.contact_id else ()
        meeting = next((m for m in log.meetings if m.meeting_id == item.meeting_id), None)
        if meeting is not None:  # a follow-up after a meeting is with everyone known who was there
            who = tuple(sorted(c for c in set(meeting.contact_ids) if c in log.profile.contacts))
        title = f"{item.kind}: {item.contact_name}" if item.contact_name else item.kind
        decided.append(
            decisions.log_action(log.profile, action_id, item.action, now, now, contact_ids=who, title=title)
        )
    decided.append(
        answer_event(
            item.item_id,
            reply,
            now,
            contact_id=item.contact_id,
            until=until,
            today=today,
            action_id=action_id,
            promises=[(app.new_id(user_id, key, f"promise-{i}"), t) for i, t in enumerate(promises)],
        )
    )
    app.append_actions(user_id, decided, key)
    made = [p["promise_id"] for p in decided[-1].data.get("promises", [])]
    return {"item_id": item.item_id, "answer": reply, "action_id": action_id, "promise_ids": made}


def set_offers(app: App, user_id: str, offers: tuple[str, ...], key: str | None = None) -> tuple[str, ...]:
    """What the person can offer others (replacing the list; empty clears it)."""
    app.decide_profile(user_id, lambda p: decisions.change_settings(p, app.now(), offers=offers), key)
    return app.profile(user_id).offers


def set_needs(
    app: App, user_id: str, contact_id: str, needs: tuple[str, ...], key: str | None = None
) -> tuple[str, ...]:
    """What a contact is looking for (replacing the list; empty clears it)."""
    spec = decisions.ContactSpec(needs=needs)
    app.decide_profile(user_id, lambda p: _needs_change(p, contact_id, spec, app.now()), key)
    return app.profile(user_id).contacts[contact_id].needs


def _needs_change(
    profile: Profile, contact_id: str, spec: decisions.ContactSpec, now: datetime
) -> list[Event]:
    # an unchanged list is not an error here: setting what is already set appends nothing
    if contact_id in profile.contacts and tuple(spec.needs or ()) == profile.contacts[contact_id].needs:
        return []
    return decisions.update_contact(profile, contact_id, spec, now)


def tomorrow(app: App, user_id: str) -> date:
    """The person's tomorrow (what a one-tap snooze reaches)."""
    return local_date(app.now(), app.profile(user_id).tz) + timedelta(days=1)
