"""Decisions about SMART goals: set one (from a template or its parts), revise it, change its
planning preferences, pause, resume and archive it."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace as replace_goal
from datetime import date, datetime
from typing import cast

from domain.calendars.planning import preference_of
from domain.decisions.common import (
    MAX_TARGET,
    Decision,
    require_registered,
    text_field,
)
from domain.decisions.profile import Profile
from domain.errors import DomainError, NotFoundError
from domain.event_types import facts
from domain.event_types.events import Event
from domain.event_types.payloads import GoalPreferencesPayload, GoalSet
from domain.tracking.goals import TEMPLATES, Goal, goal_from_set, validate_action_kind
from domain.tracking.periods import (
    Frame,
    add_months,
    local_date,
    next_period,
    period_of,
)
from domain.tracking.preferences import (
    GoalPreferences,
    hours_text,
    parse_days,
    parse_hours,
    validate_domains,
    validate_duration,
    validate_keywords,
)


def goal_of(profile: Profile, goal_id: str) -> Goal:
    goal = profile.goals.get(goal_id)
    if goal is None:
        raise NotFoundError(f"no goal with id {goal_id!r}")
    return goal


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
    contact_kind: str | None = None  # count only contacts at this kind of organisation
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
    require_registered(profile)
    today = local_date(now, profile.tz)
    template = None
    if spec.template is not None:
        template = TEMPLATES.get(spec.template)
        if template is None:
            raise DomainError(f"unknown template {spec.template!r}: use one of {', '.join(TEMPLATES)}")
    if template is None and not spec.action:
        raise DomainError("a goal needs a template, or an action and a target")
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
                raise DomainError("a deadline goal needs a deadline date")
            deadline = add_months(start, template.default_months)
        if deadline < today:
            raise DomainError(f"deadline {deadline.isoformat()} is in the past")
        if deadline < start:
            raise DomainError(f"deadline {deadline.isoformat()} is before the start {start.isoformat()}")
    elif deadline is not None:
        raise DomainError(
            f"a {frame.value}ly goal repeats and has no deadline: leave the deadline out, or make it a "
            "deadline goal"
        )
    for contact_id in spec.contact_ids:
        if contact_id not in profile.contacts:
            raise NotFoundError(f"no contact with id {contact_id!r}")
    if template is not None and template.needs_contact and not spec.contact_ids:
        raise DomainError(f"the {template.name} goal needs a contact: the person you want to build it with")
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
    data: GoalSet = {
        "goal_id": goal_id,
        "title": text_field(title, "goal title"),
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
    if spec.contact_kind is not None:  # only when given: other goals keep the payload they had
        data["contact_kind"] = text_field(spec.contact_kind, "kind of organisation", limit=200)
    # only what was given: goals without preferences keep the payload they always had
    given = {k: v for k, v in preferences.to_payload().items() if v is not None}
    data = cast(GoalSet, {**data, **given})
    goal = goal_from_set(dict(data))
    _check_fit(goal)
    warnings = (*_twin_warnings(profile, goal), *_past_start_warnings(goal, today, profile.week_start))
    warnings += _budget_warnings(profile, goal, today)
    return Decision([facts.goal_set(data)], warnings)


def _twin_warnings(profile: Profile, new_goal: Goal) -> tuple[str, ...]:
    """The same template (with the same people) twice is usually a double click, not a plan."""
    if new_goal.template is None:
        return ()
    for goal in profile.goals.values():
        same = goal.template == new_goal.template and set(goal.contact_ids) == set(new_goal.contact_ids)
        if same and goal.archived_at is None:
            return (
                f"you already have this goal ({goal.title!r}); both count the same actions, so consider "
                "archiving one",
            )
    return ()


def _past_start_warnings(goal: Goal, today: date, week_start: int) -> tuple[str, ...]:
    """A start in the past makes every period since then count, and the unmet ones show as missed."""
    if goal.start >= today or goal.frame is Frame.DEADLINE:
        return ()
    current = period_of(today, goal.frame, week_start).start
    period, earlier = goal.first_period(week_start), 0
    while period.start < current:
        earlier += 1
        period = next_period(period, goal.frame, week_start)
    if not earlier:
        return ()
    return (
        f"the goal starts on {goal.start.isoformat()}, so {earlier} earlier "
        f"{goal.frame.value}{'s' if earlier != 1 else ''} count too and show as missed where nothing "
        "was done; leave the start out to count from today",
    )


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
        raise DomainError("nothing to revise: give a new target or title")
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
    new_target = target if target is not None else goal.target
    new_title = text_field(title, "goal title") if title is not None else None
    return Decision([facts.goal_revised(goal_id, new_target, effective, now, title=new_title)])


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
    return [facts.goal_preferences_set(goal_id, cast(GoalPreferencesPayload, preferences.to_payload()), now)]


def pause_goal(profile: Profile, goal_id: str, now: datetime) -> list[Event]:
    goal = _active_goal(profile, goal_id)
    if goal.is_paused:
        raise DomainError(f"goal {goal_id!r} is already paused")
    return [facts.goal_paused(goal_id, now)]


def resume_goal(profile: Profile, goal_id: str, now: datetime) -> list[Event]:
    goal = _active_goal(profile, goal_id)
    if not goal.is_paused:
        raise DomainError(f"goal {goal_id!r} is not paused")
    return [facts.goal_resumed(goal_id, now)]


def archive_goal(profile: Profile, goal_id: str, now: datetime) -> list[Event]:
    _active_goal(profile, goal_id)
    return [facts.goal_archived(goal_id, now)]


def link_goal(profile: Profile, goal_id: str, aspiration_id: str | None, now: datetime) -> list[Event]:
    """Let a goal serve another aspiration (None: no aspiration in particular)."""
    goal = _active_goal(profile, goal_id)
    if aspiration_id is not None and aspiration_id not in profile.aspirations:
        raise NotFoundError(f"no aspiration with id {aspiration_id!r}")
    if goal.aspiration_id == aspiration_id:
        return []
    return [facts.goal_linked(goal_id, aspiration_id, now)]
