"""Goals change while they are in the calendar: per-goal preferences and matching rules, revising
a goal (title, target), and when a sync decides to plan again."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from netgoals.service import google
from tests.google.conftest import TZ, World

BERLIN = ZoneInfo(TZ)


def test_a_new_local_day_plans_again_even_when_the_utc_day_is_the_same(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.goal("weekly-outreach")
    world.connect()
    assert world.sync().error is None
    plans: list[str] = []
    real = google.sync.make_plan

    def counting(*args: object, **kwargs: object) -> None:
        plans.append(world.clock.now.isoformat())
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(google.sync, "make_plan", counting)
    world.clock.now = datetime(2026, 11, 28, 23, 30, tzinfo=UTC)  # Sunday 00:30 in Berlin, Saturday in UTC
    assert world.sync().error is None
    assert len(plans) == 1
    world.clock.now = datetime(2026, 11, 29, 1, 30, tzinfo=UTC)  # a new UTC day, the same Berlin day
    assert world.sync().error is None
    assert len(plans) == 1
