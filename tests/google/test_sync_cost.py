"""What one Google sync costs the database (issue 25): transactions, statements, profile replays and
folds of the actions stream, counted for the walks a sync takes — a pull with nothing new, a pull
that counts an attended meetup, the sync a push notification asks for after the person put ✓ on a
passed block, and a plan that writes blocks. `pytest -s` prints the figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.event_types import events as ev
from domain.event_types.events import actions_stream
from tests.db_counts import Counts, counted
from tests.google.conftest import ADA, World

BERLIN = ZoneInfo("Europe/Berlin")
MEETUP = datetime(2026, 11, 25, 18, 0, tzinfo=BERLIN)  # last Wednesday evening
MONTHLY = "Attend one networking event per month"

# Issue 25 measured 44 transactions (107 statements) and 6 profile replays for one sync.
SYNC_TRANSACTIONS = 20
SYNC_PROFILE_READS = 1
SYNC_STREAM_FOLDS = 0


def _sync(world: World, walk: str) -> Counts:
    with counted(world.app.engine) as counts:
        report = world.sync()
    assert report.status == "connected", report
    print(f"\n{walk}: {counts.line()}")
    return counts


def _within_limits(counts: Counts) -> None:
    assert counts.transactions <= SYNC_TRANSACTIONS, counts
    assert counts.profile_reads <= SYNC_PROFILE_READS, counts
    assert counts.stream_folds <= SYNC_STREAM_FOLDS, counts


def _done(world: World) -> list[ev.RecordedEvent]:
    return [e for e in world.app.store.read_stream(actions_stream(world.user_id)) if e.type == ev.ACTION_DONE]


def test_a_pull_with_nothing_new(world: World) -> None:
    world.goal("monthly-event")
    world.connect()
    world.sync()
    _within_limits(_sync(world, "(a) a pull with nothing new"))


def test_a_pull_that_counts_an_attended_meetup(world: World) -> None:
    world.goal("monthly-event")
    world.connect()
    world.sync()
    world.invite("Python Meetup Berlin", MEETUP, "accepted", ["host@meetup.com"])
    _within_limits(_sync(world, "(b) a pull that counts an attended meetup"))
    assert [d.data["title"] for d in _done(world)] == ["Python Meetup Berlin"]
    assert world.progress()[MONTHLY] == (1, 1)


def test_the_sync_a_notification_asks_for_after_a_check_mark(world: World) -> None:
    world.goal("monthly-event")
    world.connect()
    world.sync()
    calendar = world.goals_calendar()
    block = min(world.our_events(), key=lambda e: e["start"]["dateTime"])
    world.clock.now = datetime.fromisoformat(block["end"]["dateTime"]).astimezone(UTC) + timedelta(hours=1)
    world.sync()
    world.fake.update_event(ADA, block["id"], {"summary": "✓ " + block["summary"]}, calendar_id=calendar)
    counts = _sync(world, "(c) a notification's sync: a block confirmed by ✓")
    _within_limits(counts)
    assert [d.data["confirmed_via"] for d in _done(world)] == ["title"]
    assert world.progress()[MONTHLY] == (1, 1)


def test_a_plan_that_writes_blocks(world: World) -> None:
    world.connect()
    world.sync()
    world.goal("monthly-event")
    world.goal("weekly-outreach")
    counts = _sync(world, "(d) a plan that writes blocks")
    _within_limits(counts)
    assert len(world.our_events()) >= 4
