"""The one-tap "+1 / done" of a goal card: log the goal's own action kind (a custom one like "give a
talk" too) now, with the goal's people, and then say what it did for which goals."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api import charts
from api.pages.common import Next, Session, flash, run_form
from api.pages.home import draw_home
from service import actions, goals, progress
from service.commands import NotFoundError

router = APIRouter(include_in_schema=False)
BACK = {"home": "/", "goal": "/goals/{goal_id}"}  # where a card's form returns: never a free URL


def _counts(session: Session) -> dict[str, dict[str, Any]]:
    return {
        line["goal_id"]: line
        for line in (x.as_dict() for x in progress.progress(session.app, session.user_id))
    }


def counted_words(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> str:
    """'Counted for: <goal> — 1 of 1, met; …' for every goal whose count moved, or why none did."""
    moved = [
        f"{line['title']} — {line['done']} of {line['target']}, {charts.status_words(line['status'])}"
        for goal_id, line in after.items()
        if goal_id in before and line["done"] > before[goal_id]["done"]
    ]
    if not moved:
        return "Logged. It counted for no goal this time (a goal may count only new people, or a set person)."
    return "Logged. Counted for: " + "; ".join(moved) + "."


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
        before = _counts(s)
        actions.log_action(s.app, s.user_id, goal.action, contact_ids=goal.contact_ids[:1])
        said.append(counted_words(before, _counts(s)))
        return BACK.get(back, "/").format(goal_id=goal_id)

    def redraw(s: Session, error: str) -> Response:
        return draw_home(request, s, error=error, status=404 if "no such goal" in error else 422)

    return flash(request, run_form(request, csrf, (goal_id, back), command, redraw), said)
