"""'Send me a test' off the request path, over real HTTP: the answer comes while the mail server
keeps its sender waiting, a real Celery worker sends the test, and one person's tests are limited per hour
with a 429 that says when to try again."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from integrations.queue.embedded import EmbeddedRedis
from service.access import accounts
from service.updates import queued_test
from tests.api.live import free_port
from tests.google.conftest import World
from tests.updates.conftest import confirmation_path, make_settings, smtp_server  # noqa: F401 - its fixture
from tests.updates.receivers import SmtpServer
from tests.workers.conftest import Stack, make_stack, serve_api, wait_for
from worker import context


@pytest.fixture
def stack_with_mail(
    make_world: Callable[..., World],
    tmp_path: Path,
    smtp_server: SmtpServer,  # noqa: F811 - the fixture imported above
) -> Iterator[Stack]:
    world = make_world()
    made = make_settings(tmp_path, smtp_server.port, "sqlite://").model_dump()
    mail = {k: made[k] for k in ("smtp_host", "smtp_port", "smtp_security", "mail_from", "public_url")}
    with EmbeddedRedis(tmp_path / "redis") as server:
        stack = make_stack(world, server.url, **mail)
        yield stack
        context.use(None)
        stack.jobs.close()


def test_a_test_send_answers_at_once_a_worker_sends_it_and_tests_are_limited_per_hour(
    stack_with_mail: Stack,
    smtp_server: SmtpServer,  # noqa: F811 - the fixture imported above
) -> None:
    stack, world = stack_with_mail, stack_with_mail.world
    ada = {"Authorization": f"Bearer {accounts.issue_token(world.app, world.user_id)}"}
    held = threading.Event()  # closed: the mail server keeps its sender waiting
    smtp_server.box.hold = held
    web = create_app(stack.jobs.settings, world.clock)
    with serve_api(web, free_port()) as base, stack.worker():
        chosen = {"channel": "email", "email": "ada@example.org"}
        # The address's confirmation mail goes through the worker too: the answer does not wait.
        put = httpx.put(f"{base}/api/v1/updates/preferences", headers=ada, json=chosen, timeout=20)
        assert put.status_code == 200 and put.json()["confirmation"] == "waiting", put.text
        assert smtp_server.box.messages == []
        held.set()
        wait_for(lambda: smtp_server.box.messages, 30, "the worker to send the confirmation link")
        token = confirmation_path(smtp_server.box, "ada@example.org").partition("token=")[2]
        assert httpx.post(f"{base}/updates/confirm-email", data={"token": token}).status_code == 200
        smtp_server.box.messages.clear()
        held = threading.Event()  # closed again for the test message
        smtp_server.box.hold = held
        answers: list[httpx.Response] = []
        asker = threading.Thread(
            target=lambda: answers.append(httpx.post(f"{base}/api/v1/updates/test", headers=ada, timeout=90)),
            daemon=True,
        )
        asker.start()
        asker.join(20)  # a bound on waiting: the mail server holds a sender for 60 s
        try:
            assert answers, "the answer waited for the mail server"
            assert answers[0].status_code == 202, answers[0].text
            assert answers[0].json()["result"] == "/api/v1/updates"
            assert smtp_server.box.messages == []
        finally:
            held.set()  # the mail server answers: the worker's send goes through
        wait_for(lambda: smtp_server.box.messages, 30, "the worker to send the test")

        def listed() -> list[dict[str, object]]:
            return list(httpx.get(f"{base}/api/v1/updates", headers=ada).json())

        wait_for(lambda: listed() and listed()[0]["state"] == "delivered", 30, "the outcome")
        assert smtp_server.box.messages[-1]["To"] == "ada@example.org"

        for _ in range(queued_test.PER_HOUR - 1):
            world.clock.now += timedelta(minutes=1)
            assert httpx.post(f"{base}/api/v1/updates/test", headers=ada).status_code == 202
        world.clock.now += timedelta(minutes=1)
        refused = httpx.post(f"{base}/api/v1/updates/test", headers=ada)
        assert refused.status_code == 429, refused.text
        # The first test of the hour was 5 minutes ago: it leaves the window in 55 minutes.
        assert refused.headers["Retry-After"] == str(55 * 60)
        free_at = world.clock.now + timedelta(minutes=55)
        assert f"try again after {free_at:%H:%M:%S} UTC" in refused.json()["detail"]
        world.clock.now += timedelta(minutes=55)
        assert httpx.post(f"{base}/api/v1/updates/test", headers=ada).status_code == 202
    web.state.netgoals.close()
