"""What the network pages share: the signed-in check, the CSRF check, and rendering with the
page's own stylesheet. Sessions and CSRF tokens are the dashboard's (api/dashboard.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.dashboard import signed_in
from api.pages.common import Session as PageSession
from api.pages.common import layout
from service import accounts
from service.app import App

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
Session = tuple[App, str, str]  # app, user id, session id


def session_or_signin(request: Request) -> Session | Response:
    found = signed_in(request)
    if found is None:
        return RedirectResponse("/signin", status_code=303)
    return found


def checked(request: Request, csrf: str) -> Session | Response:
    """The signed-in session of a form post whose CSRF token is right."""
    found = session_or_signin(request)
    if isinstance(found, Response):
        return found
    if not accounts.check_csrf(found[2], csrf):
        return Response("The form's CSRF token is missing or wrong; reload the page.", status_code=403)
    return found


def page(
    request: Request, session: Session, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        name,
        {
            **layout(request, PageSession(*session)),
            "current": name.removeprefix("network_").removesuffix(".html"),
            **context,
        },
        status_code=status,
    )
