"""The first-run path of a person with no goals yet, in the method's order: what they are working
towards (an aspiration), who they know (import or add people), a first goal that serves it, and a
calendar. Every step can be skipped; each form calls the same use cases as the rest of the
dashboard. The home page of a person without goals shows the step they are on (api/pages/home.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import get_settings
from api.pages.common import Next, Session, render, run_form, signed_in, to_signin
from service.commands import ASPIRATION_KINDS, TEMPLATES, ContactSpec, GoalSpec
from service.people import contacts
from service.tracking import goals

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(max_length=500)]


@dataclass(frozen=True, slots=True)
class Step:
    name: str  # in the address: /start/<name>
    title: str  # the step's question, as the page asks it
    short: str  # in the list of steps


STEPS = (
    Step("aspiration", "What are you working towards?", "What you are working towards"),
    Step("people", "Who do you know already?", "The people you know"),
    Step("goal", "A first goal", "A first goal"),
    Step("calendar", "Put it in your calendar", "Your calendar"),
)
BY_NAME = {s.name: s for s in STEPS}
KIND_WORDS = {
    "new-job": "a new job",
    "clients": "more clients",
    "mentorship": "a mentor",
    "other": "something else",
}
SHOWN_PEOPLE = 12  # the people added so far, listed on the people step


def current_step(session: Session) -> Step:
    """The first step not done yet, for a person without goals: the home page shows this one."""
    if not goals.list_aspirations(session.app, session.user_id):
        return STEPS[0]
    if not contacts.list_contacts(session.app, session.user_id):
        return STEPS[1]
    return STEPS[2]


def step_context(request: Request, session: Session, step: Step) -> dict[str, Any]:
    """What _first_run.html needs to draw one step."""
    index = STEPS.index(step)
    aspirations = goals.list_aspirations(session.app, session.user_id)
    people = [c for c, _seen in contacts.list_contacts(session.app, session.user_id)]
    return {
        "step": step,
        "number": index + 1,
        "steps": STEPS,
        "next_step": STEPS[index + 1] if index + 1 < len(STEPS) else None,
        "kinds": [(k, KIND_WORDS.get(k, k.replace("-", " "))) for k in ASPIRATION_KINDS],
        "aspirations": aspirations,
        "latest_aspiration": aspirations[-1].aspiration_id if aspirations else "",
        "people": people[-SHOWN_PEOPLE:],
        "people_count": len(people),
        "templates": list(TEMPLATES.values()),
        "google_enabled": get_settings(request).google_configured,
    }


def _draw(
    request: Request, session: Session, step: Step, *, error: str | None = None, status: int = 200
) -> Response:
    context = step_context(request, session, step)
    return render(request, session, "first_run.html", {"first_run": context}, error=error, status=status)


def _redraw(request: Request, name: str) -> Any:
    return lambda session, error: _draw(request, session, BY_NAME[name], error=error, status=422)


@router.get("/start", response_class=HTMLResponse)
def start(request: Request) -> Response:
    found = signed_in(request)
    if found is None:
        return to_signin()
    return RedirectResponse(f"/start/{current_step(found).name}", status_code=303)


@router.get("/start/{name}", response_class=HTMLResponse)
def step_page(request: Request, name: str) -> Response:
    found = signed_in(request)
    if found is None:
        return to_signin()
    step = BY_NAME.get(name)
    if step is None:
        return RedirectResponse("/start", status_code=303)
    return _draw(request, found, step)


@router.post("/start/aspiration")
def add_aspiration(request: Request, csrf: Field = "", text: Field = "", kind: Field = "other") -> Response:
    def command(s: Session) -> Next:
        goals.add_aspiration(s.app, s.user_id, text, kind)
        return "/start/people?done=aspiration"

    return run_form(request, csrf, (text, kind), command, _redraw(request, "aspiration"))


@router.post("/start/people")
def add_person(
    request: Request, csrf: Field = "", name: Field = "", email: Field = "", organisation: Field = ""
) -> Response:
    def command(s: Session) -> Next:
        spec = ContactSpec(
            name=name, emails=(email,) if email.strip() else None, organisation=organisation or None
        )
        warnings = contacts.contact_warnings(s.app, s.user_id, spec)
        contacts.add_contact(s.app, s.user_id, spec)
        return "/start/people?done=contact", warnings  # one more, or on to the next step

    return run_form(request, csrf, (name, email, organisation), command, _redraw(request, "people"))


@router.post("/start/goal")
def set_goal(
    request: Request,
    csrf: Field = "",
    template: Field = "",
    aspiration_id: Field = "",
    contact_id: Field = "",
) -> Response:
    def command(s: Session) -> Next:
        spec = GoalSpec(
            template=template or None,
            aspiration_id=aspiration_id or None,
            contact_ids=(contact_id,) if contact_id else (),
        )
        return "/start/calendar?done=goal", goals.set_goal(s.app, s.user_id, spec).warnings

    return run_form(request, csrf, (template, aspiration_id, contact_id), command, _redraw(request, "goal"))
