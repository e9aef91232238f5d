"""The one page toolkit: what every dashboard page shares — the templates, the signed-in session,
CSRF checks, the navigation, and running a form's command with its error shown on the page it came
from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.deps import get_app
from api.pages import charts
from api.schemas import MAX_YEAR, MIN_YEAR
from service.access import accounts
from service.app import App
from service.commands import DomainError, text
from service.read_models import history

SESSION_COOKIE = "netgoals_session"
SIGNIN_COOKIE = "netgoals_signin"  # double-submit token against sign-in CSRF
NOTES_COOKIE = "netgoals_notes"  # warnings of the last form, shown once on the page it led to
SAID_COOKIE = "netgoals_said"  # what the last form did, in its own words, shown once likewise
templates = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))

DONE_MESSAGES = {
    "goal": "Goal added.",
    "goal-saved": "Goal saved.",
    "goal-unchanged": "Nothing to change: the goal already reads like that.",
    "goal-paused": "Goal paused. Paused periods do not count as missed.",
    "goal-resumed": "Goal resumed.",
    "goal-archived": "Goal archived. Its history stays.",
    "action": "Action logged.",
    "retracted": "Entry retracted. Progress no longer counts it.",
    "contact": "Contact added.",
    "contact-saved": "Contact saved.",
    "aspiration": "Aspiration added.",
    "aspiration-saved": "Aspiration saved.",
    "settings": "Settings saved.",
    "suggestion-added": "Contact added, with a short follow-up planned in your calendar.",
    "suggestion-dismissed": "Suggestion dismissed.",
    "imported": "Import finished.",
    "first-sign-in": "Welcome to netgoals. Four short steps below get you started; skip any you like.",
    "signed-in": "Welcome back.",
    "google-connected": (
        "Google Calendar connected. Your goals go into its “Networking goals” calendar at the next sync."
    ),
    "google-disconnected": "Google Calendar disconnected. Your history stays.",
}


@dataclass(frozen=True, slots=True)
class Session:
    app: App
    user_id: str
    session_id: str

    @property
    def csrf(self) -> str:
        return accounts.csrf_token(self.session_id)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.app.user(self.user_id).timezone)


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def signed_in(request: Request) -> Session | None:
    """The signed-in browser's session, or None."""
    session_id = request.cookies.get(SESSION_COOKIE, "")
    if not session_id:
        return None
    app = get_app(request)
    user_id = accounts.session_user(app, session_id)
    return Session(app, user_id, session_id) if user_id else None


def to_signin() -> RedirectResponse:
    return RedirectResponse("/signin", status_code=303)


def session_or_signin(request: Request) -> Session | RedirectResponse:
    """The signed-in session, or the way to the sign-in page."""
    return signed_in(request) or to_signin()


def _when(moment: datetime, style: str = "long") -> str:
    """A time as people read it; `moment` is already in the user's zone (history entries are)."""
    if style == "day":
        return moment.strftime("%a %d %b %Y")
    return moment.strftime("%a %d %b %Y, %H:%M")


def _day(value: str | date | None) -> str:
    """2026-11-20 as 'Fri 20 Nov 2026' (dates are local days already)."""
    if not value:
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return day.strftime("%a %d %b %Y")


templates.env.filters["when"] = _when
templates.env.filters["day"] = _day
templates.env.filters["action_name"] = history.action_name
templates.env.filters["action_words"] = history.action_words
templates.env.filters["status_words"] = charts.status_words


def layout(request: Request, session: Session | None) -> dict[str, Any]:
    """What base.html needs for the main navigation: every page that extends it, whichever module
    draws it, passes this, so no page has a header of its own. Nothing for a signed-out browser."""
    if session is None:
        return {}
    return {"csrf": session.csrf, "user": session.app.user(session.user_id), "path": request.url.path}


