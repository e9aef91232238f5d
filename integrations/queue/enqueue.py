"""The enqueue port: "look at user X" messages, debounced by a mark, sent only by name (so a
producer needs no task code), and never fatal to the caller: when Redis is away the work stays in
the database and the sweep sends it later.
"""

from __future__ import annotations

import contextlib
import logging

import redis
from celery import Celery
from kombu.exceptions import OperationalError

from integrations.queue import marks
from integrations.queue.celery_app import DELIVER_UPDATES, PUSH_OUTBOX, QUEUE, READ_SOURCES, SYNC_USER

log = logging.getLogger("netgoals.queue")
SENT, ALREADY_QUEUED, UNAVAILABLE = "sent", "already-queued", "unavailable"
EVERYONE = "*"  # the "user" of a polling task's mark: it works for whoever is due
_TASK_OF = {"sync": SYNC_USER, "push": PUSH_OUTBOX, "sources": READ_SOURCES, "updates": DELIVER_UPDATES}


class Enqueuer:
    def __init__(self, celery: Celery, client: redis.Redis, mark_ttl: int) -> None:
        self.celery = celery
        self.client = client
        self.mark_ttl = mark_ttl

    def claim(self, kind: str, user_id: str) -> str:
        """Step one of sending: take the "queued" mark (before the caller's transaction)."""
        try:
            return SENT if marks.claim(self.client, kind, user_id, self.mark_ttl) else ALREADY_QUEUED
        except redis.RedisError as exc:
            log.warning("redis unavailable, %s for user %s left to the sweep: %s", kind, user_id, exc)
            return UNAVAILABLE

    def send(self, kind: str, user_id: str, delay: float = 0) -> bool:
        """Step two, after the caller's transaction committed: the message itself. A short `delay`
        (seconds, far below the visibility timeout) lets a burst of requests gather behind it."""
        try:
            countdown = delay if delay > 0 else None
            self.celery.send_task(_TASK_OF[kind], args=[user_id], queue=QUEUE, countdown=countdown)
            return True
        except (OperationalError, redis.RedisError, OSError) as exc:
            log.warning("could not queue %s for user %s (the sweep will): %s", kind, user_id, exc)
            with contextlib.suppress(redis.RedisError):  # else the mark expires by itself
                marks.unclaim(self.client, kind, user_id)
            return False

    def poll_now(self, task: str) -> str:
        """Run a polling task now instead of at its next beat. What it polls is data the caller
        committed first, so a message not sent (Redis down) only waits for the beat; one poke is
        queued at a time (the task's `started` clears the mark)."""
        claimed = self.claim(task, EVERYONE)
        if claimed != SENT:
            return claimed
        try:
            self.celery.send_task(task, queue=QUEUE)
            return SENT
        except (OperationalError, redis.RedisError, OSError) as exc:
            log.warning("could not queue %s now (the beat will): %s", task, exc)
            with contextlib.suppress(redis.RedisError):
                marks.unclaim(self.client, task, EVERYONE)
            return UNAVAILABLE

    def request(self, kind: str, user_id: str) -> str:
        """Claim and send at once (callers with nothing to commit first)."""
        claimed = self.claim(kind, user_id)
        if claimed != SENT:
            return claimed
        return SENT if self.send(kind, user_id) else UNAVAILABLE

    def started(self, kind: str, user_id: str) -> None:
        """A worker took the message: a request from now on needs a message of its own."""
        with contextlib.suppress(redis.RedisError):
            marks.unclaim(self.client, kind, user_id)
