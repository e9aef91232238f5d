"""What the iCalendar feed shows, folded from the log: one item per action (planned, done, skipped,
retracted) and one all-day item per goal period ("Reach out to one new contact — week 48").

Pure and deterministic: the same log, counts and day give the same items, so the feed renders the
same bytes (strong ETag, 304). Each item's SEQUENCE is how many log events touched it and its
LAST-MODIFIED the newest of their recording times, so a change is raised and time alone is not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.decisions.profile import Profile
from domain.event_types import events as ev
from domain.people.contacts import Contact
from domain.tracking.goals import Goal
from domain.tracking.periods import Frame, Period, local_date, next_period, period_of

DONE_LENGTH = timedelta(minutes=30)  # a logged action has a moment, not a length
CONFIRMED, CANCELLED = "CONFIRMED", "CANCELLED"


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One event of the log as the feed needs it."""

    type: str
    data: dict[str, Any]
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class FeedItem:
    uid: str
    title: str
    start: datetime | date  # a date: an all-day item (end exclusive)
    end: datetime | date
    status: str
    sequence: int
    modified: datetime
    categories: tuple[str, ...]
    description: str
    transparent: bool
    goal_id: str | None = None


@dataclass(frozen=True, slots=True)
class FeedWindow:
    first_day: date
    last_day: date  # exclusive

    @classmethod
    def around(cls, now: datetime, tz: ZoneInfo, past_weeks: int, future_weeks: int) -> FeedWindow:
        today = local_date(now, tz)
        return cls(today - timedelta(weeks=past_weeks), today + timedelta(weeks=future_weeks))

    def holds(self, day: date) -> bool:
        return self.first_day <= day < self.last_day


@dataclass(slots=True)
class _Action:
    action_id: str
    kind: str = ""
    goal_id: str | None = None
    title: str = ""
    start: datetime | None = None
    end: datetime | None = None
    done: bool = False
    skipped: bool = False
    retracted: bool = False
    touched: int = 0
    modified: datetime | None = None
    contact_ids: tuple[str, ...] = field(default_factory=tuple)


def fold_actions(entries: Iterable[LogEntry]) -> dict[str, _Action]:
    """Every action of the actions stream with what became of it, in log order."""
    found: dict[str, _Action] = {}
    for entry in entries:
        handler = _FOLD.get(entry.type)
        if handler is None:  # ignored on purpose (see _FOLD), or a type newer than this reader
            continue
        data = entry.data
        action = found.setdefault(data["action_id"], _Action(data["action_id"]))
        handler(action, data)
        action.touched += 1
        action.modified = entry.recorded_at
    return found


def _planned(action: _Action, data: dict[str, Any]) -> None:
    action.kind, action.goal_id = data["kind"], data.get("goal_id")
    action.title = data.get("title") or action.title
    action.start = datetime.fromisoformat(data["start"])
    action.end = datetime.fromisoformat(data["end"])


def _rescheduled(action: _Action, data: dict[str, Any]) -> None:
    action.start = datetime.fromisoformat(data["start"])
    action.end = datetime.fromisoformat(data["end"])


def _skipped(action: _Action, data: dict[str, Any]) -> None:
    action.skipped = True


def _done(action: _Action, data: dict[str, Any]) -> None:
    if action.done:
        return  # the same action twice: the first one stands (as in the action index)
    action.done, action.kind = True, data["kind"]
    action.title = data.get("title") or action.title
    action.contact_ids = tuple(data.get("contact_ids") or ())
    if action.start is None:
        action.start = datetime.fromisoformat(data["at"])
        action.end = action.start + DONE_LENGTH


def _retracted(action: _Action, data: dict[str, Any]) -> None:
    action.retracted = True


def _touched(action: _Action, data: dict[str, Any]) -> None:
    """A fulfilled block changed (its SEQUENCE rises); what fulfilled it counts on its own item."""


