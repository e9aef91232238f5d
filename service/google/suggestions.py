""" "People you met": attendees of attended events who are not contacts yet, dismissing one, and
adding one as a contact with a short follow-up block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.calendars.attendance import (
    Attendee,
    CalendarEvent,
    strangers,
)
from domain.calendars.planning import follow_up_slot
from domain.decisions import ContactSpec
from domain.errors import NotFoundError
from domain.event_types import facts
from domain.event_types.events import actions_stream
from integrations.storage import calendar_store as store
from integrations.storage.database import read_transaction, write_transaction
from integrations.storage.event_store import StreamAppend
from service.app import App
from service.google.blocks import outbox_row, to_block
from service.google.ids import derived_id
from service.people import contacts as contacts_service


@dataclass(frozen=True, slots=True)
class Suggestion:
    email: str
    name: str | None
    met_at: str  # the event's start
    event: str  # its title
    times: int = 1


@dataclass
class _Met:
    name: str | None
    first: str
    event: str
    times: int = 0
    seen: set[str] = field(default_factory=set)


def suggestions(app: App, user_id: str) -> list[Suggestion]:
    """Attendees of attended events who are not contacts yet, most often met first."""
    profile = app.profile(user_id)
    with read_transaction(app.engine) as connection:
        counted = store.counted_occurrences(connection, user_id)
        hidden = store.dismissed(connection, user_id)
    met: dict[str, _Met] = {}
    for occurrence in counted:
        facts = occurrence.facts
        event = CalendarEvent(
            "",
            "",
            "confirmed",
            None,
            None,
            attendees=tuple(Attendee(e, n) for e, n in facts.get("attendees", [])),
        )
        for person in strangers(event, profile.contacts):
            if person.email in hidden:
                continue
            entry = met.setdefault(
                person.email, _Met(person.name, facts.get("at") or "", facts.get("title") or "")
            )
            entry.times += 1
            if (facts.get("at") or "") < entry.first:
                entry.first, entry.event = facts.get("at") or "", facts.get("title") or ""
            entry.name = entry.name or person.name
    found = [Suggestion(email, m.name, m.first, m.event, m.times) for email, m in met.items()]
    return sorted(found, key=lambda s: (-s.times, s.met_at, s.email))


def dismiss_suggestion(app: App, user_id: str, email: str) -> None:
    with write_transaction(app.engine) as connection:
        store.dismiss(connection, user_id, email.strip().lower())


@dataclass(frozen=True, slots=True)
class Added:
    contact_id: str
    follow_up: datetime | None


def add_suggestion(
    app: App, user_id: str, email: str, name: str | None = None, *, public_url: str = "http://127.0.0.1:8000"
) -> Added:
    """One step from a suggestion to a contact, and a short follow-up block within three days."""
    email = email.strip().lower()
    found = next((s for s in suggestions(app, user_id) if s.email == email), None)
    if found is None:
        raise NotFoundError(f"no suggestion for {email!r}: see `netgoals suggestions`")
    profile = app.profile(user_id)
    how_met = f"met at {found.event}" if found.event else "met at an event"
    contact_id = contacts_service.add_contact(
        app,
        user_id,
        ContactSpec(name=name or found.name or email.split("@")[0], emails=(email,), how_met=how_met),
        key=f"google-suggestion/{email}",
    )
    now = app.now()
    with read_transaction(app.engine) as connection:
        rows = store.outbox_rows(connection, user_id)
    blocks = [to_block(r) for r in rows]
    slot = follow_up_slot([], blocks, now, profile.tz)
    if slot is None:
        return Added(contact_id, None)
    action_id = str(derived_id(f"{user_id}/follow-up/{email}"))
    start, end = slot.astimezone(profile.tz), (slot + timedelta(minutes=15)).astimezone(profile.tz)
    title = f"Follow up with {name or found.name or email}"
    row = outbox_row(
        user_id,
        action_id,
        None,
        "follow-up",
        title,
        f"You met at {found.event or 'an event'}. A short note now keeps the contact warm.\n\n"
        f"Dashboard: {public_url.rstrip('/')}/",
        start,
        end,
        None,
    )
    row["contact_ids"] = contact_id
    planned = facts.action_planned(action_id, None, "follow-up", start, end, title, [contact_id], now)
    event = planned.with_id(derived_id(f"{action_id}/planned"))
    with write_transaction(app.engine) as connection:
        if not any(r["action_id"] == action_id for r in rows):
            store.add_outbox(connection, [row])
        app.store.append_in(connection, StreamAppend(actions_stream(user_id), None, [event]))
    return Added(contact_id, start)
