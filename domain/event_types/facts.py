"""One constructor per fact: the only place an event's payload is put together.

Each returns an `Event` whose data is its type's payload (`payloads.py`); mypy checks the keys
and their types at every call site. Times are passed as datetimes and stored as ISO strings (with
their offset: invariant 9).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final

from domain.event_types import events as ev
from domain.event_types import payloads as p
from domain.event_types.events import Event


def _event(event_type: str, payload: Mapping[str, Any]) -> Event:
    return Event(event_type, dict(payload))


# --- The profile stream -------------------------------------------------------------------------


def user_registered(handle: str, timezone: str, week_start: int, weekly_budget: int, at: datetime) -> Event:
    payload: p.UserRegistered = {
        "handle": handle,
        "timezone": timezone,
        "week_start": week_start,
        "weekly_budget": weekly_budget,
        "at": at.isoformat(),
    }
    return _event(ev.USER_REGISTERED, payload)


def user_settings_changed(changes: p.UserSettingsChanges, at: datetime) -> Event:
    payload: p.UserSettingsChanged = {**changes, "at": at.isoformat()}
    return _event(ev.USER_SETTINGS_CHANGED, payload)


def handle_claimed(handle: str, user_id: str, at: datetime) -> Event:
    payload: p.HandleClaimed = {"handle": handle, "user_id": user_id, "at": at.isoformat()}
    return _event(ev.HANDLE_CLAIMED, payload)


def aspiration_added(aspiration_id: str, text: str, kind: str, at: datetime) -> Event:
    payload: p.AspirationAdded = {
        "aspiration_id": aspiration_id,
        "text": text,
        "kind": kind,
        "at": at.isoformat(),
    }
    return _event(ev.ASPIRATION_ADDED, payload)


def aspiration_updated(aspiration_id: str, at: datetime, *, text: str | None, kind: str | None) -> Event:
    """Only what changed (`None`: unchanged) is in the payload."""
    payload: p.AspirationUpdated = {"aspiration_id": aspiration_id, "at": at.isoformat()}
    if text is not None:
        payload["text"] = text
    if kind is not None:
        payload["kind"] = kind
    return _event(ev.ASPIRATION_UPDATED, payload)


def goal_set(payload: p.GoalSet) -> Event:
    """A goal's whole definition (built by `domain/decisions/goals.py`, which reads it back)."""
    return _event(ev.GOAL_SET, payload)


def goal_revised(
    goal_id: str, target: int, effective_from: date, at: datetime, *, title: str | None
) -> Event:
    payload: p.GoalRevised = {
        "goal_id": goal_id,
        "target": target,
        "effective_from": effective_from.isoformat(),
        "at": at.isoformat(),
    }
    if title is not None:
        payload["title"] = title
    return _event(ev.GOAL_REVISED, payload)


def goal_preferences_set(goal_id: str, preferences: p.GoalPreferencesPayload, at: datetime) -> Event:
    payload: p.GoalPreferencesSet = {"goal_id": goal_id, **preferences, "at": at.isoformat()}
    return _event(ev.GOAL_PREFERENCES_SET, payload)


def goal_linked(goal_id: str, aspiration_id: str | None, at: datetime) -> Event:
    payload: p.GoalLinked = {"goal_id": goal_id, "aspiration_id": aspiration_id, "at": at.isoformat()}
    return _event(ev.GOAL_LINKED, payload)


def goal_paused(goal_id: str, at: datetime) -> Event:
    payload: p.GoalPaused = {"goal_id": goal_id, "at": at.isoformat()}
    return _event(ev.GOAL_PAUSED, payload)


def goal_resumed(goal_id: str, at: datetime) -> Event:
    payload: p.GoalResumed = {"goal_id": goal_id, "at": at.isoformat()}
    return _event(ev.GOAL_RESUMED, payload)


def goal_archived(goal_id: str, at: datetime) -> Event:
    payload: p.GoalArchived = {"goal_id": goal_id, "at": at.isoformat()}
    return _event(ev.GOAL_ARCHIVED, payload)


def contact_added(contact_id: str, fields: p.ContactFields, at: datetime) -> Event:
    payload: p.ContactAdded = {"contact_id": contact_id, **fields, "at": at.isoformat()}
    return _event(ev.CONTACT_ADDED, payload)


def contact_updated(contact_id: str, changes: p.ContactFields, at: datetime) -> Event:
    payload: p.ContactUpdated = {"contact_id": contact_id, **changes, "at": at.isoformat()}
    return _event(ev.CONTACT_UPDATED, payload)


def calendar_connected(provider: str, calendar: str, at: datetime) -> Event:
    payload: p.CalendarConnected = {"provider": provider, "calendar": calendar, "at": at.isoformat()}
    return _event(ev.CALENDAR_CONNECTED, payload)


def calendar_disconnected(provider: str, at: datetime) -> Event:
    payload: p.CalendarDisconnected = {"provider": provider, "at": at.isoformat()}
    return _event(ev.CALENDAR_DISCONNECTED, payload)


