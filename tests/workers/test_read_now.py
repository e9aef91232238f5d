"""'Read now' off the request path, over real HTTP: while a calendar server holds a worker's read,
a person asks for more reads and each answer comes at once (202, with where the result will show),
another person's requests are not held up, and a real Celery worker does the reads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from integrations.queue.embedded import EmbeddedRedis
from service import ical
from service.access import accounts, users
from service.ical import read_now
from tests.api.live import free_port
from tests.google.conftest import World
from tests.ical.calendar_server import CalendarServer, Route, calendar_server
from tests.workers.conftest import Stack, make_stack, serve_api, wait_for
from worker import context

SOURCES = 7
CALENDAR = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:e1@t\r\n"
    b"DTSTAMP:20261101T100000Z\r\nDTSTART:20261120T180000Z\r\nDTEND:20261120T190000Z\r\n"
    b"SUMMARY:Meetup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.fixture
def held() -> threading.Event:
    """Closed: the calendar server answers nobody until the test opens it."""
    return threading.Event()


@pytest.fixture
def slow_server(held: threading.Event) -> Iterator[CalendarServer]:
    with calendar_server() as server:
        for i in range(SOURCES):
            server.routes[f"/slow{i}.ics"] = Route(body=CALENDAR, gate=held)
        try:
            yield server
        finally:
            held.set()  # let any read still waiting finish


@pytest.fixture
def stack_for_sources(make_world: Callable[..., World], tmp_path: Path) -> Iterator[Stack]:
    world = make_world()
    with EmbeddedRedis(tmp_path / "redis") as server:
        stack = make_stack(world, server.url, allow_private_sources=True, source_timeout=60.0)
        yield stack
        context.use(None)
        stack.jobs.close()


def _reads(server: CalendarServer) -> int:
    return sum(1 for path, _ in server.requests if path.startswith("/slow"))


def test_read_now_answers_at_once_and_a_worker_reads_the_slow_calendars(
    stack_for_sources: Stack, slow_server: CalendarServer, held: threading.Event
) -> None:
    stack, world = stack_for_sources, stack_for_sources.world
    ada = {"Authorization": f"Bearer {accounts.issue_token(world.app, world.user_id)}"}
    bo_id = users.register(world.app, "bo@example.org", "Europe/Berlin").user_id
    bo = {"Authorization": f"Bearer {accounts.issue_token(world.app, bo_id)}"}
    settings = stack.jobs.settings
    ids = [
        ical.add_source(world.app, settings, world.user_id, slow_server.url(f"/slow{i}.ics")).source_id
        for i in range(SOURCES)
    ]
    web = create_app(settings, world.clock)
    answers: list[tuple[int, dict[str, object]]] = []
    with serve_api(web, free_port()) as base, stack.worker():

        def ask(source_id: str) -> None:
            answer = httpx.post(f"{base}/api/v1/sources/{source_id}/sync", headers=ada, timeout=90)
            answers.append((answer.status_code, answer.json()))

        def ask_in_threads(chosen: list[str]) -> None:
            askers = [threading.Thread(target=ask, args=(i,), daemon=True) for i in chosen]
            for asker in askers:
                asker.start()
            deadline = time.monotonic() + 20  # a bound on waiting: the server holds reads for 60 s
            for asker in askers:
                asker.join(max(0.0, deadline - time.monotonic()))

        ask_in_threads(ids[:1])
        assert len(answers) == 1, "the answer waited for the calendar server"
        wait_for(lambda: _reads(slow_server) == 1, 30, "the worker's read, held by the server")
        # The worker is stuck in that read; the web is not.
        bo_answers: list[int] = []
        me = threading.Thread(
            target=lambda: bo_answers.append(httpx.get(f"{base}/api/v1/me", headers=bo).status_code),
            daemon=True,
        )
        me.start()
        ask_in_threads(ids[1:])
        me.join(20)
        assert not held.is_set()
        assert len(answers) == SOURCES, "an answer waited for the calendar server"
        assert bo_answers == [200], "another person waited"
        assert [a[0] for a in answers] == [202] * SOURCES, answers
        assert _reads(slow_server) == 1, "the API read a calendar itself"
        # Six more requests, one more message: what one person queues is bounded by the mark.
        assert stack.jobs.redis.llen("netgoals") == 1
        first = answers[0][1]
        assert first["read"]["result"] == f"/api/v1/sources/{first['source']['source_id']}"  # type: ignore[index]
        # Not Ada's: Bo cannot ask for it, nor learn that it exists.
        assert httpx.post(f"{base}/api/v1/sources/{ids[0]}/sync", headers=bo).status_code == 404
        held.set()  # the server answers: the worker reads every calendar
        wait_for(lambda: _reads(slow_server) >= SOURCES, 60, "the worker to read every calendar")
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
