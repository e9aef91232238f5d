"""What the log says about netgoals' planned blocks: a fold of one user's actions stream.

A block is planned (`action.planned`), maybe moved, and then ends one way: done (the user confirmed
it, or — before the confirmation rule — a pull counted it), fulfilled by another done action, or
skipped. The ledger also keeps every done action, because those are what can fulfil a block.

A block the user confirmed and evidence on its day are one happening: the sweep retracts the
confirmation and lets the evidence fulfil the block, the fulfilment naming the confirmation it
`absorbs`. Should that evidence be retracted later, the happening the user confirmed still
happened: the block remembers the confirmation (`released_by`) until the sweep restores it as a
new done action for the block (`block_id`).
Pure: `apply` takes the events in log order, nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from domain.event_types import events as ev

DONE, FULFILLED, SKIPPED = "done", "fulfilled", "skipped"


@dataclass(slots=True)
class DoneAction:
    """A done action as far as fulfilling blocks goes."""

    action_id: str
    kind: str
    at: datetime
    title: str | None = None
    source: str | None = None
    retracted: bool = False
    contact_ids: tuple[str, ...] = ()
    block_id: str | None = None  # the planned block this done action confirms (its own, or restored)


@dataclass(slots=True)
class PlannedBlock:
    action_id: str
    goal_id: str | None
    kind: str
    start: datetime
    end: datetime
    title: str = ""
    contact_ids: tuple[str, ...] = ()
    outcome: str | None = None  # DONE, FULFILLED, SKIPPED; None while nothing has decided it
    reason: str | None = None  # why it was skipped
    by: str | None = None  # who skipped it: "user" or "netgoals"
    confirmed_via: str | None = None  # how the user said it was done; None for the old rule
    fulfilled_by: str | None = None  # the done action that fulfils it
    confirmation: str | None = None  # the done action that says it happened (the block's id, or a restore)
    absorbed: str | None = None  # the confirmation the fulfilling evidence stands in for
    released_by: str | None = None  # the retracted evidence that had absorbed `absorbed`: restore it


@dataclass(slots=True)
class BlockLedger:
    blocks: dict[str, PlannedBlock] = field(default_factory=dict)
    done: dict[str, DoneAction] = field(default_factory=dict)
    rule_since: datetime | None = None  # when the confirmation rule was adopted for this user
    fulfilling: dict[str, str] = field(default_factory=dict)  # done action id -> block id

    def apply(self, event_type: str, data: dict[str, Any]) -> None:
        handler = _HANDLERS.get(event_type)
        if handler is not None:
            handler(self, data)

    def apply_all(self, items: Iterable[tuple[str, dict[str, Any]]]) -> None:
        for event_type, data in items:
            self.apply(event_type, data)

    def fulfiller(self, block: PlannedBlock) -> DoneAction | None:
        return self.done.get(block.fulfilled_by) if block.fulfilled_by else None


def _planned(ledger: BlockLedger, data: dict[str, Any]) -> None:
    ledger.blocks[data["action_id"]] = PlannedBlock(
        data["action_id"],
        data.get("goal_id"),
        data["kind"],
        datetime.fromisoformat(data["start"]),
        datetime.fromisoformat(data["end"]),
        data.get("title") or "",
        tuple(data.get("contact_ids") or ()),
    )


def _rescheduled(ledger: BlockLedger, data: dict[str, Any]) -> None:
    block = ledger.blocks.get(data["action_id"])
    if block is not None:
        block.start = datetime.fromisoformat(data["start"])
        block.end = datetime.fromisoformat(data["end"])


def _skipped(ledger: BlockLedger, data: dict[str, Any]) -> None:
    block = ledger.blocks.get(data["action_id"])
    if block is not None and block.outcome is None:  # a done or fulfilled block stays so
        block.outcome, block.reason, block.by = SKIPPED, data.get("reason"), data.get("by")


def _done(ledger: BlockLedger, data: dict[str, Any]) -> None:
    action_id = data["action_id"]
    if action_id in ledger.done:  # the same action twice: the first one stands
        return
    block = ledger.blocks.get(data.get("block_id") or action_id)
    ledger.done[action_id] = DoneAction(
        action_id,
        data["kind"],
        datetime.fromisoformat(data["at"]),
        data.get("title"),
        data.get("source"),
        contact_ids=tuple(data.get("contact_ids") or ()),
        block_id=block.action_id if block is not None else None,
    )
    if block is not None and block.outcome != FULFILLED:  # a late "done" outweighs a skip
        block.outcome, block.reason, block.by = DONE, None, None
        block.confirmed_via = data.get("confirmed_via")
        block.confirmation, block.absorbed, block.released_by = action_id, None, None


def _retracted(ledger: BlockLedger, data: dict[str, Any]) -> None:
    action = ledger.done.get(data["action_id"])
    if action is None:
        return
    action.retracted = True
    own = ledger.blocks.get(action.block_id or "")
    if own is not None and own.outcome == DONE and own.confirmation == action.action_id:
        own.outcome = None  # back to waiting (or to the fulfilment that replaced it)
    fulfilled = ledger.blocks.get(ledger.fulfilling.pop(action.action_id, ""))
    if fulfilled is not None and fulfilled.outcome == FULFILLED:
        fulfilled.outcome, fulfilled.fulfilled_by = None, None  # the evidence is gone: to confirm again
        if fulfilled.absorbed is not None:  # but what the user confirmed still happened
            fulfilled.released_by = action.action_id


def _fulfilled(ledger: BlockLedger, data: dict[str, Any]) -> None:
    block = ledger.blocks.get(data["action_id"])
    action = ledger.done.get(data["by"])
    if block is None or action is None or action.retracted or data["by"] in ledger.fulfilling:
        return
    block.outcome, block.fulfilled_by, block.reason, block.by = FULFILLED, data["by"], None, None
    block.absorbed, block.released_by = data.get("absorbs"), None
    ledger.fulfilling[data["by"]] = block.action_id


def _adopted(ledger: BlockLedger, data: dict[str, Any]) -> None:
    if ledger.rule_since is None:
        ledger.rule_since = datetime.fromisoformat(data["at"])


_HANDLERS = {
    ev.ACTION_PLANNED: _planned,
    ev.ACTION_RESCHEDULED: _rescheduled,
    ev.ACTION_SKIPPED: _skipped,
    ev.ACTION_DONE: _done,
    ev.ACTION_RETRACTED: _retracted,
    ev.ACTION_FULFILLED: _fulfilled,
    ev.CONFIRMATION_ADOPTED: _adopted,
}
# The ledger is the actions stream's planned blocks and what can fulfil them; every other type is
# ignored on purpose, each named (tests/unit/test_event_readers.py).
EVENT_READING: Final = ev.reading(
    handled=_HANDLERS,
    ignored=(
        ev.USER_REGISTERED,
        ev.USER_SETTINGS_CHANGED,
        ev.HANDLE_CLAIMED,
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
        ev.CALENDAR_CONNECTED,
        ev.CALENDAR_DISCONNECTED,
        ev.USER_UPDATES_SET,
        ev.USER_UPDATES_EMAIL_CONFIRMED,
        ev.NEXT_ANSWERED,
        ev.UPDATE_DECIDED,
        ev.UPDATE_DELIVERED,
        ev.UPDATE_FAILED,
    ),
)
