"""Progress updates end to end against a real SMTP server and a real webhook receiver: what is
sent, how it is signed, that each change is told once, and how failures are retried and shown."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import select

from domain import events as ev
from domain.errors import DomainError
from domain.updates import WaitingBlock
from integrations.storage.schema import events
from service import actions, confirmation, history
from service.settings import Settings
from service.updates import decide, deliver_due, send_test, sent, set_channel, status
from tests.updates.conftest import World


def _meet_the_monthly_goal(world: World) -> None:
    actions.log_action(
        world.app,
        world.user_id,
        "attend-event",
        datetime.fromisoformat("2026-11-24T19:00:00+01:00"),
        title="Climate Tech Meetup",
    )


def _log_events(world: World, *types: str) -> list[dict[str, object]]:
    with world.app.engine.connect() as connection:
        rows = connection.execute(
            select(events.c.type, events.c.data).where(
                events.c.user_id == world.user_id, events.c.type.in_(types)
            )
        )
        return [{"type": t, **json.loads(d)} for t, d in rows]


def test_a_met_goal_is_mailed_once_with_text_and_html(world: World) -> None:
    set_channel(world.app, world.ctx, world.user_id, "email", email="ada@example.org")
    _meet_the_monthly_goal(world)

    assert decide(world.app, world.ctx, world.user_id) == 1
    results = deliver_due(world.app, world.ctx, world.user_id)
    assert [(r.kind, r.delivered) for r in results] == [("goal-met", True)]

    [message] = world.smtp.box.messages
    assert message["Subject"] == "Met this month: Attend one networking event per month"
    assert message["To"] == "ada@example.org"
    assert message["List-Unsubscribe"].startswith("<https://netgoals.test/updates/unsubscribe?token=")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "1 of 1 done." in text and "https://netgoals.test/" in text
    assert "1 of 1 done." in html and "<img" not in html and "http://" not in html

    # Deciding again — a redelivered task, a second worker — tells nothing new.
    assert decide(world.app, world.ctx, world.user_id) == 0
    assert deliver_due(world.app, world.ctx, world.user_id) == []
    assert len(world.smtp.box.messages) == 1
    recorded = _log_events(world, ev.UPDATE_DECIDED, ev.UPDATE_DELIVERED)
    assert [(e["type"], e["kind"], e["channel"]) for e in recorded] == [
        ("update.decided", "goal-met", "email"),
        ("update.delivered", "goal-met", "email"),
    ]
    assert [s["state"] for s in sent(world.app, world.user_id)] == ["delivered"]


def test_a_webhook_is_signed_over_the_raw_body_with_the_secret_shown_once(world: World) -> None:
    change = set_channel(world.app, world.ctx, world.user_id, "webhook", webhook_url=world.hooks.url)
    assert change.webhook_secret is not None and len(change.webhook_secret) >= 40
    _meet_the_monthly_goal(world)
    decide(world.app, world.ctx, world.user_id)
    [result] = deliver_due(world.app, world.ctx, world.user_id)
    assert result.delivered, result.detail

    [request] = world.hooks.received
    expected = "sha256=" + hmac.new(change.webhook_secret.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Netgoals-Signature"] == expected
    body = request.json
    assert request.headers["X-Netgoals-Timestamp"] == str(body["sent_at"])  # the timestamp is signed too
    assert request.headers["X-Netgoals-Delivery"] == body["delivery_id"] == result.delivery_id
    assert body["type"] == "goal-met" and body["subject"].startswith("Met this month")
    # Neither the URL nor the secret is anywhere in the log.
    with world.app.engine.connect() as connection:
        logged = " ".join(d for (d,) in connection.execute(select(events.c.data)))
    assert world.hooks.url not in logged and change.webhook_secret not in logged


def test_a_slack_body_is_text_slack_understands(world: World) -> None:
    set_channel(
        world.app, world.ctx, world.user_id, "webhook", webhook_url=world.hooks.url, webhook_format="slack"
    )
    _meet_the_monthly_goal(world)
    decide(world.app, world.ctx, world.user_id)
    deliver_due(world.app, world.ctx, world.user_id)
    body = world.hooks.received[0].json
    assert set(body) == {"text"}
    assert body["text"].startswith("*Met this month: Attend one networking event per month*\n")


def test_a_failing_webhook_is_retried_with_backoff_then_shown_as_failing(world: World) -> None:
    set_channel(world.app, world.ctx, world.user_id, "webhook", webhook_url=world.hooks.url)
    world.hooks.statuses = [500, 503]
    _meet_the_monthly_goal(world)
    decide(world.app, world.ctx, world.user_id)

    [first] = deliver_due(world.app, world.ctx, world.user_id)
    assert not first.delivered and first.detail == "the webhook answered 500"
    assert deliver_due(world.app, world.ctx, world.user_id) == []  # not due again before its backoff
    assert status(world.app, world.user_id).failing == {"webhook": "the webhook answered 500"}
    world.clock.now = world.clock.now.replace(minute=world.clock.now.minute + 2)
    [second] = deliver_due(world.app, world.ctx, world.user_id)
    assert second.detail == "the webhook answered 503"
    world.clock.now = world.clock.now.replace(hour=world.clock.now.hour + 1)
    [third] = deliver_due(world.app, world.ctx, world.user_id)
    assert third.delivered
    assert status(world.app, world.user_id).failing == {}
    assert len(world.hooks.received) == 3
    assert len({r.headers["X-Netgoals-Delivery"] for r in world.hooks.received}) == 1  # the same delivery


def test_retries_end_after_the_retry_window_with_a_failed_record(world: World) -> None:
    set_channel(world.app, world.ctx, world.user_id, "webhook", webhook_url=world.hooks.url)
    world.hooks.statuses = [500] * 100
    _meet_the_monthly_goal(world)
    decide(world.app, world.ctx, world.user_id)
    deliver_due(world.app, world.ctx, world.user_id)
    world.clock.set("2026-11-26T11:00:00+00:00")  # past the 24-hour retry window
    [last] = deliver_due(world.app, world.ctx, world.user_id)
    assert not last.delivered
    assert [s["state"] for s in sent(world.app, world.user_id)] == ["failed"]
    assert [e["type"] for e in _log_events(world, ev.UPDATE_FAILED)] == ["update.failed"]
    assert deliver_due(world.app, world.ctx, world.user_id) == []  # no retry storm


def test_a_redirect_is_not_followed(world: World) -> None:
    set_channel(world.app, world.ctx, world.user_id, "webhook", webhook_url=world.hooks.url)
    world.hooks.statuses = [302]
    result = send_test(world.app, world.ctx, world.user_id)
    assert not result.delivered and "redirect" in result.detail
    assert len(world.hooks.received) == 1


def test_private_webhook_addresses_are_refused_unless_allowed(world: World) -> None:
    strict = type(world.ctx)(
        Settings(**{**world.ctx.settings.model_dump(), **{"allow_private_targets": False}}),
        world.ctx.vault,
        world.ctx.link_key,
    )
    for url in (world.hooks.url, "http://10.0.0.8/hook", "http://169.254.169.254/x", "http://[::1]:9/x"):
        with pytest.raises(DomainError, match="private or local address"):
            set_channel(world.app, strict, world.user_id, "webhook", webhook_url=url)
    assert world.app.profile(world.user_id).updates.channel == "none"  # nothing changed


def test_send_me_a_test_says_what_happened(world: World) -> None:
    set_channel(world.app, world.ctx, world.user_id, "email", email="ada@example.org")
    ok = send_test(world.app, world.ctx, world.user_id)
    assert ok.delivered and ok.detail == "delivered"
    assert world.smtp.box.messages[-1]["Subject"] == "netgoals test message"

    world.smtp.box.refuse.add("ada@example.org")
    refused = send_test(world.app, world.ctx, world.user_id)
    assert not refused.delivered
    assert refused.detail == "the mail server refused ada@example.org: 550 5.1.1 no such mailbox here"


def test_email_needs_an_smtp_server_and_a_real_address(world: World) -> None:
    with pytest.raises(DomainError, match="is not an email address"):
        set_channel(world.app, world.ctx, world.user_id, "email", email="ada at example")
    no_smtp = type(world.ctx)(
        Settings(**{**world.ctx.settings.model_dump(), **{"smtp_host": None}}),
        world.ctx.vault,
        world.ctx.link_key,
    )
    with pytest.raises(DomainError, match="NETGOALS_SMTP_HOST"):
        set_channel(world.app, no_smtp, world.user_id, "email", email="ada@example.org")
    assert world.app.profile(world.user_id).updates.channel == "none"


def test_an_unreachable_mail_server_is_retried_not_crashed(world: World) -> None:
    set_channel(world.app, world.ctx, world.user_id, "email", email="ada@example.org")
    _meet_the_monthly_goal(world)
    decide(world.app, world.ctx, world.user_id)
    world.smtp.stop()
    [result] = deliver_due(world.app, world.ctx, world.user_id)
    assert not result.delivered and result.detail.startswith("cannot reach the mail server 127.0.0.1:")
    assert [s["state"] for s in sent(world.app, world.user_id)] == ["pending"]
    assert status(world.app, world.user_id).failing["email"].startswith("cannot reach the mail server")


def test_concurrent_deciders_and_senders_tell_each_change_once(world: World) -> None:
    """Two workers decide the same change at the same moment, then two senders race for it: one
    delivery row, one message."""
    set_channel(world.app, world.ctx, world.user_id, "email", email="ada@example.org")
    _meet_the_monthly_goal(world)
    barrier = threading.Barrier(4)

    def decide_at_once() -> int:
        barrier.wait()
        return decide(world.app, world.ctx, world.user_id)

    with ThreadPoolExecutor(4) as pool:
        added = list(pool.map(lambda _: decide_at_once(), range(4)))
    assert sorted(added) == [0, 0, 0, 1]

    def send_at_once() -> int:
        barrier.wait()
        return len(deliver_due(world.app, world.ctx, world.user_id))

    with ThreadPoolExecutor(4) as pool:
        sent_counts = list(pool.map(lambda _: send_at_once(), range(4)))
    assert sorted(sent_counts) == [0, 0, 0, 1]
    assert len(world.smtp.box.messages) == 1


def test_the_history_names_every_update_event(world: World) -> None:
    """Issue 22, item 6: updates set, decided, delivered and failed (and the cut-over to the
    confirmation rule) showed as a bare "Change" in the history."""
    set_channel(world.app, world.ctx, world.user_id, "webhook", webhook_url=world.hooks.url)
    _meet_the_monthly_goal(world)
    decide(world.app, world.ctx, world.user_id)
    deliver_due(world.app, world.ctx, world.user_id)
    confirmation.sweep(world.app, world.user_id, planning=True)  # what a first Google sync records
    shown = {e.type: e for e in history.entries(world.app, world.user_id, limit=50).entries}
    assert {
        ev.USER_UPDATES_SET,
        ev.UPDATE_DECIDED,
        ev.UPDATE_DELIVERED,
        ev.CONFIRMATION_ADOPTED,
    } <= set(shown)
    assert [e.label for e in shown.values() if e.label == "Change"] == []
    assert shown[ev.USER_UPDATES_SET].what == "by webhook"
    subject = "Met this month: Attend one networking event per month"
    assert shown[ev.UPDATE_DECIDED].what == f"{subject} (webhook)"
    assert shown[ev.UPDATE_DELIVERED].what == "Goal met: delivered (webhook)"
    assert "confirm" in shown[ev.CONFIRMATION_ADOPTED].what
    filtered = history.entries(world.app, world.user_id, kind="updates", limit=50).entries
    assert {e.type for e in filtered} == {ev.USER_UPDATES_SET, ev.UPDATE_DECIDED, ev.UPDATE_DELIVERED}


def test_blocks_waiting_together_are_asked_about_in_one_message_once(world: World) -> None:
    """Issue 22, item 8: three passed blocks gave three "Did it happen?" emails at once."""
    set_channel(world.app, world.ctx, world.user_id, "email", email="ada@example.org")
    ended = datetime.fromisoformat("2026-11-23T20:00:00+01:00")
    waiting = [
        WaitingBlock(str(uuid4()), f"Networking block {n}", ended + timedelta(hours=n)) for n in range(3)
    ]
    decide(world.app, world.ctx, world.user_id, waiting)
    assert decide(world.app, world.ctx, world.user_id, waiting) == 0  # a second decider adds nothing
    sent_now = [s for s in deliver_due(world.app, world.ctx, world.user_id) if s.kind == "confirm-waiting"]
    assert [s.delivered for s in sent_now] == [True]

    def asked() -> list[Any]:
        return [m for m in world.smtp.box.messages if m["Subject"].startswith("Did it happen?")]

    [message] = asked()
    assert message["Subject"] == "Did it happen? 3 planned blocks"
    text = message.get_body(("plain",)).get_content()
    for n in range(3):
        assert f"Networking block {n}" in text
    assert text.count("It happened: https://netgoals.test/confirm/") == 3
    assert text.count("It didn't happen: https://netgoals.test/confirm/") == 3
    listed = [s["subject"] for s in sent(world.app, world.user_id) if s["kind"] == "confirm-waiting"]
    assert listed == ["Did it happen? 3 planned blocks"]
    # A block that passes later is asked about on its own; the three are not asked about again.
    later = WaitingBlock(str(uuid4()), "Networking block 3", ended + timedelta(hours=30))
    world.clock.now = later.ended_at + timedelta(days=1)
    decide(world.app, world.ctx, world.user_id, [*waiting, later])
    deliver_due(world.app, world.ctx, world.user_id)
    assert [m["Subject"] for m in asked()][1:] == ["Did it happen? Networking block 3"]
