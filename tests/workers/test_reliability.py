"""Reliability with real processes: workers killed with SIGKILL mid-sync, Redis restarted mid-run,
two beats at once (decided by who sent each message), and a Google that fails 20% of requests.
Each prints figures."""

from __future__ import annotations

import json
import os
import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from integrations.queue.celery_app import BEAT_LOCK_KEY
from integrations.queue.embedded import EmbeddedRedis
from service.operations import jobs as jobs_service
from tests.fakes.google_calendar import GoogleCalendarFake
from tests.fakes.google_calendar._backend import FAULTS, Fault
from tests.workers.conftest import wait_for
from tests.workers.harness import ADA, Cluster, children_of


@pytest.fixture
def fake() -> Iterator[GoogleCalendarFake]:
    with GoogleCalendarFake() as server:
        server.add_user(ADA, time_zone="Europe/Berlin")
        yield server


def _expect_each_meetup_once(cluster: Cluster, meetups: int) -> None:
    done = cluster.done_actions()
    keys = [d["calendar_event"] for d in done]
    assert len(keys) == len(set(keys)), "a meetup was counted twice"
    assert len(done) == meetups, f"{meetups - len(done)} meetup(s) lost"


def test_workers_killed_at_random_points_of_syncs_lose_nothing_and_count_nothing_twice(
    fake: GoogleCalendarFake, tmp_path: Path, machine_redis_url: str
) -> None:
    cluster = Cluster(fake, tmp_path, machine_redis_url)
    rng = random.Random(10)
    try:
        cluster.connect_user()
        # A pool process to kill (the worker's threads pool has none: its death is the worker's).
        worker = cluster.start("worker", "w1", "--pool", "prefork", "--concurrency", "1")
        cluster.wait_ready(worker, "w1")
        # Slow Google down (0.15 s per list call) so that kills land inside syncs.
        fake.inject_fault("delay", path="/events$", method="GET", count=None, delay=0.15)
        trials, mid_sync = 20, 0
        lock = f"netgoals:lock:user:{cluster.user_id}"
        for i in range(trials):
            cluster.add_meetup(i)
            jobs_service.request_sync(cluster.jobs, cluster.user_id)
            time.sleep(rng.uniform(0.05, 0.6))
            mid_sync += bool(cluster.jobs.redis.exists(lock))  # a sync holds the user's lock
            for child in children_of(worker.pid):  # the pool process running the task
                os.kill(child, signal.SIGKILL)
        fake.clear_faults()
        cluster.settle()
        print(
            f"\n{trials} pool processes killed with SIGKILL, {mid_sync} of them inside a sync; "
            f"{len(cluster.done_actions())} meetups counted of {trials}"
        )
        assert mid_sync >= trials // 4, "too few kills landed inside a sync to prove anything"
        _expect_each_meetup_once(cluster, trials)
        assert worker.poll() is None, "the worker survived its pool's deaths"
    finally:
        cluster.stop_all()


def test_a_redis_restart_mid_run_resumes_pending_work(fake: GoogleCalendarFake, tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path / "redis").start()
    cluster = Cluster(fake, tmp_path, server.url)
    try:
        cluster.connect_user()
        worker = cluster.start("worker", "w1")
        cluster.wait_ready(worker, "w1")
        cluster.settle()
        server.stop()  # Redis goes away
        cluster.add_meetup(1)
        sent = jobs_service.request_sync(cluster.jobs, cluster.user_id)
        assert sent == "unavailable", "no message could be sent: the request is only data now"
        server.start()  # and comes back (its append-only file kept the rest)
        started = time.monotonic()
        cluster.settle()
        print(f"\nredis restarted; pending sync resumed in {time.monotonic() - started:.2f} s")
        _expect_each_meetup_once(cluster, 1)
        assert worker.poll() is None, "the worker rode out the outage"
    finally:
        cluster.stop_all()
        server.stop()


def _senders(cluster: Cluster) -> list[int]:
    """The pid of the process that sent each message still queued (Celery's `origin` header,
    `gen<pid>@host`), oldest first. Nothing consumes them in the test below."""
    raw = cluster.jobs.redis.lrange("netgoals", 0, -1)
    return [int(json.loads(m)["headers"]["origin"].split("@")[0][3:]) for m in reversed(raw)]


