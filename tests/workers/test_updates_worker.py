"""The workers tell people by themselves: a real Celery worker runs the updates task against a real
Redis (embedded), a real SMTP server and the Google fake. A planned block that has waited a day for
an answer is mailed once, with the signed one-click answers; a met goal is mailed once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest

from domain.progress_updates.digest import build_digest
from domain.tracking.periods import Frame, period_of
from integrations.queue.celery_app import BULK_QUEUE, QUEUE, URGENT_QUEUE
from integrations.queue.embedded import EmbeddedRedis
from integrations.storage import update_store
from integrations.storage.database import write_transaction
from service.operations import background
from service.operations.jobs import task_names
from service.tracking import actions, confirmation
from service.updates import Updates
from service.updates.decide import digest_payload
from service.updates.deliver import row_for_test
from tests.google.conftest import NOW, World
from tests.updates.conftest import choose_email
from tests.updates.receivers import SmtpServer
from tests.workers.conftest import Stack, make_stack, wait_for
from worker import context


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def stack(world: World, embedded_redis: EmbeddedRedis, smtp_server: SmtpServer) -> Iterator[Stack]:
    made = make_stack(
        world,
        embedded_redis.url,
        smtp_host="127.0.0.1",
        smtp_port=smtp_server.port,
        smtp_security="none",
        public_url="https://netgoals.test",
    )
    yield made
    context.use(None)
    made.jobs.close()


def test_the_worker_mails_a_waiting_block_with_its_answers_and_a_met_goal_once(
    stack: Stack, smtp_server: SmtpServer
) -> None:
    world, jobs = stack.world, stack.jobs
    world.goal("monthly-event")
    world.connect()
    world.sync()  # plans the month's block into free time
    choose_email(world.app, Updates.open(jobs.settings), smtp_server.box, world.user_id, "ada@example.org")
    block = min(confirmation.ledger(world.app, world.user_id).blocks.values(), key=lambda b: b.end)
    world.clock.now = block.end + timedelta(days=1, minutes=1)  # it has waited a day for an answer
    # Blocks that have waited a day or more for an answer are worth a reminder.
    waiting = [
        w
        for w in confirmation.waiting(world.app, world.user_id)
        if w.end <= world.clock.now - timedelta(days=1)
    ]
    assert [w.action_id for w in waiting] == [block.action_id]

    with stack.worker():
        stack.celery.send_task(task_names().updates)
        wait_for(lambda: len(smtp_server.box.messages) >= len(waiting), what="the reminders")
        [message] = smtp_server.box.messages
        text = message.get_body(("plain",)).get_content()
        assert message["Subject"] == f"Did it happen? {block.title}"
        done = re.search(r"It happened: (https://netgoals\.test/confirm/\S+)", text)
        skip = re.search(r"It didn't happen: (https://netgoals\.test/confirm/\S+)", text)
        assert done and skip and done.group(1) != skip.group(1)

        # The person logs the meetup the block was for: the goal is met, and told once.
        actions.log_action(world.app, world.user_id, "attend-event", world.clock.now - timedelta(hours=1))
        stack.celery.send_task(task_names().updates)
        stack.celery.send_task(task_names().updates)  # a second run (or a redelivery) adds nothing
        wait_for(lambda: len(smtp_server.box.messages) >= len(waiting) + 1, what="the met goal")
        stack.celery.send_task(task_names().updates)
        wait_for(lambda: _deliveries_settled(stack), what="the runs to finish")
    subjects = [m["Subject"] for m in smtp_server.box.messages]
    assert subjects.count(f"Did it happen? {block.title}") == 1
    assert sum(1 for s in subjects if s.startswith("Met this month")) == 1, subjects
    assert world.clock.now > NOW


def _deliveries_settled(stack: Stack) -> bool:
    from service.updates import sent

    found = sent(stack.world.app, stack.world.user_id)
    return len(found) >= 2 and all(d["state"] == "delivered" for d in found)


def test_a_digest_goes_on_the_bulk_queue_the_rest_on_the_urgent_one_each_handed_out_once(
    stack: Stack, smtp_server: SmtpServer
) -> None:
    """The tick hands a digest to `netgoals.bulk` and a goal-met to `netgoals.urgent`, 25 a task;
    a second tick while they wait hands nothing out again; a worker sends each once."""
    world, jobs = stack.world, stack.jobs
    choose_email(world.app, Updates.open(jobs.settings), smtp_server.box, world.user_id, "ada@example.org")
    now = world.clock.now.timestamp()
    rows = []
    week = period_of(world.clock.now.date() - timedelta(days=7), Frame.WEEK)
    digest = digest_payload(build_digest(week, [], [], [], [], []))
    for kind in ("digest", "goal-met", "goal-met"):
        row = row_for_test(world.user_id, "email", now)
        payload = digest if kind == "digest" else {**row["payload"], "kind": kind}
        rows.append({**row, "kind": kind, "payload": payload})
    with write_transaction(world.app.engine) as connection:
        update_store.insert_new(connection, rows)
    assert background.dispatch_deliveries(jobs) == 3
    assert background.dispatch_deliveries(jobs) == 0  # waiting in the queues: not handed out twice
    assert (jobs.redis.llen(BULK_QUEUE), jobs.redis.llen(URGENT_QUEUE), jobs.redis.llen(QUEUE)) == (1, 1, 0)

    with stack.worker():
        wait_for(lambda: len(smtp_server.box.messages) >= 3, what="the three mails")
        wait_for(lambda: jobs.redis.llen(BULK_QUEUE) + jobs.redis.llen(URGENT_QUEUE) == 0, what="the queues")
    sent_ids = sorted(m["X-Netgoals-Delivery"] for m in smtp_server.box.messages)
    assert sent_ids == sorted(r["delivery_id"] for r in rows)
