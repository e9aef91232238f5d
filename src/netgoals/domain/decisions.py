"""Decide: validate a command against the user's state and answer with the events to append.

Every function is pure: ids and "now" come in as arguments, events go out. A rejected command
raises `DomainError` with a message naming what was wrong, and nothing is appended.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace as replace_goal
from datetime import date, datetime, timedelta
from typing import Any

from netgoals.domain import events as ev
from netgoals.domain.contacts import validate_cadence, validate_email, validate_strength
from netgoals.domain.errors import DomainError, NotFoundError
from netgoals.domain.events import Event
from netgoals.domain.goals import TEMPLATES, Goal, goal_from_set, validate_action_kind
from netgoals.domain.periods import (
    Frame,
    add_months,
    local_date,
    next_period,
    parse_timezone,
    period_of,
    require_aware,
)
from netgoals.domain.planning import preference_of
from netgoals.domain.preferences import (
    GoalPreferences,
    hours_text,
    parse_days,
    parse_hours,
    validate_domains,
    validate_duration,
    validate_keywords,
)
from netgoals.domain.profile import ASPIRATION_KINDS, Profile

# Clocks disagree a little; an action "done" this far in the future is still accepted.
CLOCK_SKEW = timedelta(minutes=5)
MAX_TARGET = 1000
MAX_TEXT = 500


@dataclass(frozen=True, slots=True)
class Decision:
    events: list[Event]
    warnings: tuple[str, ...] = ()


def _text(value: str, what: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"{what} must not be empty")
    if len(value) > limit:
        raise DomainError(f"{what} is too long ({len(value)} characters, at most {limit})")
    return value


def _require_registered(profile: Profile) -> None:
    if not profile.registered:
        raise NotFoundError("no such user: run `netgoals init` first")


def goal_of(profile: Profile, goal_id: str) -> Goal:
    goal = profile.goals.get(goal_id)
    if goal is None:
        raise NotFoundError(f"no goal with id {goal_id!r}")
    return goal


def register(
    handle: str, timezone: str, now: datetime, *, week_start: int = 0, weekly_budget: int = 5
) -> Event:
    handle = _text(handle, "user name", limit=254).lower()
    parse_timezone(timezone)
    _validate_budget(weekly_budget)
    return Event(
        ev.USER_REGISTERED,
        {
            "handle": handle,
            "timezone": timezone,
            "week_start": week_start,
            "weekly_budget": weekly_budget,
            "at": require_aware(now).isoformat(),
        },
    )


def _validate_budget(budget: int) -> None:
    if not 1 <= budget <= 100:
        raise DomainError(f"weekly budget {budget} is out of range: use 1 to 100 actions a week")


def change_settings(
    profile: Profile,
    now: datetime,
    *,
    timezone: str | None = None,
    week_start: int | None = None,
    weekly_budget: int | None = None,
) -> list[Event]:
    _require_registered(profile)
    data: dict[str, Any] = {}
    if timezone is not None and timezone != profile.timezone:
        parse_timezone(timezone)
        data["timezone"] = timezone
    if week_start is not None and week_start != profile.week_start:
        data["week_start"] = week_start
    if weekly_budget is not None and weekly_budget != profile.weekly_budget:
        _validate_budget(weekly_budget)
        data["weekly_budget"] = weekly_budget
    if not data:
        return []
    data["at"] = now.isoformat()
    return [Event(ev.USER_SETTINGS_CHANGED, data)]


def add_aspiration(profile: Profile, aspiration_id: str, text: str, kind: str, now: datetime) -> Event:
    _require_registered(profile)
    if kind not in ASPIRATION_KINDS:
        raise DomainError(f"unknown aspiration kind {kind!r}: use one of {', '.join(ASPIRATION_KINDS)}")
    return Event(
        ev.ASPIRATION_ADDED,
        {
            "aspiration_id": aspiration_id,
            "text": _text(text, "aspiration"),
            "kind": kind,
            "at": now.isoformat(),
        },
    )


@dataclass(frozen=True, slots=True)
class GoalSpec:
    """What a person asks for when setting a goal; a template fills in what is left out."""

    template: str | None = None
    title: str | None = None
    action: str | None = None
    target: int | None = None
    frame: str | None = None
    start: date | None = None
    deadline: date | None = None
    aspiration_id: str | None = None
    contact_ids: tuple[str, ...] = ()
    new_contacts_only: bool | None = None
    # the goal's own preferences for its calendar blocks; None: the action kind's default
    duration: int | None = None
    days: str | tuple[str, ...] | None = None  # "mon-fri", "mon,wed,fri" or such parts
    hours: str | None = None  # "18:00-21:00"
    # the goal's own matching rules; None: the action kind's keywords, no extra domains
    keywords: tuple[str, ...] | None = None
    domains: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class PreferenceSpec:
    """A goal's preferences as a person gives them; None means "not given"."""

    duration: int | None = None
    days: str | tuple[str, ...] | None = None
    hours: str | None = None
    keywords: tuple[str, ...] | None = None  # replace the goal's keywords (the kind's by default)
    domains: tuple[str, ...] | None = None  # replace the goal's domains


