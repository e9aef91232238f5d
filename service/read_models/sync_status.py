"""How fresh a user's calendar is, for people: when it last synced, how that went and what it
changed, whether push or polling keeps it fresh, and whether a requested sync will really run —
"queued" only while a worker is alive to take it (its heartbeat is in Redis)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import redis

from integrations.storage import calendar_store as store
from integrations.storage.database import read_transaction
from service.app import App
from service.read_models.status import workers_alive
from service.settings import Settings


@dataclass(frozen=True, slots=True)
class CalendarSync:
    last_synced_at: datetime | None
    outcome: str | None  # connected, error, reconnect-needed, paused
    changes: dict[str, int] = field(default_factory=dict)
    mode: str = "polling"  # push (a live channel) or polling
    poll_minutes: float = 15
    requested: bool = False  # a sync was asked for (connect, a push notification)
    will_run: bool = False  # a worker is alive to run it

    @property
    def summary(self) -> str:
        changed = [f"{n} {name}" for name, n in self.changes.items() if n]
        return ", ".join(changed) if changed else "nothing changed"

    @property
    def waiting(self) -> str | None:
        """What a page says about a requested sync; None when none is pending."""
        if not self.requested:
            return None
        if self.will_run:
            return "queued"
        return "waiting for a worker (none is running: start `netgoals serve`)"


def calendar_sync(app: App, settings: Settings, user_id: str, client: redis.Redis) -> CalendarSync:
    now = app.now().timestamp()
    with read_transaction(app.engine) as connection:
        run = store.sync_run(connection, user_id)
        found = store.connection_of(connection, user_id)
        channels = store.channels_of(connection, user_id)
    live = any(c["expiration"] > now for c in channels)
    requested = found is not None and found.sync_requested is not None and found.status != "disconnected"
    will_run = requested and workers_alive(client)
    return CalendarSync(
        datetime.fromtimestamp(run.last_synced_at, UTC) if run else None,
        run.outcome if run else None,
        run.changes if run else {},
        "push" if live else "polling",
        settings.poll_minutes_with_push if live else settings.poll_minutes,
        requested,
        will_run,
    )
