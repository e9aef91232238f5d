"""Use cases: what was sent (newest first) and how a person's updates stand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.progress_updates.updates import UpdatePreferences
from integrations.storage import update_store
from integrations.storage.database import read_transaction
from integrations.storage.update_store import Delivery
from service.app import App


@dataclass(frozen=True, slots=True)
class UpdatesStatus:
    preferences: UpdatePreferences
    failing: dict[str, str]  # channel -> why its last update did not go out
    pending: int
    waiting_for_confirmation: bool = False  # an email address its owner has not confirmed yet


def status(app: App, user_id: str) -> UpdatesStatus:
    profile = app.profile(user_id)
    chosen = profile.updates
    with read_transaction(app.engine) as connection:
        failing = update_store.failing_channels(connection, user_id)
        pending = update_store.pending_count(connection, user_id)
    waiting = chosen.channel == "email" and not profile.email_confirmed(chosen.email)
    return UpdatesStatus(
        chosen, {c: why for c, why in failing.items() if c == chosen.channel}, pending, waiting
    )


def sent(app: App, user_id: str, limit: int = 50) -> list[dict[str, Any]]:
    with read_transaction(app.engine) as connection:
        found = update_store.deliveries_of(connection, user_id, limit)
    tz = app.profile(user_id).tz
    return [_as_dict(d, tz) for d in found]


def _as_dict(delivery: Delivery, tz: Any) -> dict[str, Any]:
    def at(epoch: float | None) -> str | None:
        return datetime.fromtimestamp(epoch, tz).isoformat() if epoch is not None else None

    return {
        "delivery_id": delivery.delivery_id,
        "kind": delivery.kind,
        "subject": delivery.payload.get("subject"),
        "channel": delivery.channel,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "detail": delivery.detail,
        "decided_at": at(delivery.created_at),
        "finished_at": at(delivery.finished_at),
    }
