"""Use cases: career aspirations and SMART goals — set, revise, pause, resume, archive, list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain import decisions
from domain.calendars.attendance import keywords_of
from domain.calendars.planning import preference_of
from domain.decisions import GoalSpec, PreferenceSpec
from domain.decisions.profile import Aspiration, Profile
from domain.event_types.events import Event
from domain.tracking.goals import ACTION_KINDS, Goal
from domain.tracking.preferences import days_to_names, hours_text
from integrations.storage import views
from integrations.storage.database import read_transaction
from service.app import App
from service.read_models.lookup import resolve


@dataclass(frozen=True, slots=True)
class GoalSet:
    goal_id: str
    warnings: tuple[str, ...]


def add_aspiration(app: App, user_id: str, text: str, kind: str, key: str | None = None) -> str:
    aspiration_id = app.new_id(user_id, key, "aspiration")
    app.decide_profile(
        user_id, lambda p: [decisions.add_aspiration(p, aspiration_id, text, kind, app.now())], key
    )
    return aspiration_id


def update_aspiration(
    app: App,
    user_id: str,
    aspiration_id: str,
    *,
    text: str | None = None,
    kind: str | None = None,
    key: str | None = None,
) -> None:
    app.decide_profile(
        user_id,
        lambda p: decisions.update_aspiration(p, aspiration_id, app.now(), text=text, kind=kind),
        key,
    )


def link_goal(
    app: App, user_id: str, goal_id: str, aspiration_id: str | None, key: str | None = None
) -> None:
    """Let an existing goal serve an aspiration (None: no aspiration in particular)."""
    app.decide_profile(user_id, lambda p: decisions.link_goal(p, goal_id, aspiration_id, app.now()), key)


@dataclass(frozen=True, slots=True)
class GoalEdit:
    """Everything the goal page's form can change at once; None means "leave as it is"."""

    target: int | None = None
    title: str | None = None
    aspiration_id: str | None = None
    link: bool = False  # whether `aspiration_id` is given (None then unlinks)
    preferences: PreferenceSpec | None = None


def edit_goal(app: App, user_id: str, goal_id: str, edit: GoalEdit, key: str | None = None) -> int:
    """Apply an edit in one decision (all of it or nothing); answers how many changes it made."""

    def decide(p: Profile) -> list[Event]:
        goal = decisions.goal_of(p, goal_id)
        found: list[Event] = []
        target = edit.target if edit.target is not None and edit.target != goal.target else None
        title = edit.title if edit.title is not None and edit.title.strip() != goal.title else None
        if target is not None or title is not None:
            found += decisions.revise_goal(p, goal_id, app.now(), target=target, title=title).events
        if edit.link:
            found += decisions.link_goal(p, goal_id, edit.aspiration_id, app.now())
        if edit.preferences is not None:
            found += decisions.set_goal_preferences(p, goal_id, edit.preferences, app.now(), replace=True)
        return found

    return len(app.decide_profile(user_id, decide, key))


def list_aspirations(app: App, user_id: str) -> list[Aspiration]:
    app.projection.catch_up(user_id)
    with read_transaction(app.engine) as connection:
        return views.aspirations(connection, user_id)


def set_goal(app: App, user_id: str, spec: GoalSpec, key: str | None = None) -> GoalSet:
    goal_id = app.new_id(user_id, key, "goal")
    warnings: tuple[str, ...] = ()

    def decide(profile: Profile) -> list[Event]:
        nonlocal warnings
        decision = decisions.set_goal(profile, goal_id, spec, app.now())
        warnings = decision.warnings
        return decision.events

    app.decide_profile(user_id, decide, key)
    return GoalSet(goal_id, warnings)


def resolve_goal(app: App, user_id: str, text: str) -> str:
    return resolve(
        text,
        ((g.goal_id, g.title) for g in list_goals(app, user_id, include_archived=True)),
        "goal",
    )


def resolve_aspiration(app: App, user_id: str, text: str) -> str:
    return resolve(text, ((a.aspiration_id, a.text) for a in list_aspirations(app, user_id)), "aspiration")


def revise_goal(
    app: App,
    user_id: str,
    goal_id: str,
    *,
    target: int | None,
    title: str | None = None,
    key: str | None = None,
) -> None:
    app.decide_profile(
        user_id,
        lambda p: decisions.revise_goal(p, goal_id, app.now(), target=target, title=title).events,
        key,
    )


def set_preferences(
    app: App,
    user_id: str,
    goal_id: str,
    spec: PreferenceSpec,
    *,
    replace: bool = False,
    key: str | None = None,
) -> None:
    """A goal's own preferences for its calendar blocks; the next sync re-plans its future blocks."""
    app.decide_profile(
        user_id,
        lambda p: decisions.set_goal_preferences(p, goal_id, spec, app.now(), replace=replace),
        key,
    )


def pause_goal(app: App, user_id: str, goal_id: str, key: str | None = None) -> None:
    app.decide_profile(user_id, lambda p: decisions.pause_goal(p, goal_id, app.now()), key)


def resume_goal(app: App, user_id: str, goal_id: str, key: str | None = None) -> None:
    app.decide_profile(user_id, lambda p: decisions.resume_goal(p, goal_id, app.now()), key)


def archive_goal(app: App, user_id: str, goal_id: str, key: str | None = None) -> None:
    app.decide_profile(user_id, lambda p: decisions.archive_goal(p, goal_id, app.now()), key)


def known_action_kinds(app: App, user_id: str) -> set[str]:
    """The kinds that count for something: the built-in ones and those of the user's goals."""
    return set(ACTION_KINDS) | {g.action for g in list_goals(app, user_id, include_archived=True)}


def list_goals(app: App, user_id: str, *, include_archived: bool = False) -> list[Goal]:
    app.projection.catch_up(user_id)
    with read_transaction(app.engine) as connection:
        found = views.goals(connection, user_id)
    return [g for g in found if include_archived or g.archived_at is None]


def effective_preferences(goal: Goal) -> dict[str, Any]:
    """What planning and matching use for this goal: its own preferences over its action kind's
    defaults (its contacts' emails count as well)."""
    pref = preference_of(goal)
    return {
        "duration_minutes": pref.minutes,
        "days": days_to_names(pref.weekdays),
        "hours": hours_text((pref.earliest, pref.latest)),
        "keywords": list(keywords_of(goal)),
        "domains": list(goal.preferences.domains or ()),
    }
