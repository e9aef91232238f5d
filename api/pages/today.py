"""The dashboard's "Today" card: the next list at the top of the home page, and its one-tap answers
(done, tomorrow, not now, never), posted as forms with the session's CSRF token (issue 28)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.pages.common import Next, Session, run_form
from service.commands import DomainError
from service.people import next_actions

router = APIRouter(include_in_schema=False)
_ANSWERS = {"done": "done", "tomorrow": "snoozed", "not-now": "dismissed", "never": "never"}


def today_card(session: Session) -> dict[str, Any]:
    """What the card shows: the items, the coming meetings' briefs, and the day a "tomorrow" snooze
    reaches."""
    tomorrow = next_actions.tomorrow(session.app, session.user_id)
    items, briefs = next_actions.today(session.app, session.user_id)
    return {"items": items, "briefs": briefs, "tomorrow": tomorrow}


@router.post("/web/next/{item}")
def answer_item(
    request: Request,
    item: str,
    csrf: Annotated[str, Form(max_length=300)] = "",
    answer: Annotated[str, Form(max_length=20)] = "",
    promise: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    from api.pages.home import draw_home  # the home page draws this card; import when answering

    def command(s: Session) -> Next:
        reply = _ANSWERS.get(answer)
        if reply is None or len(item) > 200:
            raise DomainError(f"unknown answer {answer!r}: use done, tomorrow, not-now or never")
        until: date | None = next_actions.tomorrow(s.app, s.user_id) if reply == "snoozed" else None
        promised = (promise,) if promise.strip() else ()  # after a meeting: what was promised
        next_actions.answer(s.app, s.user_id, item, reply, until=until, promises=promised)
        return "/#today"

    return run_form(
        request,
        csrf,
        (item, answer, promise),
        command,
        lambda s, e: draw_home(request, s, error=e, status=422),
    )
