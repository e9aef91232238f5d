"""The aspirations page: what goals serve — add one, change its words or kind, link goals to it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.pages.common import Session, render, run_form, signed_in, to_signin
from service.commands import ASPIRATION_KINDS
from service.tracking import goals

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(max_length=500)]


def _draw_aspirations(
    request: Request, session: Session, *, error: str | None = None, status: int = 200
) -> Response:
    found = goals.list_aspirations(session.app, session.user_id)
    mine = goals.list_goals(session.app, session.user_id)
    return render(
        request,
        session,
        "aspirations.html",
        {
            "aspirations": found,
            "kinds": ASPIRATION_KINDS,
            "served": {
                a.aspiration_id: [g for g in mine if g.aspiration_id == a.aspiration_id] for a in found
            },
            "unlinked": [g for g in mine if g.aspiration_id is None],
        },
        error=error,
        status=status,
    )


@router.get("/aspirations", response_class=HTMLResponse)
def aspirations(request: Request) -> Response:
    found = signed_in(request)
    return to_signin() if found is None else _draw_aspirations(request, found)


@router.post("/web/aspirations")
def add_aspiration(request: Request, csrf: Field = "", text: Field = "", kind: Field = "other") -> Response:
    def command(s: Session) -> str:
        goals.add_aspiration(s.app, s.user_id, text, kind)
        return "/aspirations?done=aspiration"

    return run_form(
        request, csrf, (text, kind), command, lambda s, e: _draw_aspirations(request, s, error=e, status=422)
    )


@router.post("/aspirations/{aspiration_id}/edit")
def edit_aspiration(
    request: Request, aspiration_id: str, csrf: Field = "", text: Field = "", kind: Field = ""
) -> Response:
    def command(s: Session) -> str:
        goals.update_aspiration(s.app, s.user_id, aspiration_id, text=text or None, kind=kind or None)
        return "/aspirations?done=aspiration-saved"

    return run_form(
        request, csrf, (text, kind), command, lambda s, e: _draw_aspirations(request, s, error=e, status=422)
    )


@router.post("/aspirations/link")
def link_goal(request: Request, csrf: Field = "", goal_id: Field = "", aspiration_id: Field = "") -> Response:
    def command(s: Session) -> str:
        goals.link_goal(s.app, s.user_id, goal_id, aspiration_id or None)
        return "/aspirations?done=goal-saved"

    return run_form(
        request,
        csrf,
        (goal_id, aspiration_id),
        command,
        lambda s, e: _draw_aspirations(request, s, error=e, status=422),
    )