# Every event type, dispatched explicitly: a handler, or None when the feed ignores it on purpose
# (profile events reach the feed through the Profile; update and calendar events show nothing, and
# the cut-over to the confirmation rule names no action). tests/unit/test_event_readers.py checks
# that no event type is missing.
_FOLD: dict[str, Callable[[_Action, dict[str, Any]], None] | None] = {
    ev.ACTION_PLANNED: _planned,
    ev.ACTION_RESCHEDULED: _rescheduled,
    ev.ACTION_SKIPPED: _skipped,
    ev.ACTION_DONE: _done,
    ev.ACTION_RETRACTED: _retracted,
    ev.ACTION_FULFILLED: _touched,
    ev.CONFIRMATION_ADOPTED: None,
    ev.UPDATE_DECIDED: None,
    ev.UPDATE_DELIVERED: None,
    ev.UPDATE_FAILED: None,
    ev.CALENDAR_CONNECTED: None,
    ev.CALENDAR_DISCONNECTED: None,
    ev.HANDLE_CLAIMED: None,
    ev.NEXT_ANSWERED: None,
    **{t: None for t in ev.PROFILE_EVENT_TYPES},
}
EVENT_READING = ev.reading_of(_FOLD)


def kind_label(kind: str) -> str:
    return kind.replace("-", " ").capitalize()


def period_label(period: Period, frame: Frame) -> str:
    if frame is Frame.WEEK:
        return f"week {(period.start + timedelta(days=3)).isocalendar().week}"
    if frame is Frame.MONTH:
        return f"{period.start:%B %Y}"
    if frame is Frame.QUARTER:
        return f"Q{(period.start.month - 1) // 3 + 1} {period.start.year}"
    return f"due {period.last_day.isoformat()}"


@dataclass(frozen=True, slots=True)
class FeedInput:
    profile: Profile
    actions: list[LogEntry]
    profile_log: list[LogEntry]
    counts: Mapping[str, Mapping[date, int]]  # goal -> period start -> done (the progress view)
    now: datetime
    window: FeedWindow
    dashboard_url: str
    goal_id: str | None = None  # a per-goal feed


def feed_items(feed: FeedInput) -> list[FeedItem]:
    """The items of one user's feed (or one goal's), sorted by start then uid."""
    profile = feed.profile
    goals = {g.goal_id: g for g in profile.goals.values() if feed.goal_id in (None, g.goal_id)}
    items = [i for i in _action_items(feed, goals) if i is not None]
    items += [i for g in goals.values() if g.archived_at is None for i in _period_items(feed, g)]
    return sorted(items, key=lambda i: (_sort_key(i.start), i.uid))


def _sort_key(at: datetime | date) -> str:
    return at.isoformat() if isinstance(at, datetime) else f"{at.isoformat()}T00:00"


def _goal_for(action: _Action, goals: Mapping[str, Goal], contacts: Mapping[str, Contact]) -> Goal | None:
    """The goal an action belongs to: its planned goal, else a goal it counts for, else a goal of
    its kind (a coffee chat without a new contact still belongs to the outreach goal's feed)."""
    if action.goal_id is not None:
        return goals.get(action.goal_id)
    counted = next((g for g in goals.values() if g.counts(action.kind, action.contact_ids, contacts)), None)
    return counted or next((g for g in goals.values() if g.action == action.kind), None)


def _action_items(feed: FeedInput, goals: Mapping[str, Goal]) -> Iterable[FeedItem | None]:
    tz = feed.profile.tz
    for action in fold_actions(feed.actions).values():
        goal = _goal_for(action, goals, feed.profile.contacts)
        if action.start is None or action.end is None or action.modified is None:
            continue
        if feed.goal_id is not None and goal is None:
            continue
        if not feed.window.holds(local_date(action.start, tz)):
            continue
        title = action.title or (goal.title if goal else kind_label(action.kind))
        if action.retracted:
            status, shown, state = CANCELLED, f"✗ {title} (no longer counted)", "retracted"
        elif action.done:
            status, shown, state = CONFIRMED, f"✓ {title}", "done"
        elif action.skipped:
            status, shown, state = CANCELLED, f"Skipped: {title}", "skipped"
        else:
            status, shown, state = CONFIRMED, title, "planned"
        yield FeedItem(
            uid=f"{action.action_id}@netgoals",
            title=shown,
            start=action.start.astimezone(tz),
            end=action.end.astimezone(tz),
            status=status,
            sequence=action.touched - 1,
            modified=action.modified,
            categories=("Networking", kind_label(action.kind), state),
            description=_describe(feed, goal, local_date(action.start, tz)),
            transparent=state != "planned",
            goal_id=goal.goal_id if goal else None,
        )


