"""Use case: the history as people read it — every event with a plain label, what it was about,
its time in the user's own zone, and the people it involved; filtered and paged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from domain.errors import DomainError
from domain.event_types import events as ev
from integrations.storage import views
from integrations.storage.database import read_transaction
from service.app import App

# What a person can filter by: a word for a group of event types.
KINDS: Final = {
    "actions": frozenset({ev.ACTION_DONE, ev.ACTION_RETRACTED}),
    "calendar": frozenset(
        {
            ev.ACTION_PLANNED,
            ev.ACTION_RESCHEDULED,
            ev.ACTION_SKIPPED,
            ev.ACTION_FULFILLED,
            ev.CONFIRMATION_ADOPTED,
            ev.CALENDAR_CONNECTED,
            ev.CALENDAR_DISCONNECTED,
        }
    ),
    "goals": frozenset(
        {
            ev.GOAL_SET,
            ev.GOAL_REVISED,
            ev.GOAL_PREFERENCES_SET,
            ev.GOAL_LINKED,
            ev.GOAL_PAUSED,
            ev.GOAL_RESUMED,
            ev.GOAL_ARCHIVED,
            ev.ASPIRATION_ADDED,
            ev.ASPIRATION_UPDATED,
        }
    ),
    "contacts": frozenset({ev.CONTACT_ADDED, ev.CONTACT_UPDATED}),
    "account": frozenset(
        {ev.USER_REGISTERED, ev.USER_SETTINGS_CHANGED, ev.HANDLE_CLAIMED, ev.USER_UPDATES_EMAIL_CONFIRMED}
    ),
    "updates": frozenset({ev.USER_UPDATES_SET, *ev.UPDATE_EVENT_TYPES}),
}
SOURCES: Final = {
    "manual": "logged by you",
    "google": "from Google Calendar",
    "ical": "from a calendar feed",
    "confirmed": "a planned block you confirmed",
}

LABELS: Final = {
    ev.USER_REGISTERED: "Joined",
    ev.USER_SETTINGS_CHANGED: "Settings changed",
    ev.HANDLE_CLAIMED: "Account created",
    ev.ASPIRATION_ADDED: "Aspiration added",
    ev.ASPIRATION_UPDATED: "Aspiration changed",
    ev.GOAL_SET: "Goal set",
    ev.GOAL_REVISED: "Goal revised",
    ev.GOAL_PREFERENCES_SET: "Planning changed",
    ev.GOAL_LINKED: "Goal linked",
    ev.GOAL_PAUSED: "Goal paused",
    ev.GOAL_RESUMED: "Goal resumed",
    ev.GOAL_ARCHIVED: "Goal archived",
    ev.CONTACT_ADDED: "Contact added",
    ev.CONTACT_UPDATED: "Contact updated",
    ev.ACTION_DONE: "Done",
    ev.ACTION_RETRACTED: "Retracted",
    ev.ACTION_PLANNED: "Planned",
    ev.ACTION_RESCHEDULED: "Moved",
    ev.ACTION_SKIPPED: "Skipped",
    ev.ACTION_FULFILLED: "Fulfilled",
    ev.CONFIRMATION_ADOPTED: "Confirmation rule adopted",
    ev.CALENDAR_CONNECTED: "Calendar connected",
    ev.CALENDAR_DISCONNECTED: "Calendar disconnected",
    ev.USER_UPDATES_SET: "Updates set",
    ev.UPDATE_DECIDED: "Update decided",
    ev.UPDATE_DELIVERED: "Update sent",
    ev.UPDATE_FAILED: "Update failed",
    ev.USER_UPDATES_EMAIL_CONFIRMED: "Update address confirmed",
    ev.NEXT_ANSWERED: "Suggestion answered",
}
# Every event type has a label (tests/unit/test_event_readers.py): nothing shows as a bare "Change".
EVENT_READING: Final = {t: ev.HANDLED for t in LABELS}

_UPDATE_KINDS: Final = {
    "goal-met": "Goal met",
    "deadline-achieved": "Deadline goal achieved",
    "fell-behind": "Falling behind",
    "streak-broken": "Streak ended",
    "confirm-waiting": "Did it happen?",
    "digest": "Weekly digest",
    "test": "Test message",
}

_ACTION_WORDS: Final = {
    "attend-event": "attended an event",
    "reach-out": "reached out",
    "follow-up": "followed up",
    "offer-help": "offered help",
    "meet-mentor": "met a mentor",
}
_ACTION_NOUNS: Final = {
    "attend-event": "Attend a networking event",
    "reach-out": "Reach out to someone",
    "follow-up": "Follow up with someone",
    "offer-help": "Offer help",
    "meet-mentor": "Meet your mentor",
}


def action_words(kind: str) -> str:
    """What an action of this kind was, in words ("attended an event"; a custom kind unslugged)."""
    return _ACTION_WORDS.get(kind, kind.replace("-", " "))


def action_name(kind: str) -> str:
    """An action kind as a choice to pick ("Attend a networking event")."""
    return _ACTION_NOUNS.get(kind, kind.replace("-", " ").capitalize())


@dataclass(frozen=True, slots=True)
class Entry:
    position: int
    at: datetime  # in the user's zone: when it happened (an action) or was recorded
    type: str
    label: str
    what: str
    people: tuple[str, ...]
    source: str | None  # "logged by you", "from Google Calendar", or None
    action_id: str | None = None  # a done action that can still be retracted
    retracted: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "at": self.at.isoformat(),
            "type": self.type,
            "label": self.label,
            "what": self.what,
            "people": list(self.people),
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Page:
    entries: list[Entry]
    next_before: int | None  # the `before` of the next (older) page, None on the last one


@dataclass(frozen=True, slots=True)
class _Names:
    goals: dict[str, str]
    contacts: dict[str, str]
    aspirations: dict[str, str]
    actions: dict[str, str]  # action id -> what it was, for retractions and plans
    retracted: set[str]


def _when(item: dict[str, Any], tz: ZoneInfo) -> datetime:
    data = item["data"]
    text = data.get("at") if item["type"] == ev.ACTION_DONE else None
    moment = datetime.fromisoformat(text or data.get("at") or item["recorded_at"])
    return moment.astimezone(tz)


def _clock(text: str | None, tz: ZoneInfo) -> str:
    if not text:
        return ""
    return datetime.fromisoformat(text).astimezone(tz).strftime("%a %d %b %H:%M")


def _what(item: dict[str, Any], names: _Names, tz: ZoneInfo) -> str:
    t, data = item["type"], item["data"]
    goal = names.goals.get(data.get("goal_id") or "", "a goal")
    if t == ev.ACTION_DONE:
        words = action_words(data["kind"]).capitalize()
        return f"{words}: {data['title']}" if data.get("title") else words
    if t == ev.ACTION_RETRACTED:
        what = names.actions.get(data["action_id"], "an entry")
        return what + (f" ({data['reason']})" if data.get("reason") else "")
    if t == ev.ACTION_PLANNED:
        return f"{data.get('title') or action_words(data.get('kind', ''))} on {_clock(data.get('start'), tz)}"
    if t == ev.ACTION_RESCHEDULED:
        return f"{names.actions.get(data['action_id'], 'a block')} to {_clock(data.get('start'), tz)}"
    if t == ev.ACTION_SKIPPED:
        what = names.actions.get(data["action_id"], "a block")
        return what + (f" ({data['reason']})" if data.get("reason") else "")
    if t == ev.GOAL_SET:
        return str(data["title"])
    if t == ev.GOAL_REVISED:
        since = date.fromisoformat(data["effective_from"])
        parts = [f"{goal}: target {data['target']} from {since:%a %d %b %Y}"]
        if data.get("title"):
            parts.append(f"now called {data['title']!r}")
        return ", ".join(parts)
    if t == ev.GOAL_LINKED:
        aspiration = names.aspirations.get(data.get("aspiration_id") or "")
        return (
            f"{goal} now serves {aspiration!r}"
            if aspiration
            else f"{goal} serves no aspiration in particular"
        )
    if t in (ev.GOAL_PREFERENCES_SET, ev.GOAL_PAUSED, ev.GOAL_RESUMED, ev.GOAL_ARCHIVED):
        return goal
    if t in (ev.ASPIRATION_ADDED, ev.ASPIRATION_UPDATED):
        return str(data.get("text") or names.aspirations.get(data["aspiration_id"], "an aspiration"))
    if t == ev.CONTACT_ADDED:
        return str(data["name"])
    if t == ev.CONTACT_UPDATED:
        name = names.contacts.get(data["contact_id"], "a contact")
        changed = [k.replace("_", " ") for k in data if k not in ("contact_id", "at")]
        if data.get("strength") is not None:
            return f"{name}: strength re-assessed as {data['strength']} of 5"
        return f"{name}: {', '.join(changed)}"
    if t in (ev.CALENDAR_CONNECTED, ev.CALENDAR_DISCONNECTED):
        return "CalDAV calendar" if data.get("provider") == "caldav" else "Google Calendar"
    if t in (ev.USER_REGISTERED, ev.USER_SETTINGS_CHANGED):
        parts = []
        if "timezone" in data:
            parts.append(f"time zone {data['timezone']}")
        if "week_start" in data:
            parts.append("weeks start on " + ("Sunday" if data["week_start"] == 6 else "Monday"))
        if "weekly_budget" in data:
            parts.append(f"weekly budget {data['weekly_budget']}")
        if "offers" in data:
            parts.append("what you can offer: " + (", ".join(data["offers"] or ()) or "nothing listed"))
        if "daily_at" in data:
            parts.append(f"daily message at {data['daily_at']}" if data["daily_at"] else "daily message off")
        return ", ".join(parts)
    if t == ev.HANDLE_CLAIMED:
        return str(data.get("handle", ""))
    if t == ev.NEXT_ANSWERED:
        return _answered(data, names)
    return _what_else(t, data, names)


def _what_else(t: str, data: dict[str, Any], names: _Names) -> str:
    """Confirmation and progress-update events."""
    if t == ev.ACTION_FULFILLED:
        by = names.actions.get(data.get("by") or "", "another action")
        return f"{names.actions.get(data['action_id'], 'a block')}, by {by}"
    if t == ev.CONFIRMATION_ADOPTED:
        return "Passed blocks count once you confirm them (or something you did fulfils them)"
    if t == ev.USER_UPDATES_EMAIL_CONFIRMED:
        return f"progress updates may go to {data['email']}"
    if t == ev.USER_UPDATES_SET:
        channel = data.get("channel", "none")
        if channel == "none":
            return "turned off"
        return f"by email to {data['email']}" if channel == "email" and data.get("email") else f"by {channel}"
    kind = _UPDATE_KINDS.get(data.get("kind", ""), "An update")
    if t == ev.UPDATE_DECIDED:
        return f"{data.get('subject') or kind} ({data.get('channel')})"
    if t == ev.UPDATE_DELIVERED:
        return f"{kind}: delivered ({data.get('channel')})"
    if t == ev.UPDATE_FAILED:
        return f"{kind}: not delivered ({data.get('channel')}): {data.get('detail', '')}"
    return ""


_ANSWER_WORDS: Final = {"done": "Done", "snoozed": "Snoozed", "dismissed": "Not now", "never": "Never again"}


def _answered(data: dict[str, Any], names: _Names) -> str:
    """An answer to a "next" suggestion: what was answered, and about whom."""
    words = _ANSWER_WORDS.get(str(data.get("answer")), "Answered")
    who = names.contacts.get(str(data.get("contact_id") or ""))
    what = f"{words}: a suggestion about {who}" if who else f"{words}: a suggestion"
    what += f" until {date.fromisoformat(data['until']):%a %d %b}" if data.get("until") else ""
    promised = [str(p.get("text")) for p in data.get("promises") or () if isinstance(p, dict)]
    return what + (f"; promised: {'; '.join(promised)}" if promised else "")


def _names(app: App, user_id: str, items: list[dict[str, Any]]) -> _Names:
    profile = app.profile(user_id)
    actions: dict[str, str] = {}
    wanted = {i["data"]["action_id"] for i in items if "action_id" in i["data"]}
    wanted |= {i["data"]["by"] for i in items if i["type"] == ev.ACTION_FULFILLED and "by" in i["data"]}
    with read_transaction(app.engine) as connection:
        for item in (
            views.history(
                connection,
                user_id,
                len(wanted) * 2 + 1,
                None,
                types={ev.ACTION_DONE, ev.ACTION_PLANNED},
                mentions=[(None, a) for a in wanted],
            )
            if wanted
            else []
        ):
            data = item["data"]
            words = data.get("title") or action_words(data.get("kind", ""))
            actions.setdefault(data["action_id"], words)
        done = [i["data"]["action_id"] for i in items if i["type"] == ev.ACTION_DONE]
        retracted = {
            a for a in done if (r := views.action(connection, user_id, a)) is not None and r.retracted
        }
    return _Names(
        {g.goal_id: g.title for g in profile.goals.values()},
        {c.contact_id: c.name for c in profile.contacts.values()},
        {a.aspiration_id: a.text for a in profile.aspirations.values()},
        actions,
        retracted,
    )


def entries(
    app: App,
    user_id: str,
    *,
    kind: str | None = None,
    goal_id: str | None = None,
    contact_id: str | None = None,
    source: str | None = None,
    limit: int = 20,
    before: int | None = None,
) -> Page:
    """A page of the history, newest first. A goal's history holds its own events and the actions
    of the kind it counts; a contact's, every event naming them."""
    if kind is not None and kind not in KINDS:
        raise DomainError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    if source is not None and source not in SOURCES:
        raise DomainError(f"unknown source {source!r}: use one of {', '.join(SOURCES)}")
    profile = app.profile(user_id)
    mentions: list[tuple[str | None, str]] = []
    if goal_id is not None:
        goal = profile.goals.get(goal_id)
        if goal is None:
            raise DomainError(f"no goal with id {goal_id!r}")
        mentions += [(None, f'"{goal_id}"'), (ev.ACTION_DONE, f'"kind":"{goal.action}"')]
    if contact_id is not None:
        if contact_id not in profile.contacts:
            raise DomainError(f"no contact with id {contact_id!r}")
        mentions.append((None, f'"{contact_id}"'))
    types = KINDS[kind] if kind else None
    if source is not None:
        types = (types or KINDS["actions"]) & {ev.ACTION_DONE}
        mentions = mentions or [(ev.ACTION_DONE, f'"source":"{source}"')]
    with read_transaction(app.engine) as connection:
        found = views.history(connection, user_id, limit + 1, before, types=types, mentions=mentions)
    if source is not None:
        found = [i for i in found if i["data"].get("source", "manual") == source]
    page, more = found[:limit], len(found) > limit
    names = _names(app, user_id, page)
    tz = profile.tz
    result = []
    for item in page:
        data = item["data"]
        people = tuple(names.contacts.get(c, "someone") for c in data.get("contact_ids") or ())
        if item["type"] == ev.CONTACT_ADDED:
            people = ()
        origin = SOURCES.get(data.get("source", "")) if item["type"] == ev.ACTION_DONE else None
        result.append(
            Entry(
                item["position"],
                _when(item, tz),
                item["type"],
                LABELS.get(item["type"], "Change"),
                _what(item, names, tz),
                people,
                origin,
                data["action_id"] if item["type"] == ev.ACTION_DONE else None,
                item["type"] == ev.ACTION_DONE and data["action_id"] in names.retracted,
            )
        )
    return Page(result, page[-1]["position"] if more and page else None)
