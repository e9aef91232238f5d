"""The dashboard's "rotate everything" button (`service/access/credentials.py`): it answers the new API
token once; the old token, the dashboard sessions, the old feed URLs and every signed link sent so
far stop working. The API's route is `POST /api/v1/me/rotate` (`api/rest/account.py`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.deps import SettingsDep
from api.pages.common import Session, checked, templates
from service.access import credentials

router = APIRouter(include_in_schema=False)


@router.post("/settings/rotate")
def rotate_on_dashboard(
    request: Request, settings: SettingsDep, csrf: Annotated[str, Form(max_length=300)] = ""
) -> Response:
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