def _periods(goal: Goal, window: FeedWindow, week_start: int) -> Iterable[Period]:
    if goal.frame is Frame.DEADLINE:
        span = goal.first_period(week_start)
        if window.holds(span.last_day):
            yield span
        return
    period = period_of(max(goal.start, window.first_day), goal.frame, week_start)
    end = window.last_day if goal.deadline is None else min(window.last_day, goal.deadline)
    while period.start < end:
        yield period
        period = next_period(period, goal.frame, week_start)


def _period_items(feed: FeedInput, goal: Goal) -> Iterable[FeedItem]:
    profile, tz = feed.profile, feed.profile.tz
    today = local_date(feed.now, tz)
    goal_events = [e for e in feed.profile_log if e.data.get("goal_id") == goal.goal_id]
    done_log = _done_log(feed.actions, tz)
    for period in _periods(goal, feed.window, profile.week_start):
        target = goal.target_for(period.start)
        done = feed.counts.get(goal.goal_id, {}).get(period.start, 0)
        counted = [e for e, kind, at in done_log if kind == goal.action and period.contains(at)]
        touched = [*goal_events, *counted]
        label = f"{_short(goal)} — {period_label(period, goal.frame)}"
        if done >= target:
            title, state = f"✓ {label}", "met"
        elif period.end <= today:
            title, state = f"✗ {label} ({done} of {target})", "missed"
        else:
            title, state = (f"{label} ({done} of {target})" if target > 1 else label), "to do"
        start, end = period.start, period.end
        if goal.frame is Frame.DEADLINE:
            start, end = period.last_day, period.end  # one day, the deadline: not a months-long banner
        yield FeedItem(
            uid=f"{goal.goal_id}-{period.start.isoformat()}@netgoals",
            title=title,
            start=start,
            end=end,
            status=CONFIRMED,
            sequence=max(0, len(touched) - 1),
            modified=max(e.recorded_at for e in touched) if touched else goal.set_at,
            categories=("Networking", kind_label(goal.action), state),
            description=_describe(feed, goal, period.start),
            transparent=True,
            goal_id=goal.goal_id,
        )


def _short(goal: Goal) -> str:
    """ "Reach out to one new contact per week" — week 48 says "per week" twice: drop the first."""
    suffix = f" per {goal.frame.value}"
    return goal.title.removesuffix(suffix) if goal.title.endswith(suffix) else goal.title


def _done_log(entries: list[LogEntry], tz: ZoneInfo) -> list[tuple[LogEntry, str, date]]:
    """Each done or retracted entry with its action's kind and local day: what moves a count."""
    done: dict[str, tuple[str, date]] = {}
    found = []
    for entry in entries:
        if entry.type == ev.ACTION_DONE and entry.data["action_id"] not in done:
            done[entry.data["action_id"]] = (
                entry.data["kind"],
                local_date(datetime.fromisoformat(entry.data["at"]), tz),
            )
        if entry.type in ev.ACTION_EVENT_TYPES and entry.data["action_id"] in done:
            found.append((entry, *done[entry.data["action_id"]]))
    return found


def _describe(feed: FeedInput, goal: Goal | None, day: date) -> str:
    profile = feed.profile
    lines = []
    if goal is not None:
        lines.append(f"Goal: {goal.title}")
        aspiration = profile.aspirations.get(goal.aspiration_id) if goal.aspiration_id else None
        if aspiration is not None:
            lines.append(f"Why: {aspiration.text}")
        period = goal.period_for(day, profile.week_start)
        if period is not None:
            done = feed.counts.get(goal.goal_id, {}).get(period.start, 0)
            frame = "in all" if goal.frame is Frame.DEADLINE else f"this {goal.frame.value}"
            lines.append(f"Progress: {done} of {goal.target_for(period.start)} {frame}")
    lines += ["", f"Dashboard: {feed.dashboard_url}"]
    return "\n".join(lines)
