"""A user's profile: settings, career aspirations, goals and contacts, folded from the profile stream.

It is the state commands are decided against (see `decisions.py`) and part of what projections fold.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from domain.event_types import events as ev
from domain.people.contacts import Contact, apply_contact_update, contact_from_added
from domain.progress_updates.updates import UpdatePreferences, email_key, preferences_from_event
from domain.tracking.goals import Goal, apply_goal_change, goal_from_set

ASPIRATION_KINDS: Final = ("new-job", "clients", "mentorship", "other")
DEFAULT_WEEKLY_BUDGET: Final = 5


@dataclass(frozen=True, slots=True)
class Aspiration:
    aspiration_id: str
    text: str
    kind: str
    added_at: datetime


@dataclass(slots=True)
class Profile:
    user_id: str
    handle: str = ""
    timezone: str = "UTC"
    week_start: int = 0
    weekly_budget: int = DEFAULT_WEEKLY_BUDGET
    registered_at: datetime | None = None
    version: int = 0  # the profile stream's version this state reflects
    aspirations: dict[str, Aspiration] = field(default_factory=dict)
    goals: dict[str, Goal] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    updates: UpdatePreferences = field(default_factory=UpdatePreferences)
    confirmed_emails: set[str] = field(default_factory=set)  # addresses proven by their link, folded

    def email_confirmed(self, email: str | None) -> bool:
        return email is not None and email_key(email) in self.confirmed_emails

    offers: tuple[str, ...] = ()  # what the person can offer others (optional in settings events)
    daily_at: str | None = None  # HH:MM in their zone: the daily message (optional in settings events)

    @property
    def registered(self) -> bool:
        return self.registered_at is not None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def apply(self, event_type: str, data: dict[str, Any]) -> None:
        """Fold one profile event into this state."""
        if event_type == ev.GOAL_SET:
            goal = goal_from_set(data)
            self.goals[goal.goal_id] = goal
        elif event_type in (
            ev.GOAL_REVISED,
            ev.GOAL_PREFERENCES_SET,
            ev.GOAL_LINKED,
            ev.GOAL_PAUSED,
            ev.GOAL_RESUMED,
            ev.GOAL_ARCHIVED,
        ):
            goal_id = data["goal_id"]
            self.goals[goal_id] = apply_goal_change(self.goals[goal_id], event_type, data)
        elif event_type == ev.CONTACT_ADDED:
            contact = contact_from_added(data)
            self.contacts[contact.contact_id] = contact
        elif event_type == ev.CONTACT_UPDATED:
            contact_id = data["contact_id"]
            self.contacts[contact_id] = apply_contact_update(self.contacts[contact_id], data)
        elif event_type == ev.ASPIRATION_ADDED:
            self.aspirations[data["aspiration_id"]] = Aspiration(
                data["aspiration_id"],
                data["text"],
                data["kind"],
                datetime.fromisoformat(data["at"]),
            )
        elif event_type == ev.ASPIRATION_UPDATED:
            old = self.aspirations[data["aspiration_id"]]
            self.aspirations[old.aspiration_id] = replace(
                old, text=data.get("text") or old.text, kind=data.get("kind") or old.kind
            )
        elif event_type == ev.USER_REGISTERED:
            self.handle = data["handle"]
            self.registered_at = datetime.fromisoformat(data["at"])
            self._apply_settings(data)
        elif event_type == ev.USER_SETTINGS_CHANGED:
            self._apply_settings(data)
        elif event_type == ev.USER_UPDATES_SET:
            self.updates = preferences_from_event(data)
        elif event_type == ev.USER_UPDATES_EMAIL_CONFIRMED:
            self.confirmed_emails.add(email_key(data["email"]))
        self.version += 1

    def _apply_settings(self, data: dict[str, Any]) -> None:
        self.timezone = data.get("timezone", self.timezone)
        self.week_start = data.get("week_start", self.week_start)
        self.weekly_budget = data.get("weekly_budget", self.weekly_budget)
        if "offers" in data:
            self.offers = tuple(data["offers"] or ())
        if "daily_at" in data:
            self.daily_at = data["daily_at"]


# How Profile.apply reads each event type (tests/unit/test_event_readers.py).
EVENT_READING: Final = ev.reading(
    handled=(
        ev.USER_REGISTERED,
        ev.USER_SETTINGS_CHANGED,
        ev.ASPIRATION_ADDED,
        ev.ASPIRATION_UPDATED,
        ev.GOAL_SET,
        ev.GOAL_REVISED,
        ev.GOAL_PREFERENCES_SET,
        ev.GOAL_LINKED,
        ev.GOAL_PAUSED,
        ev.GOAL_RESUMED,
        ev.GOAL_ARCHIVED,
        ev.CONTACT_ADDED,
        ev.CONTACT_UPDATED,
        ev.USER_UPDATES_SET,
        ev.USER_UPDATES_EMAIL_CONFIRMED,
    ),
    ignored=(
        # In the profile stream, but the connection lives in the calendar store (no secrets in
        # the log): the profile only counts them in its version.
        ev.CALENDAR_CONNECTED,
        ev.CALENDAR_DISCONNECTED,
        # Other streams: never folded into a profile.
        ev.HANDLE_CLAIMED,
        ev.ACTION_DONE,
        ev.ACTION_RETRACTED,
        ev.NEXT_ANSWERED,
        ev.ACTION_PLANNED,
        ev.ACTION_RESCHEDULED,
        ev.ACTION_SKIPPED,
        ev.ACTION_FULFILLED,
        ev.CONFIRMATION_ADOPTED,
        ev.UPDATE_DECIDED,
        ev.UPDATE_DELIVERED,
        ev.UPDATE_FAILED,
    ),
)
