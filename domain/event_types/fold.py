"""Fold a whole log in memory: every user's profile, actions and progress counts.

This is how projections are rebuilt from scratch (fast: plain dict updates per event), and the
reference the incremental projection must agree with. Each user's block ledger is folded here too
(`domain/calendars/block_ledger.py`, its own rule), so a rebuild reads and decodes the log once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from domain.calendars.block_ledger import EVENT_READING as LEDGER_READING
from domain.calendars.block_ledger import BlockLedger
from domain.decisions.profile import EVENT_READING as PROFILE_READING
from domain.decisions.profile import Profile
from domain.event_types import events as ev
from domain.tracking.actions import (
    ActionFact,
    Interactions,
    action_from_done,
    interactions_by_contact,
)
from domain.tracking.progress import count_goals


@dataclass(slots=True)
class UserFold:
    profile: Profile
    actions: dict[str, ActionFact] = field(default_factory=dict)
    actions_version: int = 0
    blocks: BlockLedger = field(default_factory=BlockLedger)  # the actions stream's block ledger

    def interactions(self) -> dict[str, Interactions]:
        return interactions_by_contact(self.actions.values())

    def counts(self, interactions: dict[str, Interactions] | None = None) -> dict[str, dict[date, int]]:
        """Done per period for every goal of this user (pass `interactions` if already at hand)."""
        profile = self.profile
        seen = self.interactions() if interactions is None else interactions
        firsts = {c: i.first for c, i in seen.items() if i.first is not None}
        return count_goals(
            profile.goals.values(),
            self.actions.values(),
            firsts,
            profile.tz,
            profile.week_start,
            contacts=profile.contacts,
        )


class LogFold:
    """All users' state, folded event by event in log order."""

    def __init__(self, *, blocks: bool = True) -> None:
        self.users: dict[str, UserFold] = {}
        self.blocks = blocks  # fold the block ledgers too (a rebuild of progress alone needs none)
        self.handles: dict[str, str] = {}
        self.position = 0  # the position of the event being folded, when the reader knows it

    def user(self, user_id: str) -> UserFold:
        fold = self.users.get(user_id)
        if fold is None:
            fold = self.users[user_id] = UserFold(Profile(user_id))
        return fold

    def apply(self, stream_id: str, event_type: str, data: dict[str, Any]) -> None:
        kind, _, owner = stream_id.partition("-")
        if kind == "actions":
            fold = self.users.get(owner) or self.user(owner)
            fold.actions_version += 1
            if event_type == ev.ACTION_DONE:
                action_id = data["action_id"]
                if action_id not in fold.actions:  # the same action twice: the first one stands
                    fact = fold.actions[action_id] = action_from_done(data)
                    fact.position = self.position
            elif event_type == ev.ACTION_RETRACTED:
                retracted = fold.actions.get(data["action_id"])
                if retracted is not None:
                    retracted.retracted = True
            if self.blocks and event_type in _LEDGER_TYPES:
                fold.blocks.apply(event_type, data)
        elif kind == "user":
            self.user(owner).profile.apply(event_type, data)
        elif event_type == ev.HANDLE_CLAIMED:
            self.handles[data["handle"]] = data["user_id"]

    def apply_all(self, rows: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
        apply = self.apply
        for stream_id, event_type, data in rows:
            apply(stream_id, event_type, data)


_LEDGER_TYPES: Final = frozenset(t for t, how in LEDGER_READING.items() if how == ev.HANDLED)

# How a rebuild folds each event type (tests/unit/test_event_readers.py): progress moves only with
# done and retracted actions (planned blocks are intentions: docs/architecture.md); a profile's
# events are folded by Profile.apply, as it reads them.
EVENT_READING: Final = ev.reading(
    handled=(
        ev.ACTION_DONE,
        ev.ACTION_RETRACTED,
        ev.HANDLE_CLAIMED,
        # Planned blocks are intentions: they move no progress, only the block ledger.
        ev.ACTION_PLANNED,
        ev.ACTION_RESCHEDULED,
        ev.ACTION_SKIPPED,
        ev.ACTION_FULFILLED,
        ev.CONFIRMATION_ADOPTED,
        *(t for t, how in PROFILE_READING.items() if how == ev.HANDLED),
    ),
    ignored=(
        ev.UPDATE_DECIDED,
        ev.UPDATE_DELIVERED,
        ev.UPDATE_FAILED,
        ev.CALENDAR_CONNECTED,
        ev.CALENDAR_DISCONNECTED,
        ev.NEXT_ANSWERED,  # an answer to a suggestion: the done action it logs is its own event
    ),
)
