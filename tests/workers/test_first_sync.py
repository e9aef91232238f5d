"""Connecting a calendar in the browser is the last thing a person does by hand: the OAuth callback
hands the first sync to the workers at once (no sweep, no beat), and the meetup they attended last
week is progress by the time they look."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from cli import google as google_cli
from cli.main import app as cli
from integrations.queue.embedded import EmbeddedRedis
from integrations.storage import calendar_store as store
from integrations.storage.database import read_transaction
from service.access import accounts
from service.read_models import status
from service.read_models.status import workers_alive
from service.settings import SecretStr
from tests.api.conftest import User
from tests.api.test_dashboard import sign_in
from tests.google.conftest import ADA, NOW, World
from tests.workers.conftest import Stack, make_stack, wait_for
from worker import context


@pytest.fixture
def waiting(make_world: Callable[..., World], tmp_path: Path) -> Iterator[tuple[World, Stack]]:
    """A user with a goal and last week's meetup in a calendar not connected yet, and the workers'
    side on an embedded Redis (no beat: nothing sweeps)."""
    world = make_world()
    world.goal("monthly-event")
    world.invite("Data meetup", NOW - timedelta(days=3), "accepted", ["host@x.org"])
    with EmbeddedRedis(tmp_path / "redis") as redis_server:
        stack = make_stack(world, redis_server.url)
        yield world, stack
        context.use(None)
        stack.jobs.close()


def test_the_oauth_callback_queues_the_first_sync_without_waiting_for_the_sweep(
    waiting: tuple[World, Stack],
) -> None:
    world, stack = waiting
    web = create_app(stack.jobs.settings, world.clock)
    token = accounts.issue_token(world.app, world.user_id)
    try:
        with TestClient(web) as browser:
            sign_in(browser, User(world.user_id, ADA, token))
            consent = browser.get("/connect/google", follow_redirects=False).headers["location"]
            back = urlsplit(httpx.get(consent).headers["location"])
            with stack.worker():  # only the callback's message can start this worker
                answer = browser.get(f"/oauth/google/callback?{back.query}", follow_redirects=False)
                assert answer.status_code == 303
                wait_for(lambda: _last_synced(world) is not None, what="the first sync")
        assert next(iter(world.progress().values()))[0] == 1
    finally:
        web.state.netgoals.close()


def test_the_cli_connect_hands_the_first_sync_to_a_running_worker(
    waiting: tuple[World, Stack], monkeypatch: pytest.MonkeyPatch
) -> None:
    world, stack = waiting
    for name, value in stack.jobs.settings.model_dump().items():  # the CLI reads its environment
        if value is not None and (name.startswith("google_") or name in _SHARED):
            shown = value.get_secret_value() if isinstance(value, SecretStr) else value
            monkeypatch.setenv(f"NETGOALS_{name.upper()}", str(shown))
    monkeypatch.setenv("NETGOALS_USER", ADA)

    def approve(url: str) -> bool:  # the person approves in their browser
        threading.Thread(target=lambda: httpx.get(url, follow_redirects=True), daemon=True).start()
        return True

    monkeypatch.setattr(google_cli.webbrowser, "open", approve)
    with stack.worker():
        status.heartbeat(stack.jobs.redis, "w1@test")  # as worker/observe.py does for a process
        assert workers_alive(stack.jobs.redis)
        result = CliRunner().invoke(cli, ["google", "connect", "--timeout", "20"])
        assert result.exit_code == 0, result.output
        assert "A worker is running the first sync" in result.output
        wait_for(lambda: _last_synced(world) is not None, what="the worker's first sync")
    assert next(iter(world.progress().values()))[0] == 1


_SHARED = ("home", "database_url", "redis_url", "secret_key", "public_url")


def _last_synced(world: World) -> float | None:
    with read_transaction(world.app.engine) as connection:
        run = store.sync_run(connection, world.user_id)
    return run.last_synced_at if run else None
