"""Crediting: move one calendar occurrence from what it counted to what it should count now.

One rule for every provider (invariant 14): Google's pull, CalDAV's pull and the settling of
occurrences that have ended all call `credit`. It is pure: the caller keeps the occurrence's
state (what it counted, its generation) and appends the events it answers, in the same
transaction as the new sync state (invariant 6).

- Exactly once: every event id is derived from the user, the occurrence and its generation, so a
  re-read calendar (a full resync after a lost sync token) appends nothing twice (invariant 2).
- A retracted credit stays retracted: attending again earns a new action (the next generation).
- A block of ours (`facts["own"]`) is credited under its own action id, once; the outbox answer
  says how the block's row must follow (done, or skipped and gone).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.calendars.attendance import CalendarEvent, Credit, reconcile
from domain.event_types import facts as fact
from domain.event_types.events import NewEvent
from domain.people.meetings import going

# The namespace predates other providers; kept so that ids derived before the port stay the same.
NAMESPACE = uuid5(NAMESPACE_URL, "https://netgoals.invalid/google-calendar")


def derived_id(text: str) -> UUID:
    return uuid5(NAMESPACE, text)


def credit_action_id(user_id: str, occurrence_key: str, kind: str, generation: int) -> str:
    """The action a calendar occurrence's n-th credit (its generation) is: attending, declining and
    attending again earns a new action, since a retracted one stays retracted."""
    return str(derived_id(f"{user_id}/{occurrence_key}/{kind}/{generation}"))


def done_id(action_id: str) -> UUID:
    """The id of the `action.done` a pull appends for an action it credits."""
    return derived_id(f"{action_id}/done")


def retracted_id(action_id: str) -> UUID:
    """The id of the `action.retracted` a pull appends when the calendar takes a credit back."""
    return derived_id(f"{action_id}/retracted")


@dataclass(frozen=True, slots=True)
class IdScheme:
    """How a calendar's credits are named: Google's and CalDAV's ids live in NAMESPACE; iCal
    sources keep the namespace and prefix they always had, so no id derived before changes."""

    namespace: UUID = NAMESPACE
    prefix: str = ""

    def action(self, user_id: str, key: str, kind: str, generation: int) -> str:
        return str(uuid5(self.namespace, f"{self.prefix}{user_id}/{key}/{kind}/{generation}"))

    def done(self, action_id: str) -> UUID:
        return uuid5(self.namespace, f"{action_id}/done")

    def retracted(self, action_id: str) -> UUID:
        return uuid5(self.namespace, f"{action_id}/retracted")


CALENDARS = IdScheme()


@dataclass(slots=True)
class Credited:
    """What one crediting decided: the events, the occurrence's new state, the outbox changes."""

    events: list[NewEvent] = field(default_factory=list)
    counted: dict[str, list[str]] = field(default_factory=dict)  # kind -> [action_id, at]
    generation: int = 0
    outbox: dict[str, dict[str, Any]] = field(default_factory=dict)  # action_id -> settled values


def credit(
    user_id: str,
    key: str,
    counted: Mapping[str, list[str]],
    generation: int,
    facts: Mapping[str, Any],
    wanted: Mapping[str, str],
    *,
    reason: str,
    at: datetime,
    source: str,
    ids: IdScheme = CALENDARS,
) -> Credited:
    """Retract what no longer holds and credit what is new (a moved event: both)."""
    out = Credited(counted={k: list(v) for k, v in counted.items()}, generation=generation)
    credits = {k: Credit(v[0], v[1]) for k, v in counted.items()}
    retract, new = reconcile(credits, wanted)
    own = facts.get("own")
    for kind in retract:
        action_id = credits[kind].action_id
        out.events.append(fact.action_retracted(action_id, reason, at).with_id(ids.retracted(action_id)))
        del out.counted[kind]
        if own == action_id:
            out.outbox.setdefault(action_id, {}).update(status="skipped", present=False)
    for kind in new:
        if own and out.generation == 0:
            action_id = str(own)
        else:
            action_id = ids.action(user_id, key, kind, out.generation)
        out.generation += 1
        # `wanted` holds the occurrence's start as stored (an isoformat, read back unchanged)
        done = fact.action_done(
            action_id,
            kind,
            datetime.fromisoformat(wanted[kind]),
            facts["contact_ids"],
            title=facts["title"] or None,
            note=None,
            source=source,
            logged_at=at,
            calendar_event=key,
        )
        out.events.append(done.with_id(ids.done(action_id)))
        out.counted[kind] = [action_id, wanted[kind]]
        if own == action_id:
            out.outbox.setdefault(action_id, {})["status"] = "done"
    return out


def occurrence_facts(
    event: CalendarEvent, kinds: list[str], contact_ids: list[str], *, attended: bool
) -> dict[str, Any]:
    """What a two-way calendar's occurrence row keeps of an event (Google and CalDAV alike): what
    it counts for and when, and what a meeting brief reads (end, title, people, whether going)."""
    return {
        "kinds": kinds,
        "at": event.start.isoformat() if event.start else None,
        "end": event.end.isoformat() if event.end else None,
        "title": event.summary[:200],
        "contact_ids": contact_ids,
        "attendees": [[a.email, a.name] for a in event.others() if a.response != "declined"],
        "own": None,
        "attended": attended,
        "going": going(event),
    }
