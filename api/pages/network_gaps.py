"""The dashboard's network per aspiration: who can help, strength by aspiration and who has gone
quiet as pictures, the gaps, and one button per gap that sets the goal it proposes."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.pages import network_charts
from api.pages.common import Session, checked, network_page, session_or_signin
from service.commands import DomainError
from service.people import network_gaps
from service.shapes.network import AspirationNetworkOut

router = APIRouter(include_in_schema=False)
GapKind = Literal["no-contacts", "no-strong-tie", "no-mentor", "no-one-at-kind", "gone-quiet"]


def _render(request: Request, session: Session, error: str | None = None) -> Response:
    app, user_id = session.app, session.user_id
    views = [
        AspirationNetworkOut.of(v).model_dump(mode="json") for v in network_gaps.by_aspiration(app, user_id)
    ]
    quiet = [
        (s.contact.name, s.overdue_days or 0, s.contact.strength) for s in network_gaps.quiet(app, user_id)
    ]
    context = {
        "views": views,
        "aspiration_texts": {v["aspiration_id"]: v["aspiration"] for v in views},
        "strength_rows": network_charts.strength_rows(views),
        "quiet": network_charts.quiet_chart(quiet),
        "error": error,
        "goal_set": request.query_params.get("goal") == "set",
    }
    return network_page(request, session, "network_gaps.html", context, 422 if error else 200)


@router.get("/network/gaps")
def gaps_page(request: Request) -> Response:
    found = session_or_signin(request)
    if isinstance(found, Response):
        return found
    return _render(request, found)


@router.post("/network/gaps/{aspiration_id}/{kind}")
def close_gap(
    request: Request,
    aspiration_id: UUID,
    kind: GapKind,
    csrf: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    found = checked(request, csrf)
    if isinstance(found, Response):
        return found
    app, user_id = found.app, found.user_id
    try:
        network_gaps.set_gap_goal(app, user_id, str(aspiration_id), kind)
    except DomainError as exc:
        return _render(request, found, str(exc))
    return RedirectResponse(f"/network/gaps?goal=set#aspiration-{aspiration_id}", status_code=303)
