"""Progress updates: which changes in a person's progress are worth telling them, decided from
progress alone (a pure function; "now" comes in with the progress).

Each update has a key naming the change it tells of ("goal g met for the period starting d"). The
key is what makes an update go out once: whoever decides the same change again — a redelivered
task, a second worker, a restarted beat — arrives at the same key, and a key already recorded is
never sent again.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.errors import DomainError
from domain.tracking.periods import Frame
from domain.tracking.progress import BEHIND, MET, MISSED, PAUSED, GoalProgress, PeriodProgress

# What a person can be told at once, and the weekly digest.
GOAL_MET = "goal-met"
DEADLINE_ACHIEVED = "deadline-achieved"
FELL_BEHIND = "fell-behind"
STREAK_BROKEN = "streak-broken"
CONFIRM_WAITING = "confirm-waiting"
DIGEST = "digest"
TEST = "test"
# The one mail an address gets before it is confirmed: the link that confirms it.
CONFIRM_EMAIL = "confirm-email"

CHANNELS = ("email", "webhook", "none")
WEBHOOK_FORMATS = ("json", "slack")
# A planned block is worth a reminder once it has waited this long for "done" or "didn't happen".
CONFIRM_REMINDER_AFTER = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class UpdatePreferences:
    """Where a person's updates go. The webhook's signing secret is not here: it is a secret, kept
    encrypted outside the log (invariant 8 in docs/architecture.md)."""

    channel: str = "none"
    email: str | None = None
    webhook_url: str | None = None
    webhook_format: str = "json"
    immediate: bool = True  # goal met, falling behind, streak broken, blocks to confirm
    digest: bool = True  # the Monday digest

    @property
    def active(self) -> bool:
        return self.channel != "none"

    @property
    def target(self) -> str | None:
        return self.email if self.channel == "email" else self.webhook_url


def email_key(email: str) -> str:
    """An address as it is compared: mail systems treat the case of an address as the same person."""
    return email.strip().lower()


def preferences_from_event(data: dict[str, Any]) -> UpdatePreferences:
    return UpdatePreferences(
        channel=data["channel"],
        email=data.get("email"),
        webhook_url=None,  # never in the log: the service opens it from the sealed channel store
        webhook_format=data.get("webhook_format", "json"),
        immediate=data.get("immediate", True),
        digest=data.get("digest", True),
    )


def validate_preferences(preferences: UpdatePreferences) -> None:
    if preferences.channel not in CHANNELS:
        raise DomainError(f"unknown channel {preferences.channel!r}: use one of {', '.join(CHANNELS)}")
    if preferences.channel == "email":
        email = preferences.email or ""
        local, _, domain = email.partition("@")
        if not local or "." not in domain or any(c.isspace() for c in email) or len(email) > 254:
            raise DomainError(f"{email!r} is not an email address")
    if preferences.channel == "webhook":
        url = preferences.webhook_url or ""
        if not url.startswith(("https://", "http://")) or len(url) > 2000:
            raise DomainError(f"webhook URL {url!r} must start with https:// (or http://)")
        if preferences.webhook_format not in WEBHOOK_FORMATS:
            raise DomainError(
                f"unknown webhook format {preferences.webhook_format!r}: use {' or '.join(WEBHOOK_FORMATS)}"
            )


@dataclass(frozen=True, slots=True)
class WaitingBlock:
    """A planned block that has passed and waits for the person to say whether it happened."""

    action_id: str
    title: str
    ended_at: datetime


@dataclass(frozen=True, slots=True)
class Update:
    key: str  # names the change; the same change always has the same key
    kind: str
    subject: str
    text: str
    goal_id: str | None = None
    action_id: str | None = None
    # Updates told in this one's message (blocks waiting together): each keeps its own key, so each
    # is told exactly once, and they arrive as one message instead of one each.
    gathered: tuple[Update, ...] = ()

    @property
    def told(self) -> tuple[Update, ...]:
        """Every update this message tells: itself, or each of those it gathers."""
        return self.gathered or (self,)


def worth_telling(
    progress: Iterable[GoalProgress],
    waiting: Iterable[WaitingBlock],
    now: datetime,
    already_told: Collection[str],
) -> list[Update]:
    """The updates a person has not been told yet, in a stable order."""
    found: list[Update] = []
    for item in progress:
        if item.lifecycle in ("paused", "archived"):
            continue
        found.extend(_goal_updates(item))
    for block in sorted(waiting, key=lambda b: (b.ended_at, b.action_id)):
        if now - block.ended_at >= CONFIRM_REMINDER_AFTER:
            found.append(
                Update(
                    f"{CONFIRM_WAITING}:{block.action_id}",
                    CONFIRM_WAITING,
                    f"Did it happen? {block.title}",
                    f"“{block.title}” was planned for {block.ended_at:%A %d %B}. "
                    "Tell netgoals whether it happened, so your progress stays true.",
                    action_id=block.action_id,
                )
            )
    return _gather_waiting([u for u in found if u.key not in already_told])


def _gather_waiting(updates: list[Update]) -> list[Update]:
    """Blocks waiting for an answer at the same time: one message that asks about all of them,
    under the oldest one's key (the others' keys are recorded with it)."""
    waiting = [u for u in updates if u.kind == CONFIRM_WAITING]
    if len(waiting) < 2:
        return updates
    gathered = Update(
        waiting[0].key,
        CONFIRM_WAITING,
        f"Did it happen? {len(waiting)} planned blocks",
        f"{len(waiting)} planned blocks have passed. Tell netgoals whether each happened, so your "
        "progress stays true.",
        gathered=tuple(waiting),
    )
    return [u for u in updates if u.kind != CONFIRM_WAITING] + [gathered]


def _goal_updates(item: GoalProgress) -> list[Update]:
    goal, current = item.goal, item.current
    title, start = goal.title, current.period.start.isoformat()
    found: list[Update] = []
    if current.status == MET:
        if goal.frame is Frame.DEADLINE:
            found.append(
                Update(
                    f"{DEADLINE_ACHIEVED}:{goal.goal_id}",
                    DEADLINE_ACHIEVED,
                    f"Achieved: {title}",
                    f"You reached {current.done} of {current.target} before the deadline.",
                    goal.goal_id,
                )
            )
        else:
            streak = f" That is {item.streak} in a row." if item.streak > 1 else ""
            found.append(
                Update(
                    f"{GOAL_MET}:{goal.goal_id}:{start}",
                    GOAL_MET,
                    f"Met this {_frame_word(goal.frame)}: {title}",
                    f"{current.done} of {current.target} done.{streak}",
                    goal.goal_id,
                )
            )
    elif current.status == BEHIND:
        found.append(
            Update(
                f"{FELL_BEHIND}:{goal.goal_id}:{start}",
                FELL_BEHIND,
                f"Falling behind: {title}",
                f"{current.done} of {current.target} done so far"
                + (
                    f"; {item.expected_by_now} would be on pace." if item.expected_by_now is not None else "."
                ),
                goal.goal_id,
            )
        )
    broken = _broken_streak(item.history)
    if broken is not None:
        missed, run = broken
        found.append(
            Update(
                f"{STREAK_BROKEN}:{goal.goal_id}:{missed.period.start.isoformat()}",
                STREAK_BROKEN,
                f"Streak ended: {title}",
                f"A streak of {run} ended: {missed.done} of {missed.target} in the "
                f"{_frame_word(goal.frame)} that just closed. A new one starts now.",
                goal.goal_id,
            )
        )
    return found


def _broken_streak(history: Sequence[PeriodProgress]) -> tuple[PeriodProgress, int] | None:
    """The period that just closed, if it was missed and ended a run of met periods (paused
    periods neither count nor break a run)."""
    if len(history) < 3 or history[-2].status != MISSED:
        return None
    run = 0
    for item in reversed(history[:-2]):
        if item.status == MET:
            run += 1
        elif item.status != PAUSED:
            break
    return (history[-2], run) if run else None


def _frame_word(frame: Frame) -> str:
    return {Frame.WEEK: "week", Frame.MONTH: "month", Frame.QUARTER: "quarter"}.get(frame, "period")
