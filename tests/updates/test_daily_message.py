"""The daily message (issue 28), end to end on both engines: a real calendar source gives a meeting
tomorrow with someone known, a real webhook receiver gets one message at the chosen time in the
person's zone with the brief and the next steps — once a day, none before the time, none when off;
a bad time changes nothing; Slack bodies carry the same words."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from domain.decisions import ContactSpec
from service import ical
from service.commands import DomainError
from service.people import contacts
from service.tracking import actions
from service.updates import decide, deliver_due, set_channel
from service.updates.daily import set_daily
from tests.ical.calendar_server import Route, calendar_server
from tests.ical.ics import vcalendar, vevent
from tests.updates.conftest import World, make_settings

# World: Ada in Berlin; Wednesday 25 November 2026.
SYNC = vevent(
    "s1@x",
    "20261126T090000Z",
    "20261126T100000Z",
    "Project sync",
    me="ada@example.org",
    extra="ATTENDEE;PARTSTAT=ACCEPTED;CN=Cy Moss:mailto:cy@moss.org",
)


def _daily(world: World) -> list[dict[str, object]]:
    bodies = [json.loads(r.body) for r in world.hooks.received]
    return [b for b in bodies if b["type"] == "daily"]


def _setup(world: World, tmp_path: Path) -> None:
    app, user = world.app, world.user_id
    world.clock.set("2026-11-25T05:00:00+00:00")  # 06:00 in Berlin
    contacts.add_contact(
        app, user, ContactSpec(name="Cy Moss", emails=("cy@moss.org",), how_met="met at PyCon")
    )
    ben = contacts.add_contact(app, user, ContactSpec(name="Ben Okafor"))
    actions.log_action(app, user, "attend-event", world.clock.now - timedelta(days=1), contact_ids=(ben,))
    settings = make_settings(
        tmp_path, world.smtp.port, str(app.engine.url.render_as_string(hide_password=False)),
        allow_private_sources=True,
    )  # fmt: skip
    with calendar_server() as server:
        server.routes["/cal.ics"] = Route(vcalendar(SYNC))
        source = ical.add_source(app, settings, user, server.url("/cal.ics"))
        assert ical.sync_source(app, settings, source.source_id).status == "ok"


def test_one_daily_message_at_the_chosen_time(world: World, tmp_path: Path) -> None:
    app, ctx, user = world.app, world.ctx, world.user_id
    _setup(world, tmp_path)
    set_channel(app, ctx, user, "webhook", webhook_url=world.hooks.url, immediate=False, digest=False)
    assert set_daily(app, user, "7:30") == "07:30"

    assert decide(app, ctx, user) == 0  # 06:00 in Berlin: not yet
    world.clock.set("2026-11-25T06:31:00+00:00")  # 07:31 in Berlin
    assert decide(app, ctx, user) == 1
    assert decide(app, ctx, user) == 0  # once a day
    deliver_due(app, ctx, user)
    [message] = _daily(world)
    assert message["subject"] == "Today: 1 meeting to prepare, 1 next step"
    assert [b["title"] for b in message["briefs"]] == ["Project sync"]  # type: ignore[index]
    assert [i["kind"] for i in message["items"]] == ["follow-up-new"]  # type: ignore[index]
    text = str(message["text"])
    assert "BEFORE YOUR MEETINGS\n“Project sync” tomorrow at 10:00" in text
    assert "Cy Moss — met at PyCon." in text and "NEXT STEPS\n1. You first met Ben Okafor yesterday" in text

    world.clock.set("2026-11-25T20:00:00+00:00")
    assert decide(app, ctx, user) == 0
    world.clock.set("2026-11-26T06:31:00+00:00")  # the next morning: a new day, a new message
    assert decide(app, ctx, user) == 1

    before = app.store.head_position()
    with pytest.raises(DomainError, match="use HH:MM"):
        set_daily(app, user, "25:00")
    assert app.store.head_position() == before
    assert set_daily(app, user, "off") is None
    world.clock.set("2026-11-27T06:31:00+00:00")
    assert decide(app, ctx, user) == 0


def test_the_daily_message_over_slack_reads_as_words(world: World, tmp_path: Path) -> None:
    app, ctx, user = world.app, world.ctx, world.user_id
    _setup(world, tmp_path)
    set_channel(
        app, ctx, user, "webhook", webhook_url=world.hooks.url, webhook_format="slack", immediate=False,
        digest=False,
    )  # fmt: skip
    set_daily(app, user, "06:00")
    assert decide(app, ctx, user) == 1
    deliver_due(app, ctx, user)
    [request] = world.hooks.received
    body = json.loads(request.body)
    assert body["text"].startswith("*Today: 1 meeting to prepare, 1 next step*")
    assert "“Project sync” tomorrow at 10:00" in body["text"]


def test_the_weekly_digest_has_this_week(world: World, tmp_path: Path) -> None:
    app, ctx, user = world.app, world.ctx, world.user_id
    _setup(world, tmp_path)
    set_channel(
        app, ctx, user, "webhook", webhook_url=world.hooks.url, webhook_format="slack", immediate=False,
    )  # fmt: skip
    world.clock.set("2026-11-30T07:30:00+00:00")  # Monday 08:30 in Berlin: the digest is due
    assert decide(app, ctx, user) == 1
    deliver_due(app, ctx, user)
    [request] = world.hooks.received
    text = json.loads(request.body)["text"]
    assert "THIS WEEK: what to do next, and why\n- You first met Ben Okafor 6 days ago" in text
    assert text.index("THIS WEEK") < text.index("NEXT WEEK")


def test_the_daily_message_comes_from_the_tick_on_a_day_nothing_changed(world: World, tmp_path: Path) -> None:
    # Issue 28 x issue 26: the tick decides only for marked or due people; a chosen daily time makes
    # its person due then, so a quiet day still brings the morning message — once.
    from service.updates.marked import claim_marked, decide_marked

    app, ctx, user = world.app, world.ctx, world.user_id
    _setup(world, tmp_path)
    set_channel(app, ctx, user, "webhook", webhook_url=world.hooks.url, immediate=False, digest=False)
    set_daily(app, user, "07:30")
    assert decide_marked(app, ctx, claim_marked(app, 60, 1000), budget_seconds=60).deliveries == 0  # 06:00
    world.clock.set("2026-11-25T06:20:00+00:00")  # 07:20 in Berlin: nobody due yet
    assert claim_marked(app, 60, 1000) == []
    world.clock.set("2026-11-25T06:30:00+00:00")  # 07:30: due by the clock alone
    assert decide_marked(app, ctx, claim_marked(app, 60, 1000), budget_seconds=60).deliveries == 1
    deliver_due(app, ctx, user)
    assert len(_daily(world)) == 1
    world.clock.set("2026-11-25T12:00:00+00:00")
    assert claim_marked(app, 60, 1000) == []  # sent: not due again until tomorrow's 07:30
