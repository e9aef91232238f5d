"""Plan (a use-case step of sync): free time from freeBusy, the pure planner, then
`action.planned/rescheduled/skipped` events and outbox rows in one transaction.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Protocol

from domain.calendars.planning import BUSY, PlanChanges, plan
from domain.decisions.profile import Profile
from domain.event_types import facts
from domain.event_types.events import NewEvent, actions_stream
from integrations.storage import calendar_store as store
from integrations.storage import views
from integrations.storage.database import read_transaction, write_transaction
from integrations.storage.event_store import StreamAppend
from service.app import App
from service.google.blocks import block_title, describe, done_so_far, outbox_row, to_block
from service.google.ids import derived_id
from service.google.report import Report


class BusySource(Protocol):
    """Where the planner learns when the person is busy (Google's freeBusy, CalDAV's query)."""

    def busy(self, time_min: datetime, time_max: datetime) -> list[tuple[datetime, datetime]]: ...


def make_plan(
    app: App,
    client: BusySource,
    user_id: str,
    profile: Profile,
    weeks: int,
    public_url: str,
    report: Report,
) -> None:
    app.projection.catch_up(user_id)
    now = app.now()
    with read_transaction(app.engine) as connection:
        counts = views.progress_counts(connection, user_id)
        rows = store.outbox_rows(connection, user_id)
    blocks = [to_block(r) for r in rows]
    busy = client.busy(now, now + timedelta(weeks=weeks))

    def new_id(goal_id: str, period_start: date, index: int) -> str:
        return str(derived_id(f"{user_id}/plan/{goal_id}/{period_start.isoformat()}/{index}"))

    changes = plan(
        profile.goals.values(), counts, blocks, busy, now, profile.tz, profile.week_start, new_id, weeks=weeks
    )
    retitled = _retitled(profile, rows, changes, now)
    if not changes and not retitled:
        return
    events: list[NewEvent] = []
    new_rows: list[dict[str, Any]] = []
    for block in changes.new:
        title = block_title(profile, block.goal_id)
        goal = profile.goals.get(block.goal_id) if block.goal_id else None
        # A goal with one named person (a mentor) is met with them: the block says so, and so does
        # its "done" once confirmed, so that it counts for the goal it was planned for.
        whom = list(goal.contact_ids) if goal is not None and len(goal.contact_ids) == 1 else []
        start, end = block.start.astimezone(profile.tz), block.end.astimezone(profile.tz)
        planned = facts.action_planned(
            block.action_id, block.goal_id, block.kind, start, end, title, whom, now
        )
        events.append(planned.with_id(derived_id(f"{block.action_id}/planned")))
        new_rows.append(
            outbox_row(
                user_id,
                block.action_id,
                block.goal_id,
                block.kind,
                title,
                describe(
                    profile,
                    block.goal_id,
                    done_so_far(profile, counts, block),
                    public_url,
                    block.period_start,
                ),
                start,
                end,
                block.period_start,
            )
        )
    for block, start, end in changes.moved:
        local_start, local_end = start.astimezone(profile.tz), end.astimezone(profile.tz)
        reason = changes.why_moved.get(block.action_id, BUSY)
        moved = facts.action_rescheduled(
            block.action_id, local_start, local_end, "netgoals", now, reason=reason
        )
        events.append(
            moved.with_id(
                derived_id(
                    f"{block.action_id}/rescheduled/{block.start.isoformat()}/{local_start.isoformat()}"
                )
            )
        )
    for block, reason in changes.removed:
        skipped = facts.action_skipped(block.action_id, reason, "netgoals", now)
        events.append(skipped.with_id(derived_id(f"{block.action_id}/skipped")))
    with write_transaction(app.engine) as connection:
        store.add_outbox(connection, new_rows)
        for block, start, end in changes.moved:
            local_start, local_end = start.astimezone(profile.tz), end.astimezone(profile.tz)
            store.change_outbox(
                connection,
                user_id,
                block.action_id,
                push=True,
                start=local_start.isoformat(),
                end=local_end.isoformat(),
                start_at=local_start.timestamp(),
            )
        for block, _reason in changes.removed:
            store.change_outbox(
                connection, user_id, block.action_id, push=True, status="removed", present=False
            )
        for action_id, title in retitled.items():
            store.change_outbox(connection, user_id, action_id, push=True, title=title)
        app.store.append_in(connection, StreamAppend(actions_stream(user_id), None, events))
    report.planned += len(changes.new)
    report.moved += len(changes.moved)
    report.removed += len(changes.removed)


def _retitled(
    profile: Profile, rows: list[dict[str, Any]], changes: PlanChanges, now: datetime
) -> dict[str, str]:
    """A revised goal's new title, for its blocks still to come (action id -> title)."""
    gone = {block.action_id for block, _reason in changes.removed}
    found = {}
    for row in rows:
        if row["goal_id"] is None or row["status"] != "planned" or not row["present"]:
            continue
        if row["action_id"] in gone or row["start_at"] <= now.timestamp():
            continue
        title = block_title(profile, row["goal_id"])
        if row["goal_id"] in profile.goals and row["title"] != title:
            found[row["action_id"]] = title
    return found
