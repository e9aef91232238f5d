"""The daily message and the digest's "This week" (issue 28): what the next list and the meeting
briefs say, told once a day at the person's chosen time (`daily_at`, their zone) over their
progress-update channel — one message with everything, never one per item.

`decide.py` calls `daily_payloads` once per round and `this_week` for a digest; both only read.
The message's key is its local day, so deciding it twice (a redelivered task, a second worker)
adds nothing; a day with nothing to tell sends nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from domain import decisions
from domain.decisions.profile import Profile
from domain.people.next_actions import BRIEF
from domain.progress_updates.daily import DAILY, TOP_ITEMS, daily_due, daily_key
from service.app import App
from service.people import next_actions
from service.shapes.next import BriefOut, NextItemOut


def daily_payloads(app: App, profile: Profile, now: datetime, told: Collection[str]) -> list[dict[str, Any]]:
    """Today's daily message, when it is due and not decided yet (none or one)."""
    day = daily_due(now, profile.tz, profile.daily_at)
    if day is None or daily_key(day) in told:
        return []
    listed, briefs = next_actions.today(app, profile.user_id)  # one read of the log for both
    items = [i for i in listed if i.kind != BRIEF][:TOP_ITEMS]  # the briefs say it in full
    if not briefs and not items:
        return []
    lines: list[str] = []
    if briefs:
        lines.append("BEFORE YOUR MEETINGS")
        for brief in briefs:
            lines.extend(next_actions.brief_text(brief))
        lines.append("")
    if items:
        lines.append("NEXT STEPS")
        lines.extend(f"{n}. {i.reason}" for n, i in enumerate(items, start=1))
    meetings = f"{len(briefs)} meeting{'s' if len(briefs) != 1 else ''} to prepare"
    steps = f"{len(items)} next step{'s' if len(items) != 1 else ''}"
    parts = [p for p, n in ((meetings, len(briefs)), (steps, len(items))) if n]
    return [
        {
            "key": daily_key(day),
            "kind": DAILY,
            "subject": f"Today: {', '.join(parts)}",
            "text": "\n".join(lines),
            "briefs": [BriefOut.of(b).model_dump(mode="json") for b in briefs],
            "items": [NextItemOut.of(i).model_dump(mode="json") for i in items],
        }
    ]


def this_week(app: App, user_id: str) -> list[dict[str, Any]]:
    """The digest's "This week": the top of the next list, with its reasons."""
    return [
        {"item_id": i.item_id, "kind": i.kind, "reason": i.reason}
        for i in next_actions.next_items(app, user_id, limit=TOP_ITEMS)
    ]


def set_daily(app: App, user_id: str, text: str) -> str | None:
    """Choose the daily message's time (HH:MM in the person's zone) or "off"; returns the choice."""
    app.decide_profile(user_id, lambda p: decisions.change_settings(p, app.now(), daily_at=text))
    return app.profile(user_id).daily_at
