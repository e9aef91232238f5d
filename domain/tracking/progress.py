"""Goal progress: count actions per period, then judge each period against its target.

Counting (`count_by_period`) is what projections store; judging (`evaluate`) happens at read time
with the clock passed in, so a stored count never goes stale as time passes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.people.contacts import Contact
from domain.tracking.actions import ActionFact
from domain.tracking.goals import Goal
from domain.tracking.periods import (
    Frame,
    Period,
    elapsed_fraction,
    local_date,
    local_midnight,
    next_period,
)

MET, ON_TRACK, BEHIND, MISSED, UPCOMING, PAUSED = (
    "met",
    "on-track",
    "behind",
    "missed",
    "upcoming",
    "paused",
)


def count_by_period(
    goal: Goal,
    actions: Iterable[ActionFact],
    first_interaction: Mapping[str, datetime],
    tz: ZoneInfo,
    week_start: int,
    *,
    until: datetime | None = None,
    contacts: Mapping[str, Contact] | None = None,
) -> dict[date, int]:
    """Done per period start of one goal (see `count_goals`)."""
    found = count_goals([goal], actions, first_interaction, tz, week_start, until=until, contacts=contacts)
    return found[goal.goal_id]


def count_goals(
    goals: Iterable[Goal],
    actions: Iterable[ActionFact],
    first_interaction: Mapping[str, datetime],
    tz: ZoneInfo,
    week_start: int,
    *,
    until: datetime | None = None,
    contacts: Mapping[str, Contact] | None = None,
) -> dict[str, dict[date, int]]:
    """Done per period start for each goal, in one pass over the actions (a rebuild counts millions).

    An action counts for every goal of its kind that it qualifies for; a new-contact goal counts
    distinct contacts whose first interaction falls in the same period (only contacts at its kind
    of organisation, for a goal that names one: `contacts` are the profile's).
    """
    by_kind: dict[str, list[Goal]] = {}
    counts: dict[str, dict[date, int]] = {}
    new_contacts: dict[str, dict[date, set[str]]] = {}
    for goal in goals:
        by_kind.setdefault(goal.action, []).append(goal)
        counts[goal.goal_id] = {}
        if goal.new_contacts_only:
            new_contacts[goal.goal_id] = {}
    periods: dict[tuple[str, date], Period | None] = {}  # (goal, local day) -> period: days repeat a lot
    first_days: dict[str, date] = {}
    for action in actions:
        interested = by_kind.get(action.kind)
        if interested is None or action.retracted or (until is not None and action.at > until):
            continue
        day = action.at.astimezone(tz).date()
        for goal in interested:
            if not goal.counts(action.kind, action.contact_ids, contacts):
                continue
            if goal.archived_at is not None and action.at >= goal.archived_at:
                continue
            key = (goal.goal_id, day)
            period = (
                periods[key] if key in periods else periods.setdefault(key, goal.period_for(day, week_start))
            )
            if period is None:
                continue
            if goal.new_contacts_only:
                for contact_id in goal.eligible(action.contact_ids, contacts):
                    if contact_id not in first_days:
                        first = first_interaction.get(contact_id)
                        if first is None:
                            continue
                        first_days[contact_id] = local_date(first, tz)
                    if period.contains(first_days[contact_id]):
                        new_contacts[goal.goal_id].setdefault(period.start, set()).add(contact_id)
            else:
                done = counts[goal.goal_id]
                done[period.start] = done.get(period.start, 0) + 1
    for goal_id, met in new_contacts.items():
        counts[goal_id] = {start: len(contacts) for start, contacts in met.items()}
    return counts


@dataclass(frozen=True, slots=True)
class PeriodProgress:
    period: Period
    target: int
    done: int
    status: str


@dataclass(frozen=True, slots=True)
class GoalProgress:
    goal: Goal
    current: PeriodProgress
    history: tuple[PeriodProgress, ...]  # every period from the first to the current one
    streak: int
    best_streak: int
    lifecycle: str
    expected_by_now: int | None = None
    slack_days: int | None = None


def _round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


def _expected(target: int, fraction: float) -> int:
    """Where a straight line from 0 at the start to `target` at the end stands now."""
    return _round_half_up(target * fraction)


def _judge(
    goal: Goal, period: Period, done: int, target: int, now: datetime, today: date, tz: ZoneInfo
) -> str:
    if done >= target:
        return MET
    if today < period.start or today < goal.start:
        return UPCOMING
    if period.end <= today:
        paused = goal.paused_between(local_midnight(period.start, tz), local_midnight(period.end, tz))
        return PAUSED if paused else MISSED
    if goal.paused_at(now):
        return PAUSED
    return BEHIND if done < _expected(target, _fraction(goal, period, now, tz)) else ON_TRACK


def _fraction(goal: Goal, period: Period, now: datetime, tz: ZoneInfo) -> float:
    # A goal set mid-period is judged over the part of the period it existed in.
    effective = Period(max(period.start, goal.start), period.end)
    return elapsed_fraction(effective, now, tz)


def evaluate(
    goal: Goal, counts: Mapping[date, int], now: datetime, tz: ZoneInfo, week_start: int
) -> GoalProgress:
    """Judge every period of a goal up to `now` and derive streaks."""
    if goal.archived_at is not None and goal.archived_at < now:
        now = goal.archived_at
    today = local_date(now, tz)
    lifecycle = goal.lifecycle(now)
    history: list[PeriodProgress] = []
    period = goal.first_period(week_start)
    while True:
        target = goal.target_for(period.start)
        done = counts.get(period.start, 0)
        history.append(
            PeriodProgress(period, target, done, _judge(goal, period, done, target, now, today, tz))
        )
        if goal.frame is Frame.DEADLINE or period.end > today:
            break
        period = next_period(period, goal.frame, week_start)
    streak, best = _streaks(history)
    current = history[-1]
    expected = slack = None
    if goal.frame is Frame.DEADLINE:
        expected, slack = _deadline_line(goal, current, now, tz)
        if current.status == MET:
            lifecycle = "achieved" if lifecycle == "active" else lifecycle
        elif current.period.end <= today and lifecycle == "active":
            lifecycle = "ended"
    return GoalProgress(goal, current, tuple(history), streak, best, lifecycle, expected, slack)


def period_closing(progress: GoalProgress, day: date) -> tuple[PeriodProgress, int]:
    """The period holding `day` as judged in `progress`, and the streak once that period is over:
    what a look back (the weekly digest) says, from the same judgement as what is told at once."""
    history = list(progress.history)
    index = next((i for i, p in enumerate(history) if p.period.contains(day)), len(history) - 1)
    through = history[: index + 1]
    closed = through[-1].period.end <= day + timedelta(days=1) and index < len(history) - 1
    run, _ = _streaks(through, open_last=not closed)
    return through[-1], run


def _streaks(history: list[PeriodProgress], *, open_last: bool = True) -> tuple[int, int]:
    """Consecutive met periods; paused periods neither count nor break, an open period only adds."""
    run = best = 0
    for index, item in enumerate(history):
        is_current = open_last and index == len(history) - 1
        if item.status == MET:
            run += 1
        elif item.status == MISSED and not is_current:
            run = 0
        best = max(best, run)
    return run, best


def _deadline_line(goal: Goal, current: PeriodProgress, now: datetime, tz: ZoneInfo) -> tuple[int, int]:
    period, target, done = current.period, current.target, current.done
    span = Period(max(period.start, goal.start), period.end)
    start = local_midnight(span.start, tz).timestamp()
    total = local_midnight(span.end, tz).timestamp() - start
    expected = _expected(target, elapsed_fraction(span, now, tz))
    # The line reaches done + 1 (rounded) at fraction (done + 0.5) / target: that moment ends the slack.
    falls_behind = min(1.0, (done + 0.5) / target)
    seconds_left = start + falls_behind * total - now.timestamp()
    return expected, math.floor(seconds_left / 86400)
