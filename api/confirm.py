"""Did a planned block happen? The signed one-click links from Google Calendar, the dashboard's
"to confirm" list, and the REST endpoints. Handlers only call `service.confirmation`.

A link's GET only shows a page with one button: mail scanners and "safe link" prefetchers open
links, and must never mark anything. The button POSTs the signed token in the form body; the token
is the credential (bound to user, block and answer, expiring), so the POST needs no session — and
it is CSRF-safe, since a forged form would need a token only the user's calendar holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict, Field

from api import dashboard
from api.deps import CallerDep, IdempotencyKey, get_app, once
from api.pages.common import Session, layout
from api.pages.common import signed_in as session_of
from service import accounts, confirmation, credentials
from service.commands import DomainError, NotFoundError
from service.confirm_links import InvalidLinkError, Links
from service.settings import Settings

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
ANSWER_WORDS = {"done": "Done", "skip": "Didn't happen"}


class ConfirmBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer: Literal["done", "skip"]
    # With whom (contact ids): needed when the block's goal counts a contact the block does not name.
    contact_ids: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=20)


def router_for(settings: Settings) -> APIRouter:
    links = Links.open(settings)
    after = settings.confirm_after_days
    router = APIRouter(tags=["confirmations"])

    def page(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("words", ANSWER_WORDS)
        context.update(layout(request, session_of(request)))  # the navigation, when signed in
        return templates.TemplateResponse(request, "confirm.html", context, status_code=status)

    def refused(request: Request, message: str, status: int) -> HTMLResponse:
        return page(request, status, error=message)

    def claim_of(request: Request, token: str) -> Any:
        app = get_app(request)
        if links is None:
            return refused(request, "Confirmation links are not available on this server.", 404)
        try:
            claim = links.verify(token, app.now())
        except InvalidLinkError as exc:
            return refused(request, str(exc), 410 if "expired" in str(exc) else 400)
        if credentials.links_revoked(app, claim.user_id, claim.issued_at):
            return refused(request, credentials.REVOKED, 410)
        return claim

    @router.get("/confirm/{token}", response_class=HTMLResponse, include_in_schema=False)
    def link_page(request: Request, token: str) -> Response:
        """One button, nothing changed: only its POST answers."""
        claim = claim_of(request, token)
        if isinstance(claim, Response):
            return claim
        try:
            found = confirmation.block(get_app(request), claim.user_id, claim.action_id)
        except NotFoundError:
            return refused(request, "This link points to no block of yours.", 404)
        return page(request, block=found, answer=claim.answer, token=token)

    @router.post("/confirm", response_class=HTMLResponse, include_in_schema=False)
    def link_answer(
        request: Request,
        token: Annotated[str, Form(max_length=400)] = "",
        contact: Annotated[str, Form(max_length=64)] = "",
    ) -> Response:
        claim = claim_of(request, token)
        if isinstance(claim, Response):
            return claim
        app = get_app(request)
        whom = (contact,) if contact else ()
        try:
            answered = confirmation.confirm(app, claim.user_id, claim.action_id, claim.answer, "link", whom)
            found = confirmation.block(app, claim.user_id, claim.action_id)
        except NotFoundError:
            return refused(request, "This link points to no block of yours.", 404)
        except DomainError as exc:
            return refused(request, f"Nothing was changed: {exc}.", 409)
        return page(request, block=found, answered=answered)

    @router.get("/confirm", response_class=HTMLResponse, include_in_schema=False)
    def to_confirm(request: Request) -> Response:
        """The dashboard's "to confirm" list."""
        found = dashboard.signed_in(request)
        if found is None:
            return RedirectResponse("/signin", status_code=303)
        app, user_id, session_id = found
        return templates.TemplateResponse(
            request,
            "confirm_list.html",
            {
                "waiting": confirmation.waiting(app, user_id, after),
                "message": request.query_params.get("done") and "Thanks: noted.",
                **layout(request, Session(app, user_id, session_id)),
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
        found = dashboard.signed_in(request)
        if found is None:
            return RedirectResponse("/signin", status_code=303)
        app, user_id, session_id = found
        if not accounts.check_csrf(session_id, csrf):
            return Response("The form's CSRF token is missing or wrong; reload the page.", status_code=403)
        try:
            confirmation.confirm(app, user_id, action_id, answer, "dashboard", (contact,) if contact else ())
        except DomainError as exc:  # NotFoundError included: another user's block is not found
            status = 404 if isinstance(exc, NotFoundError) else 409
            return refused(request, f"Nothing was changed: {exc}.", status)
        return RedirectResponse("/confirm?done=1", status_code=303)

    @router.get("/api/v1/confirmations")
    def list_confirmations(who: CallerDep) -> list[dict[str, Any]]:
        """Planned blocks that have passed and wait for your word, oldest first."""
        return [w.as_dict() for w in confirmation.waiting(who.app, who.user_id, after)]

    @router.post("/api/v1/actions/{action_id}/confirm")
    def confirm_block(
        who: CallerDep,
        request: Request,
        action_id: str,
        body: ConfirmBody,
        idempotency_key: IdempotencyKey = None,
    ) -> Response:
        """Say whether a planned block happened: `done` counts it, `skip` skips it. Answering the
        same twice changes nothing (`changed: false`)."""

        def produce(_key: str | None) -> dict[str, Any]:
            block_id = confirmation.resolve_block(who.app, who.user_id, action_id)
            answered = confirmation.confirm(
                who.app, who.user_id, block_id, body.answer, "api", tuple(body.contact_ids)
            )
            return answered.as_dict()

        return once(who, request, idempotency_key, body, 200, produce)

    return router