def _preferences(spec: PreferenceSpec, base: GoalPreferences) -> GoalPreferences:
    """Validate what was given and lay it over `base`."""
    return GoalPreferences(
        duration_minutes=validate_duration(spec.duration)
        if spec.duration is not None
        else base.duration_minutes,
        days=parse_days(spec.days) if spec.days is not None else base.days,
        hours=parse_hours(spec.hours) if spec.hours is not None else base.hours,
        keywords=validate_keywords(spec.keywords) if spec.keywords is not None else base.keywords,
        domains=validate_domains(spec.domains) if spec.domains is not None else base.domains,
    )


def _check_fit(goal: Goal) -> None:
    """A block must fit in its daily window, or it could never be planned."""
    pref = preference_of(goal)
    window = (pref.latest.hour * 60 + pref.latest.minute) - (pref.earliest.hour * 60 + pref.earliest.minute)
    if pref.minutes > window:
        raise DomainError(
            f"duration {pref.minutes} minutes does not fit in hours "
            f"{hours_text((pref.earliest, pref.latest))}: give a longer hours window or a shorter duration"
        )


def set_goal(profile: Profile, goal_id: str, spec: GoalSpec, now: datetime) -> Decision:
    _require_registered(profile)
    today = local_date(now, profile.tz)
    template = None
    if spec.template is not None:
        template = TEMPLATES.get(spec.template)
        if template is None:
            raise DomainError(f"unknown template {spec.template!r}: use one of {', '.join(TEMPLATES)}")
    action = validate_action_kind(spec.action or (template.action if template else ""))
    frame_name = spec.frame or (
        "deadline" if spec.deadline is not None else template.frame.value if template else None
    )
    if frame_name is None:
        raise DomainError("a goal needs a time frame: week, month, quarter or a deadline")
    try:
        frame = Frame(frame_name)
    except ValueError:
        raise DomainError(
            f"unknown time frame {frame_name!r}: use week, month, quarter or deadline"
        ) from None
    target = spec.target if spec.target is not None else (template.target if template else None)
    if target is None:
        raise DomainError("a goal needs a target: how many actions count as done")
    if not 1 <= target <= MAX_TARGET:
        raise DomainError(f"target {target} is out of range: a goal needs 1 to {MAX_TARGET} actions")
    start = spec.start or today
    deadline = spec.deadline
    if frame is Frame.DEADLINE:
        if deadline is None:
            if template is None or not template.default_months:
                raise DomainError("a deadline goal needs --deadline")
            deadline = add_months(start, template.default_months)
        if deadline < today:
            raise DomainError(f"deadline {deadline.isoformat()} is in the past")
        if deadline < start:
            raise DomainError(f"deadline {deadline.isoformat()} is before the start {start.isoformat()}")
    elif deadline is not None:
        raise DomainError(
            f"a {frame.value}ly goal repeats and has no deadline; drop --deadline or use --frame deadline"
        )
    for contact_id in spec.contact_ids:
        if contact_id not in profile.contacts:
            raise NotFoundError(f"no contact with id {contact_id!r}")
    if template is not None and template.needs_contact and not spec.contact_ids:
        raise DomainError(f"the {template.name} goal needs --contact: the person you want to build it with")
    if spec.aspiration_id is not None and spec.aspiration_id not in profile.aspirations:
        raise NotFoundError(f"no aspiration with id {spec.aspiration_id!r}")
    title = spec.title or (template.title if template else None) or f"{action} {target}x per {frame.value}"
    if template is not None and template.needs_contact and spec.title is None:
        names = ", ".join(profile.contacts[c].name for c in spec.contact_ids)
        title = f"Build a relationship with {names} (mentor)"
    new_contacts_only = spec.new_contacts_only
    if new_contacts_only is None:
        new_contacts_only = bool(template and template.new_contacts_only)
    preferences = _preferences(
        PreferenceSpec(spec.duration, spec.days, spec.hours, spec.keywords, spec.domains), GoalPreferences()
    )
    data: dict[str, Any] = {
        "goal_id": goal_id,
        "title": _text(title, "goal title"),
        "action": action,
        "target": target,
        "frame": frame.value,
        "start": start.isoformat(),
        "deadline": deadline.isoformat() if deadline else None,
        "aspiration_id": spec.aspiration_id,
        "contact_ids": list(spec.contact_ids),
        "new_contacts_only": new_contacts_only,
        "template": template.name if template else None,
        "at": now.isoformat(),
    }
    # only what was given: goals without preferences keep the payload they always had
    data.update((k, v) for k, v in preferences.to_payload().items() if v is not None)
    goal = goal_from_set(data)
    _check_fit(goal)
    warnings = _budget_warnings(profile, goal, today)
    return Decision([Event(ev.GOAL_SET, data)], warnings)


