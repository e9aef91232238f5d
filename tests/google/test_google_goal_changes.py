"""Goals change while they are in the calendar: per-goal preferences and matching rules, revising
a goal (title, target), and when a sync decides to plan again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from netgoals.domain.decisions import GoalSpec
from netgoals.service import goals, google
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


def _local(event: dict[str, object], edge: str = "start") -> datetime:
    return datetime.fromisoformat(event[edge]["dateTime"]).astimezone(BERLIN)  # type: ignore[index]


def test_blocks_follow_the_goals_own_duration_days_and_hours(world: World) -> None:
    world.goal("weekly-outreach", duration=30, days="tue,thu", hours="07:00-08:00")
    world.goal("monthly-event")  # the kind's defaults: 120 minutes, Monday to Thursday evenings
    world.connect()
    world.add_event("Gym", datetime(2026, 12, 1, 7, 0, tzinfo=BERLIN), 30)  # Tuesday 07:00-07:30
    assert world.sync().error is None
    outreach = sorted((e for e in world.our_events() if "Reach out" in e["summary"]), key=_local)
    assert len(outreach) >= 8
    for event in outreach:
        start, end = _local(event), _local(event, "end")
        assert start.weekday() in (1, 3)
        assert start.hour == 7 and end <= start.replace(hour=8, minute=0)
        assert end - start == timedelta(minutes=30)
    assert _local(outreach[0]) == datetime(2026, 12, 1, 7, 30, tzinfo=BERLIN)  # after the gym, by 8
    events = [e for e in world.our_events() if "event" in e["summary"]]
    assert events
    assert all(_local(e).weekday() in (0, 1, 2, 3) and _local(e).hour >= 18 for e in events)
    assert all(_local(e, "end") - _local(e) == timedelta(minutes=120) for e in events)


def test_a_goals_own_keywords_and_domains_decide_what_counts(world: World) -> None:
    world.goal("monthly-event", keywords=("demo night",))
    spec = GoalSpec(
        title="Meet people at Acme", action="reach-out", target=1, frame="week", domains=("acme.com",)
    )
    goals.set_goal(world.app, world.user_id, spec)
    world.connect()
    world.invite("Cloud meetup", datetime(2026, 11, 24, 18, 0, tzinfo=BERLIN), "accepted", ["h@x.org"])
    world.invite("Demo night", datetime(2026, 11, 25, 18, 0, tzinfo=BERLIN), "accepted", ["h@y.org"])
    world.invite("Lunch", datetime(2026, 11, 26, 12, 0, tzinfo=BERLIN), "accepted", ["bo@eng.acme.com"])
    world.invite("Coffee", datetime(2026, 11, 27, 9, 0, tzinfo=BERLIN), "accepted", ["cy@other.org"])
    report = world.sync()
    assert report.error is None, report.error
    assert report.done == 2  # the demo night (own keyword) and lunch with acme (own domain)
    progress = world.progress()
    assert progress["Attend one networking event per month"] == (1, 1)
    assert progress["Meet people at Acme"] == (1, 1)
