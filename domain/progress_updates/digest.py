"""The weekly digest: what last week brought, what waits, and what comes next — as plain data the
mail and webhook renderers turn into words. Pure: the service layer gathers the inputs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from domain.calendars.confirmation import VIA_WORDS
from domain.event_types import events as ev
from domain.progress_updates.updates import WaitingBlock
from domain.tracking.periods import Frame, Period, local_date, local_midnight, period_of
from domain.tracking.progress import GoalProgress, period_closing

# The digest goes out on the first morning of the person's week, from this hour on (their zone).
DIGEST_HOUR = 8
SOURCES = {"manual": "logged by you", "google": "Google Calendar", "ical": "calendar feed"}
# A planned block the user confirmed: the way they did (domain.calendars.confirmation.VIA_WORDS).
CONFIRMED = "confirmed"


@dataclass(frozen=True, slots=True)
class DigestGoal:
    title: str
    done: int
    target: int
    status: str
    streak: int
    period: Period

    @property
    def bar(self) -> str:
        """A bar that reads in plain text: ■ done, □ still to do (at most 10 cells)."""
        cells = min(self.target, 10)
        filled = min(cells, round(self.done * cells / self.target)) if self.target else 0
        return "■" * filled + "□" * (cells - filled)


@dataclass(frozen=True, slots=True)
class CountedAction:
    at: datetime  # in the person's zone
    title: str
    source: str  # manual, google, ical, confirmed
    via: str | None = None  # for a confirmed block: how (link, dashboard, cli, api, title)

    @property
    def source_words(self) -> str:
        if self.source == CONFIRMED:
            return f"confirmed {VIA_WORDS.get(self.via or '', 'by you')}"
        return SOURCES.get(self.source, self.source)


@dataclass(frozen=True, slots=True)
class OverdueContact:
    name: str
    days_overdue: int


@dataclass(frozen=True, slots=True)
class PlannedAction:
    at: datetime  # in the person's zone
    title: str


@dataclass(frozen=True, slots=True)
class Digest:
    week: Period  # the week the digest looks back on
    goals: tuple[DigestGoal, ...]
    counted: tuple[CountedAction, ...]
    to_confirm: tuple[WaitingBlock, ...]
    overdue: tuple[OverdueContact, ...]
    planned: tuple[PlannedAction, ...]

    @property
    def key(self) -> str:
        return digest_key(self.week)

    @property
    def empty(self) -> bool:
        return not (self.goals or self.counted or self.to_confirm or self.overdue or self.planned)


def digest_key(week: Period) -> str:
    return f"digest:{week.start.isoformat()}"


def digest_week_due(now: datetime, tz: ZoneInfo, week_start: int) -> Period | None:
    """The week a digest is due for now: on the first day of the person's week, from DIGEST_HOUR
    until that day ends, the week before it. Outside that window, none (a digest missed for a whole
    day is not sent days late)."""
    today = local_date(now, tz)
    this_week = period_of(today, Frame.WEEK, week_start)
    if today != this_week.start:
        return None
    if now < local_midnight(today, tz) + timedelta(hours=DIGEST_HOUR):
        return None
    return period_of(today - timedelta(days=1), Frame.WEEK, week_start)


def build_digest(
    week: Period,
    progress_at_week_end: Iterable[GoalProgress],
    counted: Iterable[CountedAction],
    to_confirm: Iterable[WaitingBlock],
    overdue: Iterable[OverdueContact],
    planned: Iterable[PlannedAction],
) -> Digest:
    goals = tuple(
        DigestGoal(p.goal.title, period.done, period.target, period.status, streak, period.period)
        for p in progress_at_week_end
        if p.lifecycle in ("active", "achieved")
        # The week's own period judged as the immediate updates judge it: a period that closed with
        # the week is met or missed, and a missed one has ended its streak.
        for period, streak in (period_closing(p, week.last_day),)
    )
    return Digest(
        week,
        goals,
        tuple(sorted((c for c in counted if week.contains(c.at.date())), key=lambda c: c.at)),
        tuple(sorted(to_confirm, key=lambda b: b.ended_at)),
        tuple(sorted(overdue, key=lambda o: -o.days_overdue)),
        tuple(sorted(planned, key=lambda p: p.at)),
    )


def next_week(week: Period) -> Period:
    return Period(week.end, week.end + timedelta(days=7))


def week_label(week: Period) -> str:
    last = week.last_day
    return f"{week.start:%d %b} – {last:%d %b %Y}"


# How the weekly digest reads each event type (tests/unit/test_event_readers.py): progress (goals,
# settings, done and retracted actions, through the progress views), what counted (done actions),
# what waits for an answer and what is planned (the blocks), and who is overdue (contacts).
EVENT_READING: Final = ev.reading(
    handled=(
        ev.USER_REGISTERED,
        ev.USER_SETTINGS_CHANGED,
        ev.ASPIRATION_ADDED,
        ev.ASPIRATION_UPDATED,
        ev.GOAL_SET,
        ev.GOAL_REVISED,
        ev.GOAL_PREFERENCES_SET,
        ev.GOAL_LINKED,
        ev.GOAL_PAUSED,
        ev.GOAL_RESUMED,
        ev.GOAL_ARCHIVED,
        ev.CONTACT_ADDED,
        ev.CONTACT_UPDATED,
        ev.ACTION_DONE,
        ev.ACTION_RETRACTED,
        ev.ACTION_PLANNED,
        ev.ACTION_RESCHEDULED,
        ev.ACTION_SKIPPED,
        ev.ACTION_FULFILLED,
        ev.CONFIRMATION_ADOPTED,
        ev.USER_UPDATES_SET,
    ),
    ignored=(
        ev.HANDLE_CLAIMED,
        ev.CALENDAR_CONNECTED,
        ev.CALENDAR_DISCONNECTED,
        ev.USER_UPDATES_EMAIL_CONFIRMED,
        ev.NEXT_ANSWERED,
        ev.UPDATE_DECIDED,
        ev.UPDATE_DELIVERED,
        ev.UPDATE_FAILED,
    ),
)
