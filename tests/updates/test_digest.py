"""The weekly digest for a known week: goals with bars and streaks, what counted and from where,
overdue contacts — sent on the first morning of the person's week in their zone, once."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from domain import decisions
from domain.decisions import ContactSpec, GoalSpec
from domain.event_types import events as ev
from domain.event_types.events import Event
from integrations.storage import calendar_store
from integrations.storage.database import write_transaction
from service.access import users
from service.app import App
from service.google.blocks import outbox_row
from service.people import contacts
from service.tracking import actions, confirmation, goals
from service.updates import decide, deliver_due
from tests.conftest import REQUIRE_SERVICES
from tests.updates.conftest import World, choose_email

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _google_action(app: App, user_id: str, at: str, title: str) -> None:
    now = app.now()
    event = decisions.log_action(
        app.profile(user_id),
        f"google-{at}",
        "attend-event",
        datetime.fromisoformat(at),
        now,
        title=title,
        source="google",
    )
    app.append_actions(user_id, [event])


def _plan_block(app: App, user_id: str, start: str, title: str) -> None:
    """A block the Google planner would have put in the outbox (the digest reads the outbox)."""
    begin = datetime.fromisoformat(start)
    row = outbox_row(
        user_id, str(uuid4()), None, "attend-event", title, "", begin, begin + timedelta(hours=2), None
    )
    with write_transaction(app.engine) as connection:
        calendar_store.add_outbox(connection, [row])


def test_the_digest_of_a_known_week(world: World) -> None:
    app, user = world.app, world.user_id
    world.clock.set("2026-11-20T10:00:00+00:00")
    goals.set_goal(app, user, GoalSpec(template="weekly-outreach", start=datetime(2026, 11, 16).date()))
    contacts.add_contact(app, user, ContactSpec(name="Grace Hopper", cadence_days=7))
    lin = contacts.add_contact(app, user, ContactSpec(name="Lin Wei"))
    world.clock.set("2026-11-29T20:00:00+00:00")  # Sunday evening
    actions.log_action(
        app,
        user,
        "reach-out",
        datetime.fromisoformat("2026-11-24T09:30:00+01:00"),
        contact_ids=(lin,),
        title="Wrote to Lin",
    )
    _google_action(app, user, "2026-11-26T18:00:00+01:00", "Python meetup")
    actions.log_action(
        app,
        user,
        "attend-event",
        datetime.fromisoformat("2026-11-22T19:00:00+01:00"),
        title="Last week's mixer",
    )
    _plan_block(app, user, "2026-12-02T18:30:00+01:00", "Networking event")
    _plan_block(app, user, "2026-12-09T18:30:00+01:00", "Too far ahead for this digest")
    choose_email(app, world.ctx, world.smtp.box, user, "ada@example.org", immediate=False)

    world.clock.set("2026-11-30T06:59:00+00:00")  # Monday 07:59 in Berlin: not yet
    assert decide(app, world.ctx, user) == 0
    world.clock.set("2026-11-30T07:00:00+00:00")  # Monday 08:00 in Berlin
    assert decide(app, world.ctx, user) == 1
    assert decide(app, world.ctx, user) == 0  # once a week
    [sent] = deliver_due(app, world.ctx, user)
    assert sent.kind == "digest" and sent.delivered

    [message] = world.smtp.box.messages
    assert message["Subject"] == "Your networking week: 23 Nov – 29 Nov 2026"
    text = message.get_body(("plain",)).get_content()
    # Month to date at the week's end: the mixer on Sunday 22nd and the meetup on the 26th.
    assert "■  Attend one networking event per month: 2 of 1, met, streak 1" in text
    assert "■  Reach out to one new contact per week: 1 of 1, met, streak 1" in text
    assert "- Tue 24 Nov, 09:30  Wrote to Lin (logged by you)" in text
    assert "- Thu 26 Nov, 18:00  Python meetup (Google Calendar)" in text
    assert "mixer" not in text  # Sunday 22nd belongs to the week before
    assert "- Grace Hopper, 2 days overdue" in text  # added 20 Nov 10:00, every 7 days: 9 whole days
    assert "Lin Wei" not in text.split("FOLLOW UP")[1]  # no cadence: never overdue
    assert "- Wed 02 Dec, 18:30  Networking event" in text
    assert "Too far ahead" not in text
    html = message.get_body(("html",)).get_content()
    assert "Python meetup" in html and "Google Calendar" in html and "<img" not in html
    assert 'name="viewport"' in html  # readable in a phone's mail app


def test_digests_follow_each_persons_zone(world: World) -> None:
    app = world.app
    la = users.register(app, "lin@example.org", "America/Los_Angeles").user_id
    tokyo = users.register(app, "kenji@example.org", "Asia/Tokyo").user_id
    for person in (la, tokyo):
        choose_email(app, world.ctx, world.smtp.box, person, "x@example.org", immediate=False)
    sunday_utc = datetime.fromisoformat("2026-11-29T23:30:00+00:00")  # Monday 08:30 in Tokyo
    world.clock.now = sunday_utc
    assert (decide(app, world.ctx, la), decide(app, world.ctx, tokyo)) == (0, 1)
    world.clock.now = sunday_utc + timedelta(hours=16, minutes=30)  # Monday 08:00 in Los Angeles
    assert (decide(app, world.ctx, la), decide(app, world.ctx, tokyo)) == (1, 0)


def test_the_digest_reads_on_a_phone(world: World, tmp_path: Path) -> None:
    """The digest's HTML in real Chromium at phone width: nothing wider than the screen, nothing
    fetched from anywhere. The screenshot goes to test-output/digest-phone.png for a look."""
    if not CHROMIUM.exists():
        if REQUIRE_SERVICES:
            pytest.fail("NETGOALS_REQUIRE_SERVICES=1 but /usr/bin/chromium is missing")
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    test_the_digest_of_a_known_week(world)
    html = world.smtp.box.messages[-1].get_body(("html",)).get_content()
    page_file = tmp_path / "digest.html"
    page_file.write_text(html)
    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 375, "height": 812})
            fetched: list[str] = []
            page.on("request", lambda r: fetched.append(r.url) if not r.url.startswith("file:") else None)
            page.goto(page_file.as_uri())
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            assert fetched == []
            page.screenshot(path=str(OUTPUT / "digest-phone.png"), full_page=True)
        finally:
            browser.close()


def test_a_confirmed_block_counts_in_the_digest_says_how_and_keeps_the_streak(world: World) -> None:
    """Issue 22, item 1: a block confirmed on the dashboard counted for nothing, the digest called
    it "logged by you", and the next email said the streak had ended."""
    app, user = world.app, world.user_id
    world.clock.set("2026-11-16T10:00:00+00:00")
    outreach = goals.set_goal(
        app, user, GoalSpec(template="weekly-outreach", start=datetime(2026, 11, 16).date())
    ).goal_id
    lin = contacts.add_contact(app, user, ContactSpec(name="Lin Wei"))
    grace = contacts.add_contact(app, user, ContactSpec(name="Grace Hopper"))
    world.clock.set("2026-11-20T10:00:00+00:00")
    actions.log_action(
        app, user, "reach-out", datetime.fromisoformat("2026-11-18T09:30:00+01:00"), contact_ids=(lin,)
    )
    block = str(uuid4())
    start = datetime.fromisoformat("2026-11-25T12:00:00+01:00")
    planned = {
        "action_id": block,
        "goal_id": outreach,
        "kind": "reach-out",
        "start": start.isoformat(),
        "end": (start + timedelta(minutes=30)).isoformat(),
        "title": "Networking: Reach out to one new contact",
    }
    app.append_actions(user, [Event(ev.ACTION_PLANNED, planned)])
    world.clock.set("2026-11-26T10:00:00+00:00")
    confirmation.confirm(app, user, block, "done", "dashboard", (grace,))
    choose_email(app, world.ctx, world.smtp.box, user, "ada@example.org")
    world.clock.set("2026-11-30T07:00:00+00:00")  # Monday 08:00 in Berlin: the digest is due
    decide(app, world.ctx, user)
    sent = deliver_due(app, world.ctx, user)
    assert "streak-broken" not in [s.kind for s in sent]
    [digest] = [m for m in world.smtp.box.messages if m["Subject"].startswith("Your networking week")]
    text = digest.get_body(("plain",)).get_content()
    assert "Reach out to one new contact per week: 1 of 1, met, streak 2" in text
    assert "Networking: Reach out to one new contact (confirmed on the dashboard)" in text


def test_the_digest_and_the_streak_email_of_one_run_agree_on_the_closed_week(world: World) -> None:
    """Issue 22, item 7: the digest called a closed week "behind, streak 2" while an email of the
    same run said the streak had ended."""
    app, user = world.app, world.user_id
    world.clock.set("2026-11-09T08:00:00+00:00")
    goals.set_goal(app, user, GoalSpec(template="weekly-outreach", start=datetime(2026, 11, 9).date()))
    for day, name in ((10, "Lin Wei"), (17, "Grace Hopper")):  # met the weeks of 9 and 16 November
        world.clock.set(f"2026-11-{day}T12:00:00+00:00")
        met = contacts.add_contact(app, user, ContactSpec(name=name))
        actions.log_action(app, user, "reach-out", world.clock.now - timedelta(hours=1), contact_ids=(met,))
    choose_email(app, world.ctx, world.smtp.box, user, "ada@example.org")
    world.clock.set("2026-11-30T07:00:00+00:00")  # nothing in the week of 23 November; the digest is due
    decide(app, world.ctx, user)
    deliver_due(app, world.ctx, user)
    by_subject = {m["Subject"]: m.get_body(("plain",)).get_content() for m in world.smtp.box.messages}
    digest = by_subject["Your networking week: 23 Nov – 29 Nov 2026"]
    assert "Reach out to one new contact per week: 0 of 1, missed" in digest
    assert "streak" not in digest.split("Reach out to one new contact per week")[1].split("\n")[0]
    ended = by_subject["Streak ended: Reach out to one new contact per week"]
    assert "A streak of 2 ended: 0 of 1 in the week that just closed" in ended
