"""Use case: goal progress now, or as it stood at the end of a past day (`as_of`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from domain.decisions.profile import Profile
from domain.errors import DomainError
from domain.tracking.goals import Goal
from domain.tracking.periods import Frame, local_date, local_midnight, parse_timezone
from domain.tracking.progress import GoalProgress, count_by_period, evaluate
from service.shapes.progress import ProgressOut

if TYPE_CHECKING:  # SQLAlchemy loads when the store is opened; see service/read_models/quick_progress.py
    from sqlalchemy import Connection

    from integrations.storage.view_rows import UserRecord
    from service.app import App


@dataclass(frozen=True, slots=True)
class ProgressLine:
    progress: GoalProgress
    aspiration: str | None

    def as_dict(self) -> dict[str, Any]:
        """The line in its JSON shape (`service/shapes/progress.py`), for templates and tests."""
        return ProgressOut.of(self).model_dump(mode="json")


def progress(
    app: App,
    user_id: str,
    as_of: date | None = None,
    *,
    include_archived: bool = False,
    at: datetime | None = None,
) -> list[ProgressLine]:
    """Reads the projection: its cost grows with goals and periods, never with the log. `as_of`
    a day: progress at its end; `at` a moment: judged then, with what was done before it (the first
    moment of a week judges the week before as over)."""
    from integrations.storage.database import read_transaction

    app.projection.catch_up(user_id)
    # One read transaction for the user and their views (on PostgreSQL each one is a round trip).
    with read_transaction(app.engine) as connection:
        user, stored_goals, counts, names = _stored(app, connection, user_id)
        tz = parse_timezone(user.timezone)  # the users view holds the settings: no profile replay here
        now = app.now()
        judged = None
        if at is not None:
            judged = min(now, at)
            as_of = local_date(judged - timedelta(microseconds=1), tz)
            now = judged - timedelta(microseconds=1)
        elif as_of is not None:
            if as_of > local_date(now, tz):
                raise DomainError(f"as-of date {as_of.isoformat()} is in the future")
            now = min(now, local_midnight(as_of + timedelta(days=1), tz) - timedelta(microseconds=1))
        goals = [g for g in stored_goals if g.set_at <= now or as_of is None]
        if as_of is not None:
            _count_until(connection, user_id, app.profile(user_id), goals, counts, now)
    return progress_lines(goals, counts, names, judged or now, tz, user.week_start, include_archived)


def _stored(
    app: App, connection: Connection, user_id: str
) -> tuple[UserRecord, list[Goal], dict[str, dict[date, int]], dict[str, str]]:
    """The user's row, goals, stored counts and aspiration names. Inside a unit of work they are
    read once until it writes: a digest decision judges progress twice, now and at the week's end
    (issue 26). The counts come as a copy each time, since `_count_until` rewrites them."""
    from integrations.storage import unit_of_work, views
    from service.app import USER_MEMO

    memo = unit_of_work.memo(app.engine)
    key = ("progress-rows", user_id)
    if memo is not None and key in memo:
        user, goals, counts, names = memo[key]
    else:
        user = views.find_user(connection, user_id) or app.user(user_id)  # app.user: the not-found error
        goals = views.goals(connection, user_id)
        counts = views.progress_counts(connection, user_id)
        names = {a.aspiration_id: a.text for a in views.aspirations(connection, user_id)}
        if memo is not None:
            memo[key] = user, goals, counts, names
            # Caught up (`progress` caught up first): what `App.user` would answer in this unit.
            memo.setdefault((USER_MEMO, user_id), user)
    return user, goals, {goal_id: dict(by_period) for goal_id, by_period in counts.items()}, names


def progress_lines(
    goals: list[Goal],
    counts: dict[str, dict[date, int]],
    aspiration_names: dict[str, str],
    now: datetime,
    tz: ZoneInfo,
    week_start: int,
    include_archived: bool,
) -> list[ProgressLine]:
    """Each goal judged from its stored counts (the full and the quick path share this)."""
    lines = []
    for goal in goals:
        if goal.archived_at is not None and goal.archived_at <= now and not include_archived:
            continue
        result = evaluate(goal, counts.get(goal.goal_id, {}), now, tz, week_start)
        lines.append(ProgressLine(result, aspiration_names.get(goal.aspiration_id or "")))
    return lines


def _count_until(
    connection: Connection,
    user_id: str,
    profile: Profile,
    goals: list[Goal],
    counts: dict[str, dict[date, int]],
    cutoff: datetime,
) -> None:
    """Stored counts are final for past periods; the period holding the cutoff is counted again
    with only what was done by then."""
    from integrations.storage import views

    firsts = views.first_interactions(connection, user_id)
    for goal in goals:
        period = goal.period_for(local_date(cutoff, profile.tz), profile.week_start)
        if period is None:
            continue
        actions = views.actions_between(connection, user_id, goal.action, period, profile)
        recount = count_by_period(
            goal, actions, firsts, profile.tz, profile.week_start, until=cutoff, contacts=profile.contacts
        )
        goal_counts = counts.setdefault(goal.goal_id, {})
        goal_counts[period.start] = recount.get(period.start, 0)
        if goal.frame is not Frame.DEADLINE:
            for later in [p for p in goal_counts if p > period.start]:
                del goal_counts[later]
