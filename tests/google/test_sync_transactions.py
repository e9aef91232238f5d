"""A Google sync holds no database transaction open while Google answers (issue 26): the sync is one
unit of work, whose reads share one read transaction — ended before every call to Google
(`App.release_read`), so a slow calendar keeps no PostgreSQL session "idle in transaction" (a
snapshot that holds back vacuum, a pooled connection per sync in flight) for the round trip.

On PostgreSQL, with the Google fake holding every request until the test has looked at
`pg_stat_activity` for the test's database: a first sync (the calendar made, both calendars pulled,
blocks planned and pushed), a sync that counts an attended meetup, and a disconnect inside a unit of
work (as a command run through `once` in api/deps.py would be)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from service import google
from tests.google.conftest import World
from tests.turnstile import Sessions, nothing_idle_in_transaction

MEETUP = datetime(2026, 11, 25, 18, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture
def sessions(postgres_url: str) -> Iterator[Sessions]:
    found = Sessions(postgres_url)
    yield found
    found.close()


def _sync_looking(world: World, sessions: Sessions) -> int:
    """One sync, every request to Google held while the test looks; how many were held."""
    report, seen = nothing_idle_in_transaction(world.fake, sessions, world.sync)
    assert report.status == "connected", report
    return seen


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

    def disconnect() -> bool:
        with world.app.unit():  # a caller's unit of work: the release is what keeps it clean
            return google.disconnect(world.app, world.google, world.user_id)

    disconnected, seen = nothing_idle_in_transaction(world.fake, sessions, disconnect)
    assert disconnected and seen >= 1  # the grant revoked (and push channels stopped, if any)
