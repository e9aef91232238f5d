"""The dashboard: server-rendered HTML, a session cookie after one sign-in with the API token,
and a CSRF token on every form. No JavaScript."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api import charts
from api.deps import client_address, get_app, get_limiter
from api.schemas import MAX_YEAR, MIN_YEAR
from service import accounts, actions, contacts, goals, throttle
from service.app import App
from service.commands import ContactSpec, DomainError, GoalSpec
from service.dashboard import dashboard as dashboard_view

SESSION_COOKIE = "netgoals_session"
SIGNIN_COOKIE = "netgoals_signin"  # double-submit token against sign-in CSRF
router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

DONE_MESSAGES = {
    "goal": "Goal added.",
    "action": "Action logged.",
    "contact": "Contact added.",
    "signed-in": "Welcome back.",
    "google-connected": "Google Calendar connected: the next sync plans your goals into it.",
    "google-disconnected": "Google Calendar disconnected. Your history stays.",
}


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def signed_in(request: Request) -> tuple[App, str, str] | None:
    """(app, user id, session id) of a signed-in browser."""
    session_id = request.cookies.get(SESSION_COOKIE, "")
    if not session_id:
        return None
    app = get_app(request)
    user_id = accounts.session_user(app, session_id)
    return (app, user_id, session_id) if user_id else None


def _to_signin() -> RedirectResponse:
    return RedirectResponse("/signin", status_code=303)


def _cards(lines: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    cards = []
    for line in lines:
        card: dict[str, Any] = {"line": line, "fill": charts.fill_percent(line["done"], line["target"])}
        if line["frame"] == "deadline":
            card["deadline"] = charts.deadline(line, today)
        else:
            card["periods"] = charts.periods(line["recent"])
        cards.append(card)
    return cards


def _render_dashboard(
    request: Request, app: App, user_id: str, session_id: str, *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    view = dashboard_view(app, user_id)
    done = request.query_params.get("done", "")
    return templates.TemplateResponse(
        request,
        "dashboard.html",
        {
            "d": view,
            "groups": [(name, _cards(lines, view.today)) for name, lines in view.groups],
            "csrf": accounts.csrf_token(session_id),
            "google_enabled": request.app.state.google_enabled,
            "message": DONE_MESSAGES.get(done),
            "error": error,
        },
        status_code=status,
    )


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    found = signed_in(request)
    if found is None:
        return _to_signin()
    return _render_dashboard(request, *found)


def _signin_page(request: Request, error: str | None = None, status: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = templates.TemplateResponse(
        request, "signin.html", {"csrf": token, "error": error}, status_code=status
    )
    response.set_cookie(
        SIGNIN_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request), path="/signin"
    )
    return response


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request) -> Response:
    if signed_in(request) is not None:
        return RedirectResponse("/", status_code=303)
    return _signin_page(request)


@router.post("/signin")
def signin(
    request: Request,
    email: Annotated[str, Form(max_length=300)] = "",
    token: Annotated[str, Form(max_length=300)] = "",
    csrf: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    expected = request.cookies.get(SIGNIN_COOKIE, "")
    if not expected or not secrets.compare_digest(expected.encode(), csrf.encode("utf-8", "replace")):
        return _signin_page(request, "Your sign-in form expired; please try again.", 400)
    app = get_app(request)
    try:
        user_id = throttle.dashboard_user(app, get_limiter(request), email, token, client_address(request))
    except throttle.ThrottledError as exc:
        page = _signin_page(
            request, f"Too many failed sign-ins. {str(exc).split('; ')[1].capitalize()}.", 429
        )
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    if user_id is None:
        return _signin_page(request, "That email and token do not match.", 401)
    session_id = accounts.open_session(app, user_id)
    response = RedirectResponse("/?done=signed-in", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(SIGNIN_COOKIE, path="/signin")
    return response


def _checked(request: Request, csrf: str) -> tuple[App, str, str] | Response:
    found = signed_in(request)
    if found is None:
        return _to_signin()
    if not accounts.check_csrf(found[2], csrf):
        return Response("The form's CSRF token is missing or wrong; reload the page.", status_code=403)
    return found


@router.post("/signout")
def signout(request: Request, csrf: Annotated[str, Form(max_length=300)] = "") -> Response:
    found = _checked(request, csrf)
    if isinstance(found, Response):
        return found
    app, _user_id, session_id = found
    accounts.close_session(app, session_id)
    response = _to_signin()
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _optional_int(text: str, what: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise DomainError(f"{what} must be a whole number") from None


def _moment(app: App, user_id: str, day: str, clock: str) -> datetime | None:
    """The form's date and time in the user's zone; today without a time means now."""
    tz = app.profile(user_id).tz
    if not day.strip():
        return None
    try:
        on = date.fromisoformat(day.strip())
        at = time.fromisoformat(clock.strip()) if clock.strip() else None
    except ValueError:
        raise DomainError("use a date like 2026-11-20 and a time like 19:00") from None
    if not MIN_YEAR <= on.year <= MAX_YEAR:  # the API's own bounds (api/schemas.py)
        raise DomainError(f"the date's year must be between {MIN_YEAR} and {MAX_YEAR}")
    if at is None:
        if on == app.now().astimezone(tz).date():
            return None
        at = time(12)
    return datetime.combine(on, at, tzinfo=tz)


def _form_result(request: Request, csrf: str, done: str, command: Any, *values: str) -> Response:
    found = _checked(request, csrf)
    if isinstance(found, Response):
        return found
    app, user_id, session_id = found
    try:
        if any("\x00" in value for value in values):
            raise DomainError("the form contains a NUL character")
        command(app, user_id)
    except DomainError as exc:
        return _render_dashboard(request, app, user_id, session_id, error=str(exc), status=422)
    return RedirectResponse(f"/?done={done}", status_code=303)


@router.post("/web/goals")
def add_goal(
    request: Request,
    csrf: Annotated[str, Form(max_length=300)] = "",
    template: Annotated[str, Form(max_length=100)] = "",
    aspiration_id: Annotated[str, Form(max_length=100)] = "",
    contact_id: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    def command(app: App, user_id: str) -> None:
        spec = GoalSpec(
            template=template or None,
            aspiration_id=aspiration_id or None,
            contact_ids=(contact_id,) if contact_id else (),
        )
        goals.set_goal(app, user_id, spec)

    return _form_result(request, csrf, "goal", command, template, aspiration_id, contact_id)


@router.post("/web/actions")
def log_action(
    request: Request,
    csrf: Annotated[str, Form(max_length=300)] = "",
    action: Annotated[str, Form(max_length=100)] = "",
    title: Annotated[str, Form(max_length=500)] = "",
    day: Annotated[str, Form(max_length=20)] = "",
    clock: Annotated[str, Form(max_length=20)] = "",
    contact_id: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    def command(app: App, user_id: str) -> None:
        actions.log_action(
            app,
            user_id,
            action,
            _moment(app, user_id, day, clock),
            contact_ids=(contact_id,) if contact_id else (),
            title=title or None,
        )

    return _form_result(request, csrf, "action", command, action, title, day, clock, contact_id)


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
    def command(app: App, user_id: str) -> None:
        spec = ContactSpec(
            name=name,
            emails=(email,) if email.strip() else None,
            organisation=organisation or None,
            strength=_optional_int(strength, "strength"),
            cadence_days=_optional_int(cadence_days, "keep-in-touch days"),
        )
        contacts.add_contact(app, user_id, spec)

    return _form_result(request, csrf, "contact", command, name, email, organisation, strength, cadence_days)
