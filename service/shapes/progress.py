"""Progress on one goal this period, with its recent periods (`netgoals progress --json` and
`GET /api/v1/progress`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

from domain.tracking.progress import PeriodProgress

if TYPE_CHECKING:  # service/read_models/progress.py builds these from its lines: no import cycle at run time
    from service.read_models.progress import ProgressLine

RECENT_PERIODS = 12


class PeriodOut(BaseModel):
    period_start: str
    period_end: str
    target: int
    done: int
    status: str

    @classmethod
    def of(cls, item: PeriodProgress) -> PeriodOut:
        return cls(
            period_start=item.period.start.isoformat(),
            period_end=item.period.last_day.isoformat(),
            target=item.target,
            done=item.done,
            status=item.status,
        )


class ProgressOut(BaseModel):
    goal_id: str
    title: str
    action: str
    target: int
    frame: str
    period_start: str
    period_end: str
    done: int
    status: str
    streak: int
    best_streak: int
    expected_by_now: int | None
    slack_days: int | None
    lifecycle: str
    aspiration_id: str | None
    aspiration: str | None
    recent: list[PeriodOut]

    @classmethod
    def of(cls, line: ProgressLine) -> ProgressOut:
        p, goal = line.progress, line.progress.goal
        current = p.current
        return cls(
            goal_id=goal.goal_id,
            title=goal.title,
            action=goal.action,
            target=current.target,
            frame=goal.frame.value,
            period_start=current.period.start.isoformat(),
            period_end=current.period.last_day.isoformat(),
            done=current.done,
            status=current.status,
            streak=p.streak,
            best_streak=p.best_streak,
            expected_by_now=p.expected_by_now,
            slack_days=p.slack_days,
            lifecycle=p.lifecycle,
            aspiration_id=goal.aspiration_id,
            aspiration=line.aspiration,
            recent=[PeriodOut.of(item) for item in p.history[-RECENT_PERIODS:]],
        )