def user_updates_set(
    channel: str, email: str | None, webhook_format: str, immediate: bool, digest: bool, at: datetime
) -> Event:
    payload: p.UserUpdatesSet = {
        "channel": channel,
        "email": email,
        "webhook_format": webhook_format,
        "immediate": immediate,
        "digest": digest,
        "at": at.isoformat(),
    }
    return _event(ev.USER_UPDATES_SET, payload)


def user_updates_email_confirmed(email: str, at: datetime) -> Event:
    payload: p.UserUpdatesEmailConfirmed = {"email": email, "at": at.isoformat()}
    return _event(ev.USER_UPDATES_EMAIL_CONFIRMED, payload)


# --- The actions stream -------------------------------------------------------------------------


def action_done(
    action_id: str,
    kind: str,
    at: datetime,
    contact_ids: Sequence[str],
    *,
    title: str | None,
    note: str | None,
    source: str,
    logged_at: datetime,
    calendar_event: str | None = None,
    confirmed_via: str | None = None,
    block_id: str | None = None,
) -> Event:
    """An action that was done: logged, confirmed (`confirmed_via`), restored (`block_id`) or shown
    by a calendar (`calendar_event`). Those three are in the payload only when given."""
    payload: p.ActionDone = {
        "action_id": action_id,
        "kind": kind,
        "at": at.isoformat(),
        "contact_ids": list(contact_ids),
        "title": title,
        "note": note,
        "source": source,
    }
    if calendar_event is not None:
        payload["calendar_event"] = calendar_event
    if block_id is not None:
        payload["block_id"] = block_id
    if confirmed_via is not None:
        payload["confirmed_via"] = confirmed_via
    payload["logged_at"] = logged_at.isoformat()
    return _event(ev.ACTION_DONE, payload)


def action_retracted(action_id: str, reason: str | None, at: datetime) -> Event:
    payload: p.ActionRetracted = {"action_id": action_id, "reason": reason, "at": at.isoformat()}
    return _event(ev.ACTION_RETRACTED, payload)


def action_planned(
    action_id: str,
    goal_id: str | None,
    kind: str,
    start: datetime,
    end: datetime,
    title: str,
    contact_ids: Sequence[str],
    at: datetime,
) -> Event:
    payload: p.ActionPlanned = {
        "action_id": action_id,
        "goal_id": goal_id,
        "kind": kind,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "title": title,
        "contact_ids": list(contact_ids),
        "at": at.isoformat(),
    }
    return _event(ev.ACTION_PLANNED, payload)


def action_rescheduled(
    action_id: str, start: datetime, end: datetime, by: str, at: datetime, *, reason: str | None = None
) -> Event:
    """`reason` (the planner's, for a block it moved) comes before `at`, as it always was logged."""
    payload: p.ActionRescheduled
    if reason is None:
        payload = {
            "action_id": action_id,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "by": by,
            "at": at.isoformat(),
        }
    else:
        payload = {
            "action_id": action_id,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "by": by,
            "reason": reason,
            "at": at.isoformat(),
        }
    return _event(ev.ACTION_RESCHEDULED, payload)


def action_skipped(action_id: str, reason: str, by: str, at: datetime, *, via: str | None = None) -> Event:
    payload: p.ActionSkipped = {"action_id": action_id, "reason": reason, "by": by, "at": at.isoformat()}
    if via is not None:
        payload["via"] = via
    return _event(ev.ACTION_SKIPPED, payload)


def action_fulfilled(
    action_id: str,
    by: str,
    title: str | None,
    source: str | None,
    happened_at: datetime,
    at: datetime,
    *,
    absorbs: str | None = None,
) -> Event:
    """A block fulfilled by another done action (`by`); `absorbs`: the user's confirmation of the
    block that this stands in for (restored should `by` be retracted)."""
    payload: p.ActionFulfilled = {
        "action_id": action_id,
        "by": by,
        "title": title,
        "source": source,
        "happened_at": happened_at.isoformat(),
        "at": at.isoformat(),
    }
    if absorbs is not None:
        payload["absorbs"] = absorbs
    return _event(ev.ACTION_FULFILLED, payload)


def confirmation_adopted(at: datetime) -> Event:
    payload: p.ConfirmationAdopted = {"at": at.isoformat()}
    return _event(ev.CONFIRMATION_ADOPTED, payload)


def update_decided(delivery_id: str, key: str, kind: str, channel: str, subject: str, at: datetime) -> Event:
    payload: p.UpdateDecided = {
        "delivery_id": delivery_id,
        "key": key,
        "kind": kind,
        "channel": channel,
        "subject": subject,
        "at": at.isoformat(),
    }
    return _event(ev.UPDATE_DECIDED, payload)


def _outcome(
    delivery_id: str, key: str, kind: str, channel: str, detail: str, at: datetime
) -> p.UpdateOutcome:
    return {
        "delivery_id": delivery_id,
        "key": key,
        "kind": kind,
        "channel": channel,
        "detail": detail,
        "at": at.isoformat(),
    }


def update_delivered(delivery_id: str, key: str, kind: str, channel: str, detail: str, at: datetime) -> Event:
    return _event(ev.UPDATE_DELIVERED, _outcome(delivery_id, key, kind, channel, detail, at))


