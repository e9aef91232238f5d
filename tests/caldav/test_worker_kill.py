"""A real Celery worker killed with SIGKILL in the middle of a CalDAV sync, at two points: while it
reads the person's events (before the pull commits) and while it writes blocks (one PUT reached the
server, its answer never reached the worker). A second worker then syncs to the end: every attended
meetup is counted exactly once and every planned block is in the calendar exactly once.

The quirks proxy stops the chosen request until the worker is dead, so the kill lands inside the
sync every time (no timing luck).
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis

from domain.decisions import GoalSpec
from domain.event_types import events as ev
from domain.event_types.events import actions_stream
from integrations.storage import caldav_store
from integrations.storage.database import read_transaction, write_transaction
from service.access import users
from service.caldav import connect as caldav_connect
from service.caldav.context import CalDAV
from service.operations.jobs import task_names
from service.tracking import goals
from tests.caldav.conftest import new_calendar
from tests.caldav.quirks_proxy import QuirksProxy
from tests.caldav.user_client import Attendee, event
from tests.conftest import machine_redis_url, require_redis
from tests.fakes.google_calendar import GoogleCalendarFake
from tests.workers.harness import Cluster

ADA = "ada@example.org"
MEETUPS = 3


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    require_redis()
    url = machine_redis_url("workers")
    redis.Redis.from_url(url).flushdb()
    with GoogleCalendarFake() as fake:  # the harness's env names a Google; no Google is connected
        made = Cluster(fake, tmp_path, url, extra={"NETGOALS_ALLOW_PRIVATE_SOURCES": "1"})
        try:
            yield made
        finally:
            made.stop_all()
            redis.Redis.from_url(url).flushdb()


def _connect(cluster: Cluster, proxy: QuirksProxy) -> str:
    """Ada, a monthly goal, three meetups she accepted (ended), connected through the proxy."""
    app = cluster.app
    user_id = users.register(app, ADA, "Europe/Berlin").user_id
    goals.set_goal(app, user_id, GoalSpec(template="monthly-event"))
    events = new_calendar(proxy.server, f"events-{uuid.uuid4().hex[:8]}")
    goals_url = events.use("").make_calendar(f"goals-{uuid.uuid4().hex[:8]}")
    now = datetime.now(UTC)
    for n in range(MEETUPS):
        start = now - timedelta(hours=3 + n)
        events.add(
            event(
                f"Meetup {n}",
                start,
                start + timedelta(minutes=45),
                organizer="host@example.org",
                attendees=[Attendee(ADA, "ACCEPTED"), Attendee("host@example.org", "ACCEPTED")],
            )
        )
    server = proxy.server
    caldav_connect.connect(
        app,
        CalDAV.open(cluster.settings),
        user_id,
        server.base_url,
        username=server.username,
        password=server.password,
        read=[events.calendar_url],
        plan_into=goals_url,
    )
    cluster.user_id = user_id
    cluster.goals_client = events.use(goals_url)  # type: ignore[attr-defined]
    return user_id


def _poll(cluster: Cluster) -> None:
    """What beat sends every minute: sync the CalDAV accounts that are due."""
    cluster.jobs.celery.send_task(task_names().caldav)


def _last_sync(cluster: Cluster, user_id: str) -> str | None:
    with read_transaction(cluster.app.engine) as connection:
        account = caldav_store.account_of(connection, user_id)
    return account.last_sync_at if account is not None and account.failures == 0 else None


def _synced(cluster: Cluster, user_id: str) -> bool:
    return _last_sync(cluster, user_id) is not None


def _done_titles(cluster: Cluster, user_id: str) -> list[str]:
    stream = cluster.app.store.read_stream(actions_stream(user_id))
    return sorted(str(e.data.get("title")) for e in stream if e.type == ev.ACTION_DONE)


@pytest.mark.parametrize(
    ("method", "nth", "containing"),
    [("REPORT", 1, b"calendar-multiget"), ("PUT", 1, b"BEGIN:VCALENDAR")],
    ids=["reading-events", "writing-blocks"],
)
def test_a_worker_killed_mid_sync_loses_nothing_and_counts_nothing_twice(
    cluster: Cluster, quirks: QuirksProxy, method: str, nth: int, containing: bytes
) -> None:
    user_id = _connect(cluster, quirks)
    held = quirks.hold(method, nth, containing)
    first = cluster.start("worker", "w1")
    cluster.wait_ready(first, "w1")
    _poll(cluster)
    assert held.arrived.wait(30), "the sync never reached the request to stop at"
    os.killpg(first.pid, signal.SIGKILL)  # the worker and its pool, mid-sync
    first.wait(10)
    held.release.set()  # the server still acts on what it was sent
    assert not _synced(cluster, user_id)

    second = cluster.start("worker", "w2")
    cluster.wait_ready(second, "w2")
    deadline = time.monotonic() + 90
    while not _synced(cluster, user_id):  # the user lock of the dead worker expires by itself
        assert time.monotonic() < deadline, (cluster.folder / "w2.log").read_text()[-3000:]
        _poll(cluster)
        time.sleep(0.5)
    # once more, as the next poll would: it must add nothing
    with write_transaction(cluster.app.engine) as connection:
        caldav_store.update_account(connection, user_id, next_poll_at=0)
    before, synced_at = cluster.app.store.head_position(), _last_sync(cluster, user_id)
    _poll(cluster)
    deadline = time.monotonic() + 60
    while _last_sync(cluster, user_id) == synced_at:
        assert time.monotonic() < deadline, "the next poll did not sync"
        time.sleep(0.2)

    assert _done_titles(cluster, user_id) == [f"Meetup {n}" for n in range(MEETUPS)]
    blocks = Counter(
        str(o.master["X-NETGOALS-ACTION"])
        for o in cluster.goals_client.objects()  # type: ignore[attr-defined]
        if "X-NETGOALS-ACTION" in o.master
    )
    assert blocks and set(blocks.values()) == {1}, blocks
    # what counts is not appended again (planning moves are test_flow.py's to judge)
    counting = {ev.ACTION_DONE, ev.ACTION_RETRACTED, ev.ACTION_FULFILLED, ev.ACTION_SKIPPED}
    after = [
        (e.type, e.data)
        for e in cluster.app.store.read_stream(actions_stream(user_id))
        if e.position > before and e.type in counting
    ]
    assert after == [], after
