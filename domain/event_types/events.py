"""Event type names and the event envelope.

Type names are stable strings, never module paths: they are stored in the log forever.
Payloads are plain JSON-able dicts so that folding a million of them stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final
from uuid import UUID

# The user's profile stream: settings, aspirations, goals, contacts.
USER_REGISTERED: Final = "user.registered"
USER_SETTINGS_CHANGED: Final = "user.settings-changed"
HANDLE_CLAIMED: Final = "handle.claimed"
ASPIRATION_ADDED: Final = "aspiration.added"
# An aspiration's text or kind changed (what is not in the payload stays).
ASPIRATION_UPDATED: Final = "aspiration.updated"
GOAL_SET: Final = "goal.set"
GOAL_REVISED: Final = "goal.revised"
# A goal's own preferences (duration, days, hours) and matching rules, replacing the previous ones.
GOAL_PREFERENCES_SET: Final = "goal.preferences-set"
# A goal now serves another aspiration (`aspiration_id` null: none in particular).
GOAL_LINKED: Final = "goal.linked"
GOAL_PAUSED: Final = "goal.paused"
GOAL_RESUMED: Final = "goal.resumed"
GOAL_ARCHIVED: Final = "goal.archived"
CONTACT_ADDED: Final = "contact.added"
CONTACT_UPDATED: Final = "contact.updated"
# The user's actions stream: what was done (or planned, skipped) and corrections of it.
ACTION_DONE: Final = "action.done"
ACTION_RETRACTED: Final = "action.retracted"
# Calendar planning (Google Calendar): blocks of time for goals, and what became of them. They do not
# change progress; only `action.done` does (a planned block that was attended is done with its id).
ACTION_PLANNED: Final = "action.planned"
ACTION_RESCHEDULED: Final = "action.rescheduled"
ACTION_SKIPPED: Final = "action.skipped"
# A passed block is an intention until something says it happened: a verified (or self-logged) done
# action of its kind that day or period fulfils it (the block itself then counts nothing: the
# fulfilling action already does), or the user confirms it (`action.done` with `confirmed_via`).
# Confirmed and then fulfilled on its day, the confirmation is retracted (one happening) and the
# fulfilment names it (`absorbs`); should that evidence be retracted, the sweep restores the user's
# word as a new `action.done` with the block's `block_id` (its id from the block and the evidence).
ACTION_FULFILLED: Final = "action.fulfilled"
# The cut-over to that rule, once per user: `action.done` events of blocks before it were counted by
# the old rule (a passed block was attended) and stay history; the week to confirm a block that
# ended before the cut-over counts from the cut-over, so a rebuild decides exactly as the sweep did.
CONFIRMATION_ADOPTED: Final = "action.confirmation-adopted"
# In the profile stream: that a calendar was connected or disconnected — never with what credentials.
CALENDAR_CONNECTED: Final = "calendar.connected"
CALENDAR_DISCONNECTED: Final = "calendar.disconnected"
# Progress updates: where they go (profile stream; never a webhook URL or secret), and in the actions
# stream what was decided to be told, on which channel, and whether it was delivered.
USER_UPDATES_SET: Final = "user.updates-set"
# The person opened the signed link sent to this address: updates may go there (profile stream).
USER_UPDATES_EMAIL_CONFIRMED: Final = "user.updates-email-confirmed"
UPDATE_DECIDED: Final = "update.decided"
UPDATE_DELIVERED: Final = "update.delivered"
UPDATE_FAILED: Final = "update.failed"
# In the actions stream: the person's answer to an item of their "next" list (done, snoozed, not
# now, never for this person). Only the next list reads it: progress, the feed and the digest don't.
NEXT_ANSWERED: Final = "next.answered"

PROFILE_EVENT_TYPES: Final = frozenset(
    {
        USER_REGISTERED,
        USER_SETTINGS_CHANGED,
        ASPIRATION_ADDED,
        ASPIRATION_UPDATED,
        GOAL_SET,
        GOAL_REVISED,
        GOAL_PREFERENCES_SET,
        GOAL_LINKED,
        GOAL_PAUSED,
        GOAL_RESUMED,
        GOAL_ARCHIVED,
        CONTACT_ADDED,
        CONTACT_UPDATED,
        USER_UPDATES_SET,
        USER_UPDATES_EMAIL_CONFIRMED,
    }
)
ACTION_EVENT_TYPES: Final = frozenset({ACTION_DONE, ACTION_RETRACTED})
PLAN_EVENT_TYPES: Final = frozenset(
    {ACTION_PLANNED, ACTION_RESCHEDULED, ACTION_SKIPPED, ACTION_FULFILLED, CONFIRMATION_ADOPTED}
)
CALENDAR_EVENT_TYPES: Final = frozenset({CALENDAR_CONNECTED, CALENDAR_DISCONNECTED})
UPDATE_EVENT_TYPES: Final = frozenset({UPDATE_DECIDED, UPDATE_DELIVERED, UPDATE_FAILED})
NEXT_EVENT_TYPES: Final = frozenset({NEXT_ANSWERED})
ALL_EVENT_TYPES: Final = (
    PROFILE_EVENT_TYPES
    | ACTION_EVENT_TYPES
    | PLAN_EVENT_TYPES
    | CALENDAR_EVENT_TYPES
    | UPDATE_EVENT_TYPES
    | NEXT_EVENT_TYPES
    | {HANDLE_CLAIMED}
)

# Who makes each fact: what decides whether a person may import it (service/operations/import_rules.py).
# Every type is here on purpose; tests/unit/test_event_origins.py fails for a type that is not.
PERSON: Final = "person"  # a person decides it through the service, for their own account
IDENTITY: Final = "identity"  # who an account is: its registration, its handle
CONNECTION: Final = "connection"  # a connection, a credential or a delivery channel: only its own flow
SERVICE: Final = "service"  # the service's own record: calendar planning, sweeps, deliveries
EVENT_ORIGINS: Final[Mapping[str, str]] = MappingProxyType(
    {
        USER_REGISTERED: IDENTITY,
        HANDLE_CLAIMED: IDENTITY,
        USER_SETTINGS_CHANGED: PERSON,
        ASPIRATION_ADDED: PERSON,
        ASPIRATION_UPDATED: PERSON,
        GOAL_SET: PERSON,
        GOAL_REVISED: PERSON,
        GOAL_PREFERENCES_SET: PERSON,
        GOAL_LINKED: PERSON,
        GOAL_PAUSED: PERSON,
        GOAL_RESUMED: PERSON,
        GOAL_ARCHIVED: PERSON,
        CONTACT_ADDED: PERSON,
        CONTACT_UPDATED: PERSON,
        ACTION_DONE: PERSON,
        ACTION_RETRACTED: PERSON,
        # Blocks come from the calendar sync, their fate from it and the confirmation sweep.
        ACTION_PLANNED: SERVICE,
        ACTION_RESCHEDULED: SERVICE,
        ACTION_SKIPPED: SERVICE,
        ACTION_FULFILLED: SERVICE,
        CONFIRMATION_ADOPTED: SERVICE,
        CALENDAR_CONNECTED: CONNECTION,
        CALENDAR_DISCONNECTED: CONNECTION,
        # Where updates go: an address or a sealed webhook, set only through its own settings.
        USER_UPDATES_SET: CONNECTION,
        # Proven by its signed link, never uploaded.
        USER_UPDATES_EMAIL_CONFIRMED: CONNECTION,
        UPDATE_DECIDED: SERVICE,
        UPDATE_DELIVERED: SERVICE,
        UPDATE_FAILED: SERVICE,
        NEXT_ANSWERED: PERSON,
    }
)
PERSON_EVENT_TYPES: Final = frozenset(t for t, origin in EVENT_ORIGINS.items() if origin == PERSON)

CURRENT_SCHEMA_VERSION: Final = 1

# How a reader of the log (the history, the feed, the digest, the archive, the upcasters, the
# projections) treats each event type: every reader says it for every type, on purpose
# (tests/unit/test_event_readers.py), so a new type cannot slip past one of them unnoticed.
HANDLED: Final = "handled"
IGNORED: Final = "ignored on purpose"


def reading_of(dispatch: Mapping[str, object | None]) -> dict[str, str]:
    """A dispatch table (type -> handler, None for ignored on purpose) as a reader's table."""
    return {t: IGNORED if handler is None else HANDLED for t, handler in dispatch.items()}


