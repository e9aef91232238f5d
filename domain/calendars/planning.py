"""Planning: turn goals into blocks of free time over the next weeks, and keep the plan right.

Pure: goals, counts, the existing blocks, busy intervals, preferences and "now" come in; the
changes to make (new blocks, moved blocks, removed blocks) go out. Ids come from a function the
caller passes, so the same state plans the same ids (replays append nothing).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from domain.tracking.goals import Goal
from domain.tracking.periods import Frame, Period, local_date, local_midnight, next_period, period_of

PLANNED, DONE, SKIPPED = "planned", "done", "skipped"
GRID = timedelta(minutes=15)
LEAD = timedelta(hours=1)  # never plan a block starting sooner than this
DEFAULT_WEEKS: Final = 8
FOLLOW_UP_DAYS: Final = 3


@dataclass(frozen=True, slots=True)
class Preference:
    """How long a block is and when it may take place (local days and hours)."""

    minutes: int
    weekdays: tuple[int, ...]  # 0 = Monday
    earliest: time
    latest: time  # the block ends by then

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.minutes)


WEEKDAYS = (0, 1, 2, 3, 4)
PREFERENCES: Final[Mapping[str, Preference]] = {
    # weekday evenings for events, a 15-minute outreach block in the morning, a 45-minute mentor meeting
    "attend-event": Preference(120, (0, 1, 2, 3), time(18), time(21)),
    "reach-out": Preference(15, WEEKDAYS, time(8, 30), time(10)),
    "follow-up": Preference(15, WEEKDAYS, time(9), time(12)),
    "meet-mentor": Preference(45, WEEKDAYS, time(12), time(18)),
    "offer-help": Preference(30, WEEKDAYS, time(10), time(17)),
}
DEFAULT_PREFERENCE: Final = Preference(30, WEEKDAYS, time(9), time(18))


def preference_for(kind: str, overrides: Mapping[str, Preference] | None = None) -> Preference:
    if overrides and kind in overrides:
        return overrides[kind]
    return PREFERENCES.get(kind, DEFAULT_PREFERENCE)


def preference_of(goal: Goal, overrides: Mapping[str, Preference] | None = None) -> Preference:
    """The goal's own preferences, field by field, over the default of its action kind."""
    default = preference_for(goal.action, overrides)
    own = goal.preferences
    if own.is_default:
        return default
    earliest, latest = own.hours if own.hours is not None else (default.earliest, default.latest)
    return Preference(
        own.duration_minutes if own.duration_minutes is not None else default.minutes,
        own.days if own.days is not None else default.weekdays,
        earliest,
        latest,
    )


@dataclass(frozen=True, slots=True)
class Block:
    """A planned action as the plan sees it."""

    action_id: str
    goal_id: str | None
    kind: str
    start: datetime
    end: datetime
    period_start: date | None
    status: str = PLANNED
    user_moved: bool = False
    skipped_by_user: bool = False

    @property
    def pending(self) -> bool:
        return self.status == PLANNED


BUSY, PREFERENCES_CHANGED = "the time became busy", "the goal's preferences changed"


@dataclass(slots=True)
class PlanChanges:
    new: list[Block] = field(default_factory=list)
    moved: list[tuple[Block, datetime, datetime]] = field(default_factory=list)
    removed: list[tuple[Block, str]] = field(default_factory=list)
    why_moved: dict[str, str] = field(default_factory=dict)  # action id -> BUSY or PREFERENCES_CHANGED

    def __bool__(self) -> bool:
        return bool(self.new or self.moved or self.removed)


NewId = Callable[[str, date, int], str]  # (goal id, period start, index) -> action id
Interval = tuple[datetime, datetime]


class _Free:
    """Busy time, and the search for the next free slot that fits a preference."""

    def __init__(self, busy: Iterable[Interval], tz: ZoneInfo) -> None:
        self.busy = sorted(busy)
        self.tz = tz

    def add(self, start: datetime, end: datetime) -> None:
        self.busy.append((start, end))
        self.busy.sort()

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return any(b_start < end and start < b_end for b_start, b_end in self.busy)

    def slot(
        self, pref: Preference, after: datetime, before: datetime, avoid_days: set[date] | None = None
    ) -> datetime | None:
        """The earliest start >= after whose block fits the preference, ends by `before` and
        overlaps nothing busy."""
        day = local_date(after, self.tz)
        last = local_date(before, self.tz)
        while day <= last:
            if day.weekday() in pref.weekdays and not (avoid_days and day in avoid_days):
                found = self._slot_on(day, pref, after, before)
                if found is not None:
                    return found
            day += timedelta(days=1)
        return None

    def _slot_on(self, day: date, pref: Preference, after: datetime, before: datetime) -> datetime | None:
        window_end = datetime.combine(day, pref.latest, tzinfo=self.tz)
        moment = datetime.combine(day, pref.earliest, tzinfo=self.tz)
        if moment < after:
            # round up to the grid, counted from the window's start
            steps = math.ceil((after - moment) / GRID)
            moment += steps * GRID
        while moment + pref.duration <= window_end and moment + pref.duration <= before:
            end = moment + pref.duration
            clash = [b_end for b_start, b_end in self.busy if b_start < end and moment < b_end]
            if not clash:
                return moment
            moment += max(GRID, math.ceil((max(clash) - moment) / GRID) * GRID)
        return None


