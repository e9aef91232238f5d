"""Before and after a meeting (issue 28): which calendar meetings involve people the network knows,
the brief to read before one, and the nudge the day after.

A meeting is what a calendar said (Google, an iCal source, CalDAV): its time, title, the known
contacts among its attendees and the other attendees' addresses. A brief says, per known person,
who they are to you (closeness and how you met), your last interactions with their notes, what they
are looking for, the promises you have not kept to them yet, and which goal or aspiration the
meeting serves. Pure: the clock and every fact come in as arguments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from domain.calendars.attendance import CalendarEvent
from domain.decisions.profile import Profile
from domain.people.closeness import closeness
from domain.people.contacts import Contact
from domain.people.next_answers import Promise
from domain.tracking.actions import ActionFact
from domain.tracking.periods import local_date, local_midnight

SOON: Final = timedelta(hours=1)  # "within the hour": its brief tops the next list
AFTER_DAYS: Final = 2  # the nudge shows the day after and the day after that
LAST_INTERACTIONS: Final = 3


@dataclass(frozen=True, slots=True)
class Meeting:
    meeting_id: str  # short and stable: what `netgoals next brief ID` and the API name
    source: str  # google, ical, caldav
    title: str
    start: datetime
    end: datetime | None
    contact_ids: tuple[str, ...]  # known contacts among the attendees (when the calendar was read)
    attendees: tuple[tuple[str, str | None], ...] = ()  # other attendees: (address, name)
    going: bool = True  # not cancelled, not declined
    kinds: tuple[str, ...] = ()  # the action kinds it counts for (a goal's rule matched it)


@dataclass(frozen=True, slots=True)
class Interaction:
    at: datetime
    kind: str
    title: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class PersonBrief:
    contact_id: str
    name: str
    who: str  # organisation and role, how you met
    closeness: str  # the closeness sentence
    last: tuple[Interaction, ...]
    needs: tuple[str, ...]
    promises: tuple[Promise, ...]


@dataclass(frozen=True, slots=True)
class Brief:
    meeting: Meeting
    when: str  # "tomorrow at 10:00"
    people: tuple[PersonBrief, ...]
    new_people: tuple[str, ...]  # attendees who are not contacts
    serves: tuple[str, ...]  # goal titles, then aspiration texts


def going(event: CalendarEvent) -> bool:
    """Whether the person means to be there: not cancelled, not declined (an invitation not yet
    answered still deserves a brief)."""
    declined = any(a.is_self and a.response == "declined" for a in event.attendees)
    return not event.cancelled and not declined


def known_people(meeting: Meeting, profile: Profile, now: datetime) -> list[Contact]:
    """The meeting's attendees the network knew at `now`, by name (then id)."""
    found = [
        profile.contacts[c]
        for c in set(meeting.contact_ids)
        if c in profile.contacts and profile.contacts[c].added_at <= now
    ]
    return sorted(found, key=lambda c: (c.name.casefold(), c.contact_id))


def new_people(meeting: Meeting, profile: Profile) -> tuple[str, ...]:
    """Other attendees' addresses that no contact has."""
    known = {e.lower() for c in profile.contacts.values() for e in c.emails}
    return tuple(sorted({a.lower() for a, _ in meeting.attendees} - known))


def coming_up(meetings: Iterable[Meeting], profile: Profile, now: datetime) -> list[Meeting]:
    """Meetings worth a brief at `now`: going, with someone known, starting from now until the end of
    tomorrow (local), soonest first."""
    tz = profile.tz
    horizon = local_midnight(local_date(now, tz) + timedelta(days=2), tz)
    found = [m for m in meetings if m.going and now < m.start <= horizon and known_people(m, profile, now)]
    return sorted(found, key=lambda m: (m.start, m.meeting_id))


