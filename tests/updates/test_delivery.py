"""Progress updates end to end against a real SMTP server and a real webhook receiver: what is
sent, how it is signed, that each change is told once, and how failures are retried and shown."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import select

from domain import decisions
from domain.errors import DomainError
from domain.event_types import events as ev
from domain.progress_updates.updates import CONFIRM_EMAIL, UpdatePreferences, WaitingBlock
from integrations.storage import update_store
from integrations.storage.database import write_transaction
from integrations.storage.schema import events
from integrations.storage.update_store import DELIVERED, FAILED
from service.operations import archive
from service.read_models import history
from service.settings import Settings
from service.tracking import actions, confirmation
from service.updates import (
    Updates,
    confirm_address,
    decide,
    deliver_due,
    send_test,
    sent,
    set_channel,
    status,
)
from tests.updates.conftest import World, choose_email, confirmation_path


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
    choose_email(world.app, world.ctx, world.smtp.box, world.user_id, "ada@example.org")
    _meet_the_monthly_goal(world)

    assert decide(world.app, world.ctx, world.user_id) == 1
    results = deliver_due(world.app, world.ctx, world.user_id)
    assert [(r.kind, r.delivered) for r in results] == [("goal-met", True)]

    [message] = world.smtp.box.messages
    assert message["Subject"] == "Met this month: Attend one networking event per month"
    assert message["To"] == "ada@example.org"
    assert message["List-Unsubscribe"].startswith("<https://netgoals.test/updates/unsubscribe?token=")
    # As sent: one plain line a mail client reads as a link (no RFC 2047 encoded words), and
    # RFC 8058's one-click marker.
    [raw] = world.smtp.box.raw
    header = re.search(rb"^List-Unsubscribe: (.*?)\r?\n(?![ \t])", raw, re.MULTILINE | re.DOTALL)
    assert header is not None and re.fullmatch(
        rb"<https://netgoals\.test/updates/unsubscribe\?token=[\w.-]+>", header[1]
    )
    assert b"\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in raw
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "1 of 1 done." in text and "https://netgoals.test/" in text
    assert "1 of 1 done." in html and "<img" not in html and "http://" not in html

    # Deciding again — a redelivered task, a second worker — tells nothing new.
    assert decide(world.app, world.ctx, world.user_id) == 0
    assert deliver_due(world.app, world.ctx, world.user_id) == []
    assert len(world.smtp.box.messages) == 1
    recorded = _log_events(world, ev.UPDATE_DECIDED, ev.UPDATE_DELIVERED)
    assert [(e["type"], e["kind"], e["channel"]) for e in recorded if e["kind"] != CONFIRM_EMAIL] == [
        ("update.decided", "goal-met", "email"),
        ("update.delivered", "goal-met", "email"),
    ]
    assert sorted((s["kind"], s["state"]) for s in sent(world.app, world.user_id)) == [
        (CONFIRM_EMAIL, "delivered"),
        ("goal-met", "delivered"),
    ]


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
    strict = _strict(world)
    for url in (world.hooks.url, "http://10.0.0.8/hook", "http://169.254.169.254/x", "http://[::1]:9/x"):
        with pytest.raises(DomainError, match="the address is private"):
            set_channel(world.app, strict, world.user_id, "webhook", webhook_url=url)
    assert world.app.profile(world.user_id).updates.channel == "none"  # nothing changed


def _strict(world: World) -> Updates:
    return type(world.ctx)(
        Settings(**{**world.ctx.settings.model_dump(), **{"allow_private_targets": False}}),
        world.ctx.vault,
        world.ctx.link_key,
    )


def test_a_name_that_resolves_to_a_private_address_at_send_time_is_not_posted_to(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # hooks.test answers a public address while the webhook is configured, then the receiver's
    # loopback address: the send-time check must refuse it (the configure-time check alone
    # would post to loopback).
    real = socket.getaddrinfo
    answers = iter(["93.184.216.34"])

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "hooks.test":
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers, "127.0.0.1"), int(port)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    strict = _strict(world)
    url = world.hooks.url.replace("127.0.0.1", "hooks.test")
    set_channel(world.app, strict, world.user_id, "webhook", webhook_url=url)
    result = send_test(world.app, strict, world.user_id)
    assert not result.delivered
    assert result.detail.startswith("refused: 'hooks.test': the address is private"), result.detail
    assert "127.0.0.1" not in result.detail
    assert world.hooks.received == []


def test_send_me_a_test_says_what_happened(world: World) -> None:
    choose_email(world.app, world.ctx, world.smtp.box, world.user_id, "ada@example.org")
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
    choose_email(world.app, world.ctx, world.smtp.box, world.user_id, "ada@example.org")
    _meet_the_monthly_goal(world)
    decide(world.app, world.ctx, world.user_id)
    world.smtp.stop()
    [result] = deliver_due(world.app, world.ctx, world.user_id)
    assert not result.delivered and result.detail.startswith("cannot reach the mail server 127.0.0.1:")
    assert [s["state"] for s in sent(world.app, world.user_id) if s["kind"] != CONFIRM_EMAIL] == ["pending"]
    assert status(world.app, world.user_id).failing["email"].startswith("cannot reach the mail server")


def test_concurrent_deciders_and_senders_tell_each_change_once(world: World) -> None:
    """Two workers decide the same change at the same moment, then two senders race for it: one
    delivery row, one message."""
    choose_email(world.app, world.ctx, world.smtp.box, world.user_id, "ada@example.org")
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
    choose_email(world.app, world.ctx, world.smtp.box, world.user_id, "ada@example.org")
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


def test_a_sender_whose_lease_was_taken_over_records_nothing(world: World) -> None:
    """The finish is compare-and-set on the lease the sender holds, not only on the delivery id:
    a sender that hung past its lease and the one that took the row over never both record."""
    choose_email(world.app, world.ctx, world.smtp.box, world.user_id, "ada@example.org")
    _meet_the_monthly_goal(world)
    assert decide(world.app, world.ctx, world.user_id) == 1
    now = world.app.now().timestamp()
    with write_transaction(world.app.engine) as connection:
        [due] = update_store.due_ids(connection, now, user_id=world.user_id)
        stale = update_store.claim_one(connection, due, now, 30)
    with write_transaction(world.app.engine) as connection:
        assert update_store.due_ids(connection, now + 29, user_id=world.user_id) == []  # held
        taken_over = update_store.claim_one(connection, due, now + 31, 30)  # the lease ran out
    assert stale is not None and taken_over is not None
    assert (stale.delivery_id, stale.attempts + 1) == (taken_over.delivery_id, taken_over.attempts)

    with write_transaction(world.app.engine) as connection:  # the successor is still sending
        assert not update_store.finish(connection, stale, FAILED, "hung sender gave up", now + 40)
        assert not update_store.retry_later(connection, stale, now + 100, "hung sender retries")
    with write_transaction(world.app.engine) as connection:
        assert update_store.finish(connection, taken_over, DELIVERED, "delivered", now + 41)
    with write_transaction(world.app.engine) as connection:  # and after it finished
        assert not update_store.finish(connection, stale, FAILED, "hung sender gave up", now + 42)
        assert not update_store.retry_later(connection, stale, now + 100, "hung sender retries")
        [row] = [r for r in update_store.deliveries_of(connection, world.user_id) if r.kind != CONFIRM_EMAIL]
    assert (row.state, row.detail, row.finished_at, row.attempts) == (DELIVERED, "delivered", now + 41, 2)


def test_an_address_chosen_before_the_rule_gets_one_link_and_nothing_else(world: World) -> None:
    """An address in the log from before confirmation existed (no link was ever sent): the worker's
    decide step queues its one confirmation mail, and decides no update for it."""
    chosen = UpdatePreferences("email", "old@example.org")
    world.app.decide_profile(world.user_id, lambda p: decisions.set_updates(p, chosen, world.app.now()))
    _meet_the_monthly_goal(world)
    assert decide(world.app, world.ctx, world.user_id) == 1  # the confirmation, not the goal
    assert decide(world.app, world.ctx, world.user_id) == 0
    assert [(r.kind, r.delivered) for r in deliver_due(world.app, world.ctx, world.user_id)] == [
        (CONFIRM_EMAIL, True)
    ]
    world.clock.now += timedelta(days=30)  # the link expired unused: the worker does not send another
    assert decide(world.app, world.ctx, world.user_id) == 0
    assert [m["Subject"] for m in world.smtp.box.messages] == ["Confirm your address for netgoals updates"]

    world.clock.now -= timedelta(days=30)
    confirm_address(
        world.app, world.ctx, confirmation_path(world.smtp.box, "old@example.org").partition("token=")[2]
    )
    assert decide(world.app, world.ctx, world.user_id) == 1
    assert [(r.kind, r.delivered) for r in deliver_due(world.app, world.ctx, world.user_id)] == [
        ("goal-met", True)
    ]


def test_a_pending_update_is_not_sent_once_the_address_changed_to_an_unconfirmed_one(world: World) -> None:
    choose_email(world.app, world.ctx, world.smtp.box, world.user_id, "ada@example.org")
    _meet_the_monthly_goal(world)
    assert decide(world.app, world.ctx, world.user_id) == 1
    set_channel(world.app, world.ctx, world.user_id, "email", email="someone-else@example.org")
    deliver_due(world.app, world.ctx, world.user_id)
    [update] = [s for s in sent(world.app, world.user_id) if s["kind"] == "goal-met"]
    assert update["state"] == "failed" and update["detail"].startswith(
        "waiting for confirmation of the address"
    )
    assert [m["To"] for m in world.smtp.box.messages] == ["someone-else@example.org"]  # only its link


def test_every_reader_of_the_log_takes_the_confirmation(world: World) -> None:
    """The export carries it, a rebuild folds it, the history names it — and a person's import
    cannot forge one: only the link proves an address."""
    choose_email(world.app, world.ctx, world.smtp.box, world.user_id, "ada@example.org")
    exported = [json.loads(line) for line in archive.export_lines(world.app, world.user_id)]
    [line] = [e for e in exported if e["type"] == ev.USER_UPDATES_EMAIL_CONFIRMED]
    assert line["data"]["email"] == "ada@example.org"
    world.app.projection.rebuild()
    assert world.app.profile(world.user_id).email_confirmed("Ada@Example.org")
    page = history.entries(world.app, world.user_id, kind="account")
    [entry] = [e for e in page.entries if e.label == "Update address confirmed"]
    assert "ada@example.org" in entry.what

    forged = {**line, "event_id": str(uuid4()), "version": line["version"] + 1,
              "data": {"email": "victim@example.org", "at": line["data"]["at"]}}  # fmt: skip
    head = world.app.store.head_position()
    with pytest.raises(DomainError, match=r"^line 1: user\.updates-email-confirmed cannot be imported"):
        archive.import_lines(world.app, [json.dumps(forged)], owner=world.user_id)
    assert world.app.store.head_position() == head
