"""The Celery app's settings (docs/google.md, "Workers"), shared by the workers, beat and every producer.

Redis can deliver a task twice and every setting trades a lost task for a duplicate; exactness
comes from the database (idempotent appends, compare-and-set sync tokens, the outbox), so the
settings lean towards "delivered again": late acks, prefetch 1, requeue when a worker dies (with a
cap on deliveries, kept by the task base in worker/), and time limits well below the visibility
timeout, so a message is never redelivered while its first run is still going.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from celery import Celery

from integrations.queue.urls import redis_py_url

# Task names are stable strings (messages in Redis outlive a deploy): never a module path.
SYNC_USER = "netgoals.sync_user"
PUSH_OUTBOX = "netgoals.push_outbox"
RENEW_CHANNELS = "netgoals.renew_channels"
HOUSEKEEPING = "netgoals.housekeeping"
SWEEP = "netgoals.sweep"
SOURCES = "netgoals.sources"
UPDATES = "netgoals.updates"
READ_SOURCES = "netgoals.read_sources"  # one user's due sources, asked for by a person
DELIVER_UPDATES = "netgoals.deliver_updates"  # one user's due deliveries (a test send)
DECIDE_UPDATES = "netgoals.decide_updates"  # decide for a batch of marked people
DELIVER_BATCH = "netgoals.deliver_batch"  # send a batch of due deliveries over one connection
CALDAV = "netgoals.caldav"  # sync the CalDAV accounts whose poll is due
QUEUE = "netgoals"
# Deliveries a person waits for (a goal met, a reminder) never queue behind the weekly digest: each
# is a Redis list of its own, and a worker takes from its queues in turn, so a goal-met email waits
# for at most one digest batch, not for the digest backlog.
URGENT_QUEUE = "netgoals.urgent"
BULK_QUEUE = "netgoals.bulk"
WORKER_QUEUES = (URGENT_QUEUE, QUEUE, BULK_QUEUE)
BEAT_PREFIX = "netgoals:redbeat"
BEAT_LOCK_KEY = BEAT_PREFIX + ":lock"  # held by the one beat that runs
BEAT_SCHEDULER = "integrations.queue.beat:Scheduler"  # redbeat's, riding out a lost Redis


@dataclass(frozen=True, slots=True)
class CeleryOptions:
    broker_url: str
    time_limit: int  # seconds a task may run before it is killed
    visibility_timeout: int  # seconds before Redis hands an unacknowledged message out again
    beat_lock_timeout: int  # seconds a second beat waits for a silent first one
    concurrency: int = 4  # tasks one worker runs at once (its threads), unless --concurrency says

    def __post_init__(self) -> None:
        if self.time_limit * 2 > self.visibility_timeout:
            raise ValueError(
                f"the task time limit ({self.time_limit}s) must stay well below the visibility "
                f"timeout ({self.visibility_timeout}s): at most half of it"
            )


def make_celery(options: CeleryOptions, name: str = "netgoals") -> Celery:
    app = Celery(name, broker=options.broker_url, backend=options.broker_url, set_as_current=False)
    transport = {
        "visibility_timeout": options.visibility_timeout,
        "socket_connect_timeout": 3,
        "socket_timeout": 30,
        "retry_on_timeout": True,
        "health_check_interval": 25,
    }
    config: dict[str, Any] = {
        "task_default_queue": QUEUE,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,  # requeued when a worker dies; capped in worker/
        "task_acks_on_failure_or_timeout": True,  # a task that failed is acked: the sweep retries
        "worker_prefetch_multiplier": 1,
        "worker_concurrency": options.concurrency,
        "task_time_limit": options.time_limit,
        "task_soft_time_limit": max(1, options.time_limit - max(1, options.time_limit // 10)),
        # The visibility timeout, in every place the docs name: broker, result backend, and the
        # top-level setting some code paths read.
        "broker_transport_options": transport,
        "result_backend_transport_options": {"visibility_timeout": options.visibility_timeout},
        "visibility_timeout": options.visibility_timeout,
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,  # a worker waits for Redis to come back
        # A producer (the API answering a webhook) must not hang on a missing Redis: the sweep
        # sends what could not be sent.
        "task_publish_retry_policy": {
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        },
        "task_ignore_result": True,  # nobody waits for results; the database says what happened
        "result_expires": 3600,
        "task_serializer": "json",
        "accept_content": ["json"],
        "worker_hijack_root_logger": False,
        "worker_send_task_events": False,
        "worker_cancel_long_running_tasks_on_connection_loss": False,
        "broker_heartbeat": 0,
        "timezone": "UTC",
        "enable_utc": True,
        # celery-redbeat: the schedule lives in Redis behind a lock, so a second beat waits.
        "redbeat_redis_url": redis_py_url(options.broker_url),
        "redbeat_lock_timeout": options.beat_lock_timeout,
        "redbeat_key_prefix": BEAT_PREFIX,
        "beat_scheduler": BEAT_SCHEDULER,
        # Bounded waits on beat's own Redis connection: a Redis that stops answering is "away"
        # (integrations/queue/beat.py waits it out), never a beat blocked for good.
        "redbeat_redis_options": {"socket_connect_timeout": 3, "socket_timeout": 10},
        "beat_max_loop_interval": max(1, min(5, options.beat_lock_timeout // 5)),
    }
    app.conf.update(config)
    return app
