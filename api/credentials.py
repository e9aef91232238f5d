"""Rotate everything a leaked credential could open (`service/credentials.py`): the API route and
the dashboard's button. Both answer the new API token once; the old token, the dashboard sessions,
the old feed URLs and every signed link sent so far stop working."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel

from api.deps import CallerDep
from api.pages.common import Session, checked, templates
from service import credentials
from service.settings import Settings


class RotatedOut(BaseModel):
    token: str
    feeds: list[dict[str, str | None]]


def router_for(settings: Settings) -> APIRouter:
    router = APIRouter()

    @router.post("/api/v1/me/rotate", response_model=RotatedOut, tags=["account"])
    def rotate(who: CallerDep) -> dict[str, Any]:
        """A leaked token? New API token (answered once), new feed URLs, and every confirm and
        unsubscribe link sent so far refused. The token that made this call stops working."""
        done = credentials.rotate_everything(who.app, settings, who.user_id)
        return {"token": done.token, "feeds": [f.as_dict() for f in done.feeds]}

    @router.post("/settings/rotate", include_in_schema=False)
    def rotate_on_dashboard(request: Request, csrf: Annotated[str, Form(max_length=300)] = "") -> Response:
        session = checked(request, csrf)
        if not isinstance(session, Session):
            return session
        done = credentials.rotate_everything(session.app, settings, session.user_id)
        # The session ended with the old token: this page is drawn without one, and says so.
        values = {
            "token": done.token,
            "feeds": done.feeds,
            "handle": session.app.user(session.user_id).handle,
        }
        page: Response = templates.TemplateResponse(request, "rotated.html", values)
        page.headers["Cache-Control"] = "no-store"
        return page

    return router