def _periods(goal: Goal, today: date, until: date, week_start: int) -> list[Period]:
    """The planning periods of a goal from today's to the one containing `until`."""
    if goal.archived_at is not None:
        return []
    frame = Frame.MONTH if goal.frame is Frame.DEADLINE else goal.frame
    first = max(today, goal.start)
    last = until
    if goal.deadline is not None:
        last = min(last, goal.deadline)
    if first > last:
        return []
    periods = []
    period = period_of(first, frame, week_start)
    while period.start <= last:
        periods.append(period)
        period = next_period(period, frame, week_start)
    return periods


def _quota(
    goal: Goal, period: Period, counts: Mapping[date, int], blocks: Sequence[Block], today: date
) -> int:
    """How many more blocks a period needs."""
    mine = [b for b in blocks if b.goal_id == goal.goal_id]
    in_period = [b for b in mine if b.period_start == period.start]
    held = sum(1 for b in in_period if b.pending or b.skipped_by_user)
    if goal.frame is not Frame.DEADLINE:
        done = counts.get(period.start, 0)
        return max(0, goal.target_for(period.start) - done - held)
    assert goal.deadline is not None
    span_start = goal.first_period(0).start
    done = counts.get(span_start, 0)
    months = len(_periods(goal, today, goal.deadline, 0)) or 1
    per_month = math.ceil(max(0, goal.target - done) / months)
    pending_all = sum(1 for b in mine if b.pending and b.period_start is not None)
    left = max(0, goal.target - done - pending_all)
    return max(0, min(per_month - held, left))


def plan(
    goals: Iterable[Goal],
    counts: Mapping[str, Mapping[date, int]],
    blocks: Sequence[Block],
    busy: Iterable[Interval],
    now: datetime,
    tz: ZoneInfo,
    week_start: int,
    new_id: NewId,
    *,
    weeks: int = DEFAULT_WEEKS,
    preferences: Mapping[str, Preference] | None = None,
) -> PlanChanges:
    """What to change so the calendar shows the next `weeks` of every active goal in free time."""
    changes = PlanChanges()
    goals_by_id = {g.goal_id: g for g in goals}
    horizon = now + timedelta(weeks=weeks)
    earliest = now + LEAD
    today = local_date(now, tz)
    free = _Free(busy, tz)
    ours = _Free((), tz)  # our own future blocks: never plan two at once
    kept: list[Block] = []
    surplus = _surplus(goals_by_id, counts, blocks, now)
    for block in sorted(blocks, key=lambda b: (b.start, b.action_id)):
        if not block.pending or block.start <= now:
            kept.append(block)
            continue
        goal = goals_by_id.get(block.goal_id) if block.goal_id is not None else None
        reason = _removal(goal, block, counts, now) if block.goal_id is not None else None
        if reason is None and block.action_id in surplus:
            reason = "target-lowered"
        if reason is not None:
            changes.removed.append((block, reason))
            continue
        pref = preference_of(goal, preferences) if goal else preference_for(block.kind, preferences)
        busy_now = free.overlaps(block.start, block.end) or ours.overlaps(block.start, block.end)
        # a goal's block that no longer fits its preferences moves (the user's own time is kept)
        unfit = goal is not None and not fits(pref, block.start, block.end, tz)
        if not block.user_moved and (busy_now or unfit):
            limit = _block_limit(goal, block, tz, week_start, horizon)
            slot = free_slot(free, ours, pref, earliest, limit)
            if slot is None:
                changes.removed.append((block, "no-free-time"))
                continue
            changes.moved.append((block, slot, slot + pref.duration))
            changes.why_moved[block.action_id] = BUSY if busy_now else PREFERENCES_CHANGED
            ours.add(slot, slot + pref.duration)
            kept.append(_moved(block, slot, slot + pref.duration))
            continue
        ours.add(block.start, block.end)
        kept.append(block)
    for goal in sorted(goals_by_id.values(), key=lambda g: (g.set_at, g.goal_id)):
        if goal.archived_at is not None or goal.paused_at(now):
            continue
        pref = preference_of(goal, preferences)
        goal_counts = counts.get(goal.goal_id, {})
        for period in _periods(goal, today, local_date(horizon, tz), week_start):
            need = _quota(goal, period, goal_counts, kept, today)
            if need <= 0:
                continue
            used_days = {local_date(b.start, tz) for b in kept if b.goal_id == goal.goal_id}
            index = sum(1 for b in blocks if b.goal_id == goal.goal_id and b.period_start == period.start)
            index += sum(
                1 for b in changes.new if b.goal_id == goal.goal_id and b.period_start == period.start
            )
            after = max(earliest, local_midnight(period.start, tz))
            before = min(horizon, local_midnight(period.end, tz))
            if goal.deadline is not None:
                before = min(before, local_midnight(goal.deadline + timedelta(days=1), tz))
            for _ in range(need):
                slot = free_slot(free, ours, pref, after, before, used_days)
                if slot is None:
                    break
                block = Block(
                    new_id(goal.goal_id, period.start, index),
                    goal.goal_id,
                    goal.action,
                    slot,
                    slot + pref.duration,
                    period.start,
                )
                index += 1
                used_days.add(local_date(slot, tz))
                ours.add(block.start, block.end)
                changes.new.append(block)
                kept.append(block)
    return changes


