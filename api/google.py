"""Google Calendar on the web: connect (consent with state + PKCE), the OAuth callback, disconnect,
and JSON status/suggestions under /api/v1/google.

`router_for(settings)` builds the routes at start-up: with Google configured it opens the token
vault, so a server database without NETGOALS_SECRET_KEY refuses to start. Handlers only call
`service.google`; no logic lives here. Without Google configured, only the browser routes exist
(they answer 404); the JSON routes under /api/v1/google are not registered.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from api import dashboard, webhooks
from api.deps import CallerDep, get_app
from service import accounts, google
from service import jobs as jobs_service
from service.commands import DomainError
from service.settings import Settings


def router_for(settings: Settings) -> APIRouter:
    context = google.Google.open(settings) if settings.google_configured else None
    router = APIRouter(tags=["google"])

    def configured() -> google.Google:
        if context is None:
            raise HTTPException(404, "Google Calendar is not configured on this server")
        return context

    @router.get("/connect/google", include_in_schema=False)
    def connect(request: Request) -> Response:
        """The dashboard's "Connect Google Calendar" button: off to Google's consent page."""
        found = dashboard.signed_in(request)
        if found is None:
            return RedirectResponse("/signin", status_code=303)
        app, user_id, session_id = found
        url = google.begin_connect(app, configured(), user_id, session_id=session_id)
        return RedirectResponse(url, status_code=303)

    @router.get("/oauth/google/callback", include_in_schema=False)
    def callback(
        request: Request,
        background: BackgroundTasks,
        state: str = "",
        code: str | None = None,
        error: str | None = None,
    ) -> Response:
        app = get_app(request)
        found = dashboard.signed_in(request)  # the flow finishes only in the browser bound to it
        browser = google.Browser(found[1], found[2]) if found else google.Browser(None)
        try:
            user_id = google.complete_connect(app, configured(), state, code, error, finisher=browser)
        except DomainError as exc:
            return Response(
                f"Google Calendar was not connected: {exc}", status_code=400, media_type="text/plain"
            )
        # The first sync (it opens the push channels) goes to the workers now, not at the next sweep;
        # after the answer, so the browser never waits on Redis.
        background.add_task(jobs_service.request_sync, webhooks.jobs_of(request), user_id)
        return RedirectResponse("/?done=google-connected", status_code=303)

    @router.post("/google/disconnect", include_in_schema=False)
    def disconnect_form(request: Request, csrf: Annotated[str, Form(max_length=300)] = "") -> Response:
        found = dashboard.signed_in(request)
        if found is None:
            return RedirectResponse("/signin", status_code=303)
        app, user_id, session_id = found
        if not accounts.check_csrf(session_id, csrf):
            raise HTTPException(400, "the form expired; reload the page")
        google.disconnect(app, configured(), user_id)
        return RedirectResponse("/?done=google-disconnected", status_code=303)

    if context is None:
        return router  # no JSON API for a calendar this server cannot connect

    @router.get("/api/v1/google")
    def google_status(who: CallerDep) -> dict[str, Any]:
        """The calendar connection: connected, paused (quota), reconnect-needed, not-connected."""
        return google.status(who.app, who.user_id).as_dict()

    @router.post("/api/v1/google/connect")
    def api_connect(who: CallerDep) -> dict[str, str]:
        """A consent URL to open in a browser signed in to the dashboard as the same user; Google
        redirects back to /oauth/google/callback, which refuses any other browser."""
        return {"url": google.begin_connect(who.app, configured(), who.user_id)}

    @router.post("/api/v1/google/disconnect")
    def api_disconnect(who: CallerDep) -> dict[str, bool]:
        return {"disconnected": google.disconnect(who.app, configured(), who.user_id)}

    @router.get("/api/v1/google/suggestions")
    def list_suggestions(who: CallerDep) -> list[dict[str, Any]]:
        """People you met at attended events who are not contacts yet."""
        return [s.as_dict() for s in google.suggestions(who.app, who.user_id)]

    @router.post("/api/v1/google/suggestions/{email}/add", status_code=201)
    def add_suggestion(who: CallerDep, email: str) -> dict[str, Any]:
        """Add the person as a contact and plan a short follow-up within three days."""
        added = google.add_suggestion(who.app, who.user_id, email, public_url=settings.public_url)
        return {
            "contact_id": added.contact_id,
            "follow_up": added.follow_up.isoformat() if added.follow_up else None,
        }

    return router
