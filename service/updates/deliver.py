"""Use case: send the due deliveries, and record what became of each — at most one sender per
delivery (a lease), retried with backoff for a bounded time, then shown as failing.

A delivery that was sent but whose sender died before recording it is sent again when its lease
runs out: each message carries its delivery id (Message-ID, X-Netgoals-Delivery), so a mail client
or a webhook receiver sees the same message, not a new one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from domain.event_types import facts
from domain.event_types.events import actions_stream
from domain.progress_updates.updates import CONFIRM_EMAIL, TEST, email_key
from integrations.mail import smtp
from integrations.storage import update_store
from integrations.storage.database import read_transaction, write_transaction
from integrations.storage.event_store import StreamAppend
from integrations.storage.update_store import DELIVERED, FAILED, Delivery
from integrations.webhooks import sender
from service.app import App
from service.updates.confirm_email import CONFIRM_DAYS, confirmation_link
from service.updates.context import Updates, event_id
from service.updates.preferences import preferences, unsubscribe_link, webhook_secrets
from service.updates.render import render_confirmation, render_mail, render_webhook

FIRST_RETRY, LAST_RETRY = 60.0, 3600.0
WAITING = "waiting for confirmation of the address"


@dataclass(frozen=True, slots=True)
class Sent:
    delivery_id: str
    kind: str
    channel: str
    delivered: bool
    detail: str


def deliver_due(
    app: App,
    ctx: Updates,
    user_id: str | None = None,
    *,
    limit: int = 20,
    budget_seconds: float | None = None,
) -> list[Sent]:
    """Send what is due now (for one person, or anyone's when user_id is None), as a batch: each
    row claimed just before it is sent."""
    with read_transaction(app.engine) as connection:
        due = update_store.due_ids(connection, app.now().timestamp(), user_id=user_id, limit=limit)
    return deliver_batch(app, ctx, due, budget_seconds=budget_seconds).sent


@dataclass(frozen=True, slots=True)
class Batch:
    sent: list[Sent]
    left: int  # not reached before the budget ran out: handed back, the next tick hands them out


def deliver_batch(
    app: App, ctx: Updates, delivery_ids: list[str], *, budget_seconds: float | None = None
) -> Batch:
    """Send these deliveries over one SMTP connection, each claimed just before it is sent.

    The lease is taken per row, so it only has to outlast one send (bounded by the SMTP and webhook
    timeouts), never the batch: a slow server cannot make a lease run out while its row is still
    in hand, and a row another sender holds, or that is already settled, is passed over. A batch
    handed out twice therefore still sends each delivery once. With a budget (Celery's threads
    pool enforces no time limit), no send starts after it: the rows not reached are handed back
    unclaimed, so the next tick hands them out again — none lost, none sent twice."""
    lease = ctx.settings.update_lease_seconds  # outlasts one send (SMTP and webhook time out in 20 s, 10 s)
    stop_at = time.monotonic() + budget_seconds if budget_seconds is not None else None
    sent: list[Sent] = []
    with smtp.Session(ctx.smtp or _NO_SERVER) as session:
        for index, delivery_id in enumerate(delivery_ids):
            if stop_at is not None and time.monotonic() >= stop_at:
                rest = delivery_ids[index:]
                with write_transaction(app.engine) as connection:
                    update_store.hand_back(connection, rest)
                return Batch(sent, len(rest))
            with write_transaction(app.engine) as connection:
                delivery = update_store.claim_one(connection, delivery_id, app.now().timestamp(), lease)
            if delivery is not None:
                sent.append(_send_and_record(app, ctx, delivery, session))
    return Batch(sent, 0)


# A session without a server is never used to send: _send answers "no SMTP server" first.
_NO_SERVER = smtp.SmtpServer("", 0)


def send_test(app: App, ctx: Updates, user_id: str) -> Sent:
    """Send a test on the person's channel now and say what happened (listed like any update)."""
    profile = app.profile(user_id)
    chosen = profile.updates
    if not chosen.active:
        return Sent("", TEST, chosen.channel, False, "updates are off: choose a channel first")
    if chosen.channel == "email" and not profile.email_confirmed(chosen.email):
        detail = f"{WAITING}: open the link we sent to {chosen.email}, then try again"
        return Sent("", TEST, chosen.channel, False, detail)
    now = app.now().timestamp()
    row = row_for_test(user_id, chosen.channel, now)
    key, payload = row["update_key"], row["payload"]
    delivery = Delivery(
        row["delivery_id"], user_id, key, TEST, chosen.channel, payload, "sending", 1, None, None, now, None
    )
    with smtp.Session(ctx.smtp or _NO_SERVER) as session:
        outcome = _send(app, ctx, delivery, session)
    with write_transaction(app.engine) as connection:
        state = DELIVERED if outcome.delivered else FAILED
        update_store.insert_finished(connection, row, state, outcome.detail, app.now().timestamp())
        app.store.append_in(connection, _outcome_batch(delivery, outcome.delivered, outcome.detail, app))
    return Sent(delivery.delivery_id, TEST, chosen.channel, outcome.delivered, outcome.detail)


def row_for_test(user_id: str, channel: str, now: float) -> dict[str, Any]:
    """A test message's delivery row (each test is its own delivery)."""
    key = f"{TEST}:{uuid4()}"
    payload = {
        "key": key,
        "kind": TEST,
        "subject": "netgoals test message",
        "text": f"This is a test of your {channel} updates. If you read this, they reach you.",
        "goal_id": None,
        "action_id": None,
    }
    return {
        "delivery_id": str(uuid4()),
        "user_id": user_id,
        "update_key": key,
        "kind": TEST,
        "channel": channel,
        "payload": payload,
        "next_attempt_at": now,
        "created_at": now,
    }


def _send(app: App, ctx: Updates, delivery: Delivery, session: smtp.Session) -> smtp.Outcome | sender.Outcome:
    with app.unit():  # one profile replay for both reads, and the unit ends before anything is sent
        profile = app.profile(delivery.user_id)
        chosen = preferences(app, ctx, delivery.user_id)
    if chosen.channel != delivery.channel:
        return smtp.Outcome(False, f"the channel changed to {chosen.channel}: not sent", permanent=True)
    if delivery.kind == CONFIRM_EMAIL:
        confirmed = profile.email_confirmed(chosen.email)
        return _send_confirmation(app, ctx, delivery, chosen.email, confirmed, session)
    if delivery.channel == "email" and not profile.email_confirmed(chosen.email):
        # Only an address its owner confirmed gets anything (the confirmation link aside).
        return smtp.Outcome(False, f"{WAITING} ({chosen.email}): not sent", permanent=True)
    unsubscribe = unsubscribe_link(app, ctx, delivery.user_id)
    if delivery.channel == "email":
        server = ctx.smtp
        if server is None:
            return smtp.Outcome(False, "no SMTP server is configured (NETGOALS_SMTP_HOST)", permanent=True)
        mail = render_mail(delivery, chosen.email or "", ctx.settings.mail_from, ctx.url("/"), unsubscribe)
        return session.send(mail)
    url, secret = webhook_secrets(app, ctx, delivery.user_id)
    timestamp = int(time.time())
    body = render_webhook(delivery, chosen.webhook_format, timestamp, ctx.url("/"), unsubscribe)
    return sender.post(
        url,
        body,
        secret,
        timestamp=timestamp,
        delivery_id=delivery.delivery_id,
        allow_private=ctx.settings.allow_private_targets,
    )


def _send_confirmation(
    app: App,
    ctx: Updates,
    delivery: Delivery,
    chosen_email: str | None,
    confirmed: bool,
    session: smtp.Session,
) -> smtp.Outcome:
    address = delivery.payload["email"]
    if chosen_email is None or email_key(chosen_email) != email_key(address):
        return smtp.Outcome(False, "the address changed since: not sent", permanent=True)
    if confirmed:
        return smtp.Outcome(False, "the address was confirmed meanwhile: not sent", permanent=True)
    server = ctx.smtp
    if server is None:
        return smtp.Outcome(False, "no SMTP server is configured (NETGOALS_SMTP_HOST)", permanent=True)
    link = confirmation_link(app, ctx, delivery.user_id, address)
    return session.send(render_confirmation(delivery, ctx.settings.mail_from, link, CONFIRM_DAYS))


def _send_and_record(app: App, ctx: Updates, delivery: Delivery, session: smtp.Session) -> Sent:
    try:
        outcome: smtp.Outcome | sender.Outcome = _send(app, ctx, delivery, session)
    except Exception as exc:  # a bug or a sealed secret that no longer opens: record, never crash the worker
        outcome = smtp.Outcome(False, f"could not send: {exc.__class__.__name__}")
    now = app.now().timestamp()
    expired = now - delivery.created_at >= ctx.settings.update_retry_hours * 3600
    with write_transaction(app.engine) as connection:
        # A test says what happened once; it is never retried behind the person's back.
        if outcome.delivered or outcome.permanent or expired or delivery.kind == TEST:
            state = DELIVERED if outcome.delivered else FAILED
            if update_store.finish(connection, delivery, state, outcome.detail, now):
                app.store.append_in(
                    connection, _outcome_batch(delivery, outcome.delivered, outcome.detail, app)
                )
        else:
            update_store.retry_later(connection, delivery, now + _backoff(delivery.attempts), outcome.detail)
    return Sent(delivery.delivery_id, delivery.kind, delivery.channel, outcome.delivered, outcome.detail)


def _backoff(attempts: int) -> float:
    return float(min(FIRST_RETRY * 2 ** max(0, attempts - 1), LAST_RETRY))


def _outcome_batch(delivery: Delivery, delivered: bool, detail: str, app: App) -> StreamAppend:
    outcome = "delivered" if delivered else "failed"
    fact = facts.update_delivered if delivered else facts.update_failed
    told = fact(delivery.delivery_id, delivery.update_key, delivery.kind, delivery.channel, detail, app.now())
    return StreamAppend(
        actions_stream(delivery.user_id), None, [told.with_id(UUID(event_id(delivery.delivery_id, outcome)))]
    )