def just_past(meetings: Iterable[Meeting], profile: Profile, now: datetime) -> list[Meeting]:
    """Meetings the day after which a nudge is due: going, over, held 1-2 local days before today,
    with someone known; the most recent first."""
    tz = profile.tz
    today = local_date(now, tz)
    found = []
    for m in meetings:
        end = m.end or m.start
        days = (today - local_date(m.start, tz)).days
        if not m.going or end > now or not 1 <= days <= AFTER_DAYS:
            continue
        if known_people(m, profile, now):  # strangers alone (a dentist's desk) are not worth a nudge
            found.append(m)
    return sorted(found, key=lambda m: (-m.start.timestamp(), m.meeting_id))


def when_words(start: datetime, today: date) -> str:
    """Words for when: tomorrow at 10:00, yesterday at 12:00 (`start` in the person's zone)."""
    day = (start.date() - today).days
    name = "today" if day == 0 else "tomorrow" if day == 1 else f"on {start:%A %d %B}"
    if day < 0:
        name = "yesterday" if day == -1 else f"{-day} days ago"
    return f"{name} at {start:%H:%M}"


def _who(contact: Contact) -> str:
    parts = [p for p in (contact.role, contact.organisation) if p]
    where = ", ".join(parts)
    met = contact.how_met
    if where and met:
        return f"{where}; {met}"
    return where or met or "no details noted yet"


def brief(
    meeting: Meeting,
    profile: Profile,
    actions: Sequence[ActionFact],
    details: Mapping[str, tuple[str | None, str | None]],
    promises: Iterable[Promise],
    now: datetime,
) -> Brief:
    """The brief for one meeting at `now` (facts after `now` are not known yet)."""
    tz = profile.tz
    people = known_people(meeting, profile, now)
    ids = {c.contact_id for c in people}
    touches: dict[str, list[ActionFact]] = {c: [] for c in ids}
    for action in actions:
        if action.retracted or action.at > now:
            continue
        for contact_id in action.contact_ids:
            if contact_id in touches:
                touches[contact_id].append(action)
    open_promises = sorted(promises, key=lambda p: (p.made_at, p.promise_id))
    found = []
    for contact in people:
        seen = sorted(touches[contact.contact_id], key=lambda a: (a.at, a.action_id))
        last = tuple(
            Interaction(a.at.astimezone(tz), a.kind, *details.get(a.action_id, (None, None)))
            for a in reversed(seen[-LAST_INTERACTIONS:])
        )
        close = closeness(contact, [a.at for a in seen], now)
        found.append(
            PersonBrief(
                contact.contact_id,
                contact.name,
                _who(contact),
                close.explanation,
                last,
                contact.needs,
                tuple(p for p in open_promises if p.contact_id == contact.contact_id),
            )
        )
    goals = sorted(
        (
            g
            for g in profile.goals.values()
            if g.archived_at is None
            and g.set_at <= now
            and (ids & set(g.contact_ids) or g.action in meeting.kinds)
        ),
        key=lambda g: g.goal_id,
    )
    aims = [g.aspiration_id for g in goals if g.aspiration_id]
    aims += [a for contact in people for a in sorted(contact.helps_with)]
    aspirations = [profile.aspirations[a].text for a in aims if a in profile.aspirations]
    serves = tuple(dict.fromkeys([*(g.title for g in goals), *aspirations]))
    when = when_words(meeting.start.astimezone(tz), local_date(now, tz))
    return Brief(meeting, when, tuple(found), new_people(meeting, profile), serves)


def brief_text(found: Brief) -> list[str]:
    """The brief as lines a person reads (CLI, the daily message)."""
    m = found.meeting
    lines = [f"“{m.title or 'A meeting'}” {found.when}"]
    if found.serves:
        lines.append("  serves: " + "; ".join(found.serves))
    for p in found.people:
        lines.append(f"  {p.name} — {p.who}. {p.closeness}")
        for i in p.last:
            what = i.title or i.kind.replace("-", " ")
            lines.append(f"    last: {i.at:%Y-%m-%d} {what}" + (f" — {i.note}" if i.note else ""))
        if p.needs:
            lines.append("    looking for: " + "; ".join(p.needs))
        for promise in p.promises:
            lines.append(f"    you promised: {promise.text} ({promise.made_at:%Y-%m-%d})")
    if found.new_people:
        lines.append("  not in your network yet: " + ", ".join(found.new_people))
    return lines
