"""Signing in and out: the API token, once, for a session cookie (two weeks on this browser)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import client_address, get_app, get_limiter
from api.pages.common import SESSION_COOKIE, SIGNIN_COOKIE, checked, secure, signed_in, templates, to_signin
from service.access import accounts, keys, throttle
from service.people import contacts
from service.tracking import goals

router = APIRouter(include_in_schema=False)


def _signin_page(
    request: Request, error: str | None = None, status: int = 200, email: str = ""
) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = templates.TemplateResponse(
        request, "signin.html", {"csrf": token, "error": error, "email": email}, status_code=status
    )
    response.set_cookie(
        SIGNIN_COOKIE, token, httponly=True, samesite="lax", secure=secure(request), path="/signin"
    )
    return response


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request) -> Response:
    if signed_in(request) is not None:
        return RedirectResponse("/", status_code=303)
    return _signin_page(request)


@router.post("/signin")
def signin(
    request: Request,
    email: Annotated[str, Form(max_length=300)] = "",
    token: Annotated[str, Form(max_length=300)] = "",
    csrf: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    expected = request.cookies.get(SIGNIN_COOKIE, "")
    if not expected or not keys.same(expected, csrf):
        return _signin_page(request, "Your sign-in form expired; please try again.", 400, email)
    app = get_app(request)
    try:
        # A valid token always signs in; only refusals are counted and slowed (service/access/throttle.py).
        user_id = throttle.dashboard_user(app, get_limiter(request), email, token, client_address(request))
    except throttle.ThrottledError as exc:
        wait = exc.retry_after
        page = _signin_page(request, f"Too many failed sign-ins. Try again in {wait} seconds.", 429, email)
        page.headers["Retry-After"] = str(wait)
        return page
    if user_id is None:
        return _signin_page(request, "That email and token do not match.", 401, email)
    session_id = accounts.open_session(app, user_id)
    # Nothing set up yet reads as a first visit: "welcome back" would not be true.
    fresh = not goals.list_goals(app, user_id, include_archived=True) and not contacts.list_contacts(
        app, user_id
    )
    response = RedirectResponse("/?done=" + ("first-sign-in" if fresh else "signed-in"), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure(request),
        path="/",
    )
    response.delete_cookie(SIGNIN_COOKIE, path="/signin")
    return response


@router.post("/signout")
def signout(request: Request, csrf: Annotated[str, Form(max_length=300)] = "") -> Response:
    found = checked(request, csrf)
    if isinstance(found, Response):
        return found
    accounts.close_session(found.app, found.session_id)
    response = to_signin()
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
