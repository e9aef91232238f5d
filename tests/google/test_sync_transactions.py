"""A Google sync holds no database transaction open while Google answers (issue 26): the sync is one
unit of work, whose reads share one read transaction — ended before every call to Google
(`App.release_read`), so a slow calendar keeps no PostgreSQL session "idle in transaction" (a
snapshot that holds back vacuum, a pooled connection per sync in flight) for the round trip.

On PostgreSQL, with the Google fake holding every request until the test has looked at
`pg_stat_activity` for the test's database: a first sync (the calendar made, both calendars pulled,
blocks planned and pushed) and a sync that counts an attended meetup."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.google.conftest import World
from tests.turnstile import Sessions, Turnstile

MEETUP = datetime(2026, 11, 25, 18, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture
def sessions(postgres_url: str) -> Iterator[Sessions]:
    found = Sessions(postgres_url)
    yield found
    found.close()


def _sync_looking(world: World, sessions: Sessions) -> int:
    """One sync with every request to Google held while the test looks; how many were held."""
    turnstile = Turnstile()
    held: list[list[str]] = []

    def look() -> None:
        if found := sessions.idle_in_transaction():
            held.append(found)

    world.fake.before_answer = turnstile.stop
    try:
        report, seen = turnstile.through(world.sync, look)
    finally:
        world.fake.before_answer = None
    assert report.status == "connected", report
    assert held == [], f"{len(held)} of {seen} calls to Google waited with a transaction open: {held[0]}"
    return int(seen)


def test_no_transaction_is_open_while_google_answers(
    make_world: Callable[..., World], postgres_url: str, sessions: Sessions
) -> None:
    world = make_world(postgres_url)
    world.goal("monthly-event")
    world.connect()
    first = _sync_looking(world, sessions)
    assert first >= 5  # made the calendar, read both, asked freeBusy, inserted blocks
    assert world.our_events()
    world.invite("Python Meetup Berlin", MEETUP, "accepted", ["host@meetup.com"])
    assert _sync_looking(world, sessions) >= 2
    assert world.progress()["Attend one networking event per month"] == (1, 1)
