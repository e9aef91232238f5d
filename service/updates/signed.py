"""Checking the signed links of progress updates (unsubscribe, confirm an address): valid
signature, not expired, and not made before the person rotated their secrets."""

from __future__ import annotations

from typing import Any

from service.access import credentials
from service.access.signing import BadLinkError, verify
from service.app import App
from service.updates.context import Updates


def signed_user(app: App, ctx: Updates, purpose: str, token: str) -> tuple[str, dict[str, Any]]:
    """The user a valid signed link names, and its fields; BadLinkError when it is forged, expired
    or made before the person rotated their secrets (a link from before "i" existed counts as old)."""
    fields = verify(ctx.link_key, purpose, token, app.now().timestamp())
    user_id = str(fields["u"])
    if credentials.links_revoked(app, user_id, float(fields.get("i", 0))):
        raise BadLinkError(credentials.REVOKED)
    return user_id, fields
