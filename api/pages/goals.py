"""Goal pages: a custom goal, one goal with its year of periods, its edit form and lifecycle, and the
aspirations goals serve."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.pages import charts
from api.pages.common import Session, listed, optional_int, render, run_form, signed_in, to_signin
from service.commands import DomainError, GoalSpec, NotFoundError, PreferenceSpec
from service.read_models import pages
from service.read_models.dashboard import dashboard as dashboard_view
from service.tracking import goals
from service.tracking.goals import GoalEdit

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(max_length=500)]
FRAMES = (
    ("week", "Every week"),
    ("month", "Every month"),
    ("quarter", "Every quarter"),
    ("deadline", "Once, by a date"),
)
DAYS = (
    ("mon", "Mon"),
    ("tue", "Tue"),
    ("wed", "Wed"),
    ("thu", "Thu"),
    ("fri", "Fri"),
    ("sat", "Sat"),
    ("sun", "Sun"),
)


def _not_found(request: Request, session: Session, what: str) -> Response:
    return render(request, session, "missing.html", {"what": what}, status=404)


# --- a custom goal -------------------------------------------------------------------------------


def _draw_new(request: Request, session: Session, *, error: str | None = None, status: int = 200) -> Response:
    view = dashboard_view(session.app, session.user_id)
    return render(
        request,
        session,
        "goal_new.html",
        {"d": view, "frames": FRAMES, "form": dict(request.query_params)},
        error=error,
        status=status,
    )


@router.get("/goals/new", response_class=HTMLResponse)
def new_goal(request: Request) -> Response:
    found = signed_in(request)
    return to_signin() if found is None else _draw_new(request, found)


@router.post("/web/goals/custom")
def add_custom_goal(
    request: Request,
    csrf: Field = "",
    title: Field = "",
    action: Field = "",
    target: Field = "",
    frame: Field = "",
    start: Field = "",
    deadline: Field = "",
    contact_id: Field = "",
    aspiration_id: Field = "",
) -> Response:
    def command(s: Session) -> Any:
        spec = GoalSpec(
            title=title.strip() or None,
            action=action.strip() or None,
            target=optional_int(target, "target"),
            frame=frame or None,
            start=_date(start, "start"),
            deadline=_date(deadline, "deadline") if frame == "deadline" else None,
            contact_ids=(contact_id,) if contact_id else (),
            aspiration_id=aspiration_id or None,
        )
        if spec.target is None:
            raise DomainError("give a target: how many actions count as done")
        result = goals.set_goal(s.app, s.user_id, spec)
        return f"/goals/{result.goal_id}?done=goal", result.warnings

    values = (title, action, target, frame, start, deadline, contact_id, aspiration_id)
    return run_form(request, csrf, values, command, lambda s, e: _draw_new(request, s, error=e, status=422))


def _date(text: str, what: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DomainError(f"give the {what} as year-month-day, like 2026-12-31") from None


# --- one goal --------------------------------------------------------------------------------------


def _draw_goal(
    request: Request, session: Session, goal_id: str, *, error: str | None = None, status: int = 200
) -> Response:
    before = optional_int(request.query_params.get("before", ""), "before") if error is None else None
    try:
        page = pages.goal_page(session.app, session.user_id, goal_id, before=before)
    except (NotFoundError, DomainError):
        return _not_found(request, session, "goal")
    chart: dict[str, Any] = {}
    if page.goal.frame.value == "deadline":
        chart["pace"] = charts.pace(page.line, page.paced, page.today)
    else:
        chart["year"] = charts.streak_calendar(page.year, page.goal.frame.value)
    return render(
        request,
        session,
        "goal.html",
        {
            "p": page,
            "chart": chart,
            "days": DAYS,
            "fill": charts.fill_percent(page.line["done"], page.line["target"]),
        },
        error=error,
        status=status,
    )


@router.get("/goals/{goal_id}", response_class=HTMLResponse)
def goal_page(request: Request, goal_id: str) -> Response:
    found = signed_in(request)
    if found is None:
        return to_signin()
    try:
        return _draw_goal(request, found, goal_id)
    except DomainError:
        return _not_found(request, found, "goal")


@router.post("/goals/{goal_id}/edit")
def edit_goal(
    request: Request,
    goal_id: str,
    csrf: Field = "",
    title: Field = "",
    target: Field = "",
    aspiration_id: Field = "",
    duration: Field = "",
    days: Annotated[list[str] | None, Form()] = None,
    earliest: Field = "",
    latest: Field = "",
    keywords: Field = "",
    domains: Field = "",
) -> Response:
    def command(s: Session) -> Any:
        hours = None
        if earliest.strip() or latest.strip():
            if not (earliest.strip() and latest.strip()):
                raise DomainError("give both ends of the hours, like 18:00 and 21:00, or neither")
            hours = f"{earliest.strip()}-{latest.strip()}"
        edit = GoalEdit(
            target=optional_int(target, "target"),
            title=title if title.strip() else None,
            aspiration_id=aspiration_id or None,
            link=True,
            preferences=PreferenceSpec(
                duration=optional_int(duration, "minutes per block"),
                days=tuple(days) if days else None,
                hours=hours,
                keywords=listed(keywords) or None,
                domains=listed(domains) or None,
            ),
        )
        changed = goals.edit_goal(s.app, s.user_id, goal_id, edit)
        return f"/goals/{goal_id}?done=" + ("goal-saved" if changed else "goal-unchanged")

    values = (title, target, aspiration_id, duration, *(days or ()), earliest, latest, keywords, domains)
    return run_form(
        request, csrf, values, command, lambda s, e: _draw_goal(request, s, goal_id, error=e, status=422)
    )


def _lifecycle(verb: str) -> None:
    change = {"pause": goals.pause_goal, "resume": goals.resume_goal, "archive": goals.archive_goal}[verb]

    def endpoint(request: Request, goal_id: str, csrf: Field = "") -> Response:
        def command(s: Session) -> str:
            change(s.app, s.user_id, goal_id)
            return f"/goals/{goal_id}?done=goal-{verb}d"

        return run_form(
            request, csrf, (), command, lambda s, e: _draw_goal(request, s, goal_id, error=e, status=422)
        )

    router.add_api_route(f"/goals/{{goal_id}}/{verb}", endpoint, methods=["POST"], name=f"goal_{verb}")


for _verb in ("pause", "resume", "archive"):
    _lifecycle(_verb)


@router.get("/goals/{goal_id}/archive", response_class=HTMLResponse)
def confirm_archive(request: Request, goal_id: str) -> Response:
    found = signed_in(request)
    if found is None:
        return to_signin()
    try:
        page = pages.goal_page(found.app, found.user_id, goal_id)
    except (NotFoundError, DomainError):
        return _not_found(request, found, "goal")
    return render(
        request,
        found,
        "are_you_sure.html",
        {
            "heading": f"Archive “{page.goal.title}”?",
            "body": "An archived goal stops counting and planning. Its history stays, and you cannot "
            "resume it; set a new goal instead if you change your mind.",
            "action": f"/goals/{page.goal.goal_id}/archive",
            "button": "Archive the goal",
            "back": f"/goals/{page.goal.goal_id}",
        },
    )
