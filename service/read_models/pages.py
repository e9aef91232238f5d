"""Use cases: what the dashboard's own pages show — one goal, the network, one contact.

Each read gathers what a page needs in one call; the web layer only draws it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from domain.decisions.profile import Aspiration
from domain.people.contacts import Contact
from domain.people.network import ContactStanding, NetworkAssessment
from domain.tracking.goals import Goal
from domain.tracking.periods import Frame, local_date
from domain.tracking.progress import GoalProgress, PeriodProgress
from integrations.storage import views
from integrations.storage.database import read_transaction
from service import google
from service.app import App
from service.people import contacts
from service.read_models import history
from service.read_models import progress as progress_service
from service.read_models.lookup import resolve
from service.shapes.google import SuggestionOut
from service.tracking import confirmation, goals

YEAR = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class GoalPage:
    goal: Goal
    line: dict[str, Any]  # the progress line (`progress --json`)
    year: list[PeriodProgress]  # the periods of the last year, oldest first
    paced: list[tuple[date, int]]  # a deadline goal: (day, done so far) at each counted action
    aspiration: Aspiration | None
    aspirations: list[Aspiration]
    own: dict[str, Any]  # the goal's own preferences (None: the action kind's default)
    effective: dict[str, Any]  # what planning and matching use
    people: list[str]  # the names of its contacts
    history: history.Page
    today: date
    timezone: str


def _goal_pairs(app: App, user_id: str) -> list[tuple[str, str]]:
    return [(g.goal_id, g.title) for g in goals.list_goals(app, user_id, include_archived=True)]


def _goal(app: App, user_id: str, goal_id: str) -> Goal:
    return next(g for g in goals.list_goals(app, user_id, include_archived=True) if g.goal_id == goal_id)


def _deadline_pace(app: App, user_id: str, goal: Goal, progress: GoalProgress) -> list[tuple[date, int]]:
    """Each counted action of a deadline goal, as the running total it brought the goal to."""
    profile = app.profile(user_id)
    with read_transaction(app.engine) as connection:
        found = views.actions_between(connection, user_id, goal.action, progress.current.period, profile)
    moments = sorted(a.at for a in found if goal.counts(a.kind, a.contact_ids))
    return [(local_date(at, profile.tz), n) for n, at in enumerate(moments, start=1)]


@dataclass(frozen=True, slots=True)
class ComingUp:
    """A planned block not yet decided, in the user's zone."""

    action_id: str
    title: str
    kind: str
    start: datetime
    end: datetime


def coming_up(app: App, user_id: str, days: int = 7) -> list[ComingUp]:
    """The planned blocks of the next `days` days that nothing has decided yet, soonest first."""
    now, tz = app.now(), app.profile(user_id).tz
    blocks = confirmation.ledger(app, user_id, with_done=False).blocks.values()
    return [
        ComingUp(b.action_id, b.title, b.kind, b.start.astimezone(tz), b.end.astimezone(tz))
        for b in sorted(blocks, key=lambda b: b.start)
        if b.outcome is None and now <= b.end and b.start <= now + timedelta(days=days)
    ]


def deadline_paces(app: App, user_id: str) -> dict[str, list[tuple[date, int]]]:
    """The running totals of every active deadline goal (the home page draws them as steps)."""
    lines = progress_service.progress(app, user_id)
    return {
        line.progress.goal.goal_id: _deadline_pace(app, user_id, line.progress.goal, line.progress)
        for line in lines
        if line.progress.goal.frame is Frame.DEADLINE
    }


def goal_page(app: App, user_id: str, goal_id: str, *, before: int | None = None) -> GoalPage:
    goal = _goal(app, user_id, resolve(goal_id, _goal_pairs(app, user_id), "goal"))
    user = app.user(user_id)
    lines = progress_service.progress(app, user_id, include_archived=True)
    found = next(line for line in lines if line.progress.goal.goal_id == goal.goal_id)
    today = local_date(app.now(), app.profile(user_id).tz)
    year = [p for p in found.progress.history if p.period.last_day > today - YEAR]
    paced = _deadline_pace(app, user_id, goal, found.progress) if goal.frame is Frame.DEADLINE else []
    aspirations = goals.list_aspirations(app, user_id)
    names = {c.contact_id: c.name for c, _ in contacts.list_contacts(app, user_id)}
    return GoalPage(
        goal=goal,
        line=found.as_dict(),
        year=year,
        paced=paced,
        aspiration=next((a for a in aspirations if a.aspiration_id == goal.aspiration_id), None),
        aspirations=aspirations,
        own=goal.preferences.to_payload(),
        effective=goals.effective_preferences(goal),
        people=[names.get(c, "someone") for c in goal.contact_ids],
        history=history.entries(app, user_id, goal_id=goal.goal_id, limit=15, before=before),
        today=today,
        timezone=user.timezone,
    )


@dataclass(frozen=True, slots=True)
class NetworkPage:
    assessment: NetworkAssessment
    last_seen: dict[str, str]  # contact id -> local day of the last interaction
    suggestions: list[dict[str, Any]]
    today: date


def _day(at: datetime | None, app: App, user_id: str) -> str:
    return local_date(at, app.profile(user_id).tz).isoformat() if at else ""


def network_page(app: App, user_id: str) -> NetworkPage:
    assessment = contacts.network(app, user_id)
    tz = app.profile(user_id).tz
    suggestions = []
    for found in google.suggestions(app, user_id):
        met = datetime.fromisoformat(found.met_at).astimezone(tz) if found.met_at else None
        met_on = met.date().isoformat() if met else ""
        suggestions.append({**SuggestionOut.of(found).model_dump(), "met_on": met_on})
    last = {
        s.contact.contact_id: local_date(s.interactions.last, tz).isoformat()
        for s in assessment.contacts
        if s.interactions.last
    }
    return NetworkPage(assessment, last, suggestions, local_date(app.now(), tz))


@dataclass(frozen=True, slots=True)
class ContactPage:
    standing: ContactStanding
    strengths: list[tuple[str, int]]  # (local day, strength), oldest first
    first_seen: str
    last_seen: str
    goals: list[Goal]  # the goals about this person
    history: history.Page


def contact_page(app: App, user_id: str, contact_id: str, *, before: int | None = None) -> ContactPage:
    contact_id = contacts.resolve_contact(app, user_id, contact_id)
    assessment = contacts.network(app, user_id)
    standing = next(s for s in assessment.contacts if s.contact.contact_id == contact_id)
    contact: Contact = standing.contact
    tz = app.profile(user_id).tz
    return ContactPage(
        standing=standing,
        strengths=[(local_date(at, tz).isoformat(), s) for at, s in contact.strengths],
        first_seen=_day(standing.interactions.first, app, user_id),
        last_seen=_day(standing.interactions.last, app, user_id),
        goals=[g for g in goals.list_goals(app, user_id) if contact_id in g.contact_ids],
        history=history.entries(app, user_id, contact_id=contact_id, limit=15, before=before),
    )
