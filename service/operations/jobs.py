"""The workers' context and the producer side of the queue: the Celery app built from settings,
asking for a user's sync (the mark in the database first, the message only after it committed),
and Google's push notifications turned into one debounced sync.

A message only says "look at user X" (invariant 7). What must happen is data — the "sync requested"
mark and the outbox rows — so a message that is lost, or could not be sent because Redis was away,
only waits for the sweep.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import redis
from celery import Celery

from integrations.queue import marks
from integrations.queue.celery_app import CeleryOptions, make_celery
from integrations.queue.enqueue import ALREADY_QUEUED, SENT, UNAVAILABLE, Enqueuer
from integrations.queue.urls import client_for
from integrations.storage import calendar_store as store
from integrations.storage.database import read_transaction, write_transaction
from service.access import keys
from service.app import App
from service.google.context import Google
from service.read_models.status import workers_alive
from service.settings import Settings

log = logging.getLogger("netgoals.jobs")
Send = Callable[[], None]


def celery_options(settings: Settings) -> CeleryOptions:
    return CeleryOptions(
        broker_url=settings.effective_redis_url,
        time_limit=settings.task_time_limit,
        visibility_timeout=settings.visibility_timeout,
        beat_lock_timeout=settings.beat_lock_seconds,
        concurrency=settings.worker_threads,
    )


def celery_app(settings: Settings) -> Celery:
    return make_celery(celery_options(settings))


@dataclass
class Jobs:
    """Everything a task or a producer needs: the store, Google (when configured), Redis, Celery."""

    settings: Settings
    app: App
    celery: Celery
    redis: redis.Redis = field(init=False)
    enqueuer: Enqueuer = field(init=False)

    def __post_init__(self) -> None:
        self.redis = client_for(self.settings.effective_redis_url)
        self.enqueuer = Enqueuer(self.celery, self.redis, self.settings.queued_mark_seconds)

    @classmethod
    def open(cls, settings: Settings, app: App | None = None, celery: Celery | None = None) -> Jobs:
        """This process's jobs context (`service/bootstrap.py`); around another App or Celery app
        than its own, a context of the caller's."""
        from service import bootstrap

        world = bootstrap.world(settings)
        if celery is None and (app is None or app is world.app):
            return world.jobs
        return cls(settings, app or world.app, celery or celery_app(settings))

    @cached_property
    def google(self) -> Google | None:
        return Google.open(self.settings) if self.settings.google_configured else None

    def close(self) -> None:
        self.redis.close()


def request_sync(jobs: Jobs, user_id: str) -> str:
    """Ask the workers to sync a user soon: the mark commits first, then the message goes."""
    claimed = jobs.enqueuer.claim("sync", user_id)
    with write_transaction(jobs.app.engine) as connection:
        store.request_sync(connection, user_id, jobs.app.now().timestamp())
    if claimed == SENT:
        return SENT if jobs.enqueuer.send("sync", user_id) else UNAVAILABLE
    return claimed


def hand_to_workers(settings: Settings, app: App, user_id: str) -> bool:
    """A sync asked for outside the web (the CLI, after a connect): sent to the workers when one is
    alive to run it (True); False when none is, so the caller syncs in its own process instead."""
    jobs = Jobs.open(settings, app)
    try:
        return workers_alive(jobs.redis) and request_sync(jobs, user_id) in (SENT, ALREADY_QUEUED)
    finally:
        jobs.close()


@dataclass(frozen=True, slots=True)
class Notice:
    """What the webhook learned: whether the notification was genuine, and what to send after the
    answer went out (nothing when a sync is already queued)."""

    accepted: bool
    send: Send | None = None


def push_notification(jobs: Jobs, channel_id: str, token: str, resource_state: str) -> Notice:
    """Google says "something changed" on a channel: check it is ours (id + token, in constant
    time, not expired), then ask for one debounced sync. The first notification of a burst takes
    the user's "queued" mark and sends one message; the rest find the mark and send nothing."""
    now = jobs.app.now().timestamp()
    with read_transaction(jobs.app.engine) as connection:
        channel = store.channel(connection, channel_id) if channel_id else None
    expected = channel["token_hash"] if channel is not None else keys.token_hash(secrets.token_hex(16))
    genuine = keys.hash_matches(expected, token or "")
    if channel is None or not genuine or channel["expiration"] < now:
        why = "unknown channel" if channel is None else "wrong token" if not genuine else "expired channel"
        log.warning(
            "ignored a Google notification: %s (channel %s, state %s)",
            why,
            keys.fingerprint(channel_id),
            resource_state[:20] or "-",
        )
        return Notice(False)
    if resource_state != "exists":
        return Notice(True)  # "sync" opens every channel; nothing changed yet
    user_id = channel["user_id"]
    claimed = jobs.enqueuer.claim("sync", user_id)
    if claimed in (SENT, UNAVAILABLE):
        with write_transaction(jobs.app.engine) as connection:
            store.request_sync(connection, user_id, now)
    if claimed != SENT:
        return Notice(True)

    def send() -> None:
        jobs.enqueuer.send("sync", user_id, jobs.settings.push_debounce_seconds)

    return Notice(True, send)


def too_many_deliveries(jobs: Jobs, message_id: str) -> bool:
    """A message redelivered after its worker died, again and again (a poison task): stop here;
    its work is still data, and the sweep comes back to it at its own slow pace."""
    try:
        return marks.deliveries(jobs.redis, message_id) > jobs.settings.task_max_deliveries
    except redis.RedisError:
        return False


def finished(jobs: Jobs, message_id: str) -> None:
    with contextlib.suppress(redis.RedisError):
        marks.forget_deliveries(jobs.redis, message_id)


@dataclass(frozen=True, slots=True)
class TaskNames:
    sync_user: str
    push_outbox: str
    renew_channels: str
    housekeeping: str
    sweep: str
    sources: str
    updates: str
    read_sources: str
    deliver_updates: str
    decide_updates: str
    deliver_batch: str
    caldav: str


def task_names() -> TaskNames:
    """The tasks' stable names (messages outlive a deploy: never a module path)."""
    from integrations.queue import celery_app as names

    return TaskNames(
        names.SYNC_USER,
        names.PUSH_OUTBOX,
        names.RENEW_CHANNELS,
        names.HOUSEKEEPING,
        names.SWEEP,
        names.SOURCES,
        names.UPDATES,
        names.READ_SOURCES,
        names.DELIVER_UPDATES,
        names.DECIDE_UPDATES,
        names.DELIVER_BATCH,
        names.CALDAV,
    )
