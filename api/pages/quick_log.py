"""The one-tap "+1 / done" of a goal card: log the goal's own action kind (a custom one like "give a
talk" too) now, with the goal's people, and then say what it did for which goals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.pages.common import Next, Session, flash, run_form
from api.pages.counted import counted_words, counts
from api.pages.home import draw_home
from service.commands import NotFoundError
from service.tracking import actions, goals

router = APIRouter(include_in_schema=False)
BACK = {"home": "/", "goal": "/goals/{goal_id}"}  # where a card's form returns: never a free URL


@router.post("/web/goals/{goal_id}/done")
def one_more(
    request: Request,
    goal_id: str,
    csrf: Annotated[str, Form(max_length=300)] = "",
    back: Annotated[str, Form(max_length=10)] = "home",
) -> Response:
    said: list[str] = []

    def command(s: Session) -> Next:
        goal = next((g for g in goals.list_goals(s.app, s.user_id) if g.goal_id == goal_id), None)
        if goal is None:  # another user's goal is not found either
            raise NotFoundError("no such goal of yours: reload the page")
        before = counts(s)
        actions.log_action(s.app, s.user_id, goal.action, contact_ids=goal.contact_ids[:1])
        said.append(counted_words(before, counts(s)))
        return BACK.get(back, "/").format(goal_id=goal_id)

    def redraw(s: Session, error: str) -> Response:
        return draw_home(request, s, error=error, status=404 if "no such goal" in error else 422)

    return flash(request, run_form(request, csrf, (goal_id, back), command, redraw), said)
