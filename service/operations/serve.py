"""What `netgoals serve` needs from below: the embedded Redis (when NETGOALS_REDIS_URL is unset),
the commands of its three children — the API, one worker and beat — and the tie that ends them
with it."""

from __future__ import annotations

import sys

from integrations.queue.celery_app import BEAT_SCHEDULER, WORKER_QUEUES
from integrations.queue.embedded import EmbeddedRedis, EmbeddedRedisMissingError
from integrations.queue.parent_death import end_with_parent
from service import bootstrap
from service.settings import Settings

__all__ = [
    "EmbeddedRedis",
    "EmbeddedRedisMissingError",
    "child_commands",
    "embedded_redis",
    "end_with_parent",
    "migrate",
]


def migrate(settings: Settings) -> str:
    """Bring the database to the newest schema (compose's one-shot `migrate`); the revision."""
    from integrations.storage.migrate import current_revision

    service = bootstrap.world(settings).app  # opening migrates
    try:
        return current_revision(service.engine) or "?"
    finally:
        service.close()


def embedded_redis(settings: Settings) -> EmbeddedRedis | None:
    """The embedded server to start, or None when a Redis server is configured."""
    return EmbeddedRedis(settings.embedded_redis_folder) if settings.embedded_redis else None


def child_commands(
    host: str, port: int, hostname: str = "netgoals@%h", api_workers: int = 1
) -> dict[str, list[str]]:
    python = sys.executable
    celery = [python, "-m", "celery", "-A", "worker.app"]
    api = [python, "-m", "cli.main", "api", "--host", host, "--port", str(port), "--no-welcome"]
    return {
        "api": [*api, "--workers", str(api_workers)],
        "worker": [
            *celery,
            "worker",
            # Threads, not one pool process: a sync mostly waits on Google's answers, so one worker
            # overlaps several (docs/performance.md, "Workers"); as many as NETGOALS_WORKER_THREADS
            # (Celery's worker_concurrency, integrations/queue/celery_app.py: the worker reads its
            # settings as serve does). Celery's thread pool enforces no task time limits: each
            # task is bounded by its own (docs/google.md, "Workers").
            "--pool",
            "threads",
            "--queues",
            ",".join(WORKER_QUEUES),
            "--hostname",
            hostname,
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ],
        "beat": [*celery, "beat", "--scheduler", BEAT_SCHEDULER, "--loglevel", "WARNING"],
    }