def _budget_warnings(profile: Profile, new_goal: Goal, today: date) -> tuple[str, ...]:
    """Realistic is part of SMART: say so when active goals ask for more than the weekly budget."""
    active = [g for g in profile.goals.values() if g.archived_at is None and not g.is_paused]
    load = sum(g.weekly_load(today) for g in [*active, new_goal])
    if load > profile.weekly_budget:
        return (
            f"your active goals now ask for about {load:.1f} actions a week, more than your budget of "
            f"{profile.weekly_budget}; consider a smaller target or pausing a goal",
        )
    return ()


def _active_goal(profile: Profile, goal_id: str) -> Goal:
    goal = goal_of(profile, goal_id)
    if goal.archived_at is not None:
        raise DomainError(f"goal {goal_id!r} is archived")
    return goal


def revise_goal(
    profile: Profile, goal_id: str, now: datetime, *, target: int | None, title: str | None = None
) -> Decision:
    """A new target applies from the next period; the current and past periods keep the old one."""
    goal = _active_goal(profile, goal_id)
    if target is None and title is None:
        raise DomainError("nothing to revise: give --target or --title")
    if target is not None and not 1 <= target <= MAX_TARGET:
        raise DomainError(f"target {target} is out of range: a goal needs 1 to {MAX_TARGET} actions")
    today = local_date(now, profile.tz)
    if goal.frame is Frame.DEADLINE:
        effective = goal.start  # one period: the revision is the goal's target from now on
    else:
        effective = next_period(
            period_of(today, goal.frame, profile.week_start), goal.frame, profile.week_start
        ).start
        effective = max(effective, period_of(goal.start, goal.frame, profile.week_start).start)
    data: dict[str, Any] = {
        "goal_id": goal_id,
        "target": target if target is not None else goal.target,
        "effective_from": effective.isoformat(),
        "at": now.isoformat(),
    }
    if title is not None:
        data["title"] = _text(title, "goal title")
    return Decision([Event(ev.GOAL_REVISED, data)])


def set_goal_preferences(
    profile: Profile, goal_id: str, spec: PreferenceSpec, now: datetime, *, replace: bool = False
) -> list[Event]:
    """Change a goal's own preferences: with `replace`, what is not given goes back to the kind's
    default (an HTTP PUT); without, only what is given changes. The event carries them all."""
    goal = _active_goal(profile, goal_id)
    preferences = _preferences(spec, GoalPreferences() if replace else goal.preferences)
    if preferences == goal.preferences:
        return []
    _check_fit(replace_goal(goal, preferences=preferences))
    return [
        Event(
            ev.GOAL_PREFERENCES_SET,
            {"goal_id": goal_id, **preferences.to_payload(), "at": now.isoformat()},
        )
    ]


