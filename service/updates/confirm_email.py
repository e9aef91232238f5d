"""Use cases: an email address gets nothing from netgoals until its owner confirms it.

Choosing an address nobody confirmed yet queues one mail to it: a signed link (7 days; GET shows
a page, its POST confirms). The confirmation is a fact in the profile stream
(`user.updates-email-confirmed`); until it is there, nothing else is sent to the address — no
update, no digest, no test. The mail is a delivery like the others (`confirm-email`), with an id
derived from the person, the address and the week, so choosing the same address again sends
nothing more until the link has expired; the worker's decide step queues one for an address chosen
before this rule, only if it never had one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from domain import decisions
from domain.errors import DomainError
from domain.progress_updates.updates import CONFIRM_EMAIL, email_key
from integrations.storage import update_store
from service.access.signing import sign
from service.app import App
from service.updates.context import Updates, delivery_id
from service.updates.signed import signed_user

CONFIRM_DAYS = 7


def waiting_for(app: App, user_id: str) -> str | None:
    """The address updates are set to go to while it waits for its owner's confirmation."""
    profile = app.profile(user_id)
    chosen = profile.updates
    if chosen.channel == "email" and chosen.email and not profile.email_confirmed(chosen.email):
        return chosen.email
    return None


def queue_confirmation(
    connection: Connection, user_id: str, email: str, now: float, *, first_only: bool = False
) -> bool:
    """The confirmation mail for this person and address: at most one in each CONFIRM_DAYS window
    (the link's life), so choosing the address again after a link expired sends a new one, and
    choosing it over and over sends nothing more. `first_only`: only if none was ever queued.
    True if one was queued."""
    prefix = f"{CONFIRM_EMAIL}:{email_key(email)}:"
    if first_only and any(k.startswith(prefix) for k in update_store.decided_keys(connection, user_id)):
        return False
    key = f"{prefix}{int(now // (CONFIRM_DAYS * 86400))}"
    row: dict[str, Any] = {
        "delivery_id": delivery_id(user_id, key, "email"),
        "user_id": user_id,
        "update_key": key,
        "kind": CONFIRM_EMAIL,
        "channel": "email",
        "payload": {"key": key, "kind": CONFIRM_EMAIL, "subject": "Confirm your address for netgoals updates",
                    "email": email},
        "next_attempt_at": now,
        "created_at": now,
    }  # fmt: skip
    return update_store.insert_new(connection, [row]) == 1


def confirmation_link(app: App, ctx: Updates, user_id: str, email: str) -> str:
    now = app.now().timestamp()
    fields = {"u": user_id, "e": email_key(email), "i": int(now)}
    token = sign(ctx.link_key, CONFIRM_EMAIL, fields, now + CONFIRM_DAYS * 86400)
    return ctx.url(f"/updates/confirm-email?token={token}")


def address_of_confirmation(app: App, ctx: Updates, token: str) -> str:
    """The address a valid link would confirm, changing nothing (the GET shows one button)."""
    return str(signed_user(app, ctx, CONFIRM_EMAIL, token)[1]["e"])


def confirm_address(app: App, ctx: Updates, token: str) -> str:
    """Record that the link's address belongs to the person it names (the POST of the page)."""
    if len(token) > 2000:
        raise DomainError("this link is not valid: it is too long")
    user_id, fields = signed_user(app, ctx, CONFIRM_EMAIL, token)
    email = str(fields["e"])
    app.decide_profile(user_id, lambda profile: decisions.confirm_update_email(profile, email, app.now()))
    return email
