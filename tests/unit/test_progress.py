"""Counting and judging progress: targets, streaks, pauses, revisions, deadlines, new contacts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.tracking.actions import ActionFact
from domain.tracking.goals import Goal
from domain.tracking.periods import Frame
from domain.tracking.progress import count_by_period, evaluate

UTC_TZ = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")


def goal(**changes: object) -> Goal:
    base = Goal(
        goal_id="g1",
        title="Attend one networking event per month",
        action="attend-event",
        frame=Frame.MONTH,
        start=date(2026, 8, 1),
        deadline=None,
        targets=((date(2026, 8, 1), 1),),
        set_at=datetime(2026, 8, 1, tzinfo=UTC),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def act(at: datetime, kind: str = "attend-event", *contacts: str, action_id: str | None = None) -> ActionFact:
    return ActionFact(action_id or f"a-{at.isoformat()}-{contacts}", kind, at, tuple(contacts))


def test_streaks_count_consecutive_met_periods_and_a_miss_breaks_them() -> None:
    g = goal()
    actions = [act(datetime(2026, m, 10, 19, tzinfo=UTC)) for m in (8, 9, 11)]
    counts = count_by_period(g, actions, {}, UTC_TZ, 0)
    result = evaluate(g, counts, datetime(2026, 11, 28, tzinfo=UTC), UTC_TZ, 0)
    assert [p.status for p in result.history] == ["met", "met", "missed", "met"]
    assert (result.streak, result.best_streak) == (1, 2)
    assert result.current.status == "met"


def test_an_open_period_not_yet_met_does_not_break_the_streak() -> None:
    g = goal()
    actions = [act(datetime(2026, m, 10, tzinfo=UTC)) for m in (8, 9, 10)]
    counts = count_by_period(g, actions, {}, UTC_TZ, 0)
    result = evaluate(g, counts, datetime(2026, 11, 5, tzinfo=UTC), UTC_TZ, 0)
    assert result.current.status == "on-track"  # early in the month, nothing done yet
    assert result.streak == 3
    late = evaluate(g, counts, datetime(2026, 11, 25, tzinfo=UTC), UTC_TZ, 0)
    assert late.current.status == "behind"  # more than half the month passed with nothing done


def test_paused_periods_are_not_missed_and_do_not_break_the_streak() -> None:
    paused_in_september = ((datetime(2026, 9, 2, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC)),)
    g = goal(pauses=paused_in_september)
    actions = [act(datetime(2026, m, 10, tzinfo=UTC)) for m in (8, 10)]
    counts = count_by_period(g, actions, {}, UTC_TZ, 0)
    result = evaluate(g, counts, datetime(2026, 11, 28, tzinfo=UTC), UTC_TZ, 0)
    assert [p.status for p in result.history] == ["met", "paused", "met", "behind"]
    assert result.streak == 2


def test_a_revised_target_applies_from_its_period_and_history_keeps_the_old_one() -> None:
    g = goal(targets=((date(2026, 8, 1), 1), (date(2026, 10, 1), 2)))
    actions = [act(datetime(2026, 9, 10, tzinfo=UTC)), act(datetime(2026, 10, 10, tzinfo=UTC))]
    result = evaluate(
        g, count_by_period(g, actions, {}, UTC_TZ, 0), datetime(2026, 10, 30, tzinfo=UTC), UTC_TZ, 0
    )
    assert [(p.target, p.done, p.status) for p in result.history] == [
        (1, 0, "missed"),
        (1, 1, "met"),
        (2, 1, "behind"),
    ]


def test_actions_count_in_the_users_local_month() -> None:
    g = goal(start=date(2026, 11, 1), targets=((date(2026, 11, 1), 1),))
    # 23:30 in Berlin on 30 November is 22:30 UTC: November. In Los Angeles, UTC is already December.
    la = ZoneInfo("America/Los_Angeles")
    at = datetime(2026, 11, 30, 23, 30, tzinfo=la)
    counts = count_by_period(g, [act(at)], {}, la, 0)
    assert counts == {date(2026, 11, 1): 1}
    counts_utc = count_by_period(g, [act(at)], {}, UTC_TZ, 0)
    assert counts_utc == {date(2026, 12, 1): 1}


def test_new_contact_goals_count_distinct_contacts_first_met_in_that_week() -> None:
    g = goal(action="reach-out", frame=Frame.WEEK, new_contacts_only=True, targets=((date(2026, 8, 1), 1),))
    monday = datetime(2026, 11, 23, 9, tzinfo=UTC)
    firsts = {"ada": monday, "bob": monday - timedelta(days=30)}
    actions = [
        act(monday, "reach-out", "ada"),
        act(monday + timedelta(days=1), "reach-out", "ada"),  # same new contact again: still one
        act(monday + timedelta(days=2), "reach-out", "bob"),  # an old contact: not new
        act(monday + timedelta(days=2), "reach-out"),  # nobody named: cannot be new
    ]
    counts = count_by_period(g, actions, firsts, UTC_TZ, 0)
    assert counts == {date(2026, 11, 23): 1}


def test_mentor_goals_count_only_meetings_with_their_mentor() -> None:
    g = goal(action="meet-mentor", contact_ids=("ada",))
    actions = [
        act(datetime(2026, 9, 1, tzinfo=UTC), "meet-mentor", "ada"),
        act(datetime(2026, 9, 2, tzinfo=UTC), "meet-mentor", "bob"),
    ]
    assert count_by_period(g, actions, {}, UTC_TZ, 0) == {date(2026, 9, 1): 1}


def test_deadline_goals_judge_done_against_a_straight_line() -> None:
    g = goal(
        action="meet-mentor",
        frame=Frame.DEADLINE,
        start=date(2026, 1, 1),
        deadline=date(2026, 6, 30),  # 181 days, 6 meetings: one every ~30 days
        targets=((date(2026, 1, 1), 6),),
        set_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    now = datetime(2026, 3, 2, tzinfo=UTC)  # a third of the way: 2 expected
    behind = evaluate(g, {date(2026, 1, 1): 1}, now, UTC_TZ, 0)
    assert behind.expected_by_now == 2
    assert behind.current.status == "behind"
    assert behind.slack_days is not None and behind.slack_days < 0
    ahead = evaluate(g, {date(2026, 1, 1): 3}, now, UTC_TZ, 0)
    assert ahead.current.status == "on-track"
    # 3.5 meetings' worth of the line is at day 105.6 (1 Jan + 105 days = 16 April): 45 days from 2 March.
    assert ahead.slack_days == 45
    done = evaluate(g, {date(2026, 1, 1): 6}, now, UTC_TZ, 0)
    assert (done.current.status, done.lifecycle) == ("met", "achieved")
    late = evaluate(g, {date(2026, 1, 1): 4}, datetime(2026, 7, 2, tzinfo=UTC), UTC_TZ, 0)
    assert (late.current.status, late.lifecycle) == ("missed", "ended")


def test_archived_goals_stop_counting_at_the_archive_time() -> None:
    archived = datetime(2026, 9, 15, tzinfo=UTC)
    g = goal(archived_at=archived)
    actions = [act(datetime(2026, 9, 10, tzinfo=UTC)), act(datetime(2026, 10, 10, tzinfo=UTC))]
    counts = count_by_period(g, actions, {}, UTC_TZ, 0)
    assert counts == {date(2026, 9, 1): 1}
    result = evaluate(g, counts, datetime(2026, 11, 28, tzinfo=UTC), UTC_TZ, 0)
    assert result.lifecycle == "archived"
    assert result.current.period.start == date(2026, 9, 1)


def test_a_goal_that_starts_later_is_upcoming() -> None:
    g = goal(start=date(2027, 1, 1), targets=((date(2027, 1, 1), 1),))
    result = evaluate(g, {}, datetime(2026, 11, 28, tzinfo=UTC), UTC_TZ, 0)
    assert result.current.status == "upcoming"
    assert result.streak == 0


def test_judging_uses_local_days_across_dst() -> None:
    g = goal(start=date(2026, 10, 1), targets=((date(2026, 10, 1), 1),))
    # 31 October 23:59 Berlin (after the DST change) is still October: the period is open, not missed.
    now = datetime(2026, 10, 31, 23, 59, tzinfo=BERLIN)
    assert evaluate(g, {}, now, BERLIN, 0).current.status == "behind"
    after = datetime(2026, 11, 1, 0, 1, tzinfo=BERLIN)
    assert evaluate(g, {}, after, BERLIN, 0).history[0].status == "missed"