def reading(handled: Iterable[str], ignored: Iterable[str]) -> dict[str, str]:
    """A reader's table from the types it handles and those it ignores on purpose (each named)."""
    table = dict.fromkeys(handled, HANDLED)
    twice = table.keys() & set(ignored)
    if twice:
        raise ValueError(f"both handled and ignored: {sorted(twice)}")
    return table | dict.fromkeys(ignored, IGNORED)


@dataclass(frozen=True, slots=True)
class Event:
    """A fact decided by the domain, before it has an id or a place in the log."""

    type: str
    data: dict[str, Any]

    def with_id(self, event_id: UUID) -> NewEvent:
        """This fact ready to append under `event_id`."""
        return NewEvent(event_id, self.type, self.data)


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event ready to append: it has its id (deterministic when it comes from outside)."""

    event_id: UUID
    type: str
    data: dict[str, Any]
    schema_version: int = CURRENT_SCHEMA_VERSION


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event as the log holds it."""

    position: int
    event_id: UUID
    stream_id: str
    version: int
    type: str
    data: dict[str, Any] = field(hash=False)
    schema_version: int = CURRENT_SCHEMA_VERSION
    recorded_at: str = ""


def profile_stream(user_id: str) -> str:
    return f"user-{user_id}"


def actions_stream(user_id: str) -> str:
    return f"actions-{user_id}"


def handle_stream(handle: str) -> str:
    return f"handle-{handle.strip().lower()}"


def user_of_stream(stream_id: str) -> str | None:
    """The user a stream belongs to (handle claims belong to nobody's data)."""
    kind, _, rest = stream_id.partition("-")
    return rest if kind in ("user", "actions") else None
