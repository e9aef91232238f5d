"""Attendance: did the person go to a calendar event, and which goals does it count for?

Google knows invitations, not presence (docs/architecture.md, "Planned blocks"). An event counts as
attended when it has ended, is not cancelled, is an ordinary event (`default` or `fromGmail`), and
the person's own attendee entry is `accepted` — or they organised it and there is no attendee list.
It counts for a goal when it matches the goal's rule: keywords in title, description or location,
attendee emails or domains of the goal's contacts. netgoals' own planned blocks are never evidence:
a passed block waits to be confirmed or fulfilled (`domain.calendars.confirmation`).

Everything here is pure: the clock comes in as an argument.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from domain.people.contacts import Contact
from domain.tracking.goals import Goal

ATTENDED, UPCOMING, NOT_ATTENDED = "attended", "upcoming", "not-attended"
COUNTED_EVENT_TYPES: Final = frozenset({"default", "fromGmail"})

# Sensible defaults per action kind; a goal with named contacts matches their emails instead.
DEFAULT_KEYWORDS: Final[Mapping[str, tuple[str, ...]]] = {
    "attend-event": (
        "meetup",
        "networking",
        "conference",
        "mixer",
        "summit",
        "happy hour",
        "career fair",
        "hackathon",
    ),
    "reach-out": ("coffee", "coffee chat", "intro call", "catch up", "catch-up"),
    "follow-up": ("follow up", "follow-up"),
    "meet-mentor": ("mentor", "mentoring"),
    "offer-help": ("office hours", "mentoring session", "review"),
}


@dataclass(frozen=True, slots=True)
class Attendee:
    email: str
    name: str | None = None
    is_self: bool = False
    response: str = "needsAction"


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """The part of a calendar event attendance needs, already parsed (times are aware)."""

    calendar_id: str
    event_id: str
    status: str
    start: datetime | None
    end: datetime | None
    original_start: str = ""  # set for an instance of a recurring event
    event_type: str = "default"
    summary: str = ""
    description: str = ""
    location: str = ""
    organizer_self: bool = False
    attendees: tuple[Attendee, ...] = ()
    private: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def key(self) -> str:
        """Names one occurrence: calendar, event and (for instances) the original start."""
        return f"{self.calendar_id}/{self.event_id}/{self.original_start}"

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    def others(self) -> list[Attendee]:
        return [a for a in self.attendees if not a.is_self]


def attendance(event: CalendarEvent, now: datetime) -> str:
    """ATTENDED, UPCOMING (would count once it has ended) or NOT_ATTENDED."""
    if event.cancelled or event.start is None or event.end is None:
        return NOT_ATTENDED
    if event.event_type not in COUNTED_EVENT_TYPES:
        return NOT_ATTENDED
    me = next((a for a in event.attendees if a.is_self), None)
    going = me.response == "accepted" if me is not None else event.organizer_self and not event.attendees
    if not going:
        return NOT_ATTENDED
    return ATTENDED if event.end <= now else UPCOMING


@dataclass(frozen=True, slots=True)
class GoalRule:
    """What makes a calendar event count for one goal."""

    goal_id: str
    kind: str
    keywords: tuple[str, ...] = ()
    emails: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()

    def matches(self, event: CalendarEvent) -> bool:
        others = [a.email.lower() for a in event.others()]
        if self.emails and any(email in self.emails for email in others):
            return True
        if self.domains and any(_in_domains(email.rpartition("@")[2], self.domains) for email in others):
            return True
        if self.keywords:
            text = " ".join((event.summary, event.description, event.location)).lower()
            return any(_keyword(k).search(text) for k in self.keywords)
        return False


def _in_domains(domain: str, domains: frozenset[str]) -> bool:
    """acme.com covers acme.com and its subdomains (eng.acme.com)."""
    parts = domain.split(".")
    return any(".".join(parts[i:]) in domains for i in range(len(parts) - 1))


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _keyword(word: str) -> re.Pattern[str]:
    pattern = _PATTERNS.get(word)
    if pattern is None:
        pattern = _PATTERNS[word] = re.compile(rf"(?<![a-z0-9]){re.escape(word.lower())}s?(?![a-z0-9])")
    return pattern


def keywords_of(goal: Goal) -> tuple[str, ...]:
    """The keywords a goal matches: its own when it has them (they replace the kind's); else the
    kind's defaults, unless the goal is about people (contacts or domains), which then decide."""
    own = goal.preferences
    if own.keywords is not None:
        return own.keywords
    if goal.contact_ids or own.domains:
        return ()
    return DEFAULT_KEYWORDS.get(goal.action, (goal.action.replace("-", " "),))


def rule_for(goal: Goal, contacts: Mapping[str, Contact]) -> GoalRule:
    """A goal's rule: its contacts' emails plus its own email domains (people), and its keywords
    (see `keywords_of`). Either matching is enough."""
    emails = frozenset(
        email.lower() for contact_id in goal.contact_ids for email in _emails(contacts, contact_id)
    )
    domains = frozenset(goal.preferences.domains or ())
    return GoalRule(goal.goal_id, goal.action, keywords_of(goal), emails, domains)


def _emails(contacts: Mapping[str, Contact], contact_id: str) -> tuple[str, ...]:
    contact = contacts.get(contact_id)
    return contact.emails if contact is not None else ()


def rules_for(goals: Iterable[Goal], contacts: Mapping[str, Contact]) -> list[GoalRule]:
    return [rule_for(g, contacts) for g in goals if g.archived_at is None]


def matching_kinds(event: CalendarEvent, rules: Iterable[GoalRule]) -> list[str]:
    """The action kinds an event counts as: the kind of every goal whose rule it matches (each kind
    once)."""
    kinds: list[str] = []
    for rule in rules:
        if rule.kind not in kinds and rule.matches(event):
            kinds.append(rule.kind)
    return kinds


def contacts_present(event: CalendarEvent, contacts: Mapping[str, Contact]) -> list[str]:
    """Ids of known contacts among the other attendees."""
    by_email = {email.lower(): c.contact_id for c in contacts.values() for email in c.emails}
    found = {by_email[a.email.lower()] for a in event.others() if a.email.lower() in by_email}
    return sorted(found)


def strangers(event: CalendarEvent, contacts: Mapping[str, Contact]) -> list[Attendee]:
    """Other attendees who are not contacts yet: "people you met" suggestions."""
    known = {email.lower() for c in contacts.values() for email in c.emails}
    return [a for a in event.others() if a.email.lower() not in known and a.response != "declined"]


@dataclass(frozen=True, slots=True)
class Credit:
    """A completion an occurrence has earned: the action that counts it and the moment."""

    action_id: str
    at: str


def reconcile(counted: Mapping[str, Credit], wanted: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """Kinds whose credit must be retracted, and kinds that must be credited anew, to go from what
    was counted to what should be counted now (a moved event is retracted and credited again)."""
    retract = [k for k, credit in counted.items() if wanted.get(k) != credit.at]
    credit = [k for k, at in wanted.items() if k not in counted or counted[k].at != at]
    return sorted(retract), sorted(credit)
