"""Push notifications end to end: the fake Google calendar notifies a real API (uvicorn), which
queues one debounced sync; a real Celery worker runs it; progress moves with no manual sync."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx

from api.app import create_app
from integrations.queue import telemetry
from integrations.queue.celery_app import BEAT_LOCK_KEY, QUEUE, SYNC_USER
from integrations.queue.embedded import EmbeddedRedis
from integrations.storage import calendar_store as store
from integrations.storage.database import read_transaction
from service.access import accounts
from tests.api.live import free_port
from tests.google.conftest import NOW, World
from tests.workers.conftest import make_stack, serve_api, wait_for
from worker import context


def _syncs(client: object) -> int:
    found = telemetry.read(client, QUEUE, BEAT_LOCK_KEY)  # type: ignore[arg-type]
    return sum(n for (name, outcome), n in found.tasks.items() if name == SYNC_USER and outcome == "ok")


def _settled(world: World, jobs: object) -> bool:
    """Nothing queued, nothing requested: every notification so far was served."""
    with read_transaction(world.app.engine) as connection:
        found = store.connection_of(connection, world.user_id)
    client = jobs.redis  # type: ignore[attr-defined]
    return (
        found is not None
        and found.sync_requested is None
        and client.llen(QUEUE) == 0
        and client.hlen("unacked") == 0  # nothing reserved by a worker either (countdown messages)
        and not client.exists(f"netgoals:queued:sync:{world.user_id}")
    )


def test_a_burst_of_notifications_becomes_one_or_two_syncs_and_forgeries_none(
    make_world: Callable[..., World], tmp_path: Path
) -> None:
    port = free_port()
    world = make_world(public_url=f"http://127.0.0.1:{port}")
    world.goal("monthly-event")
    with EmbeddedRedis(tmp_path / "redis") as redis_server:
        stack = make_stack(world, redis_server.url)
        web = create_app(stack.jobs.settings, world.clock)
        try:
            _run_burst(world, stack, web, port)
        finally:
            context.use(None)
            web.state.netgoals.close()


def _run_burst(world: World, stack: object, web: object, port: int) -> None:
    world.connect()
    world.sync()  # the first sync opens the push channels, addressed to our API
    with read_transaction(world.app.engine) as connection:
        channels = store.channels_of(connection, world.user_id)
    assert len(channels) == 2
    with world.fake._lock:
        channel = world.fake._channels[channels[0]["channel_id"]]
    jobs = stack.jobs  # type: ignore[attr-defined]
    headers = {
        "X-Goog-Channel-ID": channel.id,
        "X-Goog-Channel-Token": channel.token or "",
        "X-Goog-Resource-State": "exists",
    }
    with serve_api(web, port) as base, stack.worker():  # type: ignore[attr-defined]
        before = _syncs(jobs.redis)
        with httpx.Client(base_url=base) as http, ThreadPoolExecutor(10) as pool:
            answers = list(
                pool.map(lambda _: http.post("/webhooks/google", headers=headers).status_code, range(100))
            )
        assert answers == [204] * 100
        wait_for(lambda: _settled(world, jobs), what="the burst to be served")
        burst = _syncs(jobs.redis) - before
        print(f"\n100 notifications -> {burst} sync(s)")
        assert 1 <= burst <= 2

        forged = [
            {**headers, "X-Goog-Channel-Token": "forged"},
            {**headers, "X-Goog-Channel-ID": "unknown-channel"},
            {"X-Goog-Resource-State": "exists"},
        ]
        with httpx.Client(base_url=base) as http:
            assert [http.post("/webhooks/google", headers=h).status_code for h in forged] == [404] * 3
        assert _settled(world, jobs) and jobs.redis.llen(QUEUE) == 0, "forgeries queue nothing"

        # The real thing: an attended meetup appears in the calendar; Google (the fake) notifies.
        world.invite("Climate meetup", NOW - timedelta(days=2), "accepted", ["host@x.org"])
        wait_for(lambda: next(iter(world.progress().values()))[0] == 1, what="the meetup to count")
        token = accounts.issue_token(world.app, world.user_id)
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
            # The sync that counted it records its changes when it ends; the blocks it pushed make
            # Google notify again, and that next sync (nothing new) is then the last one shown.
            # Read what the API shows until the counting sync's record is there.
            shown = wait_for(
                lambda: (answer := http.get("/api/v1/google/sync").json())["last_changes"].get("done")
                and answer,
                what="the counting sync's changes to show",
            )
        assert shown["mode"] == "push" and shown["last_changes"]["done"] == 1
