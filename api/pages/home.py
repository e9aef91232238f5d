"""The dashboard's home: progress per goal, the network in brief, and the quick forms — log an
action (first on a phone), add a goal from a template, add a contact."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import get_jobs, get_settings
from api.pages import charts, counted, first_run
from api.pages.common import (
    Next,
    Session,
    flash,
    moment,
    optional_int,
    render,
    run_form,
    signed_in,
    to_signin,
)
from api.pages.today import today_card
from service.app import App
from service.commands import ContactSpec, DomainError, GoalSpec
from service.people import contacts
from service.read_models import history, pages
from service.read_models.dashboard import dashboard as dashboard_view
from service.read_models.sync_status import CalendarSync, calendar_sync
from service.tracking import actions, confirmation, goals

router = APIRouter(include_in_schema=False)


def cards(
    lines: list[dict[str, Any]], today: date, paces: dict[str, list[tuple[date, int]]]
) -> list[dict[str, Any]]:
    found = []
    for line in lines:
        card: dict[str, Any] = {"line": line, "fill": charts.fill_percent(line["done"], line["target"])}
        if line["frame"] == "deadline":  # the same steps as the goal page draws
            card["pace"] = charts.pace(line, paces.get(line["goal_id"], []), today)
        else:
            card["periods"] = charts.periods(line["recent"], line["frame"])
        found.append(card)
    return found


def kinds_to_log(session: Session, built_in: list[str]) -> list[str]:
    """The built-in kinds, then the goals' own ones ("give-a-talk"): all can be logged here."""
    own = goals.known_action_kinds(session.app, session.user_id) - set(built_in)
    return built_in + sorted(own)


def draw_home(request: Request, session: Session, *, error: str | None = None, status: int = 200) -> Response:
    view = dashboard_view(session.app, session.user_id)
    paces = pages.deadline_paces(session.app, session.user_id)
    sync = _calendar_sync(request, session.app, session.user_id)
    synced = sync.last_synced_at if sync is not None else None
    # a person without goals meets the first-run path first, not the log form
    new = not goals.list_goals(session.app, session.user_id, include_archived=True)
    starting = first_run.step_context(request, session, first_run.current_step(session)) if new else None
    today = today_card(session)
    # one place per person: someone the Today card already names is not listed again as overdue
    named = {item.contact_id for item in today["items"] if item.contact_id} if not new else set()
    overdue = [c for c in view.overdue if c.contact_id not in named]
    return render(
        request,
        session,
        "dashboard.html",
        {
            "d": view,
            "first_run": starting,
            "groups": [(name, cards(lines, view.today, paces)) for name, lines in view.groups],
            "coming_up": pages.coming_up(session.app, session.user_id),
            "action_kinds": kinds_to_log(session, list(view.action_kinds)),
            # what was done; plans are under "Coming up" (and in the full history)
            "recent": history.entries(session.app, session.user_id, kind="actions", limit=8).entries,
            "google_enabled": get_settings(request).google_configured,
            "sync": sync,  # when the calendar last synced, what changed, push or polling
            "sync_at": synced.astimezone(ZoneInfo(view.user.timezone)) if synced else None,
            # passed blocks waiting for "done" or "didn't happen" (answered through api/pages/confirm.py)
            "today": today,  # the next list, answered through api/pages/today.py
            "overdue": overdue,
            "overdue_in_today": len(view.overdue) - len(overdue),
            "to_confirm": confirmation.waiting(
                session.app, session.user_id, get_settings(request).confirm_after_days
            ),
        },
        error=error,
        status=status,
    )


def _redraw(request: Request) -> Any:
    return lambda session, error: draw_home(request, session, error=error, status=422)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    found = signed_in(request)
    if found is None:
        return to_signin()
    with found.app.unit():  # the page's reads in one transaction, the profile replayed once
        return draw_home(request, found)


@router.post("/web/goals")
def add_goal(
    request: Request,
    csrf: Annotated[str, Form(max_length=300)] = "",
    template: Annotated[str, Form(max_length=100)] = "",
    aspiration_id: Annotated[str, Form(max_length=100)] = "",
    contact_id: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    def command(s: Session) -> Next:
        spec = GoalSpec(
            template=template or None,
            aspiration_id=aspiration_id or None,
            contact_ids=(contact_id,) if contact_id else (),
        )
        result = goals.set_goal(s.app, s.user_id, spec)
        return "/?done=goal", result.warnings

    return run_form(request, csrf, (template, aspiration_id, contact_id), command, _redraw(request))


MAX_PEOPLE = 20  # people named on one action from the form


@router.post("/web/actions")
def log_action(
    request: Request,
    csrf: Annotated[str, Form(max_length=300)] = "",
    action: Annotated[str, Form(max_length=100)] = "",
    title: Annotated[str, Form(max_length=500)] = "",
    day: Annotated[str, Form(max_length=20)] = "",
    clock: Annotated[str, Form(max_length=20)] = "",
    contact_id: Annotated[list[str] | None, Form()] = None,
    back: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    people = tuple(dict.fromkeys(c for c in contact_id or [] if c))  # "nobody in particular" is ""
    said: list[str] = []

    def command(s: Session) -> Next:
        if len(people) > MAX_PEOPLE or any(len(c) > 100 for c in people):
            raise DomainError(f"name at most {MAX_PEOPLE} people on one action")
        before = counted.counts(s)
        actions.log_action(
            s.app, s.user_id, action, moment(s, day, clock), contact_ids=people, title=title or None
        )
        said.append(counted.counted_words(before, counted.counts(s)))
        # a contact's page logs with that person and returns there; anything else goes home
        return f"/network/{people[0]}" if back == "contact" and len(people) == 1 else "/?done=action"

    values = (action, title, day, clock, back, *people)
    return flash(request, run_form(request, csrf, values, command, _redraw(request)), said)


@router.post("/web/contacts")
def add_contact(
    request: Request,
    csrf: Annotated[str, Form(max_length=300)] = "",
    name: Annotated[str, Form(max_length=300)] = "",
    email: Annotated[str, Form(max_length=300)] = "",
    organisation: Annotated[str, Form(max_length=300)] = "",
    strength: Annotated[str, Form(max_length=10)] = "",
    cadence_days: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    def command(s: Session) -> Next:
        spec = ContactSpec(
            name=name,
            emails=(email,) if email.strip() else None,
            organisation=organisation or None,
            strength=optional_int(strength, "strength"),
            cadence_days=optional_int(cadence_days, "keep-in-touch days"),
        )
        warnings = contacts.contact_warnings(s.app, s.user_id, spec)
        contacts.add_contact(s.app, s.user_id, spec)
        return "/?done=contact", warnings

    values = (name, email, organisation, strength, cadence_days)
    return run_form(request, csrf, values, command, _redraw(request))


def _calendar_sync(request: Request, app: App, user_id: str) -> CalendarSync | None:
    """How fresh the calendar is; None where Google is not configured."""
    jobs = get_jobs(request)
    if not jobs.settings.google_configured:
        return None
    return calendar_sync(app, jobs.settings, user_id, jobs.redis)