def _lock_value(cluster: Cluster) -> str | None:
    value = cluster.jobs.redis.get(BEAT_LOCK_KEY)
    return None if value is None else str(value)


def test_a_second_beat_sends_nothing_while_the_first_holds_the_lock_and_takes_over_when_it_lapses(
    fake: GoogleCalendarFake, tmp_path: Path, machine_redis_url: str
) -> None:
    """Decided by state, not timing: every message names the process that sent it. While the
    first beat's token is in the lock — even while that beat is frozen (SIGSTOP) and the second
    is ready to tick — nothing comes from the second. When the lock lapses the second takes it and
    schedules; the first, thawed, finds its lock gone and stays quiet."""
    cluster = Cluster(fake, tmp_path, machine_redis_url, {"NETGOALS_BEAT_LOCK_SECONDS": "5"})
    try:
        first = cluster.start("beat", "beat1")
        wait_for(lambda: first.pid in _senders(cluster), 60, "the first beat's first sweep")
        token = _lock_value(cluster)
        assert token is not None, "the first beat schedules without holding the lock"
        second = cluster.start("beat", "beat2")
        # Its banner is printed just before it starts ticking (and waits on the lock first).
        wait_for(lambda: "maxinterval ->" in (tmp_path / "beat2.log").read_text(), 60, "the second beat")
        os.kill(first.pid, signal.SIGSTOP)  # holds the lock until it lapses, sends nothing more
        try:
            while True:
                senders = _senders(cluster)
                held = _lock_value(cluster)  # read after the messages: still the first's then too
                if held != token:
                    break
                assert second.pid not in senders, "the second beat sent while the first held the lock"
                assert second.poll() is None, "the second beat exited"
                time.sleep(0.05)
            wait_for(lambda: second.pid in _senders(cluster), 30, "the second beat to take over")
        finally:
            quiet = _senders(cluster).count(first.pid)  # frozen until now
            os.kill(first.pid, signal.SIGCONT)
        log = tmp_path / "beat1.log"
        wait_for(
            lambda: (
                "another beat holds it" in log.read_text()
                or first.poll() is not None
                or _senders(cluster).count(first.pid) > quiet
            ),
            30,
            "the first beat's next tick",
        )
        after = _senders(cluster).count(second.pid)
        wait_for(lambda: _senders(cluster).count(second.pid) >= after + 3, 30, "three more sweeps")
        assert _senders(cluster).count(first.pid) == quiet, "the first beat scheduled without its lock"
        assert first.poll() is None and second.poll() is None, "a beat exited"
    finally:
        cluster.stop_all()


def test_a_google_failing_20_percent_of_requests_converges(
    fake: GoogleCalendarFake, tmp_path: Path, machine_redis_url: str
) -> None:
    rng = random.Random(20)
    kinds = ["500", "503", "429", "disconnect"]
    real = fake.take_fault
    failed = [0]

    def flaky(method: str, path: str) -> Fault | None:
        if path.startswith("/calendar/v3/") and rng.random() < 0.2:
            failed[0] += 1
            kind = rng.choice(kinds)
            status, body = FAULTS[kind]
            return Fault(
                kind=kind, method=None, path=None, remaining=None, delay=0.0, status=status, body=body
            )  # type: ignore[arg-type]
        return real(method, path)

    cluster = Cluster(fake, tmp_path, machine_redis_url, {"NETGOALS_GOOGLE_NUM_RETRIES": "1"})
    try:
        cluster.connect_user()
        worker = cluster.start("worker", "w1")
        cluster.wait_ready(worker, "w1")
        fake.take_fault = flaky  # type: ignore[method-assign]
        for i in range(10):  # ten syncs, each with a new meetup to count
            cluster.add_meetup(i)
            jobs_service.request_sync(cluster.jobs, cluster.user_id)
            cluster.settle()
        calls = len(fake.requests)
        print(
            f"\n20% faults: {failed[0]} of {calls} requests failed; "
            f"{len(cluster.done_actions())} of 10 meetups counted"
        )
        _expect_each_meetup_once(cluster, 10)
    finally:
        fake.take_fault = real  # type: ignore[method-assign]
        cluster.stop_all()
