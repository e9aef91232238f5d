"""Use case: decide which updates a person has not been told yet, and queue them — once per change.

Deciding appends `update.decided` events (ids derived from the update's key and channel) and
inserts the matching delivery rows in one transaction. Whoever decides again — a redelivered task,
a second worker, a restarted beat — derives the same ids and adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection

from domain.decisions.profile import Profile
from domain.event_types import facts
from domain.event_types.events import actions_stream
from domain.progress_updates.digest import Digest, digest_key, digest_week_due, week_label
from domain.progress_updates.updates import DIGEST, Update, WaitingBlock, worth_telling
from integrations.storage import update_store
from integrations.storage.database import read_transaction, write_transaction
from integrations.storage.event_store import StreamAppend
from service.app import App
from service.read_models import progress as progress_service
from service.tracking.confirm_links import LINK_LIFETIME, Links
from service.updates import daily
from service.updates.confirm_email import queue_confirmation
from service.updates.context import Updates, delivery_id, event_id
from service.updates.gather import digest_for


@dataclass(frozen=True, slots=True)
class Decision:
    """What one decision writes, read and decided before any write: the messages to queue (with the
    updates each gathers), or the confirmation mail an unconfirmed address waits for."""

    user_id: str
    channel: str
    now: datetime
    payloads: list[dict[str, Any]] = field(default_factory=list)
    gathers: dict[str, list[Update]] = field(default_factory=dict)  # a message's key -> what it also tells
    confirm: str | None = None  # an unconfirmed address: its first confirmation mail, nothing else


def decide(app: App, ctx: Updates, user_id: str, waiting: list[WaitingBlock] | None = None) -> int:
    """Queue what is new to tell; returns how many deliveries were added. One unit of work: the
    reads share one transaction and one profile replay, the writes one transaction."""
    with app.unit():
        decision = plan(app, ctx, app.profile(user_id), waiting or [])
        if decision is None:
            return 0
        with write_transaction(app.engine) as connection:
            return record(app, connection, decision)


def plan(app: App, ctx: Updates, profile: Profile, waiting: list[WaitingBlock]) -> Decision | None:
    """Decide what to queue for this person, reading only; None when there is nothing to write.
    Run it inside `App.unit()` so its reads share one transaction and the profile's one replay."""
    user_id = profile.user_id
    chosen = profile.updates
    if not chosen.active:
        return None
    now = app.now()
    if chosen.channel == "email" and chosen.email and not profile.email_confirmed(chosen.email):
        # Nothing is decided for an address nobody confirmed; its one confirmation mail is queued
        # (once: an address chosen before this rule gets it here, from the worker's round).
        return Decision(user_id, chosen.channel, now, confirm=chosen.email)
    with read_transaction(app.engine) as connection:
        told = update_store.decided_keys(connection, user_id)
    payloads: list[dict[str, Any]] = []
    gathers: dict[str, list[Update]] = {}  # a message's key -> the other updates it tells
    if chosen.immediate:
        lines = progress_service.progress(app, user_id)
        links = Links.open(ctx.settings)
        blocks = {w.action_id: w for w in waiting}

        def answers(action_id: str | None) -> dict[str, str] | None:
            block = blocks.get(action_id or "")
            if block is None or links is None:
                return None
            # The GET-safe one-click answers (a page with one button; only its POST answers).
            # A link lasts LINK_LIFETIME from when it is made: its expiry tells when that was
            # (service/access/credentials.py refuses links made before a rotation).
            expires = now + LINK_LIFETIME
            return {a: links.url(user_id, block.action_id, a, expires) for a in ("done", "skip")}

        for update in worth_telling([x.progress for x in lines], waiting, now, told):
            payload = _update_payload(update)
            if update.gathered:
                payload["blocks"] = [
                    {
                        "action_id": u.action_id,
                        "title": blocks[u.action_id].title,
                        "links": answers(u.action_id),
                    }
                    for u in update.gathered
                    if u.action_id in blocks
                ]
                gathers[update.key] = [u for u in update.gathered if u.key != update.key]
            elif (found := answers(update.action_id)) is not None:
                payload["links"] = found
            payloads.append(payload)
    week = digest_week_due(now, profile.tz, profile.week_start) if chosen.digest else None
    if week is not None and digest_key(week) not in told:
        payloads.append(digest_payload(digest_for(app, profile, week, waiting)))
        payloads[-1]["this_week"] = daily.this_week(app, user_id)  # issue 28: the digest's "This week"
    # Issue 28: the daily message at the person's chosen time (service/updates/daily.py).
    payloads.extend(daily.daily_payloads(app, profile, now, told))
    if not payloads:
        return None
    return Decision(user_id, chosen.channel, now, payloads, gathers)