def update_failed(delivery_id: str, key: str, kind: str, channel: str, detail: str, at: datetime) -> Event:
    return _event(ev.UPDATE_FAILED, _outcome(delivery_id, key, kind, channel, detail, at))


def next_answered(
    item_id: str,
    answer: str,
    at: datetime,
    *,
    contact_id: str | None = None,
    until: date | None = None,
    action_id: str | None = None,
    promises: Sequence[tuple[str, str]] = (),
) -> Event:
    """`promises`: (promise id, text) pairs, already checked (domain/people/next_answers.py)."""
    payload: p.NextAnswered = {"item_id": item_id, "answer": answer, "at": at.isoformat()}
    if contact_id is not None:
        payload["contact_id"] = contact_id
    if until is not None:
        payload["until"] = until.isoformat()
    if action_id is not None:
        payload["action_id"] = action_id
    if promises:
        payload["promises"] = [{"promise_id": i, "text": t} for i, t in promises]
    return _event(ev.NEXT_ANSWERED, payload)


# Each event type's payload and constructor (tests/integration/test_event_types.py: every type has both).
PAYLOADS: Final[Mapping[str, type]] = {
    ev.USER_REGISTERED: p.UserRegistered,
    ev.USER_SETTINGS_CHANGED: p.UserSettingsChanged,
    ev.HANDLE_CLAIMED: p.HandleClaimed,
    ev.ASPIRATION_ADDED: p.AspirationAdded,
    ev.ASPIRATION_UPDATED: p.AspirationUpdated,
    ev.GOAL_SET: p.GoalSet,
    ev.GOAL_REVISED: p.GoalRevised,
    ev.GOAL_PREFERENCES_SET: p.GoalPreferencesSet,
    ev.GOAL_LINKED: p.GoalLinked,
    ev.GOAL_PAUSED: p.GoalPaused,
    ev.GOAL_RESUMED: p.GoalResumed,
    ev.GOAL_ARCHIVED: p.GoalArchived,
    ev.CONTACT_ADDED: p.ContactAdded,
    ev.CONTACT_UPDATED: p.ContactUpdated,
    ev.CALENDAR_CONNECTED: p.CalendarConnected,
    ev.CALENDAR_DISCONNECTED: p.CalendarDisconnected,
    ev.USER_UPDATES_SET: p.UserUpdatesSet,
    ev.USER_UPDATES_EMAIL_CONFIRMED: p.UserUpdatesEmailConfirmed,
    ev.ACTION_DONE: p.ActionDone,
    ev.ACTION_RETRACTED: p.ActionRetracted,
    ev.ACTION_PLANNED: p.ActionPlanned,
    ev.ACTION_RESCHEDULED: p.ActionRescheduled,
    ev.ACTION_SKIPPED: p.ActionSkipped,
    ev.ACTION_FULFILLED: p.ActionFulfilled,
    ev.CONFIRMATION_ADOPTED: p.ConfirmationAdopted,
    ev.UPDATE_DECIDED: p.UpdateDecided,
    ev.UPDATE_DELIVERED: p.UpdateOutcome,
    ev.UPDATE_FAILED: p.UpdateOutcome,
    ev.NEXT_ANSWERED: p.NextAnswered,
}
CONSTRUCTORS: Final[Mapping[str, Callable[..., Event]]] = {
    ev.USER_REGISTERED: user_registered,
    ev.USER_SETTINGS_CHANGED: user_settings_changed,
    ev.HANDLE_CLAIMED: handle_claimed,
    ev.ASPIRATION_ADDED: aspiration_added,
    ev.ASPIRATION_UPDATED: aspiration_updated,
    ev.GOAL_SET: goal_set,
    ev.GOAL_REVISED: goal_revised,
    ev.GOAL_PREFERENCES_SET: goal_preferences_set,
    ev.GOAL_LINKED: goal_linked,
    ev.GOAL_PAUSED: goal_paused,
    ev.GOAL_RESUMED: goal_resumed,
    ev.GOAL_ARCHIVED: goal_archived,
    ev.CONTACT_ADDED: contact_added,
    ev.CONTACT_UPDATED: contact_updated,
    ev.CALENDAR_CONNECTED: calendar_connected,
    ev.CALENDAR_DISCONNECTED: calendar_disconnected,
    ev.USER_UPDATES_SET: user_updates_set,
    ev.USER_UPDATES_EMAIL_CONFIRMED: user_updates_email_confirmed,
    ev.ACTION_DONE: action_done,
    ev.ACTION_RETRACTED: action_retracted,
    ev.ACTION_PLANNED: action_planned,
    ev.ACTION_RESCHEDULED: action_rescheduled,
    ev.ACTION_SKIPPED: action_skipped,
    ev.ACTION_FULFILLED: action_fulfilled,
    ev.CONFIRMATION_ADOPTED: confirmation_adopted,
    ev.UPDATE_DECIDED: update_decided,
    ev.UPDATE_DELIVERED: update_delivered,
    ev.UPDATE_FAILED: update_failed,
    ev.NEXT_ANSWERED: next_answered,
}
