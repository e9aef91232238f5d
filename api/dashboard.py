"""The dashboard: server-rendered HTML, a session cookie after one sign-in with the API token, and
a CSRF token on every form. No JavaScript. The pages live in `api/pages/`, one module each; this
module is their front door for `api/app.py` and the Google routes."""

from __future__ import annotations

from fastapi import Request

from api.pages import router
from api.pages.common import SESSION_COOKIE, SIGNIN_COOKIE
from api.pages.common import signed_in as _session
from service.app import App


def signed_in(request: Request) -> tuple[App, str, str] | None:
    """(app, user id, session id) of a signed-in browser."""
    found = _session(request)
    return (found.app, found.user_id, found.session_id) if found else None


__all__ = ["SESSION_COOKIE", "SIGNIN_COOKIE", "router", "signed_in"]
