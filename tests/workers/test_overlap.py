"""One worker, as `serve` and compose start it, overlaps I/O-bound syncs: while one user's sync waits
on Google's answer, another's runs. Seen by the Google fake (the most requests it was answering at
one moment), never by a clock: with answers that take a while, two users' syncs requested together
have requests in flight at once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from sqlalchemy import select

from domain.decisions import GoalSpec
from integrations.storage import calendar_store as store
from integrations.storage.database import read_transaction
from service import google
from service.access import users
from service.operations import jobs as jobs_service
from service.tracking import goals
from tests.fakes.google_calendar import GoogleCalendarFake
from tests.workers.conftest import wait_for
from tests.workers.harness import ADA, Cluster

GRACE = "grace@example.org"
LATENCY = 0.4  # each answer of the fake waits this long, as a distant server's would


@pytest.fixture
def fake() -> Iterator[GoogleCalendarFake]:
    with GoogleCalendarFake() as server:
        server.add_user(ADA, time_zone="Europe/Berlin")
        server.add_user(GRACE, time_zone="Europe/Berlin")
        yield server


def _connect(cluster: Cluster, email: str) -> str:
    cluster.fake.current_user = email  # the fake approves the OAuth flow as its current user
    user_id = users.register(cluster.app, email, "Europe/Berlin").user_id
    goals.set_goal(cluster.app, user_id, GoalSpec(template="monthly-event"))
    url = google.begin_connect(cluster.app, cluster.google, user_id)
    params = dict(parse_qsl(urlsplit(httpx.get(url).headers["location"]).query))
    google.complete_connect(
        cluster.app, cluster.google, params["state"], params.get("code"), finisher=google.Browser(user_id)
    )
    return user_id


def _synced_since(cluster: Cluster, since: float) -> set[str]:
    runs = store.google_sync_runs
    with read_transaction(cluster.app.engine) as connection:
        rows = connection.execute(select(runs.c.user_id).where(runs.c.last_synced_at >= since))
        return {row[0] for row in rows}


def test_one_worker_overlaps_two_users_syncs(
    fake: GoogleCalendarFake, tmp_path: Path, machine_redis_url: str
) -> None:
    cluster = Cluster(fake, tmp_path, machine_redis_url)
    try:
        people = [_connect(cluster, ADA), _connect(cluster, GRACE)]
        worker = cluster.start("worker", "w1")
        cluster.wait_ready(worker, "w1")
        since = time.time() - 1
        for user_id in people:  # the first syncs (calendar made, weeks planned), one at a time
            jobs_service.request_sync(cluster.jobs, user_id)
            wait_for(lambda u=user_id: u in _synced_since(cluster, since), 90, "a first sync")
        fake.latency = LATENCY
        fake.most_in_flight = 0
        since = time.time()
        for user_id in people:
            jobs_service.request_sync(cluster.jobs, user_id)
        wait_for(lambda: _synced_since(cluster, since) == set(people), 90, "both syncs")
        # Both users' syncs had a request waiting on Google at the same moment.
        assert fake.most_in_flight >= 2, fake.most_in_flight
    finally:
        fake.latency = 0.0
        cluster.stop_all()


def test_the_worker_runs_as_many_threads_as_the_setting_says(
    fake: GoogleCalendarFake, tmp_path: Path, machine_redis_url: str
) -> None:
    """NETGOALS_WORKER_THREADS, read by the worker as `serve` starts it (no --concurrency of its own)."""
    cluster = Cluster(fake, tmp_path, machine_redis_url, extra={"NETGOALS_WORKER_THREADS": "3"})
    try:
        worker = cluster.start("worker", "w3")
        cluster.wait_ready(worker, "w3")
        stats = cluster.jobs.celery.control.inspect(timeout=5).stats() or {}
        (pool,) = [s["pool"] for name, s in stats.items() if name.startswith("w3@")]
        assert pool["max-concurrency"] == 3, pool
        assert "thread" in pool["implementation"].lower(), pool
    finally:
        cluster.stop_all()
