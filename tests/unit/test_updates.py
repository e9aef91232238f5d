"""What is worth telling, decided from progress alone: each change once, with a stable key."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.errors import DomainError
from domain.progress_updates.digest import digest_key, digest_week_due
from domain.progress_updates.updates import (
    UpdatePreferences,
    WaitingBlock,
    validate_preferences,
    worth_telling,
)
from domain.tracking.actions import ActionFact
from domain.tracking.goals import Goal
from domain.tracking.periods import Frame
from domain.tracking.progress import GoalProgress, count_by_period, evaluate

BERLIN = ZoneInfo("Europe/Berlin")


def monthly(**changes: object) -> Goal:
    base = Goal(
        goal_id="g1",
        title="Attend one networking event per month",
        action="attend-event",
        frame=Frame.MONTH,
        start=date(2026, 9, 1),
        deadline=None,
        targets=((date(2026, 9, 1), 1),),
        set_at=datetime(2026, 9, 1, tzinfo=UTC),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def progress_of(goal: Goal, done_on: list[datetime], now: datetime) -> GoalProgress:
    actions = [ActionFact(f"a{i}", goal.action, at) for i, at in enumerate(done_on)]
    return evaluate(goal, count_by_period(goal, actions, {}, BERLIN, 0), now, BERLIN, 0)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_met_period_is_told_once_under_a_key_naming_goal_and_period() -> None:
    now = at("2026-11-25T12:00:00+01:00")
    item = progress_of(monthly(), [at("2026-11-20T19:00:00+01:00")], now)
    [update] = worth_telling([item], [], now, set())
    assert (update.key, update.kind) == ("goal-met:g1:2026-11-01", "goal-met")
    assert update.subject == "Met this month: Attend one networking event per month"
    assert worth_telling([item], [], now, {update.key}) == []
    # Another action in the same month is the same change: nothing new to tell.
    again = progress_of(monthly(), [at("2026-11-20T19:00:00+01:00"), at("2026-11-24T19:00:00+01:00")], now)
    assert worth_telling([again], [], now, {update.key}) == []


def test_falling_behind_is_told_once_per_period() -> None:
    weekly = monthly(frame=Frame.WEEK, targets=((date(2026, 9, 1), 2),), title="Two coffees a week")
    friday = at("2026-11-27T18:00:00+01:00")
    [update] = worth_telling([progress_of(weekly, [], friday)], [], friday, set())
    assert update.key == "fell-behind:g1:2026-11-23"
    saturday = friday + timedelta(days=1)
    assert worth_telling([progress_of(weekly, [], saturday)], [], saturday, {update.key}) == []
    next_friday = friday + timedelta(days=7)
    [later] = worth_telling([progress_of(weekly, [], next_friday)], [], next_friday, {update.key})
    assert later.key == "fell-behind:g1:2026-11-30"


def test_a_broken_streak_is_told_when_the_missed_period_closes() -> None:
    done = [at("2026-09-10T19:00:00+02:00"), at("2026-10-10T19:00:00+02:00")]  # met Sep, Oct; missed Nov
    december = at("2026-12-01T09:00:00+01:00")
    updates = worth_telling([progress_of(monthly(), done, december)], [], december, set())
    [broken] = [u for u in updates if u.kind == "streak-broken"]
    assert broken.key == "streak-broken:g1:2026-11-01"
    assert "A streak of 2 ended" in broken.text
    # No streak before the miss: nothing broke.
    assert not [
        u
        for u in worth_telling([progress_of(monthly(), [], december)], [], december, set())
        if u.kind == "streak-broken"
    ]


def test_a_deadline_goal_achieved_is_told_once() -> None:
    mentor = monthly(
        frame=Frame.DEADLINE,
        deadline=date(2027, 3, 1),
        targets=((date(2026, 9, 1), 2),),
        title="Meet a mentor",
    )
    now = at("2026-11-25T12:00:00+01:00")
    item = progress_of(mentor, [at("2026-10-01T12:00:00+02:00"), at("2026-11-01T12:00:00+01:00")], now)
    assert [(u.key, u.kind) for u in worth_telling([item], [], now, set())] == [
        ("deadline-achieved:g1", "deadline-achieved")
    ]


def test_paused_goals_tell_nothing() -> None:
    now = at("2026-11-27T18:00:00+01:00")
    paused = monthly(
        frame=Frame.WEEK, targets=((date(2026, 9, 1), 2),), pauses=((at("2026-11-01T00:00:00+01:00"), None),)
    )
    assert worth_telling([progress_of(paused, [], now)], [], now, set()) == []


def test_a_block_is_worth_a_reminder_after_waiting_a_day() -> None:
    block = WaitingBlock("b1", "Networking event", at("2026-11-24T20:00:00+01:00"))
    assert worth_telling([], [block], at("2026-11-25T19:59:00+01:00"), set()) == []
    [update] = worth_telling([], [block], at("2026-11-25T20:00:00+01:00"), set())
    assert (update.key, update.action_id) == ("confirm-waiting:b1", "b1")


@pytest.mark.parametrize(
    ("zone", "week_start", "moment", "due"),
    [
        ("America/Los_Angeles", 0, "2026-11-30T08:00:00-08:00", "2026-11-23"),  # Monday 08:00 in LA
        ("America/Los_Angeles", 0, "2026-11-30T07:59:00-08:00", None),  # not yet
        ("America/Los_Angeles", 0, "2026-11-30T15:00:00+00:00", None),  # 07:00 in LA, Monday in London
        (
            "America/Los_Angeles",
            0,
            "2026-12-01T08:00:00-08:00",
            None,
        ),  # Tuesday: too late, not sent days late
        ("Asia/Tokyo", 0, "2026-11-29T23:30:00+00:00", "2026-11-23"),  # Monday 08:30 in Tokyo, Sunday in UTC
        ("Asia/Tokyo", 6, "2026-11-29T08:00:00+09:00", "2026-11-22"),  # weeks starting on Sunday
        ("Asia/Tokyo", 6, "2026-11-30T08:00:00+09:00", None),
    ],
)
def test_the_digest_is_due_on_the_first_morning_of_the_persons_week(
    zone: str, week_start: int, moment: str, due: str | None
) -> None:
    week = digest_week_due(at(moment), ZoneInfo(zone), week_start)
    assert (week.start.isoformat() if week else None) == due
    if week is not None:
        assert digest_key(week) == f"digest:{due}"


@pytest.mark.parametrize(
    ("preferences", "message"),
    [
        (UpdatePreferences("sms"), "unknown channel 'sms'"),
        (UpdatePreferences("email", email="ada"), "'ada' is not an email address"),
        (UpdatePreferences("webhook", webhook_url="ftp://x"), "must start with https://"),
        (
            UpdatePreferences("webhook", webhook_url="https://x.org", webhook_format="xml"),
            "unknown webhook format",
        ),
    ],
)
def test_bad_preferences_name_what_is_wrong(preferences: UpdatePreferences, message: str) -> None:
    with pytest.raises(DomainError, match=message):
        validate_preferences(preferences)
