"""Operators' view of the machinery: what the workers report (task counters, heartbeats, the last
sweep, the queue) joined with what the database says is pending or quarantined — for `netgoals
status` and `/metrics`. Also the two things a worker process reports about itself: a heartbeat,
and a task run.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import redis

from integrations.queue import telemetry
from integrations.queue.celery_app import BEAT_LOCK_KEY, WORKER_QUEUES
from integrations.queue.urls import client_for, describe
from integrations.storage import calendar_store as store
from integrations.storage import quarantine
from integrations.storage.database import read_transaction
from service.app import App
from service.settings import Settings


def record_task(client: redis.Redis, name: str, outcome: str, seconds: float) -> None:
    with contextlib.suppress(redis.RedisError):
        telemetry.record_task(client, name, outcome, seconds)


def redis_client(settings: Settings) -> redis.Redis:
    return client_for(settings.effective_redis_url)


def heartbeat(client: redis.Redis, hostname: str) -> None:
    with contextlib.suppress(redis.RedisError):
        telemetry.heartbeat(client, hostname)


def worker_gone(client: redis.Redis, hostname: str) -> None:
    with contextlib.suppress(redis.RedisError):
        telemetry.worker_gone(client, hostname)


@dataclass(frozen=True, slots=True)
class CalendarLag:
    user_id: str
    seconds_since_sync: float | None  # None: never synced
    push: bool


@dataclass(frozen=True, slots=True)
class SystemStatus:
    redis: str  # the address, without a password
    redis_error: str | None
    telemetry: telemetry.Telemetry
    calendars: list[CalendarLag] = field(default_factory=list)
    requested: int = 0  # calendars with a pending sync request
    oldest_request_seconds: float | None = None
    outbox_rows: int = 0
    outbox_users: int = 0
    # Events a projection could not apply and went past: how many, by projection, and the first few.
    quarantined: dict[str, int] = field(default_factory=dict)
    quarantined_first: list[quarantine.Quarantined] = field(default_factory=list)

    @property
    def workers_alive(self) -> bool:
        return self.redis_error is None and bool(self.telemetry.workers)

    def as_dict(self) -> dict[str, Any]:
        t = self.telemetry
        return {
            "redis": self.redis,
            "redis_error": self.redis_error,
            "queue_length": t.queue_length,
            "workers": sorted(t.workers),
            "beat": t.beat_alive,
            "last_sweep": t.last_sweep,
            "last_sweep_enqueued": t.last_sweep_enqueued,
            "calendars": len(self.calendars),
            "sync_requested": self.requested,
            "oldest_request_seconds": self.oldest_request_seconds,
            "outbox_pending_rows": self.outbox_rows,
            "outbox_pending_users": self.outbox_users,
            "tasks": {f"{n}|{o}": c for (n, o), c in sorted(t.tasks.items())},
            "quarantined": sum(self.quarantined.values()),
            "quarantined_events": [
                {"projection": q.projection, "position": q.position, "event_id": q.event_id, "type": q.type}
                for q in self.quarantined_first
            ],
        }


QUARANTINE_LISTED = 10  # status lists the first few; `netgoals rebuild` names every one


def read_telemetry(client: redis.Redis) -> tuple[telemetry.Telemetry, str | None]:
    try:
        return telemetry.read(client, WORKER_QUEUES, BEAT_LOCK_KEY), None
    except redis.RedisError as exc:
        return telemetry.Telemetry(), f"{type(exc).__name__}: {exc}"


def workers_alive(client: redis.Redis) -> bool:
    """A worker's heartbeat is fresh in Redis: a message sent now will be run."""
    found, error = read_telemetry(client)
    return error is None and bool(found.workers)


def system_status(settings: Settings, app: App, client: redis.Redis | None = None) -> SystemStatus:
    own = client is None
    client = client or redis_client(settings)
    try:
        found, error = read_telemetry(client)
    finally:
        if own:
            client.close()
    now = app.now().timestamp()
    with read_transaction(app.engine) as connection:
        calendars = store.calendars(connection)
        outbox = store.pending_outbox(connection)
        held = quarantine.counts(connection)
        first = quarantine.listed(connection, QUARANTINE_LISTED)
    requests = [c.sync_requested for c in calendars if c.sync_requested is not None]
    lags = [
        CalendarLag(
            c.user_id,
            now - c.last_synced_at if c.last_synced_at is not None else None,
            c.push_until is not None and c.push_until > now,
        )
        for c in calendars
    ]
    return SystemStatus(
        describe(settings.effective_redis_url),
        error,
        found,
        lags,
        len(requests),
        now - min(requests) if requests else None,
        sum(outbox.values()),
        len(outbox),
        held,
        first,
    )
