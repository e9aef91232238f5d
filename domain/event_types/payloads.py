"""The payload of each event type, as a TypedDict: the keys a fact carries and their JSON types.

No `from __future__ import annotations` here on purpose: `parse_event` reads `__required_keys__`
at run time, and string annotations would hide `NotRequired` from it (every key would look
required). Keys marked `NotRequired` are absent from some events already in logs, or only written
when they say something; readers must not index them.
"""

from typing import NotRequired, TypedDict

# --- The profile stream -------------------------------------------------------------------------


class UserRegistered(TypedDict):
    handle: str
    timezone: str
    week_start: int
    weekly_budget: int
    at: str


class UserSettingsChanges(TypedDict, total=False):
    """Only what changed is in the payload."""

    offers: list[str]
    timezone: str
    week_start: int
    weekly_budget: int
    daily_at: str | None  # HH:MM in the person's zone, None: off (the daily message)


class UserSettingsChanged(UserSettingsChanges):
    at: str


class HandleClaimed(TypedDict):
    handle: str
    user_id: str
    at: str


class AspirationAdded(TypedDict):
    aspiration_id: str
    text: str
    kind: str
    at: str


class AspirationUpdated(TypedDict):
    aspiration_id: str
    at: str
    text: NotRequired[str]
    kind: NotRequired[str]


class GoalPreferencesPayload(TypedDict):
    """A goal's own preferences; `None` is the kind's default."""

    duration_minutes: NotRequired[int | None]
    days: NotRequired[list[str] | None]
    hours: NotRequired[str | None]
    keywords: NotRequired[list[str] | None]
    domains: NotRequired[list[str] | None]


class GoalSet(GoalPreferencesPayload):
    goal_id: str
    title: str
    action: str
    target: int
    frame: str
    start: str
    at: str
    deadline: NotRequired[str | None]
    aspiration_id: NotRequired[str | None]
    contact_ids: NotRequired[list[str]]
    new_contacts_only: NotRequired[bool]
    template: NotRequired[str | None]
    contact_kind: NotRequired[str]


class GoalRevised(TypedDict):
    goal_id: str
    target: int
    effective_from: str
    at: str
    title: NotRequired[str]


class GoalPreferencesSet(GoalPreferencesPayload):
    goal_id: str
    at: str


class GoalLinked(TypedDict):
    goal_id: str
    aspiration_id: str | None
    at: str


class GoalPaused(TypedDict):
    goal_id: str
    at: str


class GoalResumed(TypedDict):
    goal_id: str
    at: str


class GoalArchived(TypedDict):
    goal_id: str
    at: str


class ContactFields(TypedDict):
    """A contact's fields as an addition or an update carries them: only those given."""

    name: NotRequired[str]
    emails: NotRequired[list[str]]
    organisation: NotRequired[str | None]
    role: NotRequired[str | None]
    linkedin_url: NotRequired[str | None]
    tags: NotRequired[list[str]]
    needs: NotRequired[list[str]]
    how_met: NotRequired[str | None]
    strength: NotRequired[int]
    cadence_days: NotRequired[int | None]
    helps_with: NotRequired[list[str]]
    known_since: NotRequired[str]
    source: NotRequired[str]


class ContactAdded(ContactFields):
    contact_id: str
    at: str


class ContactUpdated(ContactFields):
    contact_id: str
    at: str


class CalendarConnected(TypedDict):
    provider: str
    at: str
    calendar: NotRequired[str]


class CalendarDisconnected(TypedDict):
    provider: str
    at: str


class UserUpdatesSet(TypedDict):
    """Where updates go — never a webhook URL, which the service keeps sealed."""

    channel: str
    at: str
    email: NotRequired[str | None]
    webhook_format: NotRequired[str | None]
    immediate: NotRequired[bool]
    digest: NotRequired[bool]


class UserUpdatesEmailConfirmed(TypedDict):
    email: str
    at: str


# --- The actions stream -------------------------------------------------------------------------


class ActionDone(TypedDict):
    action_id: str
    kind: str
    at: str
    contact_ids: list[str]
    title: NotRequired[str | None]
    note: NotRequired[str | None]
    source: NotRequired[str]
    logged_at: NotRequired[str]
    # A calendar event's key (Google or iCal) when the calendar shows it happened.
    calendar_event: NotRequired[str]
    # The channel of the user's word for a planned block ("confirmed" actions).
    confirmed_via: NotRequired[str | None]
    # The block a restored confirmation belongs to (its own id is derived).
    block_id: NotRequired[str]


class ActionRetracted(TypedDict):
    action_id: str
    at: str
    reason: NotRequired[str | None]


class ActionPlanned(TypedDict):
    action_id: str
    goal_id: str | None
    kind: str
    start: str
    end: str
    at: str
    title: NotRequired[str]
    contact_ids: NotRequired[list[str]]


class ActionRescheduled(TypedDict):
    action_id: str
    start: str
    end: str
    by: str
    at: str
    reason: NotRequired[str]


class ActionSkipped(TypedDict):
    action_id: str
    reason: str
    by: str
    at: str
    via: NotRequired[str]


class ActionFulfilled(TypedDict):
    action_id: str
    by: str
    at: str
    title: NotRequired[str | None]
    source: NotRequired[str | None]
    happened_at: NotRequired[str]
    absorbs: NotRequired[str]


class ConfirmationAdopted(TypedDict):
    at: str


class UpdateDecided(TypedDict):
    delivery_id: str
    key: str
    kind: str
    channel: str
    subject: str
    at: str


class UpdateOutcome(TypedDict):
    """A delivery's outcome: `update.delivered` or `update.failed`."""

    delivery_id: str
    key: str
    kind: str
    channel: str
    detail: str
    at: str


class PromiseMade(TypedDict):
    promise_id: str
    text: str


class NextAnswered(TypedDict):
    item_id: str
    answer: str
    at: str
    contact_id: NotRequired[str]
    until: NotRequired[str]
    action_id: NotRequired[str]
    promises: NotRequired[list[PromiseMade]]