def record(app: App, connection: Connection, decision: Decision) -> int:
    """Write a decision in the caller's transaction: its `update.decided` events and their delivery
    rows commit together. Returns how many deliveries were added (none for what was decided before)."""
    user_id, channel, now = decision.user_id, decision.channel, decision.now
    if decision.confirm is not None:
        return int(
            queue_confirmation(connection, user_id, decision.confirm, now.timestamp(), first_only=True)
        )
    rows, decided = [], []
    for payload in decision.payloads:
        delivery = delivery_id(user_id, payload["key"], channel)
        rows.append(_row(user_id, delivery, payload["key"], payload["kind"], channel, payload, now))
        told_of = facts.update_decided(
            delivery, payload["key"], payload["kind"], channel, payload["subject"], now
        )
        decided.append(told_of.with_id(UUID(event_id(delivery, "decided"))))
    inserted = 0
    # The append takes the log's lock first, so two deciders of one change run one after the other.
    app.store.append_in(connection, StreamAppend(actions_stream(user_id), None, decided))
    for row in rows:
        if not update_store.insert_new(connection, [row]):
            continue  # decided already (by another decider): so were the updates it gathers
        inserted += 1
        # The keys a message gathers are recorded with it, never sent on their own: each
        # block is asked about once, in the message that gathered it.
        also = [
            _row(
                user_id,
                delivery_id(user_id, u.key, row["channel"]),
                u.key,
                u.kind,
                row["channel"],
                {"key": u.key, "kind": u.kind, "subject": u.subject, "sent_with": row["delivery_id"]},
                now,
            )
            for u in decision.gathers.get(row["update_key"], [])
        ]
        update_store.insert_new(connection, also, state=update_store.GATHERED)
    return inserted


def _row(
    user_id: str, delivery: str, key: str, kind: str, channel: str, payload: dict[str, Any], now: datetime
) -> dict[str, Any]:
    return {
        "delivery_id": delivery,
        "user_id": user_id,
        "update_key": key,
        "kind": kind,
        "channel": channel,
        "payload": payload,
        "next_attempt_at": now.timestamp(),
        "created_at": now.timestamp(),
    }


def _update_payload(update: Update) -> dict[str, Any]:
    return {
        "key": update.key,
        "kind": update.kind,
        "subject": update.subject,
        "text": update.text,
        "goal_id": update.goal_id,
        "action_id": update.action_id,
    }


def digest_payload(digest: Digest) -> dict[str, Any]:
    """The digest as plain data, stored with its delivery and rendered when it is sent."""
    return {
        "key": digest.key,
        "kind": DIGEST,
        "subject": f"Your networking week: {week_label(digest.week)}",
        "week_start": digest.week.start.isoformat(),
        "week_end": digest.week.last_day.isoformat(),
        "goals": [
            {
                "title": g.title,
                "done": g.done,
                "target": g.target,
                "status": g.status,
                "streak": g.streak,
                "bar": g.bar,
            }
            for g in digest.goals
        ],
        "counted": [
            {"at": c.at.isoformat(), "title": c.title, "source": c.source_words} for c in digest.counted
        ],
        "to_confirm": [
            {"action_id": b.action_id, "title": b.title, "ended_at": b.ended_at.isoformat()}
            for b in digest.to_confirm
        ],
        "overdue": [{"name": o.name, "days": o.days_overdue} for o in digest.overdue],
        "planned": [{"at": p.at.isoformat(), "title": p.title} for p in digest.planned],
    }