def render(
    request: Request,
    session: Session,
    name: str,
    context: dict[str, Any],
    *,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    """A signed-in page with the navigation, the form token and the message of a finished form."""
    done = request.query_params.get("done", "")
    notes = [n for n in unquote(request.cookies.get(NOTES_COOKIE, "")).split("\n") if n]
    said = unquote(request.cookies.get(SAID_COOKIE, ""))
    response = templates.TemplateResponse(
        request,
        name,
        {
            **layout(request, session),
            "message": said or DONE_MESSAGES.get(done),
            "error": error,
            "form_notes": notes,
            **context,
        },
        status_code=status,
    )
    if notes:
        response.delete_cookie(NOTES_COOKIE, path="/")
    if said:
        response.delete_cookie(SAID_COOKIE, path="/")
    return response


def flash(request: Request, response: Response, said: list[str]) -> Response:
    """Carry what a finished form did to the page it redirects to (shown once, by render)."""
    if said and response.status_code == 303:
        response.set_cookie(
            SAID_COOKIE, quote(" ".join(said))[:3000], httponly=True, samesite="lax", secure=secure(request)
        )
    return response


def checked(request: Request, csrf: str) -> Session | Response:
    """The session of a form post, after its CSRF token checked out."""
    found = signed_in(request)
    if found is None:
        return to_signin()
    if not accounts.check_csrf(found.session_id, csrf):
        return Response("The form's CSRF token is missing or wrong; reload the page.", status_code=403)
    return found


def network_page(
    request: Request, session: Session, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """One of the network pages (import, assess, per aspiration), their sub-navigation marked."""
    return templates.TemplateResponse(
        request,
        name,
        {
            **layout(request, session),
            "current": name.removeprefix("network_").removesuffix(".html"),
            **context,
        },
        status_code=status,
    )


Redraw = Callable[[Session, str], Response]  # the form's page again, with an error
Next = str | tuple[str, tuple[str, ...]]  # where to go, and perhaps warnings to show there


def run_form(
    request: Request,
    csrf: str,
    values: tuple[str, ...],
    command: Callable[[Session], Next],
    redraw: Redraw,
) -> Response:
    """Run a form's command; it answers where to go next. A rejected command draws the page again
    with the reason, and nothing changed."""
    found = checked(request, csrf)
    if isinstance(found, Response):
        return found
    try:
        wrong = next(filter(None, map(text.problem, values)), None)
        if wrong is not None:  # the API's rule for text (domain/guards/text.py)
            raise DomainError(f"the form's text {wrong}")
        target = command(found)
    except DomainError as exc:
        return redraw(found, str(exc))
    target, notes = (target, ()) if isinstance(target, str) else target
    response = RedirectResponse(target, status_code=303)
    if notes:
        response.set_cookie(
            NOTES_COOKIE,
            quote("\n".join(notes))[:3000],
            httponly=True,
            samesite="lax",
            secure=secure(request),
        )
    return response


def optional_int(text: str, what: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise DomainError(f"{what} must be a whole number") from None


def moment(session: Session, day: str, clock: str) -> datetime | None:
    """The form's date and time in the user's zone; today without a time means now."""
    if not day.strip():
        return None
    tz = session.app.profile(session.user_id).tz
    try:
        on = date.fromisoformat(day.strip())
        at = time.fromisoformat(clock.strip()) if clock.strip() else None
    except ValueError:
        raise DomainError(
            "give the date as year-month-day, like 2026-11-20, and the time like 19:00"
        ) from None
    if not MIN_YEAR <= on.year <= MAX_YEAR:  # the API's own bounds (api/schemas.py)
        raise DomainError(f"the date's year must be between {MIN_YEAR} and {MAX_YEAR}")
    if at is None:
        if on == session.app.now().astimezone(tz).date():
            return None
        at = time(12)
    return datetime.combine(on, at, tzinfo=tz)


def listed(text: str) -> tuple[str, ...]:
    """Comma- or line-separated words from a text box."""
    return tuple(part.strip() for part in text.replace("\n", ",").split(",") if part.strip())
