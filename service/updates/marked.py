"""The updates tick's decide side: decide for the people who are marked or due (invariant 12),
never for everyone.

`claim_marked` takes a tick's worth of due marks (an index range: nobody due, one short query);
`decide_marked` decides for a batch of them and settles each mark at the person's next due time
(`domain/progress_updates/decision_due.py`). A batch that runs out of time stops between people:
the marks it did not reach stay due, and their short claim runs out, so the next tick hands them
out again — no decision is lost to a time limit.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from domain.progress_updates.decision_due import next_due
from domain.progress_updates.updates import WaitingBlock
from integrations.storage import decision_marks
from integrations.storage.database import read_transaction, write_transaction
from service.app import App
from service.tracking import confirmation
from service.updates.context import Updates
from service.updates.decide import plan, record

log = logging.getLogger("netgoals.updates")

NEVER = 1e18  # updates off: only a change (a new channel is one) makes the person due again
RETRY_AFTER = 300.0  # deciding failed for a person: tried again then, not on every tick


@dataclass(frozen=True, slots=True)
class Decided:
    users: int  # decided and settled
    deliveries: int  # delivery rows added
    failed: int  # people whose decision failed (tried again after RETRY_AFTER)
    left: int  # people not reached before the time budget ran out (still due)


def claim_marked(app: App, hold_seconds: float, limit: int) -> list[str]:
    """The people due now, oldest first, held for `hold_seconds` (the decider's time)."""
    with write_transaction(app.engine) as connection:
        marks = decision_marks.claim_due(connection, app.now().timestamp(), hold_seconds, limit)
    return [m.user_id for m in marks]


def decide_marked(
    app: App, ctx: Updates, user_ids: list[str], *, budget_seconds: float, confirm_after_days: int = 7
) -> Decided:
    started = time.monotonic()
    users = deliveries = failed = 0
    for index, user_id in enumerate(user_ids):
        if time.monotonic() - started > budget_seconds:
            return Decided(users, deliveries, failed, len(user_ids) - index)
        try:
            deliveries += decide_one(app, ctx, user_id, confirm_after_days)
            users += 1
        except Exception:  # one person's bad state must not stall the batch
            failed += 1
            log.exception("deciding updates failed for user %s", user_id)
            with write_transaction(app.engine) as connection:
                decision_marks.postpone(connection, user_id, app.now().timestamp() + RETRY_AFTER)
    return Decided(users, deliveries, failed, 0)


def decide_one(app: App, ctx: Updates, user_id: str, confirm_after_days: int = 7) -> int:
    """Decide for one person and settle their mark; returns the deliveries added. One unit of work:
    the reads share one transaction and one profile replay, and what the decision writes (its
    events, its delivery rows) commits with the settled mark."""
    with app.unit():
        with read_transaction(app.engine) as connection:
            found = decision_marks.mark_of(connection, user_id)
        # The version read before deciding: a change committed while deciding keeps the mark due.
        mark = decision_marks.Mark(user_id, found[1] if found else 0)
        # Caught up first: a catch-up that writes would end the unit's read and forget its profile.
        app.projection.catch_up(user_id)
        profile = app.profile(user_id)
        chosen = profile.updates
        decision = None
        due: float = NEVER
        if chosen.active:
            waiting = [
                WaitingBlock(w.action_id, w.title, w.end)
                for w in confirmation.waiting(app, user_id, confirm_after_days)
            ]
            decision = plan(app, ctx, profile, waiting)
            at = next_due(
                app.now(),
                profile.tz,
                profile.week_start,
                immediate=chosen.immediate,
                digest=chosen.digest,
                waiting_ended=[w.ended_at for w in waiting],
                daily_at=profile.daily_at,  # issue 28: the daily message at the chosen time
            )
            due = at.timestamp() if at is not None else NEVER
        with write_transaction(app.engine) as connection:
            added = record(app, connection, decision) if decision is not None else 0
            decision_marks.settle(connection, mark, due)
    return added
