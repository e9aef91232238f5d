"""'Read now' off the request path, over real HTTP: a person asks for many slow calendars to be
read; each answer comes at once (202, with where the result will show), another person's requests
are not held up, and a real Celery worker does the reads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from integrations.queue.embedded import EmbeddedRedis
from service import accounts, ical, users
from service.ical import read_now
from tests.api.live import free_port
from tests.google.conftest import World
from tests.ical.calendar_server import CalendarServer, Route, calendar_server
from tests.workers.conftest import Stack, make_stack, serve_api, wait_for
from worker import context

SLOW = 1.5  # seconds the calendar server takes to answer each read
CALENDAR = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:e1@t\r\n"
    b"DTSTAMP:20261101T100000Z\r\nDTSTART:20261120T180000Z\r\nDTEND:20261120T190000Z\r\n"
    b"SUMMARY:Meetup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.fixture
def slow_server() -> Iterator[CalendarServer]:
    with calendar_server() as server:
        for i in range(7):
            server.routes[f"/slow{i}.ics"] = Route(body=CALENDAR, delay=SLOW)
        yield server


@pytest.fixture
def stack_for_sources(make_world: Callable[..., World], tmp_path: Path) -> Iterator[Stack]:
    world = make_world()
    with EmbeddedRedis(tmp_path / "redis") as server:
        stack = make_stack(world, server.url, allow_private_sources=True, source_timeout=10.0)
        yield stack
        context.use(None)
        stack.jobs.close()


def _reads(server: CalendarServer) -> int:
    return sum(1 for path, _ in server.requests if path.startswith("/slow"))


def test_read_now_answers_at_once_and_a_worker_reads_the_slow_calendars(
    stack_for_sources: Stack, slow_server: CalendarServer
) -> None:
    stack, world = stack_for_sources, stack_for_sources.world
    ada = {"Authorization": f"Bearer {accounts.issue_token(world.app, world.user_id)}"}
    bo_id = users.register(world.app, "bo@example.org", "Europe/Berlin").user_id
    bo = {"Authorization": f"Bearer {accounts.issue_token(world.app, bo_id)}"}
    settings = stack.jobs.settings
    ids = [
        ical.add_source(world.app, settings, world.user_id, slow_server.url(f"/slow{i}.ics")).source_id
        for i in range(7)
    ]
    web = create_app(settings, world.clock)
    answers: list[tuple[int, float, dict[str, object]]] = []
    with serve_api(web, free_port()) as base:

        def ask(source_id: str) -> None:
            started = time.monotonic()
            answer = httpx.post(f"{base}/api/v1/sources/{source_id}/sync", headers=ada, timeout=30)
            answers.append((answer.status_code, time.monotonic() - started, answer.json()))

        askers = [threading.Thread(target=ask, args=(i,)) for i in ids]
        for asker in askers:
            asker.start()
        started = time.monotonic()
        assert httpx.get(f"{base}/api/v1/me", headers=bo, timeout=30).status_code == 200
        bo_waited = time.monotonic() - started
        for asker in askers:
            asker.join(30)
        assert [a[0] for a in answers] == [202] * 7, answers
        assert max(a[1] for a in answers) < SLOW, "an answer waited for the calendar server"
        assert bo_waited < SLOW, "another person waited for the calendar server"
        assert _reads(slow_server) == 0, "the API read a calendar itself"
        # Seven requests, one message: what one person queues is bounded by the "queued" mark.
        assert stack.jobs.redis.llen("netgoals") == 1
        assert {a[2]["read"]["queued"] for a in answers} == {"sent", "already-queued"}  # type: ignore[index]
        first = answers[0][2]
        assert first["read"]["result"] == f"/api/v1/sources/{first['source']['source_id']}"  # type: ignore[index]
        # Not Ada's: Bo cannot ask for it, nor learn that it exists.
        assert httpx.post(f"{base}/api/v1/sources/{ids[0]}/sync", headers=bo).status_code == 404
        with stack.worker():  # a real Celery worker takes the queued message
            wait_for(lambda: _reads(slow_server) >= 7, 60, "the worker to read every calendar")
            wait_for(
                lambda: all(ical.get_source(world.app, world.user_id, i).last_status == "ok" for i in ids),
                30,
                "the reads to be stored",
            )
        shown = httpx.get(f"{base}/api/v1/sources/{ids[0]}", headers=ada).json()
        assert shown["last_status"] == "ok" and shown["last_fetched_at"] is not None
        # Asking again within a minute of the last read: due a minute after it, read once.
        again = httpx.post(f"{base}/api/v1/sources/{ids[0]}/sync", headers=ada).json()
        assert again["read"]["due_at"] >= world.clock.now.timestamp() + read_now.MIN_GAP - 1
    web.state.netgoals.close()
