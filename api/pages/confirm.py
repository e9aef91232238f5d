"""Did a planned block happen? The signed one-click links from Google Calendar and the dashboard's
"to confirm" list (the REST endpoints are `api/rest/confirmations.py`). Handlers only call
`service.tracking.confirmation`.

A link's GET only shows a page with one button: mail scanners and "safe link" prefetchers open
links, and must never mark anything. The button POSTs the signed token in the form body; the token
is the credential (bound to user, block and answer, expiring), so the POST needs no session — and
it is CSRF-safe, since a forged form would need a token only the user's calendar holds.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SettingsDep, get_app, links_of
from api.pages.common import layout, signed_in, templates, to_signin
from service.access import accounts, credentials
from service.commands import DomainError, NotFoundError
from service.tracking import confirmation
from service.tracking.confirm_links import InvalidLinkError

router = APIRouter(include_in_schema=False, tags=["confirmations"])
ANSWER_WORDS = {"done": "Done", "skip": "Didn't happen"}


def _page(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("words", ANSWER_WORDS)
    context.update(layout(request, signed_in(request)))  # the navigation, when signed in
    return templates.TemplateResponse(request, "confirm.html", context, status_code=status)


def _refused(request: Request, message: str, status: int) -> HTMLResponse:
    return _page(request, status, error=message)


def _claim_of(request: Request, token: str) -> Any:
    app = get_app(request)
    links = links_of(request)
    if links is None:
        return _refused(request, "Confirmation links are not available on this server.", 404)
    try:
        claim = links.verify(token, app.now())
    except InvalidLinkError as exc:
        return _refused(request, str(exc), 410 if "expired" in str(exc) else 400)
    if credentials.links_revoked(app, claim.user_id, claim.issued_at):
        return _refused(request, credentials.REVOKED, 410)
    return claim


@router.get("/confirm/{token}", response_class=HTMLResponse, include_in_schema=False)
def link_page(request: Request, token: str) -> Response:
    """One button, nothing changed: only its POST answers."""
    claim = _claim_of(request, token)
    if isinstance(claim, Response):
        return claim
    try:
        found = confirmation.block(get_app(request), claim.user_id, claim.action_id)
    except NotFoundError:
        return _refused(request, "This link points to no block of yours.", 404)
    return _page(request, block=found, answer=claim.answer, token=token)


@router.post("/confirm", response_class=HTMLResponse, include_in_schema=False)
def link_answer(
    request: Request,
    token: Annotated[str, Form(max_length=400)] = "",
    contact: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    claim = _claim_of(request, token)
    if isinstance(claim, Response):
        return claim
    app = get_app(request)
    whom = (contact,) if contact else ()
    try:
        answered = confirmation.confirm(app, claim.user_id, claim.action_id, claim.answer, "link", whom)
        found = confirmation.block(app, claim.user_id, claim.action_id)
    except NotFoundError:
        return _refused(request, "This link points to no block of yours.", 404)
    except DomainError as exc:
        return _refused(request, f"Nothing was changed: {exc}.", 409)
    return _page(request, block=found, answered=answered)


@router.get("/confirm", response_class=HTMLResponse, include_in_schema=False)
def to_confirm(request: Request, settings: SettingsDep) -> Response:
    """The dashboard's "to confirm" list."""
    session = signed_in(request)
    if session is None:
        return to_signin()
    return templates.TemplateResponse(
        request,
        "confirm_list.html",
        {
            "waiting": confirmation.waiting(session.app, session.user_id, settings.confirm_after_days),
            "message": request.query_params.get("done") and "Thanks: noted.",
            **layout(request, session),
        },
    )


@router.post("/web/confirm/{action_id}", include_in_schema=False)
def answer_on_dashboard(
    request: Request,
    action_id: str,
    csrf: Annotated[str, Form(max_length=300)] = "",
    answer: Annotated[str, Form(max_length=10)] = "",
    contact: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    session = signed_in(request)
    if session is None:
        return to_signin()
    app, user_id = session.app, session.user_id
    if not accounts.check_csrf(session.session_id, csrf):
        return Response("The form's CSRF token is missing or wrong; reload the page.", status_code=403)
    try:
        confirmation.confirm(app, user_id, action_id, answer, "dashboard", (contact,) if contact else ())
    except DomainError as exc:  # NotFoundError included: another user's block is not found
        status = 404 if isinstance(exc, NotFoundError) else 409
        return _refused(request, f"Nothing was changed: {exc}.", status)
    return RedirectResponse("/confirm?done=1", status_code=303)