def pause_goal(profile: Profile, goal_id: str, now: datetime) -> list[Event]:
    goal = _active_goal(profile, goal_id)
    if goal.is_paused:
        raise DomainError(f"goal {goal_id!r} is already paused")
    return [Event(ev.GOAL_PAUSED, {"goal_id": goal_id, "at": now.isoformat()})]


def resume_goal(profile: Profile, goal_id: str, now: datetime) -> list[Event]:
    goal = _active_goal(profile, goal_id)
    if not goal.is_paused:
        raise DomainError(f"goal {goal_id!r} is not paused")
    return [Event(ev.GOAL_RESUMED, {"goal_id": goal_id, "at": now.isoformat()})]


def archive_goal(profile: Profile, goal_id: str, now: datetime) -> list[Event]:
    _active_goal(profile, goal_id)
    return [Event(ev.GOAL_ARCHIVED, {"goal_id": goal_id, "at": now.isoformat()})]


@dataclass(frozen=True, slots=True)
class ContactSpec:
    name: str | None = None
    emails: tuple[str, ...] | None = None
    organisation: str | None = None
    tags: tuple[str, ...] | None = None
    how_met: str | None = None
    strength: int | None = None
    cadence_days: int | None = None


def _contact_fields(spec: ContactSpec) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if spec.name is not None:
        data["name"] = _text(spec.name, "contact name", limit=200)
    if spec.emails is not None:
        data["emails"] = sorted({validate_email(e) for e in spec.emails})
    if spec.organisation is not None:
        data["organisation"] = _text(spec.organisation, "organisation", required=False, limit=200) or None
    if spec.tags is not None:
        data["tags"] = sorted({_text(t, "tag", limit=50).lower() for t in spec.tags})
    if spec.how_met is not None:
        data["how_met"] = _text(spec.how_met, "how you met", required=False) or None
    if spec.strength is not None:
        data["strength"] = validate_strength(spec.strength)
    if spec.cadence_days is not None:
        data["cadence_days"] = validate_cadence(spec.cadence_days)
    return data


def add_contact(profile: Profile, contact_id: str, spec: ContactSpec, now: datetime) -> Event:
    _require_registered(profile)
    if spec.name is None:
        raise DomainError("a contact needs a name")
    data = {"contact_id": contact_id, **_contact_fields(spec), "at": now.isoformat()}
    return Event(ev.CONTACT_ADDED, data)


def update_contact(profile: Profile, contact_id: str, spec: ContactSpec, now: datetime) -> list[Event]:
    _require_registered(profile)
    if contact_id not in profile.contacts:
        raise NotFoundError(f"no contact with id {contact_id!r}")
    changes = _contact_fields(spec)
    if not changes:
        raise DomainError("nothing to update: give at least one field")
    return [Event(ev.CONTACT_UPDATED, {"contact_id": contact_id, **changes, "at": now.isoformat()})]


def log_action(
    profile: Profile,
    action_id: str,
    kind: str,
    at: datetime,
    now: datetime,
    *,
    contact_ids: tuple[str, ...] = (),
    title: str | None = None,
    note: str | None = None,
    source: str = "manual",
) -> Event:
    _require_registered(profile)
    kind = validate_action_kind(kind)
    require_aware(at, "the action's time")
    if at > now + CLOCK_SKEW:
        raise DomainError(
            f"the action's time {at.isoformat()} is in the future; log actions once they are done"
        )
    for contact_id in contact_ids:
        if contact_id not in profile.contacts:
            raise NotFoundError(f"no contact with id {contact_id!r}")
    data: dict[str, Any] = {
        "action_id": action_id,
        "kind": kind,
        "at": at.isoformat(),
        "contact_ids": sorted(set(contact_ids)),
        "title": _text(title or "", "title", required=False) or None,
        "note": _text(note or "", "note", required=False, limit=2000) or None,
        "source": source,
        "logged_at": now.isoformat(),
    }
    return Event(ev.ACTION_DONE, data)


def retract_action(action_id: str, now: datetime, reason: str | None = None) -> Event:
    """Correct a wrong entry by a new fact; the service checks the action exists and is not retracted."""
    return Event(
        ev.ACTION_RETRACTED,
        {
            "action_id": action_id,
            "reason": _text(reason or "", "reason", required=False) or None,
            "at": now.isoformat(),
        },
    )
