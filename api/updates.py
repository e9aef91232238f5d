"""Progress updates on the web: the JSON API (choose a channel, send a test, what was sent), the
dashboard's update settings, and the signed, GET-safe unsubscribe page.

`router_for(settings)` opens the update context at first use; handlers only call
`service.updates`.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CallerDep, get_app
from api.pages.common import Session, checked, render, signed_in, templates
from api.webhooks import jobs_of
from service import updates
from service.app import App
from service.commands import DomainError, SecretKeyMissingError
from service.settings import Settings


class UpdatePreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Literal["email", "webhook", "none"]
    email: Annotated[str, Field(min_length=3, max_length=254)] | None = None
    webhook_url: Annotated[str, Field(min_length=8, max_length=2000)] | None = None
    webhook_format: Literal["json", "slack"] = "json"
    immediate: bool = True
    digest: bool = True


class UpdatePreferencesOut(BaseModel):
    channel: str
    email: str | None
    webhook_format: str | None
    immediate: bool
    digest: bool
    failing: dict[str, str]
    pending: int
    confirmation: Literal["waiting", "confirmed"] | None = Field(
        default=None,
        description='For email: "waiting" until the owner opens the link sent to the address (nothing '
        'else is sent to it before), then "confirmed".',
    )
    webhook_secret: str | None = Field(
        default=None, description="Only in the answer that set a webhook: the signing secret, shown once."
    )


class QueuedTestOut(BaseModel):
    delivery_id: str
    channel: str
    state: str
    result: str = Field(description="Where the outcome shows: the list of updates, this delivery's state")
    detail: str


class SentUpdateOut(BaseModel):
    delivery_id: str
    kind: str
    subject: str | None
    channel: str
    state: str
    attempts: int
    detail: str | None
    decided_at: str | None
    finished_at: str | None


def router_for(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["updates"])

    @functools.cache  # a failed open is not cached: it is tried again at the next request
    def context() -> updates.Updates:
        """Opened at first use: a server without NETGOALS_SECRET_KEY still serves everything else."""
        try:
            return updates.Updates.open(settings)
        except SecretKeyMissingError:
            raise HTTPException(503, "progress updates need NETGOALS_SECRET_KEY on this server") from None

    @router.get("/api/v1/updates/preferences", response_model=UpdatePreferencesOut)
    def get_preferences(who: CallerDep) -> dict[str, Any]:
        """Where your progress updates go, and whether the last one got there."""
        return updates.status(who.app, who.user_id).as_dict()

    @router.put("/api/v1/updates/preferences", response_model=UpdatePreferencesOut)
    def put_preferences(request: Request, who: CallerDep, body: UpdatePreferencesIn) -> dict[str, Any]:
        """Choose the channel. Setting a webhook answers its signing secret, once. A new email address
        gets one mail, a link to confirm it (a worker sends it); nothing else goes there until it is
        confirmed."""
        change = updates.set_channel(who.app, context(), who.user_id, **body.model_dump(), deliver_now=False)
        if change.waiting_for:
            jobs_of(request).enqueuer.request("updates", who.user_id)  # after the commit; else the sweep
        return {**updates.status(who.app, who.user_id).as_dict(), "webhook_secret": change.webhook_secret}

    @router.post(
        "/api/v1/updates/test",
        response_model=QueuedTestOut,
        status_code=202,
        responses={
            422: {"description": "Updates are off, or the address waits for its owner to confirm it"},
            429: {"description": "Too many tests this hour; see Retry-After"},
        },
    )
    def post_test(request: Request, who: CallerDep) -> dict[str, Any]:
        """Ask for a test on your channel: a worker sends it, and `GET /api/v1/updates` shows
        whether it was delivered, or why not. At most a few an hour."""
        return _queue_test(request, who.app, who.user_id).as_dict()

    def _queue_test(request: Request, app: App, user_id: str) -> updates.QueuedTest:
        context()  # 503 first on a server that cannot send updates at all
        try:
            queued = updates.queue_test(app, user_id)
        except updates.TooManyTestsError as exc:
            raise HTTPException(429, str(exc), headers={"Retry-After": str(exc.retry_after)}) from None
        jobs_of(request).enqueuer.request("updates", user_id)  # after the commit; else the sweep
        return queued

    @router.get("/api/v1/updates", response_model=list[SentUpdateOut])
    def get_sent(who: CallerDep, limit: Annotated[int, Field(ge=1, le=500)] = 50) -> list[dict[str, Any]]:
        """The updates decided for you, newest first, with what became of each."""
        return updates.sent(who.app, who.user_id, limit)

    @router.get("/updates/unsubscribe", response_class=HTMLResponse, include_in_schema=False)
    def unsubscribe_page(request: Request, token: str = "") -> Response:
        """A link in every message. Opening it changes nothing (mail scanners open links): it shows
        one button, and only that POST stops the updates."""
        try:
            updates.user_of_unsubscribe(get_app(request), context(), token)
        except DomainError as exc:
            return _page(request, "unsubscribe.html", {"error": str(exc)}, 400)
        return _page(request, "unsubscribe.html", {"token": token})

    @router.post("/updates/unsubscribe", response_class=HTMLResponse, include_in_schema=False)
    def unsubscribe(
        request: Request,
        token: Annotated[str, Form(max_length=2000)] = "",
        one_click: Annotated[str, Form(alias="List-Unsubscribe", max_length=20)] = "",
        link_token: Annotated[str, Query(alias="token", max_length=2000)] = "",
    ) -> Response:
        # The signed token is the credential, never a cookie, so a forged cross-site POST has nothing
        # to ride on. It comes in the page's form body, or — RFC 8058's one-click POST a mail client
        # sends to the List-Unsubscribe URL with the body `List-Unsubscribe=One-Click` — in the link.
        credential = token or (link_token if one_click == "One-Click" else "")
        try:
            updates.unsubscribe(get_app(request), context(), credential)
        except DomainError as exc:
            return _page(request, "unsubscribe.html", {"error": str(exc)}, 400)
        return _page(request, "unsubscribe.html", {"done": True})

    @router.get("/updates/confirm-email", response_class=HTMLResponse, include_in_schema=False)
    def confirm_email_page(request: Request, token: Annotated[str, Query(max_length=2000)] = "") -> Response:
        """The link in the confirmation mail. Opening it changes nothing (mail scanners open links):
        one button, whose POST confirms."""
        try:
            email = updates.address_of_confirmation(get_app(request), context(), token)
        except DomainError as exc:
            return _page(request, "confirm_email.html", {"error": str(exc)}, 400)
        return _page(request, "confirm_email.html", {"token": token, "email": email})

    @router.post("/updates/confirm-email", response_class=HTMLResponse, include_in_schema=False)
    def confirm_email(request: Request, token: Annotated[str, Form(max_length=2000)] = "") -> Response:
        # The signed token in the body is the credential, as for unsubscribing.
        try:
            email = updates.confirm_address(get_app(request), context(), token)
        except DomainError as exc:
            return _page(request, "confirm_email.html", {"error": str(exc)}, 400)
        return _page(request, "confirm_email.html", {"done": True, "email": email})

    @router.post("/settings/updates", include_in_schema=False)
    def settings_form(
        request: Request,
        csrf: Annotated[str, Form(max_length=300)] = "",
        channel: Annotated[str, Form(max_length=20)] = "none",
        email: Annotated[str, Form(max_length=254)] = "",
        webhook_url: Annotated[str, Form(max_length=2000)] = "",
        slack: Annotated[str, Form(max_length=5)] = "",
        immediate: Annotated[str, Form(max_length=5)] = "",
        digest: Annotated[str, Form(max_length=5)] = "",
        test: Annotated[str, Form(max_length=5)] = "",
    ) -> Response:
        session = checked(request, csrf)
        if not isinstance(session, Session):
            return session
        app, user_id = session.app, session.user_id
        try:
            if test:
                try:
                    _queue_test(request, app, user_id)
                except HTTPException as exc:
                    return _settings(request, session, error=str(exc.detail), status=exc.status_code)
                note = "Test queued: it shows below, delivered or not, once a worker has sent it."
                return _settings(request, session, note=note)
            change = updates.set_channel(
                app,
                context(),
                user_id,
                channel,
                email=email or None,
                webhook_url=webhook_url or None,
                webhook_format="slack" if slack else "json",
                immediate=bool(immediate),
                digest=bool(digest),
                deliver_now=False,
            )
            if change.waiting_for:
                jobs_of(request).enqueuer.request("updates", user_id)  # a worker sends the link
        except DomainError as exc:
            return _settings(request, session, error=str(exc), status=422)
        note = "Saved."
        if change.waiting_for:
            note = f"Saved. We are sending a link to {change.waiting_for}: updates start once you open it."
        return _settings(request, session, note=note, secret=change.webhook_secret)

    @router.get("/settings/updates", response_class=HTMLResponse, include_in_schema=False)
    def settings_page(request: Request) -> Response:
        session = signed_in(request)
        if session is None:
            return RedirectResponse("/signin", status_code=303)
        return _settings(request, session)

    def _settings(
        request: Request,
        session: Session,
        *,
        note: str | None = None,
        error: str | None = None,
        secret: str | None = None,
        status: int = 200,
    ) -> Response:
        current = updates.status(session.app, session.user_id)
        values = {
            "s": current.as_dict(),
            "sent": updates.sent(session.app, session.user_id, 10),
            "email_available": context().smtp is not None,
            "saved_note": note,
            "secret": secret,
        }
        return render(request, session, "updates_settings.html", values, error=error, status=status)

    return router


def _page(request: Request, name: str, values: dict[str, Any], status: int = 200) -> Response:
    response: Response = templates.TemplateResponse(request, name, values, status_code=status)
    return response
