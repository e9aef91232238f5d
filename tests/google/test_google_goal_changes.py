"""Goals change while they are in the calendar: per-goal preferences and matching rules, revising
a goal (title, target), and when a sync decides to plan again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.decisions import GoalSpec, PreferenceSpec
from domain.event_types.events import actions_stream
from service import google
from service.tracking import goals
from tests.google.conftest import ADA, TZ, World

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


def _weekly(world: World, target: int, title: str = "Coffee chats") -> str:
    spec = GoalSpec(title=title, action="reach-out", target=target, frame="week")
    return goals.set_goal(world.app, world.user_id, spec).goal_id


def _per_week(world: World) -> dict[int, list[dict[str, object]]]:
    weeks: dict[int, list[dict[str, object]]] = {}
    for event in world.our_events():
        weeks.setdefault(_local(event).isocalendar().week, []).append(event)
    return weeks


def test_revising_the_title_and_target_updates_future_blocks(world: World) -> None:
    goal_id = _weekly(world, 2)
    world.connect()
    assert world.sync().error is None
    before = _per_week(world)
    assert len(before) == 8 and all(len(events) == 2 for events in before.values())
    goals.revise_goal(world.app, world.user_id, goal_id, target=1, title="One coffee a week")
    report = world.sync()
    assert report.error is None, report.error
    assert report.removed == 8  # the surplus block of every coming week
    after = _per_week(world)
    assert sorted(after) == sorted(before) and all(len(events) == 1 for events in after.values())
    assert {e["summary"] for events in after.values() for e in events} == {"Networking: One coffee a week"}
    assert (world.sync().planned, world.sync().removed) == (0, 0)  # stable
    goals.revise_goal(world.app, world.user_id, goal_id, target=3)
    assert world.sync().planned == 16
    assert all(len(events) == 3 for events in _per_week(world).values())


def test_changed_preferences_move_future_blocks_but_not_the_users_own_or_past_ones(world: World) -> None:
    goal_id = _weekly(world, 1)
    world.connect()
    assert world.sync().error is None
    first, second = sorted(world.our_events(), key=_local)[:2]
    calendar = world.goals_calendar()
    mine = datetime(2026, 12, 9, 14, 0, tzinfo=BERLIN)  # the user moves the second to a Wednesday afternoon
    world.fake.move_event(ADA, second["id"], start=mine, calendar_id=calendar)
    world.clock.now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # the first block is past
    assert world.sync().rescheduled == 1
    count = len(world.our_events())  # the planning window moved on by one week meanwhile
    goals.set_preferences(
        world.app, world.user_id, goal_id, PreferenceSpec(duration=30, days="sat-sun", hours="10:00-12:00")
    )
    report = world.sync()
    assert report.error is None, report.error
    assert report.moved == count - 2
    events = {e["id"]: e for e in world.our_events()}
    assert _local(events[first["id"]]) == _local(first)
    assert _local(events[second["id"]]) == mine
    for event_id, event in events.items():
        if event_id in (first["id"], second["id"]):
            continue
        start, end = _local(event), _local(event, "end")
        assert start.weekday() in (5, 6) and start.hour >= 10 and end.hour <= 12
        assert end - start == timedelta(minutes=30)
    reasons = {
        e.data.get("reason")
        for e in world.app.store.read_stream(actions_stream(world.user_id))
        if e.type == "action.rescheduled" and e.data.get("by") == "netgoals"
    }
    assert reasons == {"the goal's preferences changed"}


def test_a_re_pushed_block_carries_fresh_progress(world: World) -> None:
    spec = GoalSpec(title="Two events a month", action="attend-event", target=2, frame="month")
    goal_id = goals.set_goal(world.app, world.user_id, spec).goal_id
    world.connect()
    assert world.sync().error is None
    (november,) = [e for e in world.our_events() if e["start"]["dateTime"].startswith("2026-11")]
    assert "Progress so far: 0 of 2 this month" in november["description"]
    world.invite("Cloud meetup", datetime(2026, 11, 26, 18, 0, tzinfo=BERLIN), "accepted", ["h@x.org"])
    report = world.sync()
    # The upcoming November block's "progress so far" went stale: it alone is patched, once.
    assert (report.done, report.pushed) == (1, 1)
    shown = world.fake.get_event(ADA, november["id"], calendar_id=world.goals_calendar())
    assert "Progress so far: 1 of 2 this month" in shown["description"]
    assert world.sync().pushed == 0  # nothing changed: no request per block
    goals.revise_goal(world.app, world.user_id, goal_id, target=None, title="Two meetups a month")
    report = world.sync()
    assert report.pushed == len(world.our_events())
    shown = world.fake.get_event(ADA, november["id"], calendar_id=world.goals_calendar())
    assert shown["summary"] == "Networking: Two meetups a month"
    assert "Goal: Two meetups a month" in shown["description"]
    assert "Progress so far: 1 of 2 this month" in shown["description"]
