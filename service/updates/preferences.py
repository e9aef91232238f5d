"""Use cases: choose where progress updates go, and the signed GET-safe unsubscribe link."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

from domain import decisions
from domain.errors import DomainError
from domain.progress_updates.updates import UpdatePreferences, validate_preferences
from integrations.storage import update_store
from integrations.storage.database import read_transaction, write_transaction
from integrations.webhooks.sender import check_target
from service.access.signing import sign
from service.app import App
from service.updates.confirm_email import queue_confirmation
from service.updates.context import Updates
from service.updates.signed import signed_user

UNSUBSCRIBE = "unsubscribe"
UNSUBSCRIBE_DAYS = 365


@dataclass(frozen=True, slots=True)
class ChannelChange:
    preferences: UpdatePreferences
    webhook_secret: str | None = None  # shown once, when a webhook is set
    waiting_for: str | None = None  # an address that gets nothing until its owner confirms it


def set_channel(
    app: App,
    ctx: Updates,
    user_id: str,
    channel: str,
    *,
    email: str | None = None,
    webhook_url: str | None = None,
    webhook_format: str = "json",
    immediate: bool = True,
    digest: bool = True,
    deliver_now: bool = True,
) -> ChannelChange:
    """Choose the channel; a webhook gets a new signing secret, returned once and stored sealed.
    A new email address's confirmation mail is sent at once (the CLI), or with `deliver_now=False`
    left queued for a worker (the API, which asks for one after this commit: no request waits on a
    mail server)."""
    chosen = UpdatePreferences(channel, email, webhook_url, webhook_format, immediate, digest)
    validate_preferences(chosen)  # before anything is stored
    if channel == "email" and ctx.smtp is None:
        raise DomainError(
            "email updates need an SMTP server: `netgoals config set smtp_host HOST` (or NETGOALS_SMTP_HOST)"
        )
    secret = None
    if channel == "webhook":
        refused = check_target(webhook_url or "", allow_private=ctx.settings.allow_private_targets)
        if refused is not None:
            raise DomainError(refused)
        secret = secrets.token_urlsafe(32)
    now = app.now()
    app.decide_profile(user_id, lambda profile: decisions.set_updates(profile, chosen, now))
    unconfirmed = email if channel == "email" and not app.profile(user_id).email_confirmed(email) else None
    with write_transaction(app.engine) as connection:
        if secret is not None:
            sealed = ctx.vault.seal({"webhook_url": webhook_url, "secret": secret})
            update_store.save_channel_secrets(connection, user_id, sealed, now.timestamp())
        else:
            update_store.drop_channel_secrets(connection, user_id)
        queued = unconfirmed is not None and queue_confirmation(
            connection, user_id, unconfirmed, now.timestamp()
        )
    if queued and deliver_now:
        from service.updates.deliver import deliver_due  # deliver reads preferences: imported here

        deliver_due(app, ctx, user_id)  # the confirmation mail now, not at the worker's next round
    return ChannelChange(chosen, secret, unconfirmed)


def preferences(app: App, ctx: Updates, user_id: str) -> UpdatePreferences:
    """The person's choice, with the webhook URL opened from the sealed store (for sending)."""
    chosen = app.profile(user_id).updates
    if chosen.channel != "webhook":
        return chosen
    return replace(chosen, webhook_url=webhook_secrets(app, ctx, user_id)[0])


def webhook_secrets(app: App, ctx: Updates, user_id: str) -> tuple[str, str]:
    with read_transaction(app.engine) as connection:
        sealed = update_store.channel_secrets(connection, user_id)
    if sealed is None:
        raise DomainError("no webhook is set: choose one with `netgoals notify webhook URL`")
    opened = ctx.vault.open_sealed(sealed)
    return opened["webhook_url"], opened["secret"]


def unsubscribe_link(app: App, ctx: Updates, user_id: str) -> str:
    now = app.now().timestamp()
    fields = {"u": user_id, "i": int(now)}  # "i": when it was made, for "rotate everything"
    token = sign(ctx.link_key, UNSUBSCRIBE, fields, now + UNSUBSCRIBE_DAYS * 86400)
    return ctx.url(f"/updates/unsubscribe?token={token}")


def unsubscribe(app: App, ctx: Updates, token: str) -> str:
    """Stop every update for the person the signed token names (the POST of the unsubscribe page)."""
    user_id = user_of_unsubscribe(app, ctx, token)
    set_channel(app, ctx, user_id, "none")
    return user_id


def user_of_unsubscribe(app: App, ctx: Updates, token: str) -> str:
    """Whose link this is, checked but changing nothing (the GET shows a page with one button)."""
    return signed_user(app, ctx, UNSUBSCRIBE, token)[0]
