"""A netgoals block as the outbox keeps it and Google shows it: its row, title and description
(with the goal's progress so far), and the planner's `Block` read back from a row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.calendars.planning import Block
from domain.decisions.profile import Profile
from domain.event_types import facts
from domain.event_types.events import NewEvent
from domain.tracking.periods import Frame
from service.google.ids import derived_id, google_event_id


def to_block(row: dict[str, Any]) -> Block:
    return Block(
        row["action_id"],
        row["goal_id"],
        row["kind"],
        datetime.fromisoformat(row["start"]),
        datetime.fromisoformat(row["end"]),
        date.fromisoformat(row["period_start"]) if row["period_start"] else None,
        row["status"],
        row["user_moved"],
        row["skipped_by_user"],
    )


def block_title(profile: Profile, goal_id: str | None) -> str:
    goal = profile.goals.get(goal_id) if goal_id else None
    return f"Networking: {goal.title}" if goal else "Networking"


def done_so_far(profile: Profile, counts: dict[str, dict[date, int]], block: Block) -> int:
    """Done in the block's goal period (a deadline goal counts over its whole span)."""
    goal = profile.goals.get(block.goal_id) if block.goal_id else None
    if goal is None or block.period_start is None:
        return 0
    period = (
        goal.first_period(profile.week_start).start if goal.frame is Frame.DEADLINE else block.period_start
    )
    return counts.get(goal.goal_id, {}).get(period, 0)


def outbox_row(
    user_id: str,
    action_id: str,
    goal_id: str | None,
    kind: str,
    title: str,
    description: str,
    start: datetime,
    end: datetime,
    period_start: date | None,
) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "action_id": action_id,
        "goal_id": goal_id,
        "kind": kind,
        "title": title,
        "description": description,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "start_at": start.timestamp(),
        "period_start": period_start.isoformat() if period_start else None,
        "contact_ids": None,
        "google_event_id": google_event_id(action_id),
        "status": "planned",
        "present": True,
        "pushed": False,
        "user_moved": False,
        "skipped_by_user": False,
        "revision": 1,
        "pushed_revision": 0,
        "note": None,
        "links_until": None,
    }


CONFIRM_MARK = "\n\n— "  # where the confirmation part of a description begins


def confirm_section(row: dict[str, Any], public_url: str, links: tuple[str, str] | None = None) -> str:
    """What a block says about whether it happened: what became of it (its note), or — once it has
    passed — the question with its Done / Didn't happen links (the dashboard when links cannot be
    signed). Nothing while it is still to come."""
    if row.get("note"):
        return f"{CONFIRM_MARK}{row['note']}"
    if row["status"] != "planned" or row.get("links_until") is None:
        return ""
    if links is None:
        return f"{CONFIRM_MARK}Did it happen? Say so on your dashboard: {public_url.rstrip('/')}/confirm"
    done, skipped = links
    return (
        f"{CONFIRM_MARK}Did it happen? One click (it asks once more before it changes anything):\n"
        f"Done: {done}\nDidn't happen: {skipped}\n"
        "Or put ✓ at the start of this event's title."
    )


def describe(
    profile: Profile, goal_id: str | None, done: int, public_url: str, period_start: date | None = None
) -> str:
    lines = []
    goal = profile.goals.get(goal_id) if goal_id else None
    if goal is not None:
        lines.append(f"Goal: {goal.title}")
        aspiration = profile.aspirations.get(goal.aspiration_id) if goal.aspiration_id else None
        if aspiration is not None:
            lines.append(f"Why: {aspiration.text}")
        frame = "in all" if goal.frame.value == "deadline" else f"this {goal.frame.value}"
        target = (
            goal.target_for(period_start)
            if period_start and goal.frame is not Frame.DEADLINE
            else goal.target
        )
        lines.append(f"Progress so far: {done} of {target} {frame}")
    # A goal that counts new contacts needs to know with whom: ✓ in a title cannot say it.
    how = (
        "and with whom (the links netgoals adds here when it has passed, or the dashboard)"
        if goal is not None and goal.new_contacts_only and not goal.contact_ids
        else "(✓ at the start of its title, or the links netgoals adds here when it has passed)"
    )
    lines += [
        "",
        f"Dashboard: {public_url.rstrip('/')}/",
        "Planned by netgoals in your free time. Move it if another time suits you better; "
        f"delete it to skip this one. It counts once you say it happened {how} or a matching "
        "event in your calendar shows it did.",
    ]
    return "\n".join(lines)


def deleted_in_google(action_id: str, at: datetime) -> NewEvent:
    """The user deleted our block in Google Calendar: the action is skipped, by them."""
    skipped = facts.action_skipped(action_id, "deleted in Google Calendar", "user", at)
    return skipped.with_id(derived_id(f"{action_id}/skipped"))