def free_slot(
    free: _Free,
    ours: _Free,
    pref: Preference,
    after: datetime,
    before: datetime,
    avoid_days: set[date] | None = None,
) -> datetime | None:
    merged = _Free([*free.busy, *ours.busy], free.tz)
    return merged.slot(pref, after, before, avoid_days)


def follow_up_slot(
    busy: Iterable[Interval], blocks: Iterable[Block], now: datetime, tz: ZoneInfo
) -> datetime | None:
    """A short follow-up block within the next three days (any day if weekdays are full)."""
    free = _Free([*busy, *((b.start, b.end) for b in blocks if b.pending and b.start > now)], tz)
    pref = PREFERENCES["follow-up"]
    before = now + timedelta(days=FOLLOW_UP_DAYS)
    found = free.slot(pref, now + LEAD, before)
    if found is None:
        found = free.slot(Preference(pref.minutes, tuple(range(7)), time(8), time(20)), now + LEAD, before)
    return found


def fits(pref: Preference, start: datetime, end: datetime, tz: ZoneInfo) -> bool:
    """Whether a block has the preference's duration and lies within its local days and hours."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    return (
        end - start == pref.duration
        and local_start.weekday() in pref.weekdays
        and local_start.date() == local_end.date()
        and pref.earliest <= local_start.time()
        and local_end.time() <= pref.latest
    )


def _surplus(
    goals: Mapping[str, Goal],
    counts: Mapping[str, Mapping[date, int]],
    blocks: Sequence[Block],
    now: datetime,
) -> set[str]:
    """Future blocks beyond what a (lowered) target still needs, counted as `_quota` counts: per
    period, done plus the blocks held for it (pending, or deleted by the user) may not exceed the
    period's target; a deadline goal's pending blocks may not exceed what is left of its target.
    Blocks not moved by the user go first, the latest first."""
    held: dict[tuple[str, date], list[Block]] = {}
    for block in blocks:
        goal = goals.get(block.goal_id) if block.goal_id is not None else None
        if goal is None or block.period_start is None:
            continue
        if goal.frame is Frame.DEADLINE:
            if block.pending:
                held.setdefault((goal.goal_id, goal.first_period(0).start), []).append(block)
        elif block.pending or block.skipped_by_user:
            held.setdefault((goal.goal_id, block.period_start), []).append(block)
    found: set[str] = set()
    for (goal_id, period_start), mine in held.items():
        goal = goals[goal_id]
        target = goal.target if goal.frame is Frame.DEADLINE else goal.target_for(period_start)
        excess = counts.get(goal_id, {}).get(period_start, 0) + len(mine) - target
        if excess <= 0:
            continue
        future = [b for b in mine if b.pending and b.start > now]
        future.sort(key=lambda b: (b.user_moved, -b.start.timestamp(), b.action_id))
        found.update(b.action_id for b in future[:excess])
    return found


def _removal(
    goal: Goal | None, block: Block, counts: Mapping[str, Mapping[date, int]], now: datetime
) -> str | None:
    if goal is None or goal.archived_at is not None:
        return "goal-archived"
    if goal.paused_at(now):
        return "goal-paused"
    if goal.frame is Frame.DEADLINE:
        done = counts.get(goal.goal_id, {}).get(goal.first_period(0).start, 0)
        return "target-met" if done >= goal.target else None
    if block.period_start is not None:
        done = counts.get(goal.goal_id, {}).get(block.period_start, 0)
        if done >= goal.target_for(block.period_start):
            return "target-met"
    return None


def _block_limit(
    goal: Goal | None, block: Block, tz: ZoneInfo, week_start: int, horizon: datetime
) -> datetime:
    """A moved block stays within its period (a follow-up within three days of where it was)."""
    if goal is None or block.period_start is None:
        return block.start + timedelta(days=FOLLOW_UP_DAYS)
    frame = Frame.MONTH if goal.frame is Frame.DEADLINE else goal.frame
    period = period_of(block.period_start, frame, week_start)
    return min(local_midnight(period.end, tz), horizon)


def _moved(block: Block, start: datetime, end: datetime) -> Block:
    return Block(
        block.action_id,
        block.goal_id,
        block.kind,
        start,
        end,
        block.period_start,
        block.status,
        block.user_moved,
        block.skipped_by_user,
    )
