"""Use case: everything the dashboard shows a user, in one read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.decisions.profile import Aspiration
from domain.people.network import ContactStanding
from domain.tracking.goals import ACTION_KINDS, TEMPLATES, GoalTemplate
from domain.tracking.periods import local_date
from integrations.storage import views
from service import google
from service.app import App
from service.people import contacts
from service.read_models import history
from service.read_models import progress as progress_service
from service.tracking import goals

NO_ASPIRATION = "Other goals"


@dataclass(frozen=True, slots=True)
class ContactRow:
    contact_id: str
    name: str
    organisation: str | None
    strength: int | None
    last_interaction: str | None  # YYYY-MM-DD in the user's time zone
    overdue_days: int | None


@dataclass(frozen=True, slots=True)
class Dashboard:
    user: views.UserRecord
    today: date
    groups: list[tuple[str, list[dict[str, Any]]]]  # aspiration -> progress lines (`progress --json`)
    aspirations: list[Aspiration]
    contacts: list[tuple[str, str]]  # (id, name)
    contact_count: int
    overdue: list[ContactRow]
    new_this_month: list[ContactRow]
    templates: list[GoalTemplate]
    action_kinds: tuple[str, ...]
    recent: list[history.Entry]
    calendar: google.Status  # the Google Calendar connection
    calendar_paused_until: str | None  # local time syncing resumes after a quota pause


def _local(at: datetime | None, tz: ZoneInfo) -> str | None:
    return local_date(at, tz).isoformat() if at is not None else None


def _row(standing: ContactStanding, tz: ZoneInfo) -> ContactRow:
    c = standing.contact
    return ContactRow(
        c.contact_id,
        c.name,
        c.organisation,
        c.strength,
        _local(standing.interactions.last, tz),
        standing.overdue_days,
    )


def dashboard(app: App, user_id: str) -> Dashboard:
    user = app.user(user_id)
    tz = ZoneInfo(user.timezone)
    lines = [line.as_dict() for line in progress_service.progress(app, user_id)]
    aspirations = goals.list_aspirations(app, user_id)
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    for aspiration in aspirations:
        mine = [line for line in lines if line["aspiration_id"] == aspiration.aspiration_id]
        if mine:
            groups.append((aspiration.text, mine))
    known = {a.aspiration_id for a in aspirations}
    rest = [line for line in lines if line["aspiration_id"] not in known]
    if rest:
        groups.append((NO_ASPIRATION, rest))
    assessment = contacts.network(app, user_id)
    recent = history.entries(app, user_id, limit=8).entries
    calendar = google.status(app, user_id)
    return Dashboard(
        user=user,
        today=local_date(app.now(), tz),
        groups=groups,
        aspirations=aspirations,
        contacts=[(s.contact.contact_id, s.contact.name) for s in assessment.contacts],
        contact_count=len(assessment.contacts),
        overdue=[_row(s, tz) for s in assessment.overdue],
        new_this_month=[_row(s, tz) for s in assessment.new_this_month],
        templates=list(TEMPLATES.values()),
        action_kinds=ACTION_KINDS,
        recent=recent,
        calendar=calendar,
        calendar_paused_until=(
            calendar.paused_until.astimezone(tz).strftime("%Y-%m-%d %H:%M") if calendar.paused_until else None
        ),
    )
